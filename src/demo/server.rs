//! The demo estate's loopback server.
//!
//! Three listeners on 127.0.0.1 (AWS, Azure Resource Manager, Google APIs) answer the real
//! providers in each vendor's wire format from the route tables under `fixtures/demo/`. The
//! server knows protocols (how AWS names an operation and writes an error, how ARM and Google
//! page), never collectors: what an estate contains is data. A request the tables do not answer
//! is recorded, so a demo estate that falls behind the collectors shows up in its test.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use serde::Deserialize;
use serde_json::{Value, json};
use tokio::net::TcpListener;

/// A canned answer in a route table.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum Canned {
    /// An error in the protocol of the request (AWS JSON / XML, ARM or Google JSON).
    Error {
        #[serde(rename = "$error")]
        error: CannedError,
    },
    /// A REST-XML or Query body (S3, STS), sent as is.
    Xml {
        #[serde(rename = "$xml")]
        xml: String,
    },
    /// Pages keyed by the page token that asks for them ("" is the first page).
    Pages {
        #[serde(rename = "$pages")]
        pages: BTreeMap<String, Value>,
    },
    Json(Value),
}

#[derive(Debug, Clone, Deserialize)]
pub struct CannedError {
    pub status: u16,
    pub code: String,
    pub message: String,
}

/// `fixtures/demo/aws.json`: who the caller is, which member roles refuse AssumeRole, and per
/// `ACCOUNT` or `ACCOUNT/REGION` the answer to each operation.
#[derive(Debug, Deserialize)]
pub struct AwsEstate {
    pub caller: String,
    #[serde(default)]
    pub deny_assume: BTreeMap<String, String>,
    pub scopes: BTreeMap<String, BTreeMap<String, Canned>>,
}

/// `fixtures/demo/azure.json`: subscriptions the identity may not read, and GET/POST routes.
#[derive(Debug, Deserialize)]
pub struct ArmEstate {
    #[serde(default)]
    pub denied: BTreeMap<String, CannedError>,
    pub routes: BTreeMap<String, Canned>,
}

/// `fixtures/demo/gcp.json`: routes on the Google APIs.
#[derive(Debug, Deserialize)]
pub struct GoogleEstate {
    pub routes: BTreeMap<String, Canned>,
}

/// One request, read in full.
#[derive(Debug)]
pub struct Req {
    pub method: String,
    /// The path as sent (percent-encoded).
    pub raw_path: String,
    pub query: Vec<(String, String)>,
    pub headers: hyper::HeaderMap,
    pub body: Bytes,
}

impl Req {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
    fn param(&self, name: &str) -> Option<&str> {
        self.query.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
    /// The decoded path without a trailing slash (the SDKs differ on it).
    fn path(&self) -> String {
        let p = decode(&self.raw_path);
        match p.trim_end_matches('/') {
            "" => "/".to_owned(),
            t => t.to_owned(),
        }
    }
    /// The page token a request carries, in whichever place its protocol puts it.
    fn page_token(&self) -> String {
        for k in ["pageToken", "$skiptoken", "$skipToken", "nextToken", "NextToken"] {
            if let Some(v) = self.param(k) {
                return v.to_owned();
            }
        }
        if let Ok(Value::Object(m)) = serde_json::from_slice::<Value>(&self.body) {
            for k in ["NextToken", "nextToken"] {
                if let Some(Value::String(v)) = m.get(k) {
                    return v.clone();
                }
            }
        }
        String::new()
    }
}

fn decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s).decode_utf8_lossy().into_owned()
}

#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub content_type: &'static str,
    pub headers: Vec<(&'static str, String)>,
    pub body: Vec<u8>,
}

impl Reply {
    fn json(status: u16, v: &Value) -> Reply {
        Reply { status, content_type: "application/json", headers: Vec::new(), body: v.to_string().into_bytes() }
    }
    fn xml(status: u16, s: String) -> Reply {
        Reply { status, content_type: "text/xml", headers: Vec::new(), body: s.into_bytes() }
    }
}

/// Answers one cloud's requests; `None` when the estate has no answer.
trait Answer: Send + Sync + 'static {
    fn answer(&self, req: &Req) -> Option<Reply>;
}

/// The running server: base URLs to point the providers at, and what it could not answer.
#[derive(Debug)]
pub struct Server {
    pub aws: String,
    pub azure: String,
    pub gcp: String,
    unanswered: Arc<Mutex<Vec<String>>>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Drop for Server {
    fn drop(&mut self) {
        for t in &self.tasks {
            t.abort();
        }
    }
}

/// The three estate files, with `{aws}` / `{azure}` / `{gcp}` standing for the base URLs.
#[derive(Debug, Clone, Copy)]
pub struct Sources<'a> {
    pub aws: &'a str,
    pub aws_defaults: &'a str,
    pub azure: &'a str,
    pub gcp: &'a str,
}

impl Server {
    pub async fn start(src: Sources<'_>) -> anyhow::Result<Server> {
        let listeners = [
            TcpListener::bind("127.0.0.1:0").await?,
            TcpListener::bind("127.0.0.1:0").await?,
            TcpListener::bind("127.0.0.1:0").await?,
        ];
        let urls: Vec<String> = listeners
            .iter()
            .map(|l| l.local_addr().map(|a: SocketAddr| format!("http://{a}")))
            .collect::<Result<_, _>>()?;
        let fill = |t: &str| t.replace("{aws}", &urls[0]).replace("{azure}", &urls[1]).replace("{gcp}", &urls[2]);
        let aws: AwsEstate = parse("aws.json", &fill(src.aws))?;
        let defaults: BTreeMap<String, Value> = parse("aws_defaults.json", src.aws_defaults)?;
        let azure: ArmEstate = parse("azure.json", &fill(src.azure))?;
        let gcp: GoogleEstate = parse("gcp.json", &fill(src.gcp))?;
        let unanswered = Arc::new(Mutex::new(Vec::new()));
        let [l_aws, l_azure, l_gcp] = listeners;
        let tasks = vec![
            serve(l_aws, Arc::new(Aws { estate: aws, defaults }), "aws", unanswered.clone()),
            serve(l_azure, Arc::new(Arm(azure)), "azure", unanswered.clone()),
            serve(l_gcp, Arc::new(Google(gcp)), "gcp", unanswered.clone()),
        ];
        let [aws, azure, gcp] = [urls[0].clone(), urls[1].clone(), urls[2].clone()];
        Ok(Server { aws, azure, gcp, unanswered, tasks })
    }

    /// Requests no route answered, as `cloud METHOD path [operation]`.
    pub fn unanswered(&self) -> Vec<String> {
        self.unanswered.lock().map(|v| v.clone()).unwrap_or_default()
    }
}

fn parse<T: serde::de::DeserializeOwned>(name: &str, text: &str) -> anyhow::Result<T> {
    serde_json::from_str(text).map_err(|e| anyhow::anyhow!("demo estate {name}: {e}"))
}

fn serve(
    listener: TcpListener,
    cloud: Arc<dyn Answer>,
    label: &'static str,
    unanswered: Arc<Mutex<Vec<String>>>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else { continue };
            let (cloud, unanswered) = (cloud.clone(), unanswered.clone());
            tokio::spawn(async move {
                let svc = service_fn(move |req: Request<Incoming>| {
                    let (cloud, unanswered) = (cloud.clone(), unanswered.clone());
                    async move {
                        let r = read(req).await;
                        let reply = cloud.answer(&r).unwrap_or_else(|| {
                            let what = r.header("x-amz-target").map(|t| format!(" [{t}]")).unwrap_or_default();
                            if let Ok(mut v) = unanswered.lock() {
                                v.push(format!("{label} {} {}{what}", r.method, r.path()));
                            }
                            Reply::json(
                                404,
                                &json!({"error": {"code": "NotFound", "message": "the demo estate has no answer for this request"}}),
                            )
                        });
                        let mut b = Response::builder().status(reply.status).header("content-type", reply.content_type);
                        for (k, v) in &reply.headers {
                            b = b.header(*k, v.as_str());
                        }
                        b.body(Full::new(Bytes::from(reply.body)))
                    }
                });
                let _ = http1::Builder::new().serve_connection(TokioIo::new(stream), svc).await;
            });
        }
    })
}

async fn read(req: Request<Incoming>) -> Req {
    let (parts, body) = req.into_parts();
    let body = body.collect().await.map(|b| b.to_bytes()).unwrap_or_default();
    let query =
        parts.uri.query().map(|q| url::form_urlencoded::parse(q.as_bytes()).into_owned().collect()).unwrap_or_default();
    Req {
        method: parts.method.as_str().to_owned(),
        raw_path: parts.uri.path().to_owned(),
        query,
        headers: parts.headers,
        body,
    }
}

/// Picks the page a request asks for.
fn page<'a>(c: &'a Canned, req: &Req) -> Option<Result<&'a Value, &'a CannedError>> {
    match c {
        Canned::Json(v) => Some(Ok(v)),
        Canned::Pages { pages } => pages.get(&req.page_token()).map(Ok),
        Canned::Error { error } => Some(Err(error)),
        Canned::Xml { .. } => None,
    }
}

// ---------------------------------------------------------------------------------------------
// AWS

/// How an AWS service frames requests and errors.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Proto {
    /// awsJson1.0 / 1.1: `X-Amz-Target: Prefix.Operation`.
    Json,
    /// restJson1: method + URI.
    RestJson,
    /// Query (STS): `Action=` in a form body, XML answers.
    Query,
    /// REST-XML (S3).
    RestXml,
}

struct Aws {
    estate: AwsEstate,
    defaults: BTreeMap<String, Value>,
}

/// Access key id, region and service from a SigV4 `Authorization` header.
fn credential_scope(auth: &str) -> Option<(&str, &str, &str)> {
    let cred = auth.split("Credential=").nth(1)?.split([',', ' ']).next()?;
    let mut it = cred.split('/');
    let akid = it.next()?;
    let _date = it.next()?;
    Some((akid, it.next()?, it.next()?))
}

/// The demo's key ids end in the account they belong to (`AKIADEMO111111111111`).
fn account_of(akid: &str) -> Option<&str> {
    let tail = akid.get(akid.len().checked_sub(12)?..)?;
    tail.bytes().all(|b| b.is_ascii_digit()).then_some(tail)
}

fn aws_error(proto: Proto, e: &CannedError) -> Reply {
    match proto {
        Proto::Json | Proto::RestJson => {
            let mut r = Reply::json(e.status, &json!({"__type": e.code, "message": e.message}));
            r.headers.push(("x-amzn-errortype", e.code.clone()));
            r
        }
        Proto::Query => Reply::xml(
            e.status,
            format!(
                "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>Sender</Type>\
                 <Code>{}</Code><Message>{}</Message></Error><RequestId>{REQUEST_ID}</RequestId></ErrorResponse>",
                xml_escape(&e.code),
                xml_escape(&e.message)
            ),
        ),
        Proto::RestXml => Reply::xml(
            e.status,
            format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{}</Code><Message>{}</Message>\
                 <RequestId>{REQUEST_ID}</RequestId></Error>",
                xml_escape(&e.code),
                xml_escape(&e.message)
            ),
        ),
    }
}

const REQUEST_ID: &str = "5d3c1e0a-6f2b-4c8e-9a7d-0b1e2f3a4c5d";

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// Whether a route key with `{param}` segments matches a raw (still encoded) path.
fn path_matches(pattern: &str, raw: &str) -> bool {
    let p: Vec<&str> = pattern.trim_end_matches('/').split('/').collect();
    let r: Vec<&str> = raw.trim_end_matches('/').split('/').collect();
    p.len() == r.len()
        && p.iter().zip(&r).all(|(p, r)| (p.starts_with('{') && p.ends_with('}') && !r.is_empty()) || *p == decode(r))
}

impl Aws {
    fn sts(&self, action: &str, form: &[(String, String)], account: &str) -> Option<Reply> {
        let ns = "https://sts.amazonaws.com/doc/2011-06-15/";
        let meta = format!("<ResponseMetadata><RequestId>{REQUEST_ID}</RequestId></ResponseMetadata>");
        match action {
            "GetCallerIdentity" => {
                let arn = if account == self.estate.caller {
                    format!("arn:aws:iam::{account}:user/aimscope-auditor")
                } else {
                    format!("arn:aws:sts::{account}:assumed-role/AimscopeReadOnly/aimscope")
                };
                Some(Reply::xml(
                    200,
                    format!(
                        "<GetCallerIdentityResponse xmlns=\"{ns}\"><GetCallerIdentityResult><Arn>{arn}</Arn>\
                         <UserId>AIDADEMO{account}</UserId><Account>{account}</Account></GetCallerIdentityResult>\
                         {meta}</GetCallerIdentityResponse>"
                    ),
                ))
            }
            "AssumeRole" => {
                let role = form.iter().find(|(k, _)| k == "RoleArn").map(|(_, v)| v.as_str())?;
                let session = form.iter().find(|(k, _)| k == "RoleSessionName").map_or("aimscope", |(_, v)| v.as_str());
                let target = role.split(':').nth(4)?;
                if let Some(message) = self.estate.deny_assume.get(target) {
                    let e = CannedError { status: 403, code: "AccessDenied".into(), message: message.clone() };
                    return Some(aws_error(Proto::Query, &e));
                }
                let expires = (chrono::Utc::now() + chrono::Duration::hours(1)).format("%Y-%m-%dT%H:%M:%SZ");
                let role_name = role.rsplit('/').next().unwrap_or("role");
                Some(Reply::xml(
                    200,
                    format!(
                        "<AssumeRoleResponse xmlns=\"{ns}\"><AssumeRoleResult><Credentials>\
                         <AccessKeyId>ASIADEMO{target}</AccessKeyId>\
                         <SecretAccessKey>demo/secret/for/{target}</SecretAccessKey>\
                         <SessionToken>demo-session-token-{target}</SessionToken>\
                         <Expiration>{expires}</Expiration></Credentials>\
                         <AssumedRoleUser><AssumedRoleId>AROADEMO{target}:{session}</AssumedRoleId>\
                         <Arn>arn:aws:sts::{target}:assumed-role/{role_name}/{session}</Arn></AssumedRoleUser>\
                         </AssumeRoleResult>{meta}</AssumeRoleResponse>",
                        session = xml_escape(session),
                    ),
                ))
            }
            _ => None,
        }
    }
}

impl Answer for Aws {
    fn answer(&self, req: &Req) -> Option<Reply> {
        let (akid, region, service) = req.header("authorization").and_then(credential_scope)?;
        let target = req.header("x-amz-target");
        let form: Vec<(String, String)> = if target.is_none()
            && req.header("content-type").is_some_and(|c| c.starts_with("application/x-www-form-urlencoded"))
        {
            url::form_urlencoded::parse(&req.body).into_owned().collect()
        } else {
            Vec::new()
        };
        let action = form.iter().find(|(k, _)| k == "Action").map(|(_, v)| v.clone());
        let proto = match (target, &action) {
            (Some(_), _) => Proto::Json,
            (None, Some(_)) => Proto::Query,
            _ if service == "s3" => Proto::RestXml,
            _ => Proto::RestJson,
        };
        let Some(account) = account_of(akid) else {
            let e = CannedError {
                status: 403,
                code: "InvalidClientTokenId".into(),
                message: "The security token included in the request is invalid.".into(),
            };
            return Some(aws_error(proto, &e));
        };
        if let Some(a) = &action
            && let Some(r) = self.sts(a, &form, account)
        {
            return Some(r);
        }
        let key = match (target, &action) {
            (Some(t), _) => t.to_owned(),
            (None, Some(a)) => format!("Action={a}"),
            _ => {
                // S3 names a bucket's sub-resource by a bare query key (`?tagging`, `?location`).
                let sub = ["tagging", "location"].into_iter().find(|s| req.param(s).is_some());
                let sub = sub.map(|s| format!("?{s}")).unwrap_or_default();
                format!("{} {}{sub}", req.method, req.path())
            }
        };
        // A route may name one string member of the request (`SageMaker.ListTags ResourceArn=…`)
        // to answer calls about one resource; the bare operation answers the rest.
        let mut keys: Vec<String> = match serde_json::from_slice::<Value>(&req.body) {
            Ok(Value::Object(m)) => {
                m.iter().filter_map(|(f, v)| v.as_str().map(|v| format!("{key} {f}={v}"))).collect()
            }
            _ => Vec::new(),
        };
        keys.push(key.clone());
        let scoped = [format!("{account}/{region}"), account.to_owned()];
        let canned =
            keys.iter().find_map(|k| scoped.iter().filter_map(|s| self.estate.scopes.get(s)).find_map(|m| m.get(k)));
        if let Some(c) = canned {
            return match c {
                Canned::Xml { xml } => Some(Reply::xml(200, xml.clone())),
                c => page(c, req).map(|r| match r {
                    Ok(v) => Reply::json(200, v),
                    Err(e) => aws_error(proto, e),
                }),
            };
        }
        let default = self.defaults.get(&key).or_else(|| {
            let (method, raw) = (req.method.as_str(), req.raw_path.as_str());
            self.defaults.iter().find_map(|(k, v)| {
                let (m, p) = k.split_once(' ')?;
                (m == method && p.starts_with('/') && path_matches(p, raw)).then_some(v)
            })
        });
        default.map(|v| Reply::json(200, v))
    }
}

// ---------------------------------------------------------------------------------------------
// Azure Resource Manager (and the identity endpoint and Key Vault data plane it names)

struct Arm(ArmEstate);

impl Answer for Arm {
    fn answer(&self, req: &Req) -> Option<Reply> {
        let path = req.path();
        if path == "/identity/token" {
            // App Service managed identity (api-version 2019-08-01): a header proves the caller
            // is on the host; `expires_on` is epoch seconds as a string.
            if req.header("x-identity-header").is_none() {
                return Some(Reply::json(401, &json!({"error": "invalid_request"})));
            }
            let expires = (chrono::Utc::now().timestamp() + 3600).to_string();
            let resource = req.param("resource").unwrap_or_default();
            return Some(Reply::json(
                200,
                &json!({"access_token": "demo-arm-token", "expires_on": expires, "resource": resource, "token_type": "Bearer"}),
            ));
        }
        if let Some((_, e)) = self.0.denied.iter().find(|(scope, _)| path.starts_with(scope.as_str())) {
            // ARM names the action refused; the fixture's message says where it goes.
            let message = e.message.replace("{action}", &arm_action(&req.method, &path));
            return Some(Reply::json(e.status, &json!({"error": {"code": e.code, "message": message}})));
        }
        let key = format!("{} {path}", req.method);
        match self.0.routes.get(&key) {
            Some(c) => page(c, req).map(|r| match r {
                Ok(v) => Reply::json(200, v),
                Err(e) => Reply::json(e.status, &json!({"error": {"code": e.code, "message": e.message}})),
            }),
            // An ARM collection with no members answers an empty `value`.
            None if req.method == "GET" && path.starts_with("/subscriptions/") => {
                Some(Reply::json(200, &json!({"value": []})))
            }
            None => None,
        }
    }
}

/// The RBAC action ARM names when it refuses `method path`: the provider namespace and resource
/// types (names dropped), then `read`, or for a POST its last segment as an `action`.
/// `GET /subscriptions/S/providers/Microsoft.Web/sites` → `Microsoft.Web/sites/read`;
/// `POST …/Microsoft.Web/sites/app/config/appsettings/list` → `Microsoft.Web/sites/config/list/action`.
fn arm_action(method: &str, path: &str) -> String {
    let Some((_, rest)) = path.rsplit_once("/providers/") else {
        return "Microsoft.Resources/subscriptions/resourceGroups/read".into();
    };
    let segs: Vec<&str> = rest.split('/').filter(|s| !s.is_empty()).collect();
    let Some((ns, after)) = segs.split_first() else { return "*/read".into() };
    let (after, verb) = match (method, after.len() % 2) {
        ("POST", 1) => (&after[..after.len() - 1], format!("{}/action", after[after.len() - 1])),
        _ => (after, "read".to_owned()),
    };
    let types: Vec<&str> = after.iter().step_by(2).copied().collect();
    format!("{ns}/{}{}{verb}", types.join("/"), if types.is_empty() { "" } else { "/" })
}

// ---------------------------------------------------------------------------------------------
// Google APIs (and the OAuth token endpoint an `authorized_user` ADC file names)

struct Google(GoogleEstate);

impl Answer for Google {
    fn answer(&self, req: &Req) -> Option<Reply> {
        let path = req.path();
        if path == "/token" && req.method == "POST" {
            return Some(Reply::json(
                200,
                &json!({"access_token": "demo-google-token", "expires_in": 3599, "token_type": "Bearer",
                        "scope": "https://www.googleapis.com/auth/cloud-platform"}),
            ));
        }
        let key = format!("{} {path}", req.method);
        match self.0.routes.get(&key) {
            Some(c) => page(c, req).map(|r| match r {
                Ok(v) => Reply::json(200, v),
                Err(e) => {
                    Reply::json(e.status, &json!({"error": {"code": e.status, "message": e.message, "status": e.code}}))
                }
            }),
            // Google's JSON omits empty repeated fields: an empty list is `{}`.
            None if req.method == "GET" => Some(Reply::json(200, &json!({}))),
            None => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_sigv4_credential_scope() {
        let auth = "AWS4-HMAC-SHA256 Credential=ASIADEMO222222222222/20261202/eu-west-1/sagemaker/aws4_request, \
                    SignedHeaders=host;x-amz-date, Signature=abc";
        assert_eq!(credential_scope(auth), Some(("ASIADEMO222222222222", "eu-west-1", "sagemaker")));
        assert_eq!(account_of("ASIADEMO222222222222"), Some("222222222222"));
        assert_eq!(account_of("AKIAEXAMPLE"), None);
        assert_eq!(account_of(""), None);
    }

    #[test]
    fn route_patterns_match_one_encoded_segment() {
        assert!(path_matches(
            "/agents/{agentId}/agentversions/{v}/knowledgebases",
            "/agents/A1/agentversions/DRAFT/knowledgebases/"
        ));
        assert!(path_matches(
            "/2017-03-31/tags/{Resource}",
            "/2017-03-31/tags/arn%3Aaws%3Alambda%3Aus-east-1%3A1%3Afunction%3Af"
        ));
        assert!(!path_matches("/agents", "/agents/A1"));
        assert!(!path_matches("/agents/{id}", "/agents/"));
    }

    #[test]
    fn arm_actions_name_the_resource_type() {
        let s = "/subscriptions/8b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e";
        assert_eq!(arm_action("GET", &format!("{s}/providers/Microsoft.Web/sites")), "Microsoft.Web/sites/read");
        assert_eq!(
            arm_action(
                "POST",
                &format!("{s}/resourceGroups/rg/providers/Microsoft.Web/sites/app/config/appsettings/list")
            ),
            "Microsoft.Web/sites/config/list/action"
        );
        assert_eq!(
            arm_action(
                "GET",
                &format!("{s}/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/w/models")
            ),
            "Microsoft.MachineLearningServices/workspaces/models/read"
        );
    }
}
