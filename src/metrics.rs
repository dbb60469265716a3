//! The agent's health and Prometheus metrics endpoint.
//!
//! A deliberately small HTTP/1.1 responder on a Tokio listener (two GET paths, no keep-alive):
//! `/healthz` and `/metrics` in the Prometheus text exposition format 0.0.4. It binds
//! 127.0.0.1 by default; a pod exposes it with `metrics_listen = "0.0.0.0:9464"`.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aimscope_core::{Cloud, Inventory};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// What the last scans looked like; updated by the agent after each cycle.
#[derive(Debug, Default, Clone)]
pub struct State {
    pub started_at: i64,
    pub scanning: bool,
    /// Scans by result (`completed`, `partial`, `failed`, `interrupted`).
    pub scans: BTreeMap<&'static str, u64>,
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
        let word = |v: serde_json::Value| v.as_str().unwrap_or("unknown").to_owned();
        self.assets.clear();
        for a in &inv.assets {
            let class = a.effective_classification.as_ref().map(|c| c.level.clone()).unwrap_or_else(|| "none".into());
            let kind = word(serde_json::to_value(a.kind).unwrap_or_default());
            *self.assets.entry((a.cloud.to_string(), kind, class)).or_default() += 1;
        }
        self.findings.clear();
        for f in &inv.findings {
            *self.findings.entry(word(serde_json::to_value(f.severity).unwrap_or_default())).or_default() += 1;
        }
        self.gaps.clear();
        for g in inv.gaps() {
            let status = word(serde_json::to_value(g.status).unwrap_or_default());
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
        ["completed", "partial", "failed", "interrupted"]
            .iter()
            .map(|r| (labels(&[("result", r)]), s.scans.get(r).copied().unwrap_or(0) as f64))
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

/// Binds `addr` and serves until the process ends.
pub async fn serve(addr: &str, state: Shared) -> anyhow::Result<std::net::SocketAddr> {
    let listener =
        TcpListener::bind(addr).await.map_err(|e| anyhow::anyhow!("metrics: cannot listen on {addr}: {e}"))?;
    let local = listener.local_addr()?;
    tokio::spawn(async move {
        loop {
            let Ok((mut sock, _)) = listener.accept().await else {
                // Out of file descriptors and the like: back off instead of spinning.
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            };
            let state = state.clone();
            tokio::spawn(async move {
                let mut buf = vec![0u8; 4096];
                let mut len = 0;
                // A request line and headers within 4 KiB and 5 s, or the connection is dropped.
                let read = tokio::time::timeout(Duration::from_secs(5), async {
                    while len < buf.len() {
                        match sock.read(&mut buf[len..]).await {
                            Ok(0) | Err(_) => break,
                            Ok(n) => len += n,
                        }
                        if buf[..len].windows(4).any(|w| w == b"\r\n\r\n") {
                            break;
                        }
                    }
                })
                .await;
                if read.is_err() {
                    return;
                }
                let head = String::from_utf8_lossy(&buf[..len]);
                let mut parts = head.split_whitespace();
                let (method, path) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
                let (status, ctype, body) = match (method, path.split('?').next().unwrap_or("")) {
                    ("GET", "/healthz") => ("200 OK", "text/plain", "ok\n".to_owned()),
                    ("GET", "/metrics") => {
                        let text = state.lock().map(|s| render(&s)).unwrap_or_default();
                        ("200 OK", "text/plain; version=0.0.4; charset=utf-8", text)
                    }
                    ("GET", _) => ("404 Not Found", "text/plain", "not found\n".to_owned()),
                    _ => ("405 Method Not Allowed", "text/plain", "method not allowed\n".to_owned()),
                };
                let resp = format!(
                    "HTTP/1.1 {status}\r\ncontent-type: {ctype}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = sock.write_all(resp.as_bytes()).await;
                let _ = sock.shutdown().await;
            });
        }
    });
    Ok(local)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exposition_lines_are_well_formed() {
        let mut s = State::default();
        s.assets.insert(("aws".into(), "model".into(), "re\"stricted".into()), 2);
        s.scans.insert("completed", 3);
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
