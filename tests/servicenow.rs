//! The ServiceNow CMDB feed against a local receiver that checks the Identification and
//! Reconciliation payload as ServiceNow documents it, fails once, and answers in IRE's shape;
//! then delta mode against a baseline inventory.

mod support;

use std::collections::BTreeSet;

use serde_json::json;
use support::*;
use wiremock::matchers::{header, method, path, query_param};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

fn ire_result(req: &Request) -> serde_json::Value {
    let body: serde_json::Value = serde_json::from_slice(&req.body).unwrap_or_default();
    let items: Vec<serde_json::Value> = body["items"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|i| json!({"className": i["className"], "operation": "INSERT", "sysId": "0123456789abcdef0123456789abcdef"}))
        .collect();
    json!({"result": {"items": items, "relations": []}})
}

async fn receiver() -> MockServer {
    let s = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&s)
        .await;
    Mock::given(method("POST"))
        .and(path("/api/now/identifyreconcile"))
        .and(query_param("sysparm_data_source", "aimscope"))
        .and(header("authorization", "Basic aW50ZWdyYXRpb246czNjcjN0"))
        .respond_with(|req: &Request| ResponseTemplate::new(200).set_body_json(ire_result(req)))
        .mount(&s)
        .await;
    s
}

async fn run(dir: &std::path::Path, cfg: &str, out: &str) -> (Option<i32>, String) {
    let env = vec![("SERVICENOW_USER", "integration".to_owned()), ("SERVICENOW_PASSWORD", "s3cr3t".to_owned())];
    let res =
        aimscope_async(args(&["scan", "--provider", "azure", "--config", cfg, "--out", out]), env, dir.to_owned())
            .await;
    (res.status.code(), String::from_utf8_lossy(&res.stderr).into_owned())
}

#[tokio::test(flavor = "multi_thread")]
async fn cmdb_feed_matches_the_ire_shape_and_delta_mode_sends_only_changes() {
    let azure = azure::estate().await;
    let snow = receiver().await;
    let dir = workdir();
    stub_az(dir.path());
    let base_cfg = format!(
        "{}[servicenow]\ninstance_url = \"{}\"\nbatch_items = 5\nmax_attempts = 3\n",
        azure::config(&azure),
        snow.uri()
    );
    let cfg = write(dir.path(), "full.toml", &base_cfg).display().to_string();
    let first = dir.path().join("first.json").display().to_string();
    let (code, stderr) = run(dir.path(), &cfg, &first).await;
    assert_eq!(code, Some(4), "{stderr}");

    let reqs = snow.received_requests().await.unwrap_or_default();
    assert!(reqs.len() > 2, "several payloads of at most 5 items, after one retried 503");
    let doc = read_json(std::path::Path::new(&first));
    let mut object_ids = std::collections::BTreeSet::new();
    let mut relations = 0;
    for r in reqs.iter().skip(1) {
        let p: serde_json::Value = serde_json::from_slice(&r.body).expect("payload is JSON");
        let items = p["items"].as_array().expect("items");
        assert!(!items.is_empty() && items.len() <= 5);
        for i in items {
            assert!(i["className"].as_str().is_some_and(|c| c.starts_with("cmdb_ci_")));
            assert!(i["values"]["name"].is_string());
            let id = i["values"]["object_id"].as_str().expect("object_id");
            assert_eq!(i["sys_object_source_info"]["source_native_key"], id);
            assert!(doc["assets"].as_array().into_iter().flatten().any(|a| a["id"] == id));
            object_ids.insert(id.to_owned());
        }
        for rel in p["relations"].as_array().expect("relations") {
            assert_eq!(rel["type"], "Depends on::Used by");
            for end in ["parent", "child"] {
                assert!(rel[end].as_u64().is_some_and(|n| (n as usize) < items.len()));
            }
            relations += 1;
        }
    }
    let endpoint =
        doc["assets"].as_array().into_iter().flatten().find(|a| a["name"] == "claims-online").expect("endpoint");
    assert!(object_ids.contains(endpoint["id"].as_str().unwrap_or("")));
    assert!(relations > 0, "lineage reaches the CMDB");

    // Delta mode: against the first run, plus an asset that has since disappeared.
    let mut baseline = doc.clone();
    let mut gone = endpoint.clone();
    gone["id"] = json!("/subscriptions/x/gone-endpoint");
    gone["name"] = json!("gone-endpoint");
    baseline["assets"].as_array_mut().expect("assets").push(gone);
    // One in the subscription this run was denied: not seen, so it must not be retired.
    let mut unseen = endpoint.clone();
    unseen["id"] = json!("/subscriptions/44444444-4444-4444-4444-444444444444/unseen-endpoint");
    unseen["account"] = json!("44444444-4444-4444-4444-444444444444");
    unseen["name"] = json!("unseen-endpoint");
    baseline["assets"].as_array_mut().expect("assets").push(unseen);
    // And the endpoint as it was before its owner changed: sent as a change.
    let endpoint_id = endpoint["id"].as_str().unwrap_or_default().to_owned();
    for a in baseline["assets"].as_array_mut().expect("assets") {
        if a["id"] == endpoint_id.as_str() {
            a["tags"]["owner"] = json!("someone-before");
        }
    }
    // And a model the baseline did not have yet: sent as new.
    let new_id = doc["assets"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|a| a["kind"] == "model")
        .and_then(|a| a["id"].as_str())
        .expect("a model")
        .to_owned();
    baseline["assets"].as_array_mut().expect("assets").retain(|a| a["id"] != new_id.as_str());
    let baseline_path = write(dir.path(), "baseline.json", &baseline.to_string());
    let delta_cfg = write(dir.path(), "delta.toml", &format!("{base_cfg}baseline = \"{}\"\n", baseline_path.display()));
    snow.reset().await;
    let snow2 = receiver().await;
    let delta_cfg_text = std::fs::read_to_string(&delta_cfg).unwrap_or_default().replace(&snow.uri(), &snow2.uri());
    let delta_cfg = write(dir.path(), "delta.toml", &delta_cfg_text).display().to_string();
    let (code, stderr) = run(dir.path(), &delta_cfg, &dir.path().join("second.json").display().to_string()).await;
    assert_eq!(code, Some(4), "{stderr}");
    let sent: Vec<serde_json::Value> = snow2
        .received_requests()
        .await
        .unwrap_or_default()
        .iter()
        .skip(1)
        .flat_map(|r| serde_json::from_slice::<serde_json::Value>(&r.body).ok())
        .flat_map(|p| p["items"].as_array().cloned().unwrap_or_default())
        .collect();
    let by_id: std::collections::BTreeMap<&str, &serde_json::Value> =
        sent.iter().map(|i| (i["values"]["object_id"].as_str().unwrap_or(""), i)).collect();
    assert_eq!(
        by_id.keys().copied().collect::<Vec<_>>(),
        {
            let mut want = vec!["/subscriptions/x/gone-endpoint", endpoint_id.as_str(), new_id.as_str()];
            want.sort();
            want
        },
        "only the changed, the new and the removed asset are sent; unchanged and unseen ones are not: {sent:#?}"
    );
    assert_eq!(sent.len(), 3, "each CI once");
    assert_ne!(by_id[new_id.as_str()]["values"]["install_status"], "7", "a new asset is not retired");
    assert_eq!(by_id["/subscriptions/x/gone-endpoint"]["values"]["install_status"], "7", "a removed asset is retired");
    assert_ne!(by_id[endpoint_id.as_str()]["values"]["install_status"], "7", "a changed asset is not retired");
}

/// A CMDB that refuses everything costs neither the file output nor the other payloads: every
/// payload is tried, the file is written, the scan exits 1 naming the failure.
#[tokio::test(flavor = "multi_thread")]
async fn a_rejecting_cmdb_does_not_stop_the_file_or_the_other_payloads() {
    let azure = azure::estate().await;
    let snow = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(400).set_body_json(
            json!({"error": {"message": "Invalid payload", "detail": "className not found"}, "status": "failure"}),
        ))
        .mount(&snow)
        .await;
    let dir = workdir();
    stub_az(dir.path());
    let cfg = format!(
        "{}[servicenow]\ninstance_url = \"{}\"\nbatch_items = 5\nmax_attempts = 1\n",
        azure::config(&azure),
        snow.uri()
    );
    let cfg = write(dir.path(), "snow.toml", &cfg).display().to_string();
    let out = dir.path().join("inv.json");
    let (code, stderr) = run(dir.path(), &cfg, &out.display().to_string()).await;
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("ServiceNow payload(s) failed"), "{stderr}");
    let doc = read_json(&out);
    let n_assets = doc["assets"].as_array().map(Vec::len).unwrap_or(0);
    assert!(n_assets > 10, "the file sink still wrote the inventory");
    let posts = snow.received_requests().await.unwrap_or_default().len();
    assert!(posts >= n_assets.div_ceil(5), "every payload was tried ({posts} posts for {n_assets} assets)");
}

/// A bearer token (`token_env`) instead of user and password; `class_map` sending a kind with no
/// default class and re-classing one that has one; a 429 retried; and items the CMDB rejects
/// inside a 200 answer make the scan exit 1 naming them, while the file is still written.
#[tokio::test(flavor = "multi_thread")]
async fn token_auth_class_map_429_and_rejected_items() {
    let azure = azure::estate().await;
    let snow = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "1"))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&snow)
        .await;
    Mock::given(method("POST"))
        .and(path("/api/now/identifyreconcile"))
        .and(header("authorization", "Bearer tok-PLANTED-42"))
        .respond_with(|req: &Request| {
            let mut result = ire_result(req);
            // IRE's per-item error shape: the item is refused, the request is not.
            for item in result["result"]["items"].as_array_mut().into_iter().flatten() {
                if item["className"] == "u_ai_model" {
                    item["errors"] = json!([{"error": "INVALID_INPUT", "message": "u_ai_model: no such class"}]);
                }
            }
            ResponseTemplate::new(200).set_body_json(result)
        })
        .mount(&snow)
        .await;
    let dir = workdir();
    stub_az(dir.path());
    let cfg = format!(
        "{}[servicenow]\ninstance_url = \"{}\"\nbatch_items = 50\nmax_attempts = 3\n\
         class_map = {{ datastore = \"u_ai_datastore\", model = \"u_ai_model\" }}\n",
        azure::config(&azure),
        snow.uri()
    );
    let cfg = write(dir.path(), "snow.toml", &cfg).display().to_string();
    let out = dir.path().join("inv.json");
    let env = vec![("SERVICENOW_TOKEN", "tok-PLANTED-42".to_owned())];
    let res = aimscope_async(
        args(&["scan", "--provider", "azure", "--config", &cfg, "--out", &out.display().to_string()]),
        env,
        dir.path().to_owned(),
    )
    .await;
    let stderr = String::from_utf8_lossy(&res.stderr);
    assert_eq!(res.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("ServiceNow rejected") && stderr.contains("no such class"), "{stderr}");
    assert!(!stderr.contains("tok-PLANTED-42"), "the token is never logged");
    let doc = read_json(&out);

    let reqs = snow.received_requests().await.unwrap_or_default();
    assert!(reqs.len() >= 2, "the 429 was retried: {} requests", reqs.len());
    assert!(reqs.iter().all(|r| r.headers.get("authorization").is_some_and(|v| v == "Bearer tok-PLANTED-42")));
    let sent: Vec<serde_json::Value> = reqs
        .iter()
        .skip(1)
        .flat_map(|r| {
            serde_json::from_slice::<serde_json::Value>(&r.body).unwrap_or_default()["items"]
                .as_array()
                .cloned()
                .unwrap_or_default()
        })
        .collect();
    let class_of = |kind: &str| -> BTreeSet<String> {
        let ids: BTreeSet<&str> = doc["assets"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|a| a["kind"] == kind)
            .filter_map(|a| a["id"].as_str())
            .collect();
        assert!(!ids.is_empty(), "the estate has a {kind}");
        sent.iter()
            .filter(|i| i["values"]["object_id"].as_str().is_some_and(|id| ids.contains(id)))
            .filter_map(|i| i["className"].as_str().map(str::to_owned))
            .collect()
    };
    assert_eq!(
        class_of("datastore"),
        BTreeSet::from(["u_ai_datastore".to_owned()]),
        "a kind with no default class, mapped"
    );
    assert_eq!(class_of("model"), BTreeSet::from(["u_ai_model".to_owned()]), "a default class overridden");

    // A class_map key that is no asset kind is a config error naming it.
    let bad = write(dir.path(), "bad.toml", "[servicenow]\nclass_map = { modle = \"x\" }\n").display().to_string();
    let res = aimscope(&["config", "check", "--config", &bad], &[], dir.path());
    assert_eq!(res.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&res.stderr).contains("modle"), "{}", String::from_utf8_lossy(&res.stderr));
}
