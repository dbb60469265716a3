//! Maps Google API errors onto coverage outcomes, and the retry policy for transient ones.

use aimscope_core::{CollectError, ErrorKind};
use google_cloud_gax::error::Error;
use google_cloud_gax::error::rpc::Code;
use google_cloud_gax::retry_policy::RetryPolicy;
use google_cloud_gax::retry_result::RetryResult;
use google_cloud_gax::retry_state::RetryState;

/// Converts an error from `op` (e.g. `aiplatform.models.list`).
pub fn gcp_err(op: &str, e: Error) -> CollectError {
    if let Some(status) = e.status() {
        let disabled = format!("{:?}", status.details).contains("SERVICE_DISABLED");
        let kind = match status.code {
            _ if disabled => ErrorKind::NotEnabled,
            Code::PermissionDenied | Code::Unauthenticated => ErrorKind::Denied,
            Code::ResourceExhausted => ErrorKind::Throttled,
            Code::DeadlineExceeded => ErrorKind::TimedOut,
            _ => ErrorKind::Other,
        };
        return CollectError::new(kind, format!("{op}: {:?}: {}", status.code, status.message));
    }
    let kind = if e.is_deserialization() {
        ErrorKind::Malformed
    } else if e.is_timeout() {
        ErrorKind::TimedOut
    } else if e.is_authentication() {
        ErrorKind::Denied
    } else {
        match e.http_status_code() {
            Some(401 | 403) => ErrorKind::Denied,
            Some(429) => ErrorKind::Throttled,
            _ => ErrorKind::Other,
        }
    };
    CollectError::new(kind, format!("{op}: {e}"))
}

/// Retries what is transient: 429 RESOURCE_EXHAUSTED, 503 UNAVAILABLE, deadlines and I/O errors
/// (list calls are idempotent).
#[derive(Debug, Clone, Copy)]
pub struct Transient;

impl RetryPolicy for Transient {
    fn on_error(&self, _state: &RetryState, error: Error) -> RetryResult {
        let transient = match error.status() {
            Some(s) => matches!(s.code, Code::ResourceExhausted | Code::Unavailable | Code::DeadlineExceeded),
            None => {
                error.is_io() || error.is_timeout() || matches!(error.http_status_code(), Some(429 | 502 | 503 | 504))
            }
        };
        if transient { RetryResult::Continue(error) } else { RetryResult::Permanent(error) }
    }
}
