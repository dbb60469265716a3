//! Maps SDK errors onto coverage outcomes. Messages carry the operation, the AWS error code and
//! AWS's own message, never a response body.

use aimscope_core::{CollectError, ErrorKind};
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

/// Converts an SDK error from `op` (e.g. `sagemaker:ListModels`). Never formats the raw
/// response: its body may hold values the scanner must not repeat.
pub fn sdk_err<E>(op: &str, err: SdkError<E, HttpResponse>) -> CollectError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    match &err {
        SdkError::ServiceError(se) => {
            let e = se.err();
            let Some(code) = e.code() else {
                // No AWS error code: the response did not parse as an AWS error or result.
                let detail = aws_smithy_types::error::display::DisplayErrorContext(&err).to_string();
                return CollectError::new(ErrorKind::Malformed, format!("{op}: unexpected response: {detail}"));
            };
            let kind = if is_not_found(&err) { ErrorKind::NotFound } else { kind_of(code) };
            let msg = e.message().unwrap_or("");
            CollectError::new(kind, format!("{op}: {code}: {msg}").trim_end_matches([':', ' ']).to_owned())
        }
        SdkError::TimeoutError(_) => CollectError::new(ErrorKind::TimedOut, format!("{op}: timed out")),
        SdkError::DispatchFailure(d) => {
            let why = if d.is_timeout() {
                "timed out connecting"
            } else if d.is_io() {
                "connection failed"
            } else {
                "request could not be sent"
            };
            CollectError::new(ErrorKind::Other, format!("{op}: {why}: {}", source_chain(&err)))
        }
        SdkError::ResponseError(_) => {
            CollectError::new(ErrorKind::Malformed, format!("{op}: malformed response: {}", source_chain(&err)))
        }
        SdkError::ConstructionFailure(_) => {
            CollectError::new(ErrorKind::Other, format!("{op}: request could not be built: {}", source_chain(&err)))
        }
        _ => CollectError::new(ErrorKind::Other, format!("{op}: {}", source_chain(&err))),
    }
}

/// The kind of an AWS error code.
pub fn kind_of(code: &str) -> ErrorKind {
    match code {
        "AccessDenied"
        | "AccessDeniedException"
        | "UnauthorizedOperation"
        | "AuthorizationError"
        | "UnrecognizedClientException"
        | "InvalidClientTokenId"
        | "ExpiredToken"
        | "ExpiredTokenException"
        | "AWSOrganizationsNotInUseException"
        | "Forbidden" => ErrorKind::Denied,
        "ThrottlingException"
        | "Throttling"
        | "TooManyRequestsException"
        | "RequestLimitExceeded"
        | "SlowDown"
        | "ProvisionedThroughputExceededException" => ErrorKind::Throttled,
        "OptInRequired" | "SubscriptionRequiredException" | "UnknownOperationException" => ErrorKind::NotEnabled,
        _ => ErrorKind::Other,
    }
}

/// True for the "it was deleted between list and describe" family of errors.
pub fn is_not_found<E, R>(err: &SdkError<E, R>) -> bool
where
    E: ProvideErrorMetadata,
{
    match err {
        SdkError::ServiceError(se) => {
            let code = se.err().code().unwrap_or("");
            let msg = se.err().message().unwrap_or("").to_ascii_lowercase();
            code.contains("NotFound")
                || code == "NoSuchEntity"
                || (code == "ValidationException" && (msg.contains("could not find") || msg.contains("does not exist")))
        }
        _ => false,
    }
}

fn source_chain(err: &dyn std::error::Error) -> String {
    let mut parts = Vec::new();
    let mut cur = err.source();
    while let Some(e) = cur {
        parts.push(e.to_string());
        cur = e.source();
    }
    if parts.is_empty() { err.to_string() } else { parts.join(": ") }
}
