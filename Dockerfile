# syntax=docker/dockerfile:1
# Multi-stage build: a full Rust toolchain to build, a small Debian runtime to run.
FROM rust:1.95-slim-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked --bin aimscope \
 && strip target/release/aimscope

FROM debian:bookworm-slim
# CA certificates for TLS to cloud APIs; nothing else is needed at run time.
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /var/lib/aimscope --create-home aimscope
COPY --from=build /src/target/release/aimscope /usr/local/bin/aimscope
COPY config/aimscope.example.toml /etc/aimscope/aimscope.toml
USER 10001:10001
WORKDIR /var/lib/aimscope
ENV AIMSCOPE_CONFIG=/etc/aimscope/aimscope.toml
ENTRYPOINT ["/usr/local/bin/aimscope"]
CMD ["scan", "--out", "/var/lib/aimscope/inventory.json"]
