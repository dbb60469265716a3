//! A fault-injecting HTTP proxy that sits in front of any cloud stand-in (moto, the ARM and
//! Google wiremock estates) through the same endpoint override a user would set. Requests are
//! forwarded unchanged, except that the first `times` requests a [`Rule`] matches get its
//! [`Fault`] instead: throttling with or without Retry-After, 5xx, a connection reset mid-body,
//! a truncated or wrong-shaped body, a response slower than the timeout, or a refusal. [`matrix`]
//! runs every fault against chosen routes of a scan and checks each outcome.

#![allow(dead_code)]

use std::collections::{BTreeMap, BTreeSet};
use std::convert::Infallible;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;

use super::{aimscope_async, args, assets};

use bytes::Bytes;
use http_body_util::{BodyExt, Full, StreamBody};
use hyper::body::{Frame, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;

#[derive(Debug, Clone)]
pub enum Fault {
    /// Throttling as the cloud writes it (429, or AWS's 400 `ThrottlingException`), with
    /// `Retry-After: N` seconds when given.
    Throttle { status: u16, retry_after: Option<u64>, body: String },
    /// A server error (500 / 502 / 503) with the cloud's error body.
    Status { status: u16, body: String },
    /// The upstream's headers and half its body, then the connection is cut.
    ResetMidBody,
    /// The upstream's answer with its body cut in half (a complete response of bad JSON).
    Truncated,
    /// 200 with JSON of the wrong shape.
    WrongShape,
    /// Waits this long, then forwards.
    Slow(Duration),
    /// A refusal in the cloud's own words (status, body).
    Refuse { status: u16, body: String },
    /// 200 with an empty page that still points to a next one (the clouds do write these, e.g.
    /// ARM when a page's items are filtered out server-side): `body` with `{next}` replaced by
    /// a next link, and [`NEXT`] by a page token. The request for that next page gets the
    /// upstream's answer to the original request, so the real listing follows.
    EmptyPage { body: String },
}

/// The page token / `$skiptoken` of an [`Fault::EmptyPage`] (numbered per page served): the
/// request carrying it is answered with the upstream's answer to the request the empty page
/// answered, and never faulted.
pub const NEXT: &str = "aimscope-fault-next";

impl Fault {
    pub fn name(&self) -> &'static str {
        match self {
            Fault::Throttle { retry_after: Some(_), .. } => "throttled with Retry-After",
            Fault::Throttle { retry_after: None, .. } => "throttled",
            Fault::Status { status: 500, .. } => "500",
            Fault::Status { status: 502, .. } => "502",
            Fault::Status { .. } => "503",
            Fault::ResetMidBody => "reset mid-body",
            Fault::Truncated => "truncated body",
            Fault::WrongShape => "wrong-shape body",
            Fault::Slow(_) => "slow past the timeout",
            Fault::Refuse { .. } => "refused",
            Fault::EmptyPage { .. } => "empty page, then a full one",
        }
    }
}

type Matcher = Arc<dyn Fn(&str, &str, &hyper::HeaderMap, &[u8]) -> bool + Send + Sync>;

#[derive(Clone)]
pub struct Rule {
    matches: Matcher,
    fault: Fault,
    /// How many matching requests get the fault; `usize::MAX` for all.
    times: usize,
    hits: Arc<AtomicUsize>,
}

impl Rule {
    /// Requests for `method path` (the query aside).
    pub fn path(method: &'static str, path: &str, fault: Fault) -> Rule {
        let path = path.to_owned();
        Rule::when(move |m, p, _, _| m == method && p.trim_end_matches('/') == path, fault)
    }

    /// AWS JSON-protocol requests for `target` (the `X-Amz-Target` header, e.g.
    /// `SageMaker.DescribeTrainingJob`), or Query-protocol ones with `Action=target`.
    pub fn aws(target: &str, fault: Fault) -> Rule {
        let (t, action) = (target.to_owned(), format!("Action={}", target.rsplit('.').next().unwrap_or(target)));
        Rule::when(
            move |_, _, h, body| {
                h.get("x-amz-target").and_then(|v| v.to_str().ok()) == Some(t.as_str())
                    || String::from_utf8_lossy(body).split('&').any(|kv| kv == action)
            },
            fault,
        )
    }

    pub fn when(
        f: impl Fn(&str, &str, &hyper::HeaderMap, &[u8]) -> bool + Send + Sync + 'static,
        fault: Fault,
    ) -> Rule {
        Rule { matches: Arc::new(f), fault, times: usize::MAX, hits: Arc::new(AtomicUsize::new(0)) }
    }

    /// Only the first `n` matching requests get the fault; later ones are forwarded.
    pub fn times(mut self, n: usize) -> Rule {
        self.times = n;
        self
    }

    /// Matching requests seen so far (faulted or forwarded).
    pub fn hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }
}

pub struct FaultProxy {
    pub url: String,
    rules: Arc<Mutex<Vec<Rule>>>,
}

impl FaultProxy {
    /// Listens on 127.0.0.1 and forwards to `upstream` (scheme, host and port).
    pub async fn start(upstream: &str) -> FaultProxy {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind the fault proxy");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        let rules: Arc<Mutex<Vec<Rule>>> = Arc::default();
        let client = reqwest::Client::builder().no_proxy().build().expect("client");
        let upstream = upstream.trim_end_matches('/').to_owned();
        let shared = rules.clone();
        let me = url.clone();
        let pending = Pending::default();
        tokio::spawn(async move {
            while let Ok((sock, _)) = listener.accept().await {
                let (rules, client, upstream, me) = (shared.clone(), client.clone(), upstream.clone(), me.clone());
                let pending = pending.clone();
                tokio::spawn(async move {
                    let svc = service_fn(move |req| {
                        handle(req, rules.clone(), client.clone(), upstream.clone(), me.clone(), pending.clone())
                    });
                    let _ = http1::Builder::new().serve_connection(TokioIo::new(sock), svc).await;
                });
            }
        });
        FaultProxy { url, rules }
    }

    /// Replaces the rules (hit counts start again).
    pub fn set(&self, rules: Vec<Rule>) {
        if let Ok(mut r) = self.rules.lock() {
            *r = rules;
        }
    }
}

type Body = http_body_util::combinators::BoxBody<Bytes, std::io::Error>;

fn full(status: u16, headers: &[(&str, String)], body: impl Into<Bytes>) -> Response<Body> {
    let mut r = Response::new(Full::new(body.into()).map_err(|e: Infallible| match e {}).boxed());
    *r.status_mut() = hyper::StatusCode::from_u16(status).unwrap_or(hyper::StatusCode::INTERNAL_SERVER_ERROR);
    for (k, v) in headers {
        if let (Ok(k), Ok(v)) = (hyper::header::HeaderName::try_from(*k), hyper::header::HeaderValue::from_str(v)) {
            r.headers_mut().insert(k, v);
        }
    }
    r
}

struct Upstream {
    status: u16,
    headers: Vec<(String, String)>,
    body: Bytes,
}

async fn forward(
    client: &reqwest::Client,
    upstream: &str,
    method: &hyper::Method,
    pq: &str,
    headers: &hyper::HeaderMap,
    body: Bytes,
) -> Option<Upstream> {
    let m = reqwest::Method::from_bytes(method.as_str().as_bytes()).ok()?;
    let mut rb = client.request(m, format!("{upstream}{pq}")).body(body);
    for (k, v) in headers {
        if k != "host" && k != "content-length" {
            rb = rb.header(k.as_str(), v.as_bytes());
        }
    }
    let resp = rb.send().await.ok()?;
    let status = resp.status().as_u16();
    let headers = resp
        .headers()
        .iter()
        .filter(|(k, _)| !matches!(k.as_str(), "content-length" | "transfer-encoding" | "connection"))
        .filter_map(|(k, v)| Some((k.as_str().to_owned(), v.to_str().ok()?.to_owned())))
        .collect();
    let body = resp.bytes().await.ok()?;
    Some(Upstream { status, headers, body })
}

fn reply(u: Upstream, body: Bytes) -> Response<Body> {
    let headers: Vec<(&str, String)> = u.headers.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
    full(u.status, &headers, body)
}

/// Original requests of the empty pages served, by the token their next page carries.
type Pending = Arc<Mutex<BTreeMap<String, (String, Bytes)>>>;

/// The [`NEXT`]`-n` token a request carries in its query or body, if any.
fn next_token(pq: &str, body: &[u8]) -> Option<String> {
    let find = |hay: &str| {
        let at = hay.find(NEXT)?;
        let digits: String =
            hay[at + NEXT.len()..].strip_prefix('-')?.chars().take_while(char::is_ascii_digit).collect();
        Some(format!("{NEXT}-{digits}"))
    };
    find(pq).or_else(|| find(&String::from_utf8_lossy(body)))
}

async fn handle(
    req: Request<Incoming>,
    rules: Arc<Mutex<Vec<Rule>>>,
    client: reqwest::Client,
    upstream: String,
    me: String,
    pending: Pending,
) -> Result<Response<Body>, Infallible> {
    let (parts, body) = req.into_parts();
    let body = body.collect().await.map(|b| b.to_bytes()).unwrap_or_default();
    let pq = parts.uri.path_and_query().map(|p| p.as_str().to_owned()).unwrap_or_else(|| "/".into());
    // The page after an empty one is the request the empty page answered, sent on unchanged.
    let original = next_token(&pq, &body).and_then(|t| pending.lock().ok()?.get(&t).cloned());
    let followed = original.is_some();
    let (pq, body) = original.unwrap_or((pq, body));
    let fault = rules.lock().ok().and_then(|rules| {
        rules.iter().find(|r| (r.matches)(parts.method.as_str(), parts.uri.path(), &parts.headers, &body)).and_then(
            |r| {
                let n = r.hits.fetch_add(1, Ordering::SeqCst);
                // The next page after an empty one counts as a hit but is never faulted.
                (n < r.times && !followed).then(|| r.fault.clone())
            },
        )
    });
    let json = |s: u16, b: &str| full(s, &[("content-type", "application/json".into())], b.to_owned());
    let fwd = |body: Bytes| {
        let (client, upstream, method, headers) =
            (client.clone(), upstream.clone(), parts.method.clone(), parts.headers.clone());
        let pq = pq.clone();
        async move { forward(&client, &upstream, &method, &pq, &headers, body).await }
    };
    let gone = || full(502, &[], "fault proxy: upstream unreachable");
    Ok(match fault {
        None => match fwd(body).await {
            Some(u) => {
                let b = u.body.clone();
                reply(u, b)
            }
            None => gone(),
        },
        Some(Fault::Throttle { status, retry_after, body: b }) => {
            let mut r = json(status, &b);
            if let Some(s) = retry_after
                && let Ok(v) = hyper::header::HeaderValue::from_str(&s.to_string())
            {
                r.headers_mut().insert(hyper::header::RETRY_AFTER, v);
            }
            r
        }
        Some(Fault::Status { status, body: b }) | Some(Fault::Refuse { status, body: b }) => json(status, &b),
        Some(Fault::WrongShape) => json(200, "[\"not\", \"the\", \"shape\"]"),
        Some(Fault::EmptyPage { body: b }) => {
            let token = match pending.lock() {
                Ok(mut p) => {
                    let token = format!("{NEXT}-{}", p.len());
                    p.insert(token.clone(), (pq.clone(), body.clone()));
                    token
                }
                Err(_) => return Ok(gone()),
            };
            let sep = if pq.contains('?') { '&' } else { '?' };
            let link = format!("{me}{pq}{sep}$skiptoken={token}");
            json(200, &b.replace("{next}", &link).replace(NEXT, &token))
        }
        Some(Fault::Slow(d)) => {
            tokio::time::sleep(d).await;
            match fwd(body).await {
                Some(u) => {
                    let b = u.body.clone();
                    reply(u, b)
                }
                None => gone(),
            }
        }
        Some(Fault::Truncated) => match fwd(body).await {
            Some(u) => {
                let half = u.body.slice(..u.body.len() / 2);
                reply(u, half)
            }
            None => gone(),
        },
        Some(Fault::ResetMidBody) => match fwd(body).await {
            Some(u) => {
                // Announce the whole length, send half, then fail the stream: hyper aborts the
                // connection, as a reset from a load balancer would.
                let len = u.body.len();
                let half = u.body.slice(..len / 2);
                let frames: Vec<Result<Frame<Bytes>, std::io::Error>> =
                    vec![Ok(Frame::data(half)), Err(std::io::Error::other("fault proxy: connection reset"))];
                let mut r = Response::new(StreamBody::new(futures::stream::iter(frames)).boxed());
                *r.status_mut() = hyper::StatusCode::from_u16(u.status).unwrap_or(hyper::StatusCode::OK);
                for (k, v) in &u.headers {
                    if let (Ok(k), Ok(v)) =
                        (hyper::header::HeaderName::try_from(k.as_str()), hyper::header::HeaderValue::from_str(v))
                    {
                        r.headers_mut().insert(k, v);
                    }
                }
                if let Ok(v) = hyper::header::HeaderValue::from_str(&len.to_string()) {
                    r.headers_mut().insert(hyper::header::CONTENT_LENGTH, v);
                }
                r
            }
            None => gone(),
        },
    })
}

// ---------------------------------------------------------------------------------------------
// The matrix: every fault on every target, once and for good.

/// (scope, collector) → status for every coverage record; the scope is `account` or
/// `account/region`.
pub fn coverage(doc: &Value) -> BTreeMap<(String, String), String> {
    doc["coverage"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| {
            let account = c["account"].as_str().unwrap_or("");
            let scope = match c["region"].as_str() {
                Some(r) => format!("{account}/{r}"),
                None => account.to_owned(),
            };
            ((scope, c["collector"].as_str().unwrap_or("").to_owned()), c["status"].as_str().unwrap_or("").to_owned())
        })
        .collect()
}

pub fn ids(doc: &Value) -> BTreeSet<String> {
    assets(doc).iter().filter_map(|a| a["id"].as_str().map(str::to_owned)).collect()
}

pub struct Outcome {
    pub code: Option<i32>,
    pub doc: Value,
    pub stderr: String,
    pub took: Duration,
}

pub async fn scan(
    dir: &std::path::Path,
    provider: &str,
    cfg: &std::path::Path,
    env: Vec<(&'static str, String)>,
) -> Outcome {
    let out = dir.join("inv.json");
    let _ = std::fs::remove_file(&out);
    let started = Instant::now();
    let res = aimscope_async(
        args(&[
            "scan",
            "--provider",
            provider,
            "--no-progress",
            "--config",
            &cfg.display().to_string(),
            "--out",
            &out.display().to_string(),
        ]),
        env,
        dir.to_owned(),
    )
    .await;
    let stderr = String::from_utf8_lossy(&res.stderr).into_owned();
    let doc = std::fs::read(&out).ok().and_then(|b| serde_json::from_slice(&b).ok()).unwrap_or(Value::Null);
    Outcome { code: res.status.code(), doc, stderr, took: started.elapsed() }
}

/// ARM's error body, with the code ARM uses for each status.
pub fn azure_error(status: u16, message: &str) -> String {
    let code = match status {
        429 => "TooManyRequests",
        500 => "InternalServerError",
        502 => "BadGateway",
        _ => "ServiceUnavailable",
    };
    serde_json::json!({"error": {"code": code, "message": message}}).to_string()
}

/// AWS JSON-protocol error body; AWS throttles with HTTP 400 `ThrottlingException`.
pub fn aws_error(status: u16, message: &str) -> String {
    let code = match status {
        400 => "ThrottlingException",
        500 => "InternalFailure",
        _ => "ServiceUnavailable",
    };
    serde_json::json!({"__type": code, "message": message}).to_string()
}

/// Google's error body (`google.rpc.Status` in JSON).
pub fn google_error(status: u16, message: &str) -> String {
    let code = match status {
        429 => "RESOURCE_EXHAUSTED",
        500 => "INTERNAL",
        _ => "UNAVAILABLE",
    };
    serde_json::json!({"error": {"code": status, "message": message, "status": code}}).to_string()
}

/// ARM's refusal of a read the role lacks (status and body as ARM writes them).
pub fn azure_denied() -> (u16, String) {
    let message = "The client 'aimscope-scanner' with object id '00000000-0000-0000-0000-000000000001' does not \
                   have authorization to perform action \
                   'Microsoft.MachineLearningServices/workspaces/onlineEndpoints/deployments/read' over scope \
                   '/subscriptions/…' or the scope is invalid. If access was recently granted, please refresh \
                   your credentials.";
    (403, serde_json::json!({"error": {"code": "AuthorizationFailed", "message": message}}).to_string())
}

/// AWS's JSON-protocol refusal: HTTP 400 `AccessDeniedException`.
pub fn aws_denied() -> (u16, String) {
    let message = "User: arn:aws:sts::123456789012:assumed-role/AimscopeReadOnly/aimscope is not authorized to \
                   perform: sagemaker:DescribeTrainingJob because no identity-based policy allows the \
                   sagemaker:DescribeTrainingJob action";
    (400, serde_json::json!({"__type": "AccessDeniedException", "Message": message}).to_string())
}

/// Google's refusal: 403 `PERMISSION_DENIED` with its `ErrorInfo` detail.
pub fn google_denied() -> (u16, String) {
    let body = serde_json::json!({"error": {
        "code": 403,
        "message": "Permission 'aiplatform.featureViews.list' denied on resource \
                    '//aiplatform.googleapis.com/projects/…/featureOnlineStores/claims_features' (or it may not exist).",
        "status": "PERMISSION_DENIED",
        "details": [{
            "@type": "type.googleapis.com/google.rpc.ErrorInfo",
            "reason": "IAM_PERMISSION_DENIED",
            "domain": "aiplatform.googleapis.com",
            "metadata": {"permission": "aiplatform.featureViews.list"}
        }]
    }});
    (403, body.to_string())
}

/// How a cloud writes its errors, and what its clients retry.
pub struct Dialect {
    pub error: fn(u16, &str) -> String,
    pub throttle_status: u16,
    /// Whether an HTTP 500 is retried (ARM and AWS: yes; Google's AIP-194: only UNAVAILABLE).
    pub retries_500: bool,
    /// The refusal of one call the role lacks.
    pub denied: fn() -> (u16, String),
}

pub const AZURE: Dialect =
    Dialect { error: azure_error, throttle_status: 429, retries_500: true, denied: azure_denied };
pub const AWS: Dialect = Dialect { error: aws_error, throttle_status: 400, retries_500: true, denied: aws_denied };
pub const GOOGLE: Dialect =
    Dialect { error: google_error, throttle_status: 429, retries_500: false, denied: google_denied };

/// Whether the scan absorbs a fault: not at all, when it happens once (the retry), or always
/// (it is no fault to a correct client, like an empty page that points to a next one).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Absorbed {
    Never,
    Once,
    Always,
}

/// Longer than every request / attempt timeout the matrix configures (1 s), shorter than the
/// collector's (30 s): a stalled call is cut off and retried, not the whole collector.
pub const SLOW: Duration = Duration::from_secs(3);

/// Each fault every target gets, with whether the scan absorbs it; [`matrix`] adds an empty
/// page to listings and a refusal to detail calls.
pub fn faults(d: &Dialect) -> Vec<(Fault, Absorbed)> {
    let (once, never) = (Absorbed::Once, Absorbed::Never);
    let e = d.error;
    vec![
        (
            Fault::Throttle {
                status: d.throttle_status,
                retry_after: Some(1),
                body: e(d.throttle_status, "Rate exceeded"),
            },
            once,
        ),
        (
            Fault::Throttle {
                status: d.throttle_status,
                retry_after: None,
                body: e(d.throttle_status, "Rate exceeded"),
            },
            once,
        ),
        (Fault::Status { status: 500, body: e(500, "Internal error") }, if d.retries_500 { once } else { never }),
        (Fault::Status { status: 502, body: e(502, "Bad gateway") }, once),
        (Fault::Status { status: 503, body: e(503, "Service unavailable") }, once),
        (Fault::ResetMidBody, once),
        (Fault::Slow(SLOW), once),
        // A complete 200 whose body is not what the API returns is not retried: it is reported.
        (Fault::Truncated, never),
        (Fault::WrongShape, never),
    ]
}

/// Where the fault goes and what it may cost.
pub struct Target {
    pub name: &'static str,
    pub rule: Box<dyn Fn(Fault) -> Rule>,
    /// The (scope, collector) the fault must show up in, and nowhere else (see [`coverage`]).
    pub hurt: (String, String),
    /// A listing (the collector loses what it lists) or a detail call (the listed asset stays,
    /// marked partial).
    pub listing: bool,
    /// Id prefixes that may go missing: the listing's assets, or what only the detail call
    /// names (children, the data a job read).
    pub may_lose: Vec<String>,
    /// For a detail call: the listed asset that must stay, partial.
    pub kept: Option<String>,
    /// For a listing: the cloud's empty page (see [`Fault::EmptyPage`]).
    pub empty_page: Option<String>,
}

pub fn expected_status(f: &Fault, listing: bool) -> &'static str {
    match (f, listing) {
        (_, false) => "partial",
        (Fault::Throttle { .. }, true) => "throttled",
        (Fault::Slow(_), true) => "timed_out",
        _ => "failed",
    }
}

/// Runs every fault against every target, once and for good, and checks each outcome against
/// the clean scan through the same proxy.
/// What one scan of the matrix runs: the provider, the home directory, config and environment.
pub struct ScanSetup<'a> {
    pub provider: &'a str,
    pub dir: &'a std::path::Path,
    pub cfg: &'a std::path::Path,
    pub env: Vec<(&'static str, String)>,
}

pub async fn matrix(setup: ScanSetup<'_>, proxy: &FaultProxy, d: &Dialect, targets: Vec<Target>, planted: &[String]) {
    let ScanSetup { provider, dir, cfg, env } = setup;
    proxy.set(vec![]);
    let clean = scan(dir, provider, cfg, env.clone()).await;
    assert!(matches!(clean.code, Some(0 | 4)), "the clean scan: {}", clean.stderr);
    let (base_cov, base_ids) = (coverage(&clean.doc), ids(&clean.doc));
    let mut failures = Vec::new();
    for t in &targets {
        assert_eq!(base_cov.get(&t.hurt).map(String::as_str), Some("complete"), "{}: not complete when clean", t.name);
        let mut all = faults(d);
        match (&t.empty_page, t.listing) {
            (Some(body), true) => all.push((Fault::EmptyPage { body: body.clone() }, Absorbed::Always)),
            (_, false) => {
                let (status, body) = (d.denied)();
                all.push((Fault::Refuse { status, body }, Absorbed::Never));
            }
            _ => {}
        }
        for (fault, absorbed) in all {
            for once in [true, false] {
                let absorbed = absorbed == Absorbed::Always || (once && absorbed == Absorbed::Once);
                let rule = (t.rule)(fault.clone()).times(if once { 1 } else { usize::MAX });
                proxy.set(vec![rule.clone()]);
                let o = scan(dir, provider, cfg, env.clone()).await;
                let case =
                    format!("{provider} {} / {} / {}", t.name, fault.name(), if once { "once" } else { "always" });
                let mut bad = |why: String| failures.push(format!("{case}: {why}"));
                if rule.hits() == 0 {
                    bad("the fault never fired (the route is not called)".into());
                    continue;
                }
                // A fault the retry absorbs leaves the clean scan's exit code; any other is a gap (4).
                let code = if absorbed { clean.code } else { Some(4) };
                if o.code != code {
                    bad(format!("exit {:?}, expected {code:?}", o.code));
                }
                if o.took > Duration::from_secs(60) {
                    bad(format!("took {:?}", o.took));
                }
                let cov = coverage(&o.doc);
                let changed: BTreeMap<_, _> = cov.iter().filter(|(k, v)| base_cov.get(*k) != Some(*v)).collect();
                let got = ids(&o.doc);
                let lost: Vec<&String> = base_ids.difference(&got).collect();
                if absorbed {
                    if rule.hits() < 2 {
                        bad(format!("not retried ({} request)", rule.hits()));
                    }
                    if !changed.is_empty() || !lost.is_empty() {
                        bad(format!("one fault was not absorbed: coverage {changed:?}, lost {lost:?}"));
                    }
                } else {
                    let want = expected_status(&fault, t.listing);
                    if changed.len() != 1 || changed.get(&t.hurt).map(|s| s.as_str()) != Some(want) {
                        bad(format!("coverage changed {changed:?}, expected only {:?} → {want}", t.hurt));
                    }
                    if let Some(l) = lost.iter().find(|l| !t.may_lose.iter().any(|p| l.starts_with(p.as_str()))) {
                        bad(format!("lost {l}, which was listed"));
                    }
                    if let Some(k) = &t.kept {
                        match assets(&o.doc).iter().find(|a| a["id"] == k.as_str()) {
                            None => bad(format!("the listed {k} is gone")),
                            Some(a) if a["details"]["status"] != "partial" => {
                                bad(format!("{k} is not marked partial: {}", a["details"]))
                            }
                            Some(_) => {}
                        }
                    }
                    // The gap is said in one line naming the scope, the collector and the status.
                    let account = t.hurt.0.split('/').next().unwrap_or_default();
                    let said = o.stderr.lines().any(|l| {
                        (l.contains("not seen:") || l.contains("incomplete:"))
                            && l.contains(account)
                            && l.contains(&t.hurt.1)
                            && l.contains(&format!("({want})"))
                    });
                    if !said {
                        bad(format!("no one-line gap for {:?} ({want})", t.hurt));
                    }
                }
                let out = serde_json::to_string(&o.doc).unwrap_or_default();
                if let Some(p) = planted.iter().find(|p| out.contains(p.as_str()) || o.stderr.contains(p.as_str())) {
                    bad(format!("planted value {p} leaked"));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{} of the matrix failed:\n{}", failures.len(), failures.join("\n"));
}
