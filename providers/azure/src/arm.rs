//! A small Azure Resource Manager client: GET with bearer tokens, `nextLink` pagination,
//! retries with backoff on 429 / 5xx honouring `Retry-After`, bounded timeouts, and ARM error
//! documents mapped onto coverage outcomes. Only GET is ever sent.

use std::sync::Arc;
use std::time::Duration;

use aimscope_core::{CollectError, ErrorKind};
use azure_core::credentials::TokenCredential;
use serde_json::Value;

use crate::actions::CallLog;

/// Longest wait honoured from a `Retry-After` header.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(60);

#[derive(Debug)]
pub struct Arm {
    http: reqwest::Client,
    base: String,
    scope: String,
    credential: Arc<dyn TokenCredential>,
    max_attempts: u32,
    pub calls: CallLog,
}

impl Arm {
    pub fn new(
        base: String,
        audience: &str,
        credential: Arc<dyn TokenCredential>,
        max_attempts: u32,
        timeout: Duration,
        calls: CallLog,
    ) -> Result<Arm, String> {
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(Duration::from_secs(10))
            .user_agent(concat!("aimscope/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| format!("cannot build the HTTP client: {e}"))?;
        Ok(Arm {
            http,
            base,
            scope: format!("{audience}/.default"),
            credential,
            max_attempts: max_attempts.max(1),
            calls,
        })
    }

    /// Full URL of a path (`/subscriptions/...`) with its api-version.
    pub fn url(&self, path: &str, api_version: &str) -> String {
        let sep = if path.contains('?') { '&' } else { '?' };
        format!("{}{path}{sep}api-version={api_version}", self.base)
    }

    /// An absolute URL (data-plane endpoints named by Resource Manager) with its api-version.
    pub fn absolute(&self, url: &str, api_version: &str) -> String {
        let sep = if url.contains('?') { '&' } else { '?' };
        format!("{url}{sep}api-version={api_version}")
    }

    /// GETs one JSON document (with retries).
    pub async fn get(&self, url: &str, op: &str) -> Result<Value, CollectError> {
        self.request(reqwest::Method::GET, url, op).await
    }

    /// POSTs to a documented read-only `list` action (e.g. a web app's `config/appsettings/list`)
    /// with an empty body. Nothing else is ever POSTed.
    pub async fn list_action(&self, url: &str, op: &str) -> Result<Value, CollectError> {
        debug_assert!(url.split('?').next().is_some_and(|p| p.ends_with("/list")), "only list actions are POSTed");
        self.request(reqwest::Method::POST, url, op).await
    }

    async fn request(&self, method: reqwest::Method, url: &str, op: &str) -> Result<Value, CollectError> {
        self.calls.record(op);
        let mut attempt = 0;
        loop {
            attempt += 1;
            let token = self
                .credential
                .get_token(&[&self.scope], None)
                .await
                .map_err(|e| CollectError::new(ErrorKind::Denied, format!("{op}: cannot get a token: {e}")))?;
            let mut req = self.http.request(method.clone(), url).bearer_auth(token.token.secret());
            if method == reqwest::Method::POST {
                req = req.header("content-length", "0");
            }
            let sent = req.send().await;
            let resp = match sent {
                Ok(r) => r,
                // Every request here is a read, so any transport failure (refused, reset, timed
                // out) is safe to try again.
                Err(e) if attempt < self.max_attempts => {
                    tracing::debug!(op, attempt, "retrying after a transport error: {}", without_url(&e));
                    tokio::time::sleep(backoff(attempt)).await;
                    continue;
                }
                Err(e) => {
                    let kind = if e.is_timeout() { ErrorKind::TimedOut } else { ErrorKind::Other };
                    return Err(CollectError::new(kind, format!("{op}: request failed: {}", without_url(&e))));
                }
            };
            let status = resp.status().as_u16();
            if (status == 429 || status >= 500) && attempt < self.max_attempts {
                let wait = retry_after(resp.headers()).unwrap_or_else(|| backoff(attempt));
                tracing::debug!(op, status, attempt, wait_ms = wait.as_millis() as u64, "retrying");
                tokio::time::sleep(wait).await;
                continue;
            }
            let body = match resp.bytes().await {
                Ok(b) => b,
                // A connection cut mid-body (a load balancer reset): a read, so read again.
                Err(e) if attempt < self.max_attempts => {
                    tracing::debug!(op, attempt, "retrying after a cut response: {}", without_url(&e));
                    tokio::time::sleep(backoff(attempt)).await;
                    continue;
                }
                Err(e) => {
                    let kind = if e.is_timeout() { ErrorKind::TimedOut } else { ErrorKind::Other };
                    return Err(CollectError::new(
                        kind,
                        format!("{op}: reading the response failed: {}", without_url(&e)),
                    ));
                }
            };
            if (200..300).contains(&status) {
                return serde_json::from_slice(&body).map_err(|e| {
                    CollectError::new(ErrorKind::Malformed, format!("{op}: malformed response (HTTP {status}): {e}"))
                });
            }
            return Err(arm_error(op, status, &body));
        }
    }

    /// GETs every item of a list, following `nextLink`.
    pub async fn list(&self, url: &str, op: &str) -> Result<Vec<Value>, CollectError> {
        let mut items = Vec::new();
        let mut next = Some(url.to_owned());
        let mut pages = 0;
        while let Some(u) = next.take() {
            pages += 1;
            // A server that keeps answering with a nextLink must not keep us forever.
            if pages > 10_000 {
                return Err(CollectError::new(ErrorKind::Malformed, format!("{op}: more than 10000 pages")));
            }
            let page = self.get(&u, op).await?;
            match page.get("value") {
                Some(Value::Array(v)) => items.extend(v.iter().cloned()),
                Some(_) | None => {
                    return Err(CollectError::new(
                        ErrorKind::Malformed,
                        format!("{op}: response has no `value` array"),
                    ));
                }
            }
            next = page.get("nextLink").and_then(Value::as_str).filter(|s| !s.is_empty()).map(str::to_owned);
        }
        Ok(items)
    }
}

/// Maps an ARM error document (`{"error": {"code", "message"}}`) onto a coverage outcome.
fn arm_error(op: &str, status: u16, body: &[u8]) -> CollectError {
    let doc: Option<Value> = serde_json::from_slice(body).ok();
    let err = doc.as_ref().and_then(|d| d.get("error"));
    let code = err.and_then(|e| e.get("code")).and_then(Value::as_str).unwrap_or("");
    let message = err.and_then(|e| e.get("message")).and_then(Value::as_str).unwrap_or("");
    let kind = match (status, code) {
        (401 | 403, _) => ErrorKind::Denied,
        (_, "MissingSubscriptionRegistration" | "SubscriptionNotRegistered" | "NoRegisteredProviderFound") => {
            ErrorKind::NotEnabled
        }
        (429, _) => ErrorKind::Throttled,
        _ => ErrorKind::Other,
    };
    let text = if code.is_empty() { format!("HTTP {status}") } else { format!("HTTP {status} {code}: {message}") };
    CollectError::new(kind, format!("{op}: {}", text.trim_end_matches([' ', ':'])))
}

fn backoff(attempt: u32) -> Duration {
    // Exponential with jitter: 0.5 s, 1 s, 2 s, ... capped at 30 s.
    let base = Duration::from_millis(500).saturating_mul(1 << (attempt - 1).min(6));
    let jitter = Duration::from_millis(u64::from(std::process::id() ^ attempt) % 250);
    base.min(Duration::from_secs(30)) + jitter
}

fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let v = headers.get(reqwest::header::RETRY_AFTER)?.to_str().ok()?;
    v.trim().parse::<u64>().ok().map(|s| Duration::from_secs(s).min(MAX_RETRY_AFTER))
}

/// reqwest errors print the URL; ours carry no secrets, but keep messages short.
fn without_url(e: &reqwest::Error) -> String {
    let mut s = e.to_string();
    if let Some(u) = e.url() {
        s = s.replace(u.as_str(), "<url>");
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arm_errors_map_to_coverage() {
        let denied = arm_error("x", 403, br#"{"error":{"code":"AuthorizationFailed","message":"no"}}"#);
        assert_eq!(denied.kind, ErrorKind::Denied);
        assert_eq!(denied.message, "x: HTTP 403 AuthorizationFailed: no");
        let reg = arm_error("x", 409, br#"{"error":{"code":"MissingSubscriptionRegistration","message":"m"}}"#);
        assert_eq!(reg.kind, ErrorKind::NotEnabled);
        assert_eq!(arm_error("x", 500, b"<html>").message, "x: HTTP 500");
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        assert!(backoff(1) < backoff(3));
        assert!(backoff(20) <= Duration::from_secs(31));
    }
}
