//! A small JSON-over-HTTPS reader for the few Google REST methods the official Rust clients do
//! not offer in a form that serves here (Cloud Storage bucket metadata, which the Rust storage
//! crate reads over gRPC only; Cloud Run v1's location list, which v2 lacks). Same ADC
//! credentials, same retry rules (429 / 5xx with backoff), errors mapped as the clients' are.

use std::time::Duration;

use aimscope_core::{CollectError, ErrorKind};
use google_cloud_auth::credentials::{CacheableResource, Credentials};
use serde::Deserialize;
use serde::de::DeserializeOwned;

#[derive(Debug, Clone)]
pub struct Rest {
    http: reqwest::Client,
    creds: Credentials,
    max_attempts: u32,
}

#[derive(Deserialize)]
struct GoogleError {
    error: GoogleErrorBody,
}

#[derive(Deserialize)]
struct GoogleErrorBody {
    #[serde(default)]
    status: String,
    #[serde(default)]
    message: String,
    #[serde(default)]
    details: Vec<serde_json::Value>,
}

impl Rest {
    pub fn new(creds: Credentials, max_attempts: u32, attempt_timeout: Duration) -> Result<Rest, CollectError> {
        let http = reqwest::Client::builder()
            .timeout(attempt_timeout)
            .build()
            .map_err(|e| CollectError::new(ErrorKind::Other, format!("HTTP client: {e}")))?;
        Ok(Rest { http, creds, max_attempts: max_attempts.max(1) })
    }

    /// GETs `url` as JSON; `op` (the IAM permission) names the call in errors.
    pub async fn get<T: DeserializeOwned>(
        &self,
        op: &str,
        url: &str,
        query: &[(&str, &str)],
    ) -> Result<T, CollectError> {
        let mut attempt = 0;
        let resp = loop {
            attempt += 1;
            let headers = match self.creds.headers(http::Extensions::new()).await {
                Ok(CacheableResource::New { data, .. }) => data,
                Ok(CacheableResource::NotModified) => http::HeaderMap::new(),
                Err(e) => return Err(CollectError::new(ErrorKind::Denied, format!("{op}: credentials: {e}"))),
            };
            let sent = self.http.get(url).headers(headers).query(query).send().await;
            let retry = match &sent {
                Ok(r) => matches!(r.status().as_u16(), 429 | 502 | 503 | 504),
                Err(e) => e.is_timeout() || e.is_connect(),
            };
            if !retry || attempt >= self.max_attempts {
                break sent.map_err(|e| {
                    let kind = if e.is_timeout() { ErrorKind::TimedOut } else { ErrorKind::Other };
                    CollectError::new(kind, format!("{op}: {e}"))
                })?;
            }
            tokio::time::sleep(Duration::from_millis(250 << attempt.min(5))).await;
        };
        let status = resp.status();
        let body = resp.bytes().await.map_err(|e| CollectError::new(ErrorKind::Other, format!("{op}: {e}")))?;
        if !status.is_success() {
            let err = serde_json::from_slice::<GoogleError>(&body).ok().map(|e| e.error);
            let disabled = err.as_ref().is_some_and(|e| e.details.iter().any(|d| d["reason"] == "SERVICE_DISABLED"));
            let kind = match status.as_u16() {
                _ if disabled => ErrorKind::NotEnabled,
                401 | 403 => ErrorKind::Denied,
                429 => ErrorKind::Throttled,
                _ => ErrorKind::Other,
            };
            // Cloud Storage's JSON API errors carry no `status` word; keep what is there.
            let detail = err
                .map(|e| [e.status, e.message].into_iter().filter(|p| !p.is_empty()).collect::<Vec<_>>().join(": "))
                .unwrap_or_default();
            return Err(CollectError::new(kind, format!("{op}: HTTP {}: {detail}", status.as_u16())));
        }
        serde_json::from_slice(&body)
            .map_err(|e| CollectError::new(ErrorKind::Malformed, format!("{op}: malformed response: {e}")))
    }
}
