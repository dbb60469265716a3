//! Agent mode end to end: the aimscope binary over several cycles against a GCP estate (the
//! official clients against a local stand-in in Google's REST JSON) whose contents change
//! between cycles; history and deltas, a denied scope, SIGTERM mid-scan, the lock, the
//! Prometheus endpoint (checked with the Prometheus project's own parser), shards and merge.

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use support::*;
use wiremock::matchers::{method, path, path_regex};
use wiremock::{Mock, MockServer, ResponseTemplate};

const LOCATION: &str = "us-central1";
/// The id aimscope gives `gs://claims-pii` (a Cloud Asset Inventory full resource name).
const BUCKET: &str = "//storage.googleapis.com/projects/_/buckets/claims-pii";

/// One project's Vertex AI models (id, owner label), or `None` for a project that answers 403.
type Estate = Vec<(&'static str, Option<Vec<(&'static str, &'static str)>>)>;

/// Parsed /metrics: sample name → [(labels, value)].
type Samples = BTreeMap<String, Vec<(BTreeMap<String, String>, f64)>>;

fn ok(body: Value) -> ResponseTemplate {
    ResponseTemplate::new(200).insert_header("content-type", "application/json").set_body_json(body)
}

fn model_id(project: &str, m: &str) -> String {
    format!("projects/{project}/locations/{LOCATION}/models/{m}@1")
}

/// (Re)mounts the whole estate; `delay` slows every model listing (a scan in progress).
async fn mount(s: &MockServer, estate: &Estate, delay: Duration) {
    s.reset().await;
    Mock::given(method("POST"))
        .and(path("/token"))
        .respond_with(ok(json!({"access_token": "test-token", "expires_in": 3599, "token_type": "Bearer"})))
        .mount(s)
        .await;
    for (project, models) in estate {
        let Some(models) = models else {
            Mock::given(path_regex(format!("^/v1/projects/{project}/.*")))
                .respond_with(
                    ResponseTemplate::new(403)
                        .insert_header("content-type", "application/json")
                        .set_body_json(json!({"error": {"code": 403, "status": "PERMISSION_DENIED",
                        "message": format!("Permission denied on resource project {project}.")}})),
                )
                .with_priority(1)
                .mount(s)
                .await;
            continue;
        };
        Mock::given(method("GET"))
            .and(path(format!("/v1/projects/{project}/services:batchGet")))
            .respond_with(ok(json!({"services": [
                {"name": format!("projects/1/services/aiplatform.googleapis.com"), "state": 2},
                {"name": format!("projects/1/services/generativelanguage.googleapis.com"), "state": 1}]})))
            .mount(s)
            .await;
        let list: Vec<Value> = models
            .iter()
            .map(|(m, owner)| {
                json!({"name": format!("projects/{project}/locations/{LOCATION}/models/{m}"), "displayName": m,
                    "versionId": "1", "createTime": "2026-01-10T10:00:00Z", "labels": {"owner": owner}})
            })
            .collect();
        Mock::given(method("GET"))
            .and(path(format!("/v1/projects/{project}/locations/{LOCATION}/models")))
            .respond_with(ok(json!({ "models": list })).set_delay(delay))
            .mount(s)
            .await;
    }
    Mock::given(method("GET"))
        .and(path_regex("^/v[12]/projects/.*"))
        .respond_with(ok(json!({})))
        .with_priority(10)
        .mount(s)
        .await;
}

struct Setup {
    dir: tempfile::TempDir,
    config: String,
    env: Vec<(&'static str, String)>,
    port: u16,
}

impl Setup {
    fn new(server: &MockServer, projects: &[&str]) -> Setup {
        Setup::with_webhook(server, projects, None)
    }

    fn with_webhook(server: &MockServer, projects: &[&str], webhook: Option<&MockServer>) -> Setup {
        let dir = workdir();
        let adc = write(
            dir.path(),
            "adc.json",
            &json!({"type": "authorized_user", "client_id": "c.apps.googleusercontent.com", "client_secret": "s",
                "refresh_token": "r", "token_uri": format!("{}/token", server.uri())})
            .to_string(),
        );
        let port = free_port();
        let u = server.uri();
        let history = dir.path().join("state/history.db");
        let config = write(
            dir.path(),
            "aimscope.toml",
            &format!(
                "providers = [\"gcp\"]\n\
                 [gcp]\nprojects = {projects:?}\nlocations = [\"{LOCATION}\"]\nmax_attempts = 2\n\
                 aiplatform_endpoint = \"{u}\"\nservice_usage_endpoint = \"{u}\"\nsecret_manager_endpoint = \"{u}\"\n\
                 run_endpoint = \"{u}\"\nfunctions_endpoint = \"{u}\"\nstorage_endpoint = \"{u}\"\nbigquery_endpoint = \"{u}\"\n\
                 [agent]\ninterval = \"1s\"\njitter = \"0s\"\nshutdown_grace = \"1s\"\nsnapshot_every = \"1d\"\n\
                 metrics_listen = \"127.0.0.1:{port}\"\nhistory = \"{}\"\n{}",
                history.display(),
                webhook
                    .map(|w| format!(
                        "[webhook]\nurl = \"{}/hook\"\nspool_dir = \"{}\"\nmax_attempts = 1\n",
                        w.uri(),
                        dir.path().join("spool").display()
                    ))
                    .unwrap_or_default()
            ),
        )
        .display()
        .to_string();
        let env = vec![
            ("GOOGLE_APPLICATION_CREDENTIALS", adc.display().to_string()),
            ("RUST_LOG", "info".into()),
            ("AIMSCOPE_WEBHOOK_SECRET", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw".into()),
        ];
        Setup { dir, config, env, port }
    }

    fn path(&self, name: &str) -> String {
        self.dir.path().join(name).display().to_string()
    }

    async fn run(&self, a: &[&str]) -> std::process::Output {
        aimscope_async(args(a), self.env.clone(), self.dir.path().to_owned()).await
    }

    /// The resident agent, writing `inventory.json`; its log goes to a file (a pipe nobody
    /// reads could fill and block it), which [`terminate`] returns.
    fn spawn_agent(&self) -> Agent {
        let out = self.path("inventory.json");
        let log = self.dir.path().join("agent.log");
        let file = std::fs::File::create(&log).expect("agent log");
        let child = command(&["agent", "--config", &self.config, "--out", &out], &self.env, self.dir.path())
            .stdout(std::process::Stdio::null())
            .stderr(file)
            .spawn()
            .expect("start the agent");
        Agent { child, log }
    }

    async fn agent_once(&self) -> Value {
        let out = self.path("inventory.json");
        let res = self.run(&["agent", "--once", "--config", &self.config, "--out", &out, "--metrics-listen", ""]).await;
        assert!(res.status.success(), "{}", String::from_utf8_lossy(&res.stderr));
        read_json(&self.dir.path().join("inventory.delta.json"))
    }

    async fn history(&self, extra: &[&str]) -> Value {
        let mut a = vec!["history", "--json", "--config", &self.config];
        a.extend_from_slice(extra);
        let res = self.run(&a).await;
        assert!(res.status.success(), "{}", String::from_utf8_lossy(&res.stderr));
        serde_json::from_slice(&res.stdout).expect("history JSON")
    }

    /// Samples of /metrics as parsed by prometheus_client: sample name → [(labels, value)].
    fn metrics(&self) -> Option<Samples> {
        let text = http_get(self.port, "/metrics")?;
        let out = std::process::Command::new(python())
            .args([
                "-c",
                "import sys, json\nfrom prometheus_client.parser import text_string_to_metric_families\n\
                 out = {}\nfor f in text_string_to_metric_families(sys.stdin.read()):\n\
                 \x20   for s in f.samples:\n\
                 \x20       out.setdefault(s.name, []).append([s.labels, s.value])\nprint(json.dumps(out))",
            ])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .and_then(|mut c| {
                use std::io::Write;
                c.stdin.take().expect("stdin").write_all(text.as_bytes())?;
                c.wait_with_output()
            })
            .expect("run the Prometheus parser (scripts/test.sh installs prometheus-client)");
        assert!(out.status.success(), "not Prometheus text:\n{text}\n{}", String::from_utf8_lossy(&out.stderr));
        Some(serde_json::from_slice(&out.stdout).expect("parser output"))
    }
}

/// A resident agent process; killed if a test fails before it is terminated.
struct Agent {
    child: std::process::Child,
    log: std::path::PathBuf,
}

impl Drop for Agent {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// SIGTERM, then the exit status and log; the agent must stop within its grace period.
fn terminate(agent: Agent) -> (std::process::ExitStatus, String) {
    let mut agent = agent;
    let child = &mut agent.child;
    let pid = child.id().to_string();
    assert!(std::process::Command::new("kill").args(["-TERM", &pid]).status().expect("kill").success());
    let deadline = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(st) = child.try_wait().expect("wait") {
            break st;
        }
        assert!(Instant::now() < deadline, "the agent did not stop within its grace period");
        std::thread::sleep(Duration::from_millis(100));
    };
    (status, std::fs::read_to_string(&agent.log).unwrap_or_default())
}

fn http_get(port: u16, p: &str) -> Option<String> {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(s, "GET {p} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").ok()?;
    let mut buf = String::new();
    s.read_to_string(&mut buf).ok()?;
    let (head, body) = buf.split_once("\r\n\r\n")?;
    head.starts_with("HTTP/1.1 200").then(|| body.to_owned())
}

fn sample(m: &Samples, name: &str, labels: &[(&str, &str)]) -> f64 {
    m.get(name)
        .into_iter()
        .flatten()
        .find(|(l, _)| labels.iter().all(|(k, v)| l.get(*k).map(String::as_str) == Some(*v)))
        .map(|(_, v)| *v)
        .unwrap_or(-1.0)
}

/// The model ids under `key` of a delta (API-enablement assets come and go with their project
/// too, but the models are what each cycle changes).
fn ids(v: &Value, key: &str) -> BTreeSet<String> {
    v[key]
        .as_array()
        .expect(key)
        .iter()
        .filter_map(|x| x.as_str().or_else(|| x["id"].as_str()).map(str::to_owned))
        .filter(|id| id.contains("/models/"))
        .collect()
}

fn set(xs: &[String]) -> BTreeSet<String> {
    xs.iter().cloned().collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn deltas_and_history_are_exact_under_change_and_a_denied_scope() {
    let server = MockServer::start().await;
    let hook = MockServer::start().await;
    Mock::given(method("POST")).and(path("/hook")).respond_with(ResponseTemplate::new(204)).mount(&hook).await;
    let s = Setup::with_webhook(&server, &["alpha-1", "beta-2", "gamma-3"], Some(&hook));
    let (a, b, g) = ("alpha-1", "beta-2", "gamma-3");
    // What the webhook received since the last call: (envelope type, record types).
    let received = || async {
        let reqs = hook.received_requests().await.unwrap_or_default();
        hook.reset().await;
        Mock::given(method("POST")).and(path("/hook")).respond_with(ResponseTemplate::new(204)).mount(&hook).await;
        reqs.iter()
            .map(|r| {
                let v: Value = serde_json::from_slice(&r.body).expect("webhook body is JSON");
                let types: BTreeSet<String> = v["records"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|r| r["type"].as_str().map(str::to_owned))
                    .collect();
                (v["type"].as_str().unwrap_or("").to_owned(), types)
            })
            .collect::<Vec<_>>()
    };

    // Cycle 1: everything is new; a full snapshot.
    mount(
        &server,
        &vec![
            (a, Some(vec![("m1", "team-a"), ("m2", "team-a")])),
            (b, Some(vec![("b1", "team-b")])),
            (g, Some(vec![("g1", "team-g")])),
        ],
        Duration::ZERO,
    )
    .await;
    let d1 = s.agent_once().await;
    std::fs::copy(s.path("inventory.json"), s.path("cycle1.json")).expect("keep cycle 1");
    assert_eq!(ids(&d1, "added"), set(&[model_id(a, "m1"), model_id(a, "m2"), model_id(b, "b1"), model_id(g, "g1")]));
    assert!(d1["previous_run_id"].is_null());
    assert!(!d1["new_findings"].as_array().expect("findings").is_empty(), "untagged models have findings");
    let got = received().await;
    let kinds: BTreeSet<&str> = got.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(
        kinds,
        BTreeSet::from(["aimscope.inventory.batch", "aimscope.inventory.delta"]),
        "first run: snapshot and delta"
    );

    // Cycle 2: m1 changed, m2 removed, m3 added; beta-2 denied, so b1 is unseen, not removed.
    mount(
        &server,
        &vec![(a, Some(vec![("m1", "team-b"), ("m3", "team-a")])), (b, None), (g, Some(vec![("g1", "team-g")]))],
        Duration::ZERO,
    )
    .await;
    let d2 = s.agent_once().await;
    assert_eq!(ids(&d2, "added"), set(&[model_id(a, "m3")]));
    // `aimscope diff` of the two cycles' inventories is the delta the agent recorded.
    let res = s.run(&["diff", &s.path("cycle1.json"), &s.path("inventory.json")]).await;
    assert_eq!(res.status.code(), Some(0), "{}", String::from_utf8_lossy(&res.stderr));
    let diffed: Value = serde_json::from_slice(&res.stdout).expect("diff prints the delta document");
    for key in
        ["run_id", "previous_run_id", "added", "changed", "removed", "unseen", "new_findings", "resolved_findings"]
    {
        assert_eq!(diffed[key], d2[key], "diff and the agent disagree on {key}");
    }
    assert_eq!(ids(&d2, "changed"), set(&[model_id(a, "m1")]));
    assert_eq!(d2["changed"][0]["fields"], json!(["owner", "tags.owner"]));
    assert_eq!(ids(&d2, "removed"), set(&[model_id(a, "m2")]));
    assert_eq!(ids(&d2, "unseen"), set(&[model_id(b, "b1")]));
    assert_eq!(d2["previous_run_id"], d1["run_id"]);
    let resolved: BTreeSet<&str> =
        d2["resolved_findings"].as_array().expect("resolved").iter().filter_map(|f| f["asset_id"].as_str()).collect();
    assert_eq!(resolved, BTreeSet::from([model_id(a, "m2").as_str()]), "b1's findings stay open: nobody looked");
    let got = received().await;
    assert!(got.iter().all(|(k, _)| k == "aimscope.inventory.delta"), "no snapshot before snapshot_every: {got:?}");
    let records: BTreeSet<&str> = got.iter().flat_map(|(_, r)| r.iter().map(String::as_str)).collect();
    for t in ["added", "changed", "removed", "unseen", "resolved_finding"] {
        assert!(records.contains(t), "no {t} record in {records:?}");
    }

    // Cycle 3: beta-2 answers again and b1 is gone: now it is removed. Nothing else changed.
    mount(
        &server,
        &vec![
            (a, Some(vec![("m1", "team-b"), ("m3", "team-a")])),
            (b, Some(vec![])),
            (g, Some(vec![("g1", "team-g")])),
        ],
        Duration::ZERO,
    )
    .await;
    let d3 = s.agent_once().await;
    assert_eq!(ids(&d3, "removed"), set(&[model_id(b, "b1")]));
    assert!(ids(&d3, "added").is_empty() && ids(&d3, "changed").is_empty() && ids(&d3, "unseen").is_empty());

    let runs = s.history(&[]).await;
    let status: Vec<&str> = runs.as_array().expect("runs").iter().filter_map(|r| r["status"].as_str()).collect();
    assert_eq!(status, ["completed", "partial", "completed"]);
    assert_eq!(runs[2]["snapshot"], true, "the first run is a full snapshot");
    assert_eq!(runs[1]["snapshot"], false);
    let m2 = s.history(&["--asset", &model_id(a, "m2")]).await;
    let changes = |t: &Value| {
        t["events"]
            .as_array()
            .expect("events")
            .iter()
            .map(|e| e["change"].as_str().unwrap_or("").to_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(changes(&m2), ["added", "removed"]);
    assert!(m2["removed_at"].is_string());
    let m1 = s.history(&["--asset", &model_id(a, "m1")]).await;
    assert_eq!(changes(&m1), ["added", "changed"]);
    assert_eq!(m1["events"][1]["fields"], json!(["owner", "tags.owner"]));
    let b1 = s.history(&["--asset", &model_id(b, "b1")]).await;
    assert_eq!(changes(&b1), ["added", "removed"]);
    assert_eq!(b1["events"][1]["run_id"], d3["run_id"], "removed only once its scope was seen again");

    // The same comparison from two inventory files.
    let old = s.path("old.json");
    std::fs::write(&old, serde_json::to_vec(&json!({})).expect("json")).expect("write");
    let res = s.run(&["diff", &old, &s.path("inventory.json")]).await;
    assert_eq!(res.status.code(), Some(2), "not an inventory: a clear usage error");
    assert!(String::from_utf8_lossy(&res.stderr).contains("is not an aimscope inventory"));
}

#[tokio::test(flavor = "multi_thread")]
async fn sigterm_mid_scan_leaves_a_consistent_store_and_metrics_parse() {
    let server = MockServer::start().await;
    let s = Setup::new(&server, &["alpha-1", "gamma-3"]);
    let estate: Estate =
        vec![("alpha-1", Some(vec![("m1", "team-a"), ("m2", "team-a")])), ("gamma-3", Some(vec![("g1", "team-g")]))];
    mount(&server, &estate, Duration::ZERO).await;
    let child = s.spawn_agent();

    // First cycle done: the metrics say so, in Prometheus text the Prometheus parser accepts.
    let wait_for = |what: &str, f: &dyn Fn(&Samples) -> bool| {
        let deadline = Instant::now() + Duration::from_secs(90);
        loop {
            if let Some(m) = s.metrics()
                && f(&m)
            {
                return m;
            }
            assert!(Instant::now() < deadline, "timed out waiting for {what}");
            std::thread::sleep(Duration::from_millis(200));
        }
    };
    let m = tokio::task::block_in_place(|| {
        wait_for("a completed scan", &|m| sample(m, "aimscope_scans_total", &[("result", "completed")]) >= 1.0)
    });
    assert_eq!(sample(&m, "aimscope_up", &[]), 1.0);
    assert_eq!(
        sample(&m, "aimscope_assets", &[("cloud", "gcp"), ("kind", "model"), ("classification", "unknown")]),
        3.0,
        "{m:?}"
    );
    assert_eq!(sample(&m, "aimscope_assets", &[("cloud", "gcp"), ("kind", "api_enablement")]), 2.0);
    assert!(sample(&m, "aimscope_api_calls", &[("cloud", "gcp")]) >= 4.0);
    assert!(sample(&m, "aimscope_last_success_timestamp_seconds", &[]) > 1.7e9);
    let findings: f64 = m.get("aimscope_findings").into_iter().flatten().map(|(_, v)| v).sum();
    assert!(findings > 0.0, "untagged models have findings: {m:?}");
    assert_eq!(http_get(s.port, "/healthz").as_deref(), Some("ok\n"));
    // The resident loop goes on: a second cycle over the same estate changes nothing.
    let m = tokio::task::block_in_place(|| {
        wait_for("a second scan", &|m| sample(m, "aimscope_scans_total", &[("result", "completed")]) >= 2.0)
    });
    assert_eq!(sample(&m, "aimscope_delta_assets", &[("change", "added")]), 0.0);
    assert_eq!(sample(&m, "aimscope_delta_assets", &[("change", "removed")]), 0.0);

    // The next scans hang on a slow API; SIGTERM lands mid-scan.
    mount(&server, &estate, Duration::from_secs(30)).await;
    tokio::task::block_in_place(|| {
        wait_for("a scan in progress", &|m| sample(m, "aimscope_scan_in_progress", &[]) == 1.0)
    });
    // A second agent on the same history refuses to start.
    let second = s.run(&["agent", "--once", "--config", &s.config, "--metrics-listen", ""]).await;
    assert_eq!(second.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&second.stderr).contains("another aimscope agent holds"));

    let (status, stderr) = tokio::task::block_in_place(|| terminate(child));
    assert!(status.success(), "{stderr}");
    assert!(stderr.contains("SIGTERM") && stderr.contains("abandoned"), "{stderr}");

    // The store: every completed run recorded, the abandoned one listed as interrupted, and the
    // assets exactly as the last completed scan left them.
    let runs = s.history(&[]).await;
    let runs = runs.as_array().expect("runs");
    assert_eq!(runs[0]["status"], "interrupted");
    // (A cycle that starts while the test swaps the stand-in's responses may be partial.)
    assert!(runs[1..].iter().all(|r| r["status"] == "completed" || r["status"] == "partial"), "{runs:#?}");
    assert_eq!(
        runs.last().map(|r| &r["added"]),
        Some(&json!(5)),
        "the first cycle added 3 models and 2 API enablements"
    );
    let m1 = s.history(&["--asset", &model_id("alpha-1", "m1")]).await;
    assert_eq!(m1["events"].as_array().map(Vec::len), Some(1));

    // And the next agent run starts cleanly from it: the lock is free, nothing changed.
    mount(&server, &estate, Duration::ZERO).await;
    let d = s.agent_once().await;
    assert!(ids(&d, "added").is_empty() && ids(&d, "removed").is_empty() && ids(&d, "changed").is_empty(), "{d:#}");
    assert_eq!(d["previous_run_id"], runs[1]["id"], "compared with the last completed scan");
}

#[tokio::test(flavor = "multi_thread")]
async fn shards_cover_every_scope_once_and_merge_back_to_the_unsharded_scan() {
    let server = MockServer::start().await;
    let projects = ["p-0001", "p-0002", "p-0003", "p-0004", "p-0005", "p-0006", "p-0007"];
    let s = Setup::new(&server, &projects);
    let estate: Estate = vec![
        ("p-0001", Some(vec![("a", "x")])),
        ("p-0002", Some(vec![("b", "x"), ("c", "y")])),
        ("p-0003", None),
        ("p-0004", Some(vec![("d", "x")])),
        ("p-0005", Some(vec![])),
        ("p-0006", Some(vec![("e", "z")])),
        ("p-0007", Some(vec![("f", "x")])),
    ];
    mount(&server, &estate, Duration::ZERO).await;
    // Every model's artifacts live in one bucket labelled pii, so the bucket is referenced from
    // projects in different shards (looked up by each, one copy after merge) and every model
    // inherits `restricted` through it; model `a` declares `public` (a finding).
    for (project, models) in &estate {
        let Some(models) = models else { continue };
        let list: Vec<Value> = models
            .iter()
            .map(|(m, owner)| {
                let mut labels = json!({"owner": owner});
                if *m == "a" {
                    labels["data-classification"] = json!("public");
                }
                json!({"name": format!("projects/{project}/locations/{LOCATION}/models/{m}"), "displayName": m,
                    "versionId": "1", "createTime": "2026-01-10T10:00:00Z", "labels": labels,
                    "artifactUri": format!("gs://claims-pii/models/{project}/{m}/")})
            })
            .collect();
        Mock::given(method("GET"))
            .and(path(format!("/v1/projects/{project}/locations/{LOCATION}/models")))
            .respond_with(ok(json!({ "models": list })))
            .with_priority(1)
            .mount(&server)
            .await;
    }
    Mock::given(method("GET"))
        .and(path("/storage/v1/b/claims-pii"))
        .respond_with(ok(json!({"name": "claims-pii", "location": "US", "projectNumber": "412345678901",
            "timeCreated": "2025-11-02T08:00:00.000Z", "labels": {"data-classification": "pii"}})))
        .mount(&server)
        .await;
    let scan = |extra: Vec<String>, out: String| {
        let mut a = args(&["scan", "--config", &s.config, "--out", &out]);
        a.extend(extra);
        aimscope_async(a, s.env.clone(), s.dir.path().to_owned())
    };
    let whole = s.path("whole.json");
    assert_eq!(scan(vec![], whole.clone()).await.status.code(), Some(4), "p-0003 is denied");
    let mut parts = Vec::new();
    let mut owners: BTreeMap<String, usize> = BTreeMap::new();
    for k in 0..3 {
        let part = s.path(&format!("part-{k}.json"));
        scan(vec!["--shard".into(), format!("{k}/3")], part.clone()).await;
        let doc = read_json(Path::new(&part));
        let accounts: BTreeSet<String> = doc["coverage"]
            .as_array()
            .expect("coverage")
            .iter()
            .filter_map(|c| c["account"].as_str().map(str::to_owned))
            .collect();
        for a in accounts {
            *owners.entry(a).or_default() += 1;
        }
        parts.push(part);
    }
    let expected: BTreeMap<String, usize> = projects.iter().map(|p| (p.to_string(), 1)).collect();
    assert_eq!(owners, expected, "every project in exactly one shard");
    // Each shard enters only its own projects: Service Usage was asked once per project by the
    // unsharded scan and once more by the shards together.
    let batch_gets = server
        .received_requests()
        .await
        .unwrap_or_default()
        .iter()
        .filter(|r| r.url.path().ends_with("services:batchGet"))
        .count();
    assert_eq!(batch_gets, 2 * projects.len());

    let merged = s.path("merged.json");
    let mut a = vec!["merge", "--config", s.config.as_str(), "--out", merged.as_str()];
    a.extend(parts.iter().map(String::as_str));
    let res = s.run(&a).await;
    assert_eq!(res.status.code(), Some(4), "{}", String::from_utf8_lossy(&res.stderr));
    let (w, m) = (read_json(Path::new(&whole)), read_json(Path::new(&merged)));
    let view = |d: &Value| {
        let assets: Vec<(String, Value, Value)> = assets(d)
            .iter()
            .map(|a| {
                (
                    a["id"].as_str().unwrap_or("").to_owned(),
                    a["effective_classification"].clone(),
                    a["relations"].clone(),
                )
            })
            .collect();
        // Enrichment lookups are charged to the referencing scope, which differs when two shards
        // both look a shared bucket up: compared on their own below.
        let coverage: BTreeSet<(String, String, String, String)> = d["coverage"]
            .as_array()
            .expect("coverage")
            .iter()
            .filter(|c| c["collector"] != "storage.bucket_labels")
            .map(|c| {
                (c["account"].to_string(), c["region"].to_string(), c["collector"].to_string(), c["status"].to_string())
            })
            .collect();
        let findings: BTreeSet<(String, String)> = d["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .map(|f| (f["rule_id"].to_string(), f["asset_id"].to_string()))
            .collect();
        (assets, coverage, findings, d["run"]["complete"].clone())
    };
    assert_eq!(view(&m), view(&w));
    let lookups = |d: &Value| -> Vec<(String, String)> {
        d["coverage"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|c| c["collector"] == "storage.bucket_labels")
            .map(|c| (c["account"].as_str().unwrap_or("").to_owned(), c["status"].as_str().unwrap_or("").to_owned()))
            .collect()
    };
    let (wl, ml) = (lookups(&w), lookups(&m));
    assert!(!wl.is_empty() && wl.iter().all(|l| ml.contains(l)), "{wl:?} within {ml:?}");
    assert!(ml.iter().all(|(_, status)| status == "complete"), "{ml:?}");
    // What the equality above rests on: the shared bucket once, inheritance through it, and the
    // cross-scope finding, in the merged document.
    assert_eq!(assets(&m).iter().filter(|a| a["id"] == BUCKET).count(), 1, "one copy of the shared bucket");
    let level = |d: &Value, id: &str| asset(d, id)["effective_classification"]["level"].clone();
    assert_eq!(level(&m, &model_id("p-0007", "f")), "restricted");
    let referencing: BTreeSet<usize> = (0..3)
        .filter(|k| {
            read_json(Path::new(&parts[*k]))
                .pointer("/assets")
                .and_then(Value::as_array)
                .is_some_and(|a| a.iter().any(|x| x["id"] == BUCKET))
        })
        .collect();
    assert!(referencing.len() >= 2, "the bucket is looked up by several shards: {referencing:?}");
    assert!(
        m["findings"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|f| f["rule_id"] == "classification.declared_below_inherited"
                && f["asset_id"] == model_id("p-0001", "a")),
        "the declared-below-inherited finding survives the merge"
    );
    assert_valid_inventory(&m, s.dir.path());
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unreachable_webhook_is_spooled_and_delivered_at_shutdown() {
    let server = MockServer::start().await;
    let hook = MockServer::start().await;
    Mock::given(method("POST")).and(path("/hook")).respond_with(ResponseTemplate::new(503)).mount(&hook).await;
    let s = Setup::with_webhook(&server, &["alpha-1"], Some(&hook));
    // One scan at start, then a long sleep: the shutdown finds the spool still full.
    let cfg = std::fs::read_to_string(&s.config).expect("config").replace("interval = \"1s\"", "interval = \"1h\"");
    std::fs::write(&s.config, cfg).expect("config");
    mount(&server, &vec![("alpha-1", Some(vec![("m1", "team-a")]))], Duration::ZERO).await;
    let child = s.spawn_agent();
    let deadline = Instant::now() + Duration::from_secs(60);
    let m = loop {
        if let Some(m) = tokio::task::block_in_place(|| s.metrics())
            && sample(&m, "aimscope_scans_total", &[("result", "failed")]) >= 1.0
        {
            break m;
        }
        assert!(Instant::now() < deadline, "no failed delivery reported");
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert!(sample(&m, "aimscope_spool_depth", &[]) >= 2.0, "snapshot and delta wait in the spool: {m:?}");
    assert_eq!(sample(&m, "aimscope_last_success_timestamp_seconds", &[]), 0.0, "nothing was delivered");
    // The receiver comes back; SIGTERM delivers the spool on the way out.
    hook.reset().await;
    Mock::given(method("POST")).and(path("/hook")).respond_with(ResponseTemplate::new(204)).mount(&hook).await;
    let (status, stderr) = tokio::task::block_in_place(|| terminate(child));
    assert!(status.success(), "{stderr}");
    assert!(stderr.contains("spool delivered"), "{stderr}");
    let kinds: BTreeSet<String> = hook
        .received_requests()
        .await
        .unwrap_or_default()
        .iter()
        .filter_map(|r| serde_json::from_slice::<Value>(&r.body).ok())
        .filter_map(|v| v["type"].as_str().map(str::to_owned))
        .collect();
    assert_eq!(kinds, BTreeSet::from(["aimscope.inventory.batch".to_owned(), "aimscope.inventory.delta".to_owned()]));
}

#[tokio::test(flavor = "multi_thread")]
async fn once_runs_at_once_even_on_a_cron_schedule() {
    let server = MockServer::start().await;
    let s = Setup::new(&server, &["alpha-1"]);
    // A schedule whose next time is months away, and no scan at start-up configured.
    let cfg = std::fs::read_to_string(&s.config)
        .expect("config")
        .replace("interval = \"1s\"", "cron = \"0 0 1 1 *\"\nrun_on_start = false");
    std::fs::write(&s.config, cfg).expect("config");
    mount(&server, &vec![("alpha-1", Some(vec![("m1", "team-a")]))], Duration::ZERO).await;
    let started = Instant::now();
    let d = s.agent_once().await;
    assert_eq!(ids(&d, "added"), set(&[model_id("alpha-1", "m1")]));
    assert!(started.elapsed() < Duration::from_secs(60), "--once waited for the schedule");
}

/// `--out-dir` with several formats, the scope report among them: the agent rewrites every
/// file each cycle, the report's document control hashes the inventory beside it and names the
/// version it supersedes (from the agent's history), and the delta is written once.
#[tokio::test(flavor = "multi_thread")]
async fn the_agent_rewrites_every_output_and_the_report_names_the_version_it_supersedes() {
    use sha2::Digest;
    let server = MockServer::start().await;
    let s = Setup::new(&server, &["alpha-1"]);
    let out = s.dir.path().join("out");
    let out_s = out.display().to_string();
    let cycle = || async {
        let a = ["agent", "--once", "--config", &s.config, "--metrics-listen", ""];
        let res = s.run(&[&a[..], &["--out-dir", &out_s, "--format", "json,sarif,markdown,html"]].concat()).await;
        assert!(res.status.success(), "{}", String::from_utf8_lossy(&res.stderr));
        let inv = std::fs::read(out.join("inventory.json")).expect("inventory.json");
        let sha = hex(&sha2::Sha256::digest(&inv));
        let doc: Value = serde_json::from_slice(&inv).expect("inventory JSON");
        let md = std::fs::read_to_string(out.join("report.md")).expect("report.md");
        let html = std::fs::read_to_string(out.join("report.html")).expect("report.html");
        let run = doc["run"]["id"].as_str().expect("run id").to_owned();
        for (name, text) in [("report.md", &md), ("report.html", &html)] {
            assert!(text.contains(&run), "{name} is not this cycle's version {run}");
            assert!(text.contains(&sha), "{name} does not hash the inventory beside it");
        }
        let sarif = read_json(&out.join("findings.sarif"));
        assert_eq!(sarif["version"], "2.1.0");
        let delta = read_json(&out.join("inventory.delta.json"));
        assert_eq!(delta["run_id"], run.as_str());
        (run, md)
    };

    mount(&server, &vec![("alpha-1", Some(vec![("m1", "team-a")]))], Duration::ZERO).await;
    let (r1, md1) = cycle().await;
    assert!(md1.contains("| Supersedes | — (no earlier version"), "first version supersedes nothing:\n{md1}");

    mount(&server, &vec![("alpha-1", Some(vec![("m1", "team-a"), ("m2", "team-a")]))], Duration::ZERO).await;
    let (r2, md2) = cycle().await;
    assert_ne!(r1, r2);
    assert!(md2.contains(&format!("| Supersedes | `{r1}`")), "second version supersedes the first:\n{md2}");
    assert!(md2.contains("| Changes since | 1 added, 0 changed, 0 removed, 0 not seen"), "{md2}");

    let mut files: Vec<String> = std::fs::read_dir(&out)
        .expect("out dir")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    assert_eq!(files, ["findings.sarif", "inventory.delta.json", "inventory.json", "report.html", "report.md"]);
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
