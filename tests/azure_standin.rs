//! The Azure provider end to end: the aimscope binary against a local Resource Manager
//! stand-in serving ARM's JSON shapes (fixtures/azure), reached through the same
//! `azure.resource_manager` override a user sets for sovereign clouds or private link. Tokens
//! come through the real credential chain: a stub `az` on PATH answers as the Azure CLI does.

mod support;

use std::collections::BTreeSet;

use serde_json::json;
use support::*;

use support::azure::{self, *};

#[tokio::test(flavor = "multi_thread")]
async fn azure_scan_across_subscriptions_with_lineage_and_coverage() {
    let server = estate().await;
    let (dir, cfg, out) = scan_setup(&server);
    let (c, o) = (cfg.display().to_string(), out.display().to_string());
    let env = vec![("RUST_LOG", "debug".to_owned())];
    let res =
        aimscope_async(args(&["scan", "--provider", "azure", "--config", &c, "--out", &o]), env, dir.path().to_owned())
            .await;
    let stderr = String::from_utf8_lossy(&res.stderr).into_owned();
    assert_eq!(res.status.code(), Some(4), "{stderr}");
    assert!(stderr.contains("Azure CLI"), "the credential used is named:\n{stderr}");
    let doc = read_json(&out);
    let coverage = doc["coverage"].as_array().expect("coverage").clone();
    let status = |sub: &str, col: &str| -> String {
        coverage
            .iter()
            .find(|c| c["account"] == sub && c["collector"] == col)
            .map(|c| c["status"].as_str().unwrap_or_default().to_owned())
            .unwrap_or_else(|| panic!("no coverage {sub}/{col}"))
    };
    let (a, b, d) = (&A[15..], &B[15..], &D[15..]);
    // Two subscriptions fully seen (ml.data after one 429), the disabled one skipped, the locked
    // one denied for every collector.
    for col in [
        "ml.workspaces",
        "ml.models",
        "ml.online_endpoints",
        "ml.data",
        "ml.datastores",
        "ml.jobs",
        "ml.connections",
        "ml.registries",
        "cognitive.accounts",
        "storage.accounts",
        "keyvault.secrets",
        "appservice.settings",
    ] {
        assert_eq!(status(a, col), "complete", "{col}");
    }
    assert_eq!(status(b, "cognitive.projects"), "complete");
    assert_eq!(status(d, "ml.workspaces"), "denied");
    assert_eq!(status(d, "cognitive.accounts"), "denied");
    assert!(
        coverage.iter().all(|c| c["account"] != "33333333-3333-3333-3333-333333333333"),
        "disabled subscription skipped"
    );
    let bad =
        coverage.iter().find(|c| c["account"] == b && c["collector"] == "cognitive.deployments").expect("deployments");
    assert_eq!(bad["status"], "failed");
    assert!(bad["error"].as_str().unwrap_or_default().contains("malformed response"), "{bad}");
    assert_eq!(bad["assets"], 1, "the Azure OpenAI deployment listed before the bad body is kept");
    let gaps: BTreeSet<String> = coverage
        .iter()
        .filter(|c| c["status"] != "complete" && c["status"] != "not_enabled")
        .map(|c| format!("{}/{}", c["account"].as_str().unwrap_or(""), c["collector"].as_str().unwrap_or("")))
        .collect();
    assert!(gaps.iter().all(|g| g.starts_with(d) || g == &format!("{b}/cognitive.deployments")), "{gaps:#?}");

    // Lineage: storage account → datastore → data asset → job → model → deployment → endpoint.
    let n = |s: &str| s.to_ascii_lowercase();
    let ws = n(WS);
    let endpoint = asset(&doc, &format!("{ws}/onlineendpoints/claims-online"));
    let deployment_id = format!("{ws}/onlineendpoints/claims-online/deployments/blue");
    assert!(has_relation(endpoint, "deploys", &deployment_id));
    let model_id = format!("{ws}/models/claims-model/versions/3");
    let deployment = asset(&doc, &deployment_id);
    assert!(has_relation(deployment, "serves", &model_id));
    let job_id = format!("{ws}/jobs/claims-train-job");
    assert!(has_relation(asset(&doc, &model_id), "produced_by", &job_id));
    let data_id = format!("{ws}/data/claims-data/versions/1");
    assert!(has_relation(asset(&doc, &job_id), "trained_on", &data_id));
    let store_id = format!("{ws}/datastores/claimsstore");
    assert!(has_relation(asset(&doc, &data_id), "stored_in", &store_id));
    let sa_id = n(&format!("{A}/resourceGroups/data-rg/providers/Microsoft.Storage/storageAccounts/claimspiistore"));
    assert!(has_relation(asset(&doc, &store_id), "stored_in", &sa_id));
    assert_eq!(asset(&doc, &sa_id)["tags"]["data-classification"], "restricted");
    assert!(assets(&doc).iter().all(|x| x["name"] != "webassets"), "only storage that AI data lives in is recorded");
    assert_eq!(endpoint["effective_classification"]["level"], "restricted");
    assert_eq!(
        endpoint["effective_classification"]["explanation"],
        "endpoint claims-online ← deployment blue ← model claims-model:3 ← training job claims-train-job ← dataset claims-data:1 \
         ← datastore claimsstore ← bucket claimspiistore [restricted]"
    );
    // The model was registered from the job's output URI (`azureml://jobs/…/outputs/…`).
    let model = asset(&doc, &model_id);
    assert_eq!(model["effective_classification"]["level"], "restricted");
    let produced: Vec<_> =
        model["relations"].as_array().into_iter().flatten().filter(|r| r["kind"] == "produced_by").collect();
    assert_eq!(produced.len(), 1, "one produced_by edge whichever form named the job: {produced:?}");
    let tune = asset(&doc, &format!("{ws}/jobs/llama-tune"));
    assert_eq!(tune["kind"], "customization_job");
    // Microsoft's public registry is outside the tenant: kept as named, and dangling.
    assert!(has_relation(tune, "fine_tuned_from", "azureml://registries/azureml-meta/models/llama-2-7b/versions/11"));
    assert!(has_relation(tune, "trained_on", &store_id));
    // A plain blob URL resolves to the storage account itself.
    assert!(has_relation(tune, "trained_on", &sa_id));
    // Typed inputs: an evaluation job uses the model (not trained on it), reads the latest data
    // version, and a literal is nothing.
    let eval = asset(&doc, &format!("{ws}/jobs/claims-eval-job"));
    assert!(has_relation(eval, "uses", &model_id));
    assert!(has_relation(eval, "trained_on", &data_id), "azureml:claims-data@latest → version 1");
    let eval_edges = eval["relations"].as_array().cloned().unwrap_or_default();
    assert_eq!(eval_edges.iter().filter(|r| r["kind"] != "part_of").count(), 2, "{eval_edges:?}");
    // No lineage edge into the estate dangles: what remains are Microsoft's public model
    // registries (outside the tenant) and vaults, which are not inventoried themselves.
    let dangling = doc["dangling_references"].as_array().cloned().unwrap_or_default();
    let lineage: Vec<&str> = dangling
        .iter()
        .filter(|d| d["kind"] != "part_of")
        .filter_map(|d| d["target"].as_str())
        .filter(|t| {
            !t.starts_with("azureml://registries/azureml-meta/") && !t.starts_with("azureml://registries/azure-openai/")
        })
        .collect();
    assert!(lineage.is_empty(), "{dangling:#?}");

    // Azure OpenAI deployments and account posture.
    let acct =
        |name: &str| n(&format!("{B}/resourceGroups/ai-rg/providers/Microsoft.CognitiveServices/accounts/{name}"));
    let dep = asset(&doc, &format!("{}/deployments/gpt-4o-prod", acct("contoso-openai")));
    assert_eq!(dep["attributes"]["model_name"], "gpt-4o");
    assert_eq!(dep["attributes"]["model_version"], "2024-08-06");
    assert_eq!(dep["attributes"]["sku"], "GlobalStandard");
    assert_eq!(asset(&doc, &acct("contoso-openai"))["attributes"]["account_kind"], "OpenAI");
    let findings = doc["findings"].as_array().expect("findings");
    let fired = |rule: &str, id: &str| findings.iter().any(|f| f["rule_id"] == rule && f["asset_id"] == id);
    assert!(fired("network.public_access", &acct("contoso-openai")));
    assert!(fired("auth.key_based", &acct("contoso-openai")));
    assert!(!fired("network.public_access", &acct("contoso-foundry")));
    assert!(!fired("auth.key_based", &acct("contoso-foundry")));
    let project = asset(&doc, &format!("{}/projects/claims-agent-proj", acct("contoso-foundry")));
    assert_eq!(project["kind"], "workspace");

    // Outside AI services: a deployment's env var, a workspace connection, a project connection.
    let usage = |consumer: &str, provider: &str| {
        let id = format!("{consumer}/ai-api/{provider}");
        assert_eq!(asset(&doc, &id)["attributes"]["provider"], provider);
        assert!(has_relation(asset(&doc, consumer), "calls", &id));
    };
    usage(&deployment_id, "openai");
    usage(&format!("{ws}/connections/openai-conn"), "openai");
    usage(&format!("{}/projects/claims-agent-proj/connections/anthropic", acct("contoso-foundry")), "anthropic");
    assert_eq!(asset(&doc, &job_id)["attributes"]["environment_names"], json!(["HF_TOKEN"]));
    // Key Vault: a secret named for OpenAI (listed, never read); the unrelated one is not recorded.
    let vault = n(&format!("{A}/resourceGroups/ml-rg/providers/Microsoft.KeyVault/vaults/claims-kv"));
    usage(&format!("{vault}/secrets/openai-api-key"), "openai");
    assert!(assets(&doc).iter().all(|x| x["name"] != "sql-password"));
    // App Service: a Claude key under an innocent name, recognised by its format.
    let site = n(&format!("{A}/resourceGroups/web-rg/providers/Microsoft.Web/sites/claims-portal"));
    usage(&site, "anthropic");
    assert_eq!(asset(&doc, &site)["kind"], "application");
    let raw = std::fs::read_to_string(&out).unwrap_or_default();
    for p in [PLANTED, PLANTED_HF, PLANTED_ANT, "not-an-ai-key"] {
        assert!(!raw.contains(p) && !stderr.contains(p), "a planted value escaped");
    }

    // Every request carried the CLI's token and was a GET within the shipped custom role.
    let requests = server.received_requests().await.unwrap_or_default();
    assert!(requests.iter().all(|r| r.method.as_str() == "GET" || r.url.path().ends_with("/config/appsettings/list")));
    assert!(
        requests
            .iter()
            .all(|r| r.headers.get("authorization").and_then(|v| v.to_str().ok()) == Some("Bearer test-token"))
    );
    let role: serde_json::Value =
        serde_json::from_str(include_str!("../config/azure-readonly-role.json")).expect("role JSON");
    let allowed: BTreeSet<&str> = ["Actions", "DataActions"]
        .iter()
        .flat_map(|k| role[*k].as_array().into_iter().flatten().filter_map(|a| a.as_str()))
        .collect();
    for action in doc["run"]["api_calls"].as_object().expect("api_calls").keys() {
        assert!(allowed.contains(action.as_str()), "{action} is not in config/azure-readonly-role.json");
        let read_only = action.ends_with("/read")
            || action.ends_with("/readMetadata/action")
            || action.ends_with("/config/list/Action");
        assert!(read_only, "{action} is not a read");
    }
    assert_valid_inventory(&doc, dir.path());
}

#[test]
fn no_azure_credentials_is_a_one_line_skip() {
    let dir = workdir();
    let out = dir.path().join("inv.json");
    let res = aimscope(&["scan", "--provider", "azure", "--out", out.to_str().unwrap_or_default()], &[], dir.path());
    assert_eq!(res.status.code(), Some(4));
    let stderr = String::from_utf8_lossy(&res.stderr);
    assert!(stderr.contains("not seen: azure discovery (skipped): no Azure credentials found"), "{stderr}");
}

/// A listed endpoint whose deployments cannot be read (a 403 on the child collection, as a
/// scoped role assignment gives) stays in the inventory, marked partial; so does the rest.
#[tokio::test(flavor = "multi_thread")]
async fn a_refused_child_listing_keeps_the_listed_endpoint() {
    use wiremock::matchers::{method, path};
    use wiremock::{Mock, ResponseTemplate};
    let server = estate().await;
    Mock::given(method("GET"))
        .and(path(format!("{WS}/onlineEndpoints/claims-online/deployments")))
        .respond_with(ResponseTemplate::new(403).insert_header("content-type", "application/json").set_body_json(json!({
            "error": {"code": "AuthorizationFailed", "message": "The client 'auditor' does not have authorization to perform action 'Microsoft.MachineLearningServices/workspaces/onlineEndpoints/deployments/read'."}
        })))
        .with_priority(1)
        .mount(&server)
        .await;
    let (dir, cfg, out) = scan_setup(&server);
    let (c, o) = (cfg.display().to_string(), out.display().to_string());
    let res = aimscope_async(
        args(&["scan", "--provider", "azure", "--config", &c, "--out", &o]),
        vec![],
        dir.path().to_owned(),
    )
    .await;
    assert_eq!(res.status.code(), Some(4), "{}", String::from_utf8_lossy(&res.stderr));
    let doc = read_json(&out);
    let ws = WS.to_ascii_lowercase();
    let endpoint = asset(&doc, &format!("{ws}/onlineendpoints/claims-online"));
    assert_eq!(endpoint["details"]["status"], "partial", "{endpoint}");
    let call = &endpoint["details"]["failed_calls"][0];
    assert_eq!(call["operation"], "Microsoft.MachineLearningServices/workspaces/onlineEndpoints/deployments/read");
    assert_eq!(call["error"], "denied");
    let cov = coverage_of(&doc, &A[15..], "ml.online_endpoints");
    assert_eq!(cov["status"], "partial", "{cov}");
    // The model the deployment served is still there, from its own collector.
    asset(&doc, &format!("{ws}/models/claims-model/versions/3"));
}

/// SIGINT mid-scan: the collectors stop, what finished is written as a partial document
/// (`run.complete = false`, the unfinished collectors `interrupted`), and the exit code is 130.
#[tokio::test(flavor = "multi_thread")]
async fn sigint_mid_scan_writes_what_was_collected() {
    use wiremock::matchers::{method, path};
    use wiremock::{Mock, ResponseTemplate};
    let server = estate().await;
    // Jobs hang: that collector is still running when the signal lands.
    Mock::given(method("GET"))
        .and(path(format!("{WS}/jobs")))
        .respond_with(ResponseTemplate::new(200).set_delay(std::time::Duration::from_secs(120)))
        .with_priority(1)
        .mount(&server)
        .await;
    let (dir, cfg, out) = scan_setup(&server);
    std::fs::write(&out, "previous inventory").expect("seed the previous output");
    let (c, o) = (cfg.display().to_string(), out.display().to_string());
    let mut child = command(&["scan", "--provider", "azure", "--config", &c, "--out", &o], &[], dir.path())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("start aimscope");
    tokio::time::sleep(std::time::Duration::from_secs(5)).await;
    assert_eq!(std::fs::read_to_string(&out).unwrap_or_default(), "previous inventory", "nothing written yet");
    let pid = child.id().to_string();
    assert!(std::process::Command::new("kill").args(["-INT", &pid]).status().expect("kill").success());
    // Bounded: a scan that ignores the signal fails the test instead of hanging it.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let status = loop {
        if let Some(s) = child.try_wait().expect("wait") {
            break s;
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            panic!("aimscope did not stop within 30 s of SIGINT");
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    };
    let mut stderr = String::new();
    if let Some(mut e) = child.stderr.take() {
        use std::io::Read as _;
        let _ = e.read_to_string(&mut stderr);
    }
    assert_eq!(status.code(), Some(130), "{stderr}");
    let doc = read_json(&out);
    assert_eq!(doc["run"]["complete"], false);
    let ws = WS.to_ascii_lowercase();
    asset(&doc, &format!("{ws}/models/claims-model/versions/3"));
    let jobs = coverage_of(&doc, &A[15..], "ml.jobs");
    assert_eq!(jobs["status"], "interrupted", "{jobs}");
    assert_valid_inventory(&doc, dir.path());
}

/// The coverage record of one (subscription, collector).
fn coverage_of(doc: &serde_json::Value, account: &str, collector: &str) -> serde_json::Value {
    doc["coverage"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|c| c["account"] == account && c["collector"] == collector)
        .cloned()
        .unwrap_or_else(|| panic!("no coverage {account}/{collector}"))
}

/// A home with the stub `az`, the config pointing at the stand-in, and the output path.
fn scan_setup(server: &wiremock::MockServer) -> (tempfile::TempDir, std::path::PathBuf, std::path::PathBuf) {
    let dir = workdir();
    stub_az(dir.path());
    let cfg = write(dir.path(), "aimscope.toml", &azure::config(server));
    let out = dir.path().join("inv.json");
    (dir, cfg, out)
}
