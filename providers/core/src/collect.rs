//! The seams between providers and the runner.
//!
//! How the pieces fit:
//! - a [`Provider`] (one per cloud) resolves credentials and *discovers* scopes: the accounts ×
//!   regions, subscriptions or projects × locations it can enter. It hands the runner one
//!   [`Task`] per (scope, collector), plus coverage records for scopes it could not enter;
//! - a [`Collector`] knows one resource type and turns one scope into a stream of assets. It
//!   is generic over the provider's scope context (clients, credentials), so a collector file
//!   holds nothing but the list/describe logic for its resource type;
//! - after every task has run, the provider may [`Provider::enrich`] the inventory with lookups
//!   that depend on what was found (tags of the buckets lineage points at), once per target.
//!
//! Every failure is a value ([`CollectError`]) that the runner turns into a coverage record.

use std::sync::Arc;

use async_trait::async_trait;
use futures::stream::BoxStream;

use crate::model::{Asset, CallFailure, Cloud, Coverage, CoverageStatus};

/// Stream of assets from one collector over one scope. An `Err` ends the stream: what came
/// before it is kept, and the coverage record says why the rest is missing.
pub type AssetStream<'a> = BoxStream<'a, Result<Asset, CollectError>>;

/// Where a collector looks.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Scope {
    pub cloud: Cloud,
    /// Account id, subscription id or project id.
    pub account: String,
    pub region: Option<String>,
}

impl std::fmt::Display for Scope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.region {
            Some(r) => write!(f, "{}:{}/{}", self.cloud, self.account, r),
            None => write!(f, "{}:{}", self.cloud, self.account),
        }
    }
}

impl Scope {
    /// A coverage record of `collector` in this scope.
    pub fn coverage(&self, collector: impl Into<String>, status: CoverageStatus) -> Coverage {
        Coverage::new(self.cloud, Some(self.account.clone()), self.region.clone(), collector, status)
    }
}

/// The kind of failure, which decides the coverage status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    Denied,
    NotEnabled,
    Throttled,
    TimedOut,
    /// The response could not be understood.
    Malformed,
    /// The resource is gone (deleted between a list and a detail call).
    NotFound,
    Other,
}

/// Longest message a failure carries into coverage and logs, in characters.
pub const MAX_MESSAGE: usize = 600;

/// `s` on one line (runs of whitespace, newlines included, become one space), cut to `max`
/// characters with an ellipsis.
pub fn one_line(s: &str, max: usize) -> String {
    let mut out = String::with_capacity(s.len().min(max + 4));
    let mut chars = 0;
    for word in s.split_whitespace() {
        if chars > 0 {
            out.push(' ');
            chars += 1;
        }
        for c in word.chars() {
            if chars >= max {
                out.push('…');
                return out;
            }
            out.push(c);
            chars += 1;
        }
    }
    out
}

/// A collector or discovery failure. `message` must never contain a secret value: providers
/// build it from the API's error code and message, never from response bodies they matched.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{message}")]
pub struct CollectError {
    pub kind: ErrorKind,
    pub message: String,
}

impl CollectError {
    /// The message is made one line of at most [`MAX_MESSAGE`] characters: a service may
    /// answer with a page of HTML or a multi-line trace, and every failure is one log line.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        CollectError { kind, message: one_line(&message.into(), MAX_MESSAGE) }
    }

    pub fn coverage_status(&self) -> CoverageStatus {
        match self.kind {
            ErrorKind::Denied => CoverageStatus::Denied,
            ErrorKind::NotEnabled => CoverageStatus::NotEnabled,
            ErrorKind::Throttled => CoverageStatus::Throttled,
            ErrorKind::TimedOut => CoverageStatus::TimedOut,
            ErrorKind::Malformed | ErrorKind::NotFound | ErrorKind::Other => CoverageStatus::Failed,
        }
    }

    /// The failure of one detail call, for [`Asset::detail_failed`].
    pub fn call_failure(&self) -> CallFailure {
        match self.kind {
            ErrorKind::Denied => CallFailure::Denied,
            ErrorKind::NotEnabled => CallFailure::NotEnabled,
            ErrorKind::Throttled => CallFailure::Throttled,
            ErrorKind::TimedOut => CallFailure::TimedOut,
            ErrorKind::Malformed => CallFailure::Malformed,
            ErrorKind::NotFound => CallFailure::NotFound,
            ErrorKind::Other => CallFailure::Failed,
        }
    }
}

/// Keeps a listed asset when one of its detail calls (`operation`) failed: the failure is
/// recorded on the asset (the runner then reports the scope as `partial`) and `None` is
/// returned so the caller carries on with what the list gave.
pub fn detail<T>(asset: &mut Asset, operation: &str, result: Result<T, CollectError>) -> Option<T> {
    match result {
        Ok(v) => Some(v),
        Err(e) => {
            // The message already starts with the operation; keep only the service's part.
            let message =
                e.message.strip_prefix(operation).map(|m| m.trim_start_matches([':', ' '])).unwrap_or(&e.message);
            asset.detail_failed(operation, e.call_failure(), message);
            None
        }
    }
}

/// The coverage record of a discovery step (entering an account, listing locations, ...) that
/// failed for `account`.
pub fn discovery_failure(
    cloud: Cloud,
    account: &str,
    step: &str,
    e: &CollectError,
    started: std::time::Instant,
) -> Coverage {
    Coverage::new(cloud, Some(account.to_owned()), None, step, e.coverage_status())
        .with_error(e.message.clone())
        .took(started)
}

/// One enrichment lookup (a bucket's tags, a dataset's labels, ...): the account it is charged
/// to, the coverage collector it belongs to, what was looked up, and the outcome.
#[derive(Debug)]
pub struct Lookup {
    pub account: String,
    pub collector: &'static str,
    pub target: String,
    pub result: Result<Asset, CollectError>,
}

/// The assets found (by id) and one coverage record per (account, collector): complete when
/// every lookup worked, else the worst failure ([`CoverageStatus::gravity`]), its message naming
/// each lookup that failed.
pub fn fold_lookups(cloud: Cloud, lookups: Vec<Lookup>, started: std::time::Instant) -> (Vec<Asset>, Vec<Coverage>) {
    let mut found = Vec::new();
    let mut per_scope: std::collections::BTreeMap<(String, &'static str), (u64, Vec<String>, CoverageStatus)> =
        Default::default();
    for l in lookups {
        let entry = per_scope.entry((l.account, l.collector)).or_insert((0, Vec::new(), CoverageStatus::Complete));
        match l.result {
            Ok(a) => {
                entry.0 += 1;
                found.push(a);
            }
            Err(e) => {
                entry.1.push(format!("{}: {}", l.target, e.message));
                entry.2 = entry.2.max_by_gravity(e.coverage_status());
            }
        }
    }
    found.sort_by(|a, b| a.id.cmp(&b.id));
    let coverage = per_scope
        .into_iter()
        .map(|((account, collector), (ok, mut errors, status))| {
            errors.sort();
            let cov = Coverage::new(cloud, Some(account), None, collector, status).with_assets(ok).took(started);
            if errors.is_empty() { cov } else { cov.with_error(errors.join("; ")) }
        })
        .collect();
    (found, coverage)
}

/// Provider-specific context for one scope (clients bound to the scope's credentials and
/// region). Collectors receive it by reference.
pub trait ScopeContext: Send + Sync + 'static {
    fn scope(&self) -> &Scope;

    /// Puts an asset's id and references into the provider's one canonical form (e.g. GCP
    /// resource names that use the project number → project id), so that every collector's
    /// output meets every other's. Applied to each asset a collector yields.
    fn normalise(&self, asset: Asset) -> Asset {
        asset
    }
}

/// One resource type of one provider.
pub trait Collector<Cx: ScopeContext>: Send + Sync + 'static {
    /// Stable id used in coverage records and config, e.g. `sagemaker.models`.
    fn name(&self) -> &'static str;

    /// Whether this collector applies to the scope at all (e.g. a service not offered in a
    /// region). Returning `false` records the scope as `not_enabled`.
    fn applies_to(&self, _cx: &Cx) -> bool {
        true
    }

    fn collect<'a>(&'a self, cx: &'a Cx) -> AssetStream<'a>;
}

/// A collector bound to a scope: what the runner schedules.
pub trait Task: Send + Sync {
    fn scope(&self) -> &Scope;
    fn collector(&self) -> &str;
    fn applies(&self) -> bool;
    fn run(&self) -> AssetStream<'_>;
}

/// The usual [`Task`]: a static collector and a shared scope context.
pub struct Bound<Cx: ScopeContext> {
    pub collector: &'static dyn Collector<Cx>,
    pub cx: Arc<Cx>,
}

impl<Cx: ScopeContext> std::fmt::Debug for Bound<Cx> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} @ {}", self.collector.name(), self.cx.scope())
    }
}

impl<Cx: ScopeContext> Task for Bound<Cx> {
    fn scope(&self) -> &Scope {
        self.cx.scope()
    }
    fn collector(&self) -> &str {
        self.collector.name()
    }
    fn applies(&self) -> bool {
        self.collector.applies_to(&self.cx)
    }
    fn run(&self) -> AssetStream<'_> {
        use futures::StreamExt as _;
        let cx = &self.cx;
        Box::pin(self.collector.collect(cx).map(move |r| r.map(|a| cx.normalise(a))))
    }
}

/// Binds every collector of a registry to every scope context.
pub fn bind_all<Cx: ScopeContext>(
    collectors: &'static [&'static dyn Collector<Cx>],
    contexts: &[Arc<Cx>],
    enabled: impl Fn(&str) -> bool,
) -> Vec<Box<dyn Task>> {
    let mut tasks: Vec<Box<dyn Task>> = Vec::new();
    for cx in contexts {
        for c in collectors.iter().filter(|c| enabled(c.name())) {
            tasks.push(Box::new(Bound { collector: *c, cx: cx.clone() }));
        }
    }
    tasks
}

/// What a provider found it can scan.
#[derive(Default)]
pub struct Discovery {
    pub tasks: Vec<Box<dyn Task>>,
    /// Scopes it could not enter (denied accounts, failed region listing, ...).
    pub coverage: Vec<Coverage>,
    /// How the provider authenticated, for the log (e.g. `environment variables`).
    pub credential_source: Option<String>,
}

impl std::fmt::Debug for Discovery {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Discovery")
            .field("tasks", &self.tasks.len())
            .field("coverage", &self.coverage)
            .field("credential_source", &self.credential_source)
            .finish()
    }
}

/// Why a provider could not start at all.
#[derive(Debug, thiserror::Error)]
pub enum ProviderError {
    /// No credentials or no configuration: skipped with this one-line reason.
    #[error("{0}")]
    NotConfigured(String),
    /// Credentials were found but discovery failed.
    #[error("{0}")]
    Discovery(CollectError),
}

/// A cloud.
#[async_trait]
pub trait Provider: Send + Sync {
    fn cloud(&self) -> Cloud;

    async fn discover(&self) -> Result<Discovery, ProviderError>;

    /// Second pass over everything collected (from every provider), for lookups that depend
    /// on what was found. Returns extra or updated assets (merged by id) and coverage.
    async fn enrich(&self, _assets: &[Asset]) -> (Vec<Asset>, Vec<Coverage>) {
        (Vec::new(), Vec::new())
    }

    /// API actions called so far (`sagemaker:ListModels` → count), for the run record: an
    /// auditor can check the scan against the least-privilege policy.
    fn api_calls(&self) -> std::collections::BTreeMap<String, u64> {
        std::collections::BTreeMap::new()
    }
}

#[cfg(test)]
mod one_line_tests {
    use super::*;

    #[test]
    fn failure_messages_are_one_bounded_line() {
        let e = CollectError::new(ErrorKind::Other, "op: HTTP 502:\n<html>\n  <body>Bad   gateway</body>\r\n</html>");
        assert_eq!(e.message, "op: HTTP 502: <html> <body>Bad gateway</body> </html>");
        let long = CollectError::new(ErrorKind::Other, "é".repeat(5000));
        assert_eq!(long.message.chars().count(), MAX_MESSAGE + 1);
        assert!(long.message.ends_with('…'));
        assert_eq!(one_line("  a  b ", 10), "a b");
        assert_eq!(one_line("abcdef", 3), "abc…");
    }
}
