//! The webhook sink: the inventory pushed as size-capped JSON batches, signed per the Standard
//! Webhooks specification, through an on-disk spool so that nothing is lost.
//!
//! Each batch carries the run id, its sequence number and the batch count, so a receiver knows
//! when it holds a whole snapshot. `webhook-id` is stable across retries and restarts (the
//! idempotency key); `webhook-timestamp` and `webhook-signature` are fresh per attempt.
//! Retries: network errors, 408, 429 and 5xx, with exponential backoff and jitter, honouring
//! `Retry-After`. Other 4xx are final for that batch (kept in `rejected/`); 410 disables the
//! endpoint for this run with a clear error. Undelivered batches stay spooled for the next run.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use aimscope_core::Inventory;
use anyhow::{Context, bail};
use async_trait::async_trait;
use base64::Engine;
use hmac::{Hmac, Mac};
use serde::Deserialize;
use sha2::Sha256;

use super::Sink;
use super::spool::Spool;
use crate::analysis::delta::Delta;

/// The `[webhook]` table. `Debug` redacts the URL and header values.
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct WebhookConfig {
    /// Receiver URL; https, or http to a loopback address. Unset: no webhook.
    pub url: Option<String>,
    /// Environment variable holding the signing secret(s) (`whsec_…`, space-separated to sign
    /// with several during a rotation).
    pub secret_env: String,
    /// Extra headers, e.g. `{ "X-Team" = "grc" }`.
    pub headers: BTreeMap<String, String>,
    /// Headers whose values come from environment variables, e.g.
    /// `{ "Authorization" = "AIMSCOPE_WEBHOOK_AUTH" }` (so tokens stay out of config files).
    pub headers_from_env: BTreeMap<String, String>,
    /// Largest batch body, in bytes.
    pub batch_bytes: usize,
    /// Delivery attempts per batch and run.
    pub max_attempts: u32,
    /// Time limit for one delivery attempt, in seconds.
    pub timeout_secs: u64,
    /// Spool directory (default: ~/.cache/aimscope/spool).
    pub spool_dir: Option<PathBuf>,
    /// Spool caps: batches beyond them are dropped with a warning.
    pub spool_max_bytes: u64,
    pub spool_max_age_hours: u64,
}

impl std::fmt::Debug for WebhookConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookConfig")
            .field("url", &self.url.as_deref().map(crate::redact::url))
            .field("secret_env", &self.secret_env)
            .field("headers", &self.headers.keys().collect::<Vec<_>>())
            .field("headers_from_env", &self.headers_from_env)
            .field("batch_bytes", &self.batch_bytes)
            .field("max_attempts", &self.max_attempts)
            .field("timeout_secs", &self.timeout_secs)
            .field("spool_dir", &self.spool_dir)
            .field("spool_max_bytes", &self.spool_max_bytes)
            .field("spool_max_age_hours", &self.spool_max_age_hours)
            .finish()
    }
}

impl Default for WebhookConfig {
    fn default() -> Self {
        WebhookConfig {
            url: None,
            secret_env: "AIMSCOPE_WEBHOOK_SECRET".into(),
            headers: BTreeMap::new(),
            headers_from_env: BTreeMap::new(),
            batch_bytes: 1_000_000,
            max_attempts: 6,
            timeout_secs: 30,
            spool_dir: None,
            spool_max_bytes: 1 << 30,
            spool_max_age_hours: 168,
        }
    }
}

/// Standard Webhooks signer over one or more `whsec_` secrets.
#[derive(Clone)]
pub struct Signer {
    keys: Vec<Vec<u8>>,
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Signer({} key(s))", self.keys.len())
    }
}

impl Signer {
    /// Parses secrets: `whsec_` followed by base64 (the prefix is optional).
    pub fn new(secrets: &str) -> Result<Signer, String> {
        let keys = secrets
            .split_whitespace()
            .map(|s| {
                base64::engine::general_purpose::STANDARD
                    .decode(s.strip_prefix("whsec_").unwrap_or(s))
                    .map_err(|_| "a webhook secret is not `whsec_` followed by base64".to_owned())
            })
            .collect::<Result<Vec<_>, _>>()?;
        if keys.is_empty() {
            return Err("no webhook signing secret".into());
        }
        Ok(Signer { keys })
    }

    /// `v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">`, one per key, space-separated.
    pub fn sign(&self, id: &str, timestamp: i64, body: &[u8]) -> String {
        self.keys
            .iter()
            .map(|k| {
                let mut mac =
                    Hmac::<Sha256>::new_from_slice(k).unwrap_or_else(|_| unreachable!("HMAC takes any key length"));
                mac.update(format!("{id}.{timestamp}.").as_bytes());
                mac.update(body);
                format!("v1,{}", base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes()))
            })
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// What [`WebhookSink::check`] validated: the URL, the signer and the headers to send.
pub type Checked = (reqwest::Url, Signer, Vec<(String, String)>);

/// `Debug` shows the URL redacted and header *names* only: values may be credentials.
pub struct WebhookSink {
    url: reqwest::Url,
    signer: Signer,
    headers: Vec<(String, String)>,
    cfg: WebhookConfig,
    spool: Spool,
    http: reqwest::Client,
}

impl std::fmt::Debug for WebhookSink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookSink")
            .field("url", &crate::redact::url(self.url.as_str()))
            .field("headers", &self.headers.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>())
            .field("spool", &self.spool)
            .finish_non_exhaustive()
    }
}

impl WebhookSink {
    /// Everything `new` checks that has no side effect (URL, signing secret, header
    /// variables): what `config check` runs, so it accepts exactly what `scan` accepts.
    pub fn check(cfg: &WebhookConfig, url: &str) -> anyhow::Result<Checked> {
        // The URL may carry a token: never repeated whole in an error.
        let parsed = reqwest::Url::parse(url).context("webhook url is not a URL")?;
        let loopback = matches!(parsed.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"));
        if parsed.scheme() != "https" && !(parsed.scheme() == "http" && loopback) {
            bail!("webhook url must be https (plain http only to a loopback address)");
        }
        let secrets = std::env::var(&cfg.secret_env).with_context(|| {
            format!("the webhook signing secret is read from ${}, which is not set", cfg.secret_env)
        })?;
        let signer = Signer::new(&secrets).map_err(|e| anyhow::anyhow!("${}: {e}", cfg.secret_env))?;
        let mut headers: Vec<(String, String)> = cfg.headers.clone().into_iter().collect();
        for (h, var) in &cfg.headers_from_env {
            let v = std::env::var(var).with_context(|| format!("webhook header {h} reads ${var}, which is not set"))?;
            headers.push((h.clone(), v));
        }
        Ok((parsed, signer, headers))
    }

    pub fn new(cfg: &WebhookConfig, url: &str) -> anyhow::Result<WebhookSink> {
        let (parsed, signer, headers) = Self::check(cfg, url)?;
        let dir = match &cfg.spool_dir {
            Some(d) => d.clone(),
            None => std::env::var_os("HOME")
                .map(PathBuf::from)
                .unwrap_or_else(|| PathBuf::from("."))
                .join(".cache/aimscope/spool"),
        };
        let spool = Spool::open(&dir).with_context(|| format!("cannot open the webhook spool {}", dir.display()))?;
        // TLS verification is always on (reqwest's default; never disabled here).
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(cfg.timeout_secs.max(1)))
            .user_agent(concat!("aimscope/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(WebhookSink { url: parsed, signer, headers, cfg: cfg.clone(), spool, http })
    }

    /// Splits the inventory into batches of at most `batch_bytes` (a single larger record is
    /// sent alone), as JSON bodies.
    pub fn batches(inv: &Inventory, batch_bytes: usize) -> anyhow::Result<Vec<Vec<u8>>> {
        let mut records: Vec<serde_json::Value> = Vec::new();
        for a in &inv.assets {
            records.push(serde_json::json!({"type": "asset", "asset": a}));
        }
        for f in &inv.findings {
            records.push(serde_json::json!({"type": "finding", "finding": f}));
        }
        for c in &inv.coverage {
            records.push(serde_json::json!({"type": "coverage", "coverage": c}));
        }
        Self::envelope("aimscope.inventory.batch", inv, records, batch_bytes)
    }

    /// The delta of an agent cycle as batches of `aimscope.inventory.delta` records (`added`,
    /// `changed`, `removed`, `new_finding`, `resolved_finding`; `unseen` ids are listed so a
    /// receiver knows what was not looked at).
    pub fn delta_batches(d: &Delta, inv: &Inventory, batch_bytes: usize) -> anyhow::Result<Vec<Vec<u8>>> {
        let mut records: Vec<serde_json::Value> = Vec::new();
        records.extend(d.added.iter().map(|a| serde_json::json!({"type": "added", "asset": a})));
        records.extend(
            d.changed.iter().map(|c| serde_json::json!({"type": "changed", "fields": c.fields, "asset": c.asset})),
        );
        records.extend(d.removed.iter().map(|r| serde_json::json!({"type": "removed", "asset": r})));
        records.extend(d.new_findings.iter().map(|f| serde_json::json!({"type": "new_finding", "finding": f})));
        records
            .extend(d.resolved_findings.iter().map(|k| serde_json::json!({"type": "resolved_finding", "finding": k})));
        if !d.unseen.is_empty() {
            records.push(serde_json::json!({"type": "unseen", "ids": d.unseen}));
        }
        Self::envelope("aimscope.inventory.delta", inv, records, batch_bytes)
    }

    fn envelope(
        kind: &str,
        inv: &Inventory,
        records: Vec<serde_json::Value>,
        batch_bytes: usize,
    ) -> anyhow::Result<Vec<Vec<u8>>> {
        let schema = serde_json::to_string(&inv.schema_version)?;
        let run = serde_json::to_string(&inv.run)?;
        let mut groups: Vec<Vec<String>> = vec![Vec::new()];
        let mut size = 0usize;
        // Room for the envelope (run record, counters) around the records.
        let envelope = schema.len() + run.len() + 128;
        let budget = batch_bytes.saturating_sub(envelope).max(1);
        for r in records {
            let s = serde_json::to_string(&r)?;
            if size + s.len() + 1 > budget && !groups.last().is_some_and(Vec::is_empty) {
                groups.push(Vec::new());
                size = 0;
            }
            size += s.len() + 1;
            if let Some(g) = groups.last_mut() {
                g.push(s);
            }
        }
        let count = groups.len();
        let mut out = Vec::with_capacity(count);
        for (i, g) in groups.into_iter().enumerate() {
            let body = format!(
                "{{\"type\":\"{kind}\",\"schema_version\":{},\"run\":{},\"sequence\":{},\"batch_count\":{count},\"records\":[{}]}}",
                schema,
                run,
                i + 1,
                g.join(",")
            );
            out.push(body.into_bytes());
        }
        Ok(out)
    }

    /// Spools `batches` as `{prefix}_{n}` (the stable `webhook-id`), then sends the spool; an
    /// error says how many are left waiting.
    async fn send_batches(&self, prefix: &str, batches: Vec<Vec<u8>>) -> anyhow::Result<()> {
        for (i, b) in batches.iter().enumerate() {
            self.spool.put(&format!("{prefix}_{:06}", i + 1), b)?;
        }
        let left = self.flush().await?;
        if left > 0 {
            bail!("{left} webhook batch(es) not delivered; kept in {} for the next run", self.spool.dir().display());
        }
        Ok(())
    }

    /// Sends every spooled batch (older runs first). Returns how many remain undelivered.
    pub async fn flush(&self) -> anyhow::Result<usize> {
        let max_age = Duration::from_secs(self.cfg.spool_max_age_hours.saturating_mul(3600));
        for dropped in self.spool.enforce_caps(self.cfg.spool_max_bytes, max_age)? {
            tracing::warn!("webhook spool cap reached: dropped batch {dropped}");
        }
        let mut undelivered = 0;
        for entry in self.spool.pending()? {
            let body = self.spool.read(&entry)?;
            match self.send(&entry.id, &body).await {
                Outcome::Delivered => self.spool.remove(&entry)?,
                Outcome::Rejected(why) => {
                    let to = self.spool.reject(&entry)?;
                    tracing::error!(id = %entry.id, "webhook refused batch ({why}); kept at {}", to.display());
                    undelivered += 1;
                }
                Outcome::Gone => {
                    let left = self.spool.pending()?.len();
                    bail!(
                        "the webhook receiver answered 410 Gone: endpoint disabled; {left} batch(es) kept in {}",
                        self.spool.dir().display()
                    );
                }
                Outcome::GaveUp(why) => {
                    tracing::warn!(id = %entry.id, "webhook delivery failed ({why}); kept for the next run");
                    undelivered += 1;
                }
            }
        }
        Ok(undelivered)
    }

    async fn send(&self, id: &str, body: &[u8]) -> Outcome {
        let mut attempt = 0;
        loop {
            attempt += 1;
            let ts = chrono::Utc::now().timestamp();
            let mut req = self
                .http
                .post(self.url.clone())
                .header("content-type", "application/json")
                .header("webhook-id", id)
                .header("webhook-timestamp", ts.to_string())
                .header("webhook-signature", self.signer.sign(id, ts, body))
                .body(body.to_vec());
            for (k, v) in &self.headers {
                req = req.header(k, v);
            }
            let (retry, wait, why) = match req.send().await {
                Ok(resp) => {
                    let status = resp.status().as_u16();
                    match status {
                        200..=299 => return Outcome::Delivered,
                        410 => return Outcome::Gone,
                        408 | 429 | 500..=599 => (true, retry_after(resp.headers()), format!("HTTP {status}")),
                        _ => return Outcome::Rejected(format!("HTTP {status}")),
                    }
                }
                Err(e) => (true, None, format!("network error: {}", e.without_url())),
            };
            if !retry || attempt >= self.cfg.max_attempts {
                return Outcome::GaveUp(why);
            }
            tokio::time::sleep(wait.unwrap_or_else(|| backoff(attempt))).await;
        }
    }
}

enum Outcome {
    Delivered,
    Rejected(String),
    Gone,
    GaveUp(String),
}

fn backoff(attempt: u32) -> Duration {
    let base = Duration::from_millis(250).saturating_mul(1 << (attempt - 1).min(8));
    let nanos = chrono::Utc::now().timestamp_subsec_nanos();
    base.min(Duration::from_secs(60)) + Duration::from_millis(u64::from(nanos % 200))
}

fn retry_after(h: &reqwest::header::HeaderMap) -> Option<Duration> {
    let secs: u64 = h.get(reqwest::header::RETRY_AFTER)?.to_str().ok()?.trim().parse().ok()?;
    Some(Duration::from_secs(secs.min(120)))
}

#[async_trait]
impl Sink for WebhookSink {
    fn describe(&self) -> String {
        format!("webhook:{}", crate::redact::url(self.url.as_str()))
    }

    async fn healthcheck(&self) -> anyhow::Result<()> {
        // The spool must take a write before the scan starts; the receiver may be down (its
        // batches wait in the spool), so it is not probed.
        let probe = tempfile::NamedTempFile::new_in(self.spool.dir())
            .with_context(|| format!("webhook spool {} is not writable", self.spool.dir().display()))?;
        drop(probe);
        Ok(())
    }

    async fn write(&self, inv: &Inventory) -> anyhow::Result<()> {
        self.send_batches(&format!("msg_{}", inv.run.id), Self::batches(inv, self.cfg.batch_bytes)?).await
    }

    async fn write_delta(&self, d: &Delta, inv: &Inventory) -> anyhow::Result<()> {
        if d.is_empty() && d.unseen.is_empty() {
            return Ok(());
        }
        let batches = Self::delta_batches(d, inv, self.cfg.batch_bytes)?;
        self.send_batches(&format!("msg_{}_delta", inv.run.id), batches).await
    }

    fn backlog(&self) -> u64 {
        self.spool.pending().map(|p| p.len() as u64).unwrap_or(0)
    }

    async fn drain(&self) -> anyhow::Result<u64> {
        Ok(self.flush().await? as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_standard_webhooks_test_vector() {
        let s = Signer::new("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").expect("secret");
        assert_eq!(
            s.sign("msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, br#"{"test": 2432232314}"#),
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
        );
        let two = Signer::new("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw whsec_c2Vjb25k").expect("two");
        assert_eq!(two.sign("a", 1, b"x").split(' ').count(), 2);
        assert!(Signer::new("whsec_!!notbase64").is_err());
        assert!(Signer::new("  ").is_err());
    }
}
