//! The Azure Resource Manager stand-in estate shared by the Azure and output-format tests.

use serde_json::json;
use wiremock::matchers::{method, path, path_regex, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

pub const A: &str = "/subscriptions/11111111-1111-1111-1111-111111111111";
pub const B: &str = "/subscriptions/22222222-2222-2222-2222-222222222222";
pub const D: &str = "/subscriptions/44444444-4444-4444-4444-444444444444";
pub const WS: &str = "/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/ml-rg/providers/Microsoft.MachineLearningServices/workspaces/claims-ml";
pub const PLANTED: &str = "sk-proj-PLANTEDazureKEY0000000000T3BlbkFJ0000000000PLANTED0000";
pub const PLANTED_ANT: &str =
    "sk-ant-api03-PLANTEDazureWEBAPPkey000000000000000000000000000000000000000000000000000000000000000-AA";
pub const PLANTED_HF: &str = "hf_PLANTEDazureHFtokenABCDEFGHIJKLMNOP";

pub fn fixture(name: &str, base: &str) -> serde_json::Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/azure").join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let text = text
        .replace("{base}", base)
        .replace("{planted}", PLANTED)
        .replace("{planted_hf}", PLANTED_HF)
        .replace("{planted_ant}", PLANTED_ANT);
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn ok(body: serde_json::Value) -> ResponseTemplate {
    ResponseTemplate::new(200).insert_header("content-type", "application/json").set_body_json(body)
}

async fn route(s: &MockServer, p: &str, resp: ResponseTemplate) {
    Mock::given(method("GET")).and(path(p)).respond_with(resp).with_priority(3).mount(s).await;
}

pub async fn estate() -> MockServer {
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
    // One data container read by id: what `azureml:claims-data@latest` resolves through.
    let container = f("data_containers.json")["value"][0].clone();
    route(&s, &format!("{WS}/data/claims-data"), ok(container)).await;
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
    // Key Vault: listed on ARM, secret names on the (stand-in) data plane.
    route(&s, &format!("{A}/providers/Microsoft.KeyVault/vaults"), ok(f("vaults.json"))).await;
    route(&s, "/kv/claims-kv/secrets", ok(f("vault_secrets.json"))).await;
    // App Service: settings through the documented POST list action.
    route(&s, &format!("{A}/providers/Microsoft.Web/sites"), ok(f("sites.json"))).await;
    Mock::given(method("POST"))
        .and(path(format!(
            "{A}/resourceGroups/web-rg/providers/Microsoft.Web/sites/claims-portal/config/appsettings/list"
        )))
        .respond_with(ok(f("app_settings.json")))
        .mount(&s)
        .await;

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

/// The `[azure]` config section that points the provider at the stand-in.
pub fn config(server: &MockServer) -> String {
    format!(
        "[azure]\ncloud = \"custom\"\nresource_manager = \"{}\"\naudience = \"https://management.azure.com\"\n\
         authority_host = \"https://login.microsoftonline.com\"\nmax_attempts = 3\n",
        server.uri()
    )
}
