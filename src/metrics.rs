//! The agent's health and Prometheus metrics endpoint.
//!
//! hyper's HTTP/1.1 server with connection, size and time limits (two GET paths, no
//! keep-alive): `/healthz` and `/metrics` in the Prometheus text exposition format 0.0.4. It binds
//! 127.0.0.1 by default; a pod exposes it with `metrics_listen = "0.0.0.0:9464"`.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aimscope_core::{Cloud, Inventory};

use crate::history::RunOutcome;
use tokio::net::TcpListener;

/// What the last scans looked like; updated by the agent after each cycle.
#[derive(Debug, Default, Clone)]
pub struct State {
    pub started_at: i64,
    pub scanning: bool,
    /// Scans by how they ended.
    pub scans: BTreeMap<RunOutcome, u64>,
    pub last_success: Option<i64>,
    pub last_duration_secs: Option<f64>,
    /// (cloud, kind, effective classification) → assets, from the last scan.
    pub assets: BTreeMap<(String, String, String), u64>,
    pub findings: BTreeMap<String, u64>,
    /// (cloud) → API calls in the last scan.
    pub api_calls: BTreeMap<String, u64>,
    /// (cloud, status) → coverage records that are not complete, in the last scan.
    pub gaps: BTreeMap<(String, String), u64>,
    /// (change) → assets in the last delta.
    pub delta: BTreeMap<&'static str, u64>,
    pub spool_depth: u64,
}

impl State {
    /// Takes the figures of a finished scan.
    pub fn observe(&mut self, inv: &Inventory, calls_by_cloud: &BTreeMap<Cloud, u64>, duration: Duration) {
        self.assets.clear();
        for a in &inv.assets {
            let class = a.effective_classification.as_ref().map(|c| c.level.clone()).unwrap_or_else(|| "none".into());
            let kind = a.kind.as_str().to_owned();
            *self.assets.entry((a.cloud.to_string(), kind, class)).or_default() += 1;
        }
        self.findings.clear();
        for f in &inv.findings {
            *self.findings.entry(f.severity.as_str().to_owned()).or_default() += 1;
        }
        self.gaps.clear();
        for g in inv.gaps() {
            let status = g.status.as_str().to_owned();
            *self.gaps.entry((g.cloud.to_string(), status)).or_default() += 1;
        }
        self.api_calls = calls_by_cloud.iter().map(|(c, n)| (c.to_string(), *n)).collect();
        self.last_duration_secs = Some(duration.as_secs_f64());
    }
}

pub type Shared = Arc<Mutex<State>>;

fn escape(v: &str) -> String {
    v.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

/// The exposition text.
pub fn render(s: &State) -> String {
    let mut out = String::new();
    let mut family = |name: &str, kind: &str, help: &str, samples: Vec<(String, f64)>| {
        let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
        for (labels, v) in samples {
            let _ = writeln!(out, "{name}{labels} {v}");
        }
    };
    let labels = |pairs: &[(&str, &str)]| {
        let inner: Vec<String> = pairs.iter().map(|(k, v)| format!("{k}=\"{}\"", escape(v))).collect();
        format!("{{{}}}", inner.join(","))
    };
    family("aimscope_up", "gauge", "1 while the agent runs.", vec![(String::new(), 1.0)]);
    family(
        "aimscope_agent_start_time_seconds",
        "gauge",
        "When the agent started (Unix time).",
        vec![(String::new(), s.started_at as f64)],
    );
    family(
        "aimscope_scan_in_progress",
        "gauge",
        "1 while a scan runs.",
        vec![(String::new(), if s.scanning { 1.0 } else { 0.0 })],
    );
    family(
        "aimscope_scans_total",
        "counter",
        "Scans by result.",
        RunOutcome::ALL
            .iter()
            .map(|r| (labels(&[("result", r.as_str())]), s.scans.get(r).copied().unwrap_or(0) as f64))
            .collect(),
    );
    family(
        "aimscope_last_success_timestamp_seconds",
        "gauge",
        "When the last scan that produced an inventory finished (Unix time; 0 before the first).",
        vec![(String::new(), s.last_success.unwrap_or(0) as f64)],
    );
    family(
        "aimscope_scan_duration_seconds",
        "gauge",
        "Duration of the last scan.",
        s.last_duration_secs.map(|d| vec![(String::new(), d)]).unwrap_or_default(),
    );
    family(
        "aimscope_assets",
        "gauge",
        "Assets in the last scan by cloud, kind and effective classification.",
        s.assets
            .iter()
            .map(|((c, k, cl), n)| (labels(&[("cloud", c), ("kind", k), ("classification", cl)]), *n as f64))
            .collect(),
    );
    family(
        "aimscope_findings",
        "gauge",
        "Findings in the last scan by severity.",
        s.findings.iter().map(|(sev, n)| (labels(&[("severity", sev)]), *n as f64)).collect(),
    );
    family(
        "aimscope_api_calls",
        "gauge",
        "Cloud API calls made by the last scan, by cloud.",
        s.api_calls.iter().map(|(c, n)| (labels(&[("cloud", c)]), *n as f64)).collect(),
    );
    family(
        "aimscope_coverage_gaps",
        "gauge",
        "Scopes the last scan could not see, by cloud and status (denied, throttled, failed, ...).",
        s.gaps.iter().map(|((c, st), n)| (labels(&[("cloud", c), ("status", st)]), *n as f64)).collect(),
    );
    family(
        "aimscope_delta_assets",
        "gauge",
        "Assets added, changed and removed by the last scan.",
        ["added", "changed", "removed"]
            .iter()
            .map(|c| (labels(&[("change", c)]), s.delta.get(c).copied().unwrap_or(0) as f64))
            .collect(),
    );
    family(
        "aimscope_spool_depth",
        "gauge",
        "Webhook batches waiting in the spool.",
        vec![(String::new(), s.spool_depth as f64)],
    );
    out
}

/// Connections served at once; more wait in the kernel's backlog. A scraper needs one.
const MAX_CONNECTIONS: usize = 32;
/// Time for a client to send its request head, and for a whole connection.
const HEADER_TIMEOUT: Duration = Duration::from_secs(5);
const CONNECTION_TIMEOUT: Duration = Duration::from_secs(30);
/// Largest request head read (hyper's own buffer limit); GET requests carry no body.
const MAX_HEAD_BYTES: usize = 8 * 1024;

/// Binds `addr` and serves until the process ends (hyper's HTTP/1.1 server: bounded
/// connections, request-head size and read timeouts, so a slow or hostile client cannot pile up
/// tasks or memory).
pub async fn serve(addr: &str, state: Shared) -> anyhow::Result<std::net::SocketAddr> {
    use hyper::server::conn::http1;
    use hyper_util::rt::{TokioIo, TokioTimer};

    let listener =
        TcpListener::bind(addr).await.map_err(|e| anyhow::anyhow!("metrics: cannot listen on {addr}: {e}"))?;
    let local = listener.local_addr()?;
    let slots = Arc::new(tokio::sync::Semaphore::new(MAX_CONNECTIONS));
    tokio::spawn(async move {
        loop {
            // A slot first: past the cap, connections wait in the backlog instead of as tasks.
            let Ok(permit) = slots.clone().acquire_owned().await else { return };
            let Ok((sock, _)) = listener.accept().await else {
                // Out of file descriptors and the like: back off instead of spinning.
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            };
            let state = state.clone();
            tokio::spawn(async move {
                let svc = hyper::service::service_fn(move |req| {
                    let state = state.clone();
                    async move { Ok::<_, std::convert::Infallible>(respond(&req, &state)) }
                });
                let conn = http1::Builder::new()
                    .timer(TokioTimer::new())
                    .header_read_timeout(HEADER_TIMEOUT)
                    .max_buf_size(MAX_HEAD_BYTES)
                    .keep_alive(false)
                    .serve_connection(TokioIo::new(sock), svc);
                let _ = tokio::time::timeout(CONNECTION_TIMEOUT, conn).await;
                drop(permit);
            });
        }
    });
    Ok(local)
}

fn respond<B>(req: &hyper::Request<B>, state: &Shared) -> hyper::Response<http_body_util::Full<bytes::Bytes>> {
    use hyper::{Method, StatusCode};
    let (status, ctype, body) = match (req.method(), req.uri().path()) {
        (&Method::GET, "/healthz") => (StatusCode::OK, "text/plain", "ok\n".to_owned()),
        (&Method::GET, "/metrics") => {
            let text = state.lock().map(|s| render(&s)).unwrap_or_default();
            (StatusCode::OK, "text/plain; version=0.0.4; charset=utf-8", text)
        }
        (&Method::GET, _) => (StatusCode::NOT_FOUND, "text/plain", "not found\n".to_owned()),
        _ => (StatusCode::METHOD_NOT_ALLOWED, "text/plain", "method not allowed\n".to_owned()),
    };
    let mut resp = hyper::Response::new(http_body_util::Full::new(bytes::Bytes::from(body)));
    *resp.status_mut() = status;
    if let Ok(v) = hyper::header::HeaderValue::from_str(ctype) {
        resp.headers_mut().insert(hyper::header::CONTENT_TYPE, v);
    }
    resp
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    async fn request(addr: std::net::SocketAddr, raw: &[u8]) -> String {
        let mut s = tokio::net::TcpStream::connect(addr).await.expect("connect");
        let _ = s.write_all(raw).await;
        let mut out = Vec::new();
        let _ = tokio::time::timeout(Duration::from_secs(10), s.read_to_end(&mut out)).await;
        String::from_utf8_lossy(&out).into_owned()
    }

    #[tokio::test]
    async fn the_endpoint_answers_and_holds_its_limits() {
        let state: Shared = Arc::new(Mutex::new(State::default()));
        let addr = serve("127.0.0.1:0", state).await.expect("listen");
        let ok = request(addr, b"GET /healthz HTTP/1.1\r\nhost: x\r\n\r\n").await;
        assert!(ok.starts_with("HTTP/1.1 200") && ok.ends_with("ok\n"), "{ok}");
        let m = request(addr, b"GET /metrics?x=1 HTTP/1.1\r\nhost: x\r\n\r\n").await;
        assert!(m.starts_with("HTTP/1.1 200") && m.contains("text/plain; version=0.0.4"), "{m}");
        assert!(request(addr, b"GET /nope HTTP/1.1\r\nhost: x\r\n\r\n").await.starts_with("HTTP/1.1 404"));
        assert!(request(addr, b"POST /metrics HTTP/1.1\r\nhost: x\r\n\r\n").await.starts_with("HTTP/1.1 405"));
        // A request head past the limit is refused, not buffered.
        let big = format!("GET /metrics HTTP/1.1\r\nhost: x\r\nx-pad: {}\r\n\r\n", "a".repeat(64 * 1024));
        assert!(!request(addr, big.as_bytes()).await.starts_with("HTTP/1.1 200"), "oversized head served");
        // More idle connections than slots: they are dropped after the header timeout, and a
        // scrape behind them is served instead of waiting forever.
        let mut idle = Vec::new();
        for _ in 0..MAX_CONNECTIONS + 8 {
            idle.push(tokio::net::TcpStream::connect(addr).await.expect("connect"));
        }
        let started = std::time::Instant::now();
        let late = request(addr, b"GET /healthz HTTP/1.1\r\nhost: x\r\n\r\n").await;
        assert!(late.starts_with("HTTP/1.1 200"), "a scrape behind idle connections: {late:?}");
        assert!(started.elapsed() < Duration::from_secs(9), "{:?}", started.elapsed());
        // The idle ones were closed by the server.
        let mut buf = [0u8; 1];
        let closed = tokio::time::timeout(Duration::from_secs(2), idle[0].read(&mut buf)).await;
        assert!(matches!(closed, Ok(Ok(0)) | Ok(Err(_))), "an idle connection stays open: {closed:?}");
    }

    #[test]
    fn exposition_lines_are_well_formed() {
        let mut s = State::default();
        s.assets.insert(("aws".into(), "model".into(), "re\"stricted".into()), 2);
        s.scans.insert(RunOutcome::Completed, 3);
        let text = render(&s);
        assert!(text.contains("aimscope_assets{cloud=\"aws\",kind=\"model\",classification=\"re\\\"stricted\"} 2\n"));
        assert!(text.contains("aimscope_scans_total{result=\"completed\"} 3\n"));
        for line in text.lines().filter(|l| !l.starts_with('#')) {
            assert!(
                line.starts_with("aimscope_") && line.rsplit(' ').next().is_some_and(|v| v.parse::<f64>().is_ok()),
                "{line}"
            );
        }
    }
}
