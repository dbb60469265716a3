//! The Azure provider end to end: the aimscope binary against a local Resource Manager
//! stand-in serving ARM's JSON shapes (fixtures/azure), reached through the same
//! `azure.resource_manager` override a user sets for sovereign clouds or private link. Tokens
//! come through the real credential chain: a stub `az` on PATH answers as the Azure CLI does.

mod support;

use std::collections::BTreeSet;

use serde_json::json;
use support::*;
use wiremock::matchers::{header, method, path, path_regex, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

const A: &str = "/subscriptions/11111111-1111-1111-1111-111111111111";
const B: &str = "/subscriptions/22222222-2222-2222-2222-222222222222";
const D: &str = "/subscriptions/44444444-4444-4444-4444-444444444444";
const WS: &str = "/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/ml-rg/providers/Microsoft.MachineLearningServices/workspaces/claims-ml";
const PLANTED: &str = "sk-proj-PLANTEDazureKEY0000000000T3BlbkFJ0000000000PLANTED0000";
const PLANTED_HF: &str = "hf_PLANTEDazureHFtokenABCDEFGHIJKLMNOP";

fn fixture(name: &str, base: &str) -> serde_json::Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/azure").join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let text = text.replace("{base}", base).replace("{planted}", PLANTED).replace("{planted_hf}", PLANTED_HF);
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn ok(body: serde_json::Value) -> ResponseTemplate {
    ResponseTemplate::new(200).insert_header("content-type", "application/json").set_body_json(body)
}

async fn route(s: &MockServer, p: &str, resp: ResponseTemplate) {
    Mock::given(method("GET")).and(path(p)).respond_with(resp).with_priority(3).mount(s).await;
}

async fn estate() -> MockServer {
    let s = MockServer::start().await;
    let base = s.uri();
    let f = |n: &str| fixture(n, &base);

    // Subscriptions over two pages.
    Mock::given(method("GET"))
        .and(path("/subscriptions"))
        .and(query_param("$skiptoken", "page2"))
        .respond_with(ok(f("subscriptions_page2.json")))
        .with_priority(1)
        .mount(&s)
        .await;
    route(&s, "/subscriptions", ok(f("subscriptions_page1.json"))).await;

    // Subscription A: an Azure ML workspace with the whole lineage chain.
    route(&s, &format!("{A}/providers/Microsoft.MachineLearningServices/workspaces"), ok(f("workspaces.json"))).await;
    route(&s, &format!("{WS}/models"), ok(f("model_containers.json"))).await;
    route(&s, &format!("{WS}/models/claims-model/versions"), ok(f("model_versions.json"))).await;
    route(&s, &format!("{WS}/onlineEndpoints"), ok(f("online_endpoints.json"))).await;
    route(&s, &format!("{WS}/onlineEndpoints/claims-online/deployments"), ok(f("online_deployments.json"))).await;
    // Throttled once (429 with Retry-After), then served.
    Mock::given(method("GET"))
        .and(path(format!("{WS}/data")))
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("retry-after", "1")
                .insert_header("content-type", "application/json")
                .set_body_json(json!({"error": {"code": "TooManyRequests", "message": "Rate limit exceeded."}})),
        )
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&s)
        .await;
    route(&s, &format!("{WS}/data"), ok(f("data_containers.json"))).await;
    route(&s, &format!("{WS}/data/claims-data/versions"), ok(f("data_versions.json"))).await;
    route(&s, &format!("{WS}/datastores"), ok(f("datastores.json"))).await;
    Mock::given(method("GET"))
        .and(path(format!("{WS}/jobs")))
        .and(query_param("$skipToken", "page2"))
        .respond_with(ok(f("jobs_page2.json")))
        .with_priority(1)
        .mount(&s)
        .await;
    route(&s, &format!("{WS}/jobs"), ok(f("jobs_page1.json"))).await;
    route(&s, &format!("{WS}/connections"), ok(f("ml_connections.json"))).await;
    route(&s, &format!("{A}/providers/Microsoft.Storage/storageAccounts"), ok(f("storage_accounts.json"))).await;

    // Subscription B: Azure OpenAI and a Foundry (AI Services) account.
    let accounts = format!("{B}/resourceGroups/ai-rg/providers/Microsoft.CognitiveServices/accounts");
    route(&s, &format!("{B}/providers/Microsoft.CognitiveServices/accounts"), ok(f("ai_accounts.json"))).await;
    route(&s, &format!("{accounts}/contoso-openai/deployments"), ok(f("openai_deployments.json"))).await;
    // A malformed body: a clear error, no panic.
    route(
        &s,
        &format!("{accounts}/contoso-foundry/deployments"),
        ResponseTemplate::new(200)
            .insert_header("content-type", "application/json")
            .set_body_string("{\"value\": [ {\"id\": "),
    )
    .await;
    route(&s, &format!("{accounts}/contoso-foundry/projects"), ok(f("foundry_projects.json"))).await;
    route(
        &s,
        &format!("{accounts}/contoso-foundry/projects/claims-agent-proj/connections"),
        ok(f("project_connections.json")),
    )
    .await;

    // Subscription D: the identity has no access at all.
    Mock::given(method("GET"))
        .and(path_regex(format!("^{D}/.*")))
        .respond_with(ResponseTemplate::new(403).insert_header("content-type", "application/json").set_body_json(json!({
            "error": {"code": "AuthorizationFailed", "message": "The client 'auditor' with object id '0000' does not have authorization to perform action 'Microsoft.MachineLearningServices/workspaces/read' over scope '/subscriptions/44444444-4444-4444-4444-444444444444' or the scope is invalid."}
        })))
        .with_priority(1)
        .mount(&s)
        .await;
    // Every other list in A and B is empty (as ARM answers for a collection with no members).
    Mock::given(method("GET"))
        .and(path_regex("^/subscriptions/(1111|2222).*"))
        .respond_with(ok(json!({"value": []})))
        .with_priority(10)
        .mount(&s)
        .await;
    s
}

#[tokio::test(flavor = "multi_thread")]
async fn azure_scan_across_subscriptions_with_lineage_and_coverage() {
    let server = estate().await;
    let dir = workdir();
    stub_az(dir.path());
    let cfg = write(
        dir.path(),
        "aimscope.toml",
        &format!(
            "[azure]\ncloud = \"custom\"\nresource_manager = \"{}\"\naudience = \"https://management.azure.com\"\n\
             authority_host = \"https://login.microsoftonline.com\"\nmax_attempts = 3\n",
            server.uri()
        ),
    );
    let out = dir.path().join("inv.json");
    let (c, o, h) = (cfg.display().to_string(), out.display().to_string(), dir.path().to_owned());
    let env = vec![("RUST_LOG", "debug".to_owned())];
    let res = tokio::task::spawn_blocking(move || {
        aimscope(&["scan", "--provider", "azure", "--config", &c, "--out", &o], &env, &h)
    })
    .await
    .expect("join");
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
    let tune = asset(&doc, &format!("{ws}/jobs/llama-tune"));
    assert_eq!(tune["kind"], "customization_job");
    assert!(has_relation(tune, "fine_tuned_from", "azureml://registries/azureml-meta/models/llama-2-7b/versions/11"));
    assert!(has_relation(tune, "trained_on", &store_id));

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
    let raw = std::fs::read_to_string(&out).unwrap_or_default();
    for p in [PLANTED, PLANTED_HF] {
        assert!(!raw.contains(p) && !stderr.contains(p), "a planted value escaped");
    }

    // Every request carried the CLI's token and was a GET within the shipped custom role.
    let requests = server.received_requests().await.unwrap_or_default();
    assert!(requests.iter().all(|r| r.method.as_str() == "GET"));
    assert!(
        requests
            .iter()
            .all(|r| r.headers.get("authorization").and_then(|v| v.to_str().ok()) == Some("Bearer test-token"))
    );
    let role: serde_json::Value =
        serde_json::from_str(include_str!("../config/azure-readonly-role.json")).expect("role JSON");
    let allowed: BTreeSet<&str> = role["Actions"].as_array().into_iter().flatten().filter_map(|a| a.as_str()).collect();
    for action in doc["run"]["api_calls"].as_object().expect("api_calls").keys() {
        assert!(allowed.contains(action.as_str()), "{action} is not in config/azure-readonly-role.json");
        assert!(action.ends_with("/read"), "{action} is not a read");
    }
    let _ = header("authorization", "Bearer test-token");
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
