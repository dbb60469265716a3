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
# The default configuration; mount your own over /etc/aimscope (read-only is fine).
COPY config/aimscope.example.toml /etc/aimscope/aimscope.toml
USER 10001:10001
WORKDIR /var/lib/aimscope
# History, inventory, delta and webhook spool live under /var/lib/aimscope: mount a volume there.
VOLUME ["/var/lib/aimscope"]
ENV AIMSCOPE_CONFIG=/etc/aimscope/aimscope.toml \
    AIMSCOPE__AGENT__HISTORY=/var/lib/aimscope/history.db \
    AIMSCOPE__AGENT__METRICS_LISTEN=0.0.0.0:9464
EXPOSE 9464
ENTRYPOINT ["/usr/local/bin/aimscope"]
# The scheduled agent; `docker run IMAGE scan --out -` for a one-off scan to stdout.
CMD ["agent", "--out", "/var/lib/aimscope/inventory.json"]
