//! The GCP provider end to end: the aimscope binary and the official google-cloud-rust clients
//! against a local stand-in serving Google's REST JSON (fixtures/gcp), reached through the
//! same endpoint overrides a user sets for private service connect. Credentials are real ADC:
//! an `authorized_user` file whose token endpoint is the stand-in.

mod support;

use serde_json::json;
use support::*;
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

const PLANTED: &str = "sk-proj-PLANTEDgcpKEY000000000000T3BlbkFJ0000000000PLANTED00000";
const PLANTED_ANT: &str =
    "sk-ant-api03-PLANTEDgcpCLOUDRUNkey00000000000000000000000000000000000000000000000000000000000000-AA";
const PLANTED_HF: &str = "hf_PLANTEDgcpNOTEBOOKtokenABCDEFGHIJKLM";
const PROD: &str = "ml-prod-123";
const DEV: &str = "ml-dev-456";
const LOCKED: &str = "locked-789";
const LEGACY: &str = "legacy-000";
const LOCATIONS: [&str; 2] = ["us-central1", "europe-west4"];
// Project numbers: Resource Manager, Vertex AI and Secret Manager name projects by number.
const PROD_N: &str = "412345678901";
const DEV_N: &str = "523456789012";

fn fixture(name: &str, location: &str) -> serde_json::Value {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/gcp").join(name);
    let text = std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    let text = text.replace("{planted_ant}", PLANTED_ANT).replace("{planted_hf}", PLANTED_HF);
    serde_json::from_str(&text.replace("{l}", location).replace("{planted}", PLANTED))
        .unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn ok(body: serde_json::Value) -> ResponseTemplate {
    ResponseTemplate::new(200).insert_header("content-type", "application/json").set_body_json(body)
}

fn google_error(code: u16, status: &str, message: &str) -> ResponseTemplate {
    ResponseTemplate::new(code)
        .insert_header("content-type", "application/json")
        .set_body_json(json!({"error": {"code": code, "message": message, "status": status}}))
}

async fn get(s: &MockServer, p: &str, resp: ResponseTemplate) {
    Mock::given(method("GET")).and(path(p)).respond_with(resp).with_priority(3).mount(s).await;
}

async fn estate() -> MockServer {
    let s = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/token"))
        .respond_with(ok(json!({"access_token": "test-token", "expires_in": 3599, "token_type": "Bearer",
            "scope": "https://www.googleapis.com/auth/cloud-platform"})))
        .mount(&s)
        .await;
    // Resource Manager: four projects over two pages.
    Mock::given(method("GET"))
        .and(path("/v3/projects:search"))
        .and(query_param("pageToken", "p2"))
        .respond_with(ok(json!({"projects": [
            {"name": "projects/634567890123", "projectId": LOCKED, "state": "ACTIVE", "displayName": "locked"},
            {"name": "projects/745678901234", "projectId": LEGACY, "state": "ACTIVE", "displayName": "legacy"}]})))
        .with_priority(1)
        .mount(&s)
        .await;
    get(&s, "/v3/projects:search", ok(json!({"projects": [
        {"name": format!("projects/{PROD_N}"), "projectId": PROD, "state": "ACTIVE", "displayName": "ML prod", "labels": {"env": "prod"}},
        {"name": format!("projects/{DEV_N}"), "projectId": DEV, "state": "ACTIVE", "displayName": "ML dev"}],
        "nextPageToken": "p2"})))
    .await;
    // Service Usage: which AI APIs are on. The clients ask for `enum-encoding=int`, so states
    // are numbers on the wire (1 DISABLED, 2 ENABLED).
    // Service Usage names the project by number whatever the request used.
    let services = |n: &str, vertex: u8, gemini: u8| {
        json!({"services": [
            {"name": format!("projects/{n}/services/aiplatform.googleapis.com"), "parent": format!("projects/{n}"), "state": vertex},
            {"name": format!("projects/{n}/services/generativelanguage.googleapis.com"), "parent": format!("projects/{n}"), "state": gemini}]})
    };
    get(&s, &format!("/v1/projects/{PROD}/services:batchGet"), ok(services(PROD_N, 2, 2))).await;
    get(&s, &format!("/v1/projects/{DEV}/services:batchGet"), ok(services(DEV_N, 2, 1))).await;
    get(&s, &format!("/v1/projects/{LEGACY}/services:batchGet"), ok(services("745678901234", 1, 1))).await;
    let denied = google_error(403, "PERMISSION_DENIED", "Permission denied on resource project locked-789.");
    Mock::given(method("GET"))
        .and(wiremock::matchers::path_regex(format!("^/(v1|ui)/projects/{LOCKED}/.*")))
        .respond_with(denied)
        .with_priority(1)
        .mount(&s)
        .await;
    // Vertex AI locations (the client's Locations mixin binds to the `/ui/` path).
    for p in [PROD, DEV] {
        get(
            &s,
            &format!("/ui/projects/{p}/locations"),
            ok(json!({"locations": LOCATIONS.iter().map(|l| json!({
            "name": format!("projects/{p}/locations/{l}"), "locationId": l, "displayName": l})).collect::<Vec<_>>()})),
        )
        .await;
    }
    // ml-prod / us-central1: the lineage chain.
    let base = format!("/v1/projects/{PROD}/locations/us-central1");
    let l = "us-central1";
    Mock::given(method("GET"))
        .and(path(format!("{base}/models")))
        .and(query_param("pageToken", "page-2"))
        .respond_with(ok(fixture("models_page2.json", l)))
        .with_priority(1)
        .mount(&s)
        .await;
    get(&s, &format!("{base}/models"), ok(fixture("models_page1.json", l))).await;
    // models.listVersions, under the name the listing gave (project number): claims-v3 has two
    // versions (ListModels shows only the default, 2); the others one each.
    let by_number = format!("/v1/projects/{PROD_N}/locations/us-central1/models");
    get(&s, &format!("{by_number}/4001:listVersions"), ok(fixture("model_versions_4001.json", l))).await;
    for m in fixture("models_page2.json", l)["models"].as_array().into_iter().flatten() {
        let mut v = m.clone();
        let name = m["name"].as_str().unwrap_or_default();
        v["name"] = json!(format!("{name}@{}", m["versionId"].as_str().unwrap_or("1")));
        get(&s, &format!("/v1/{name}:listVersions"), ok(json!({"models": [v]}))).await;
    }
    get(&s, &format!("{base}/endpoints"), ok(fixture("endpoints.json", l))).await;
    Mock::given(method("GET"))
        .and(path(format!("{base}/datasets")))
        .respond_with(google_error(
            429,
            "RESOURCE_EXHAUSTED",
            "Quota exceeded for aiplatform.googleapis.com/list_requests.",
        ))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&s)
        .await;
    get(&s, &format!("{base}/datasets"), ok(fixture("datasets.json", l))).await;
    get(&s, &format!("{base}/trainingPipelines"), ok(fixture("training_pipelines.json", l))).await;
    get(&s, &format!("{base}/customJobs"), ok(fixture("custom_jobs.json", l))).await;
    get(&s, &format!("{base}/tuningJobs"), ok(fixture("tuning_jobs.json", l))).await;
    get(&s, &format!("{base}/batchPredictionJobs"), ok(fixture("batch_jobs.json", l))).await;
    get(&s, &format!("{base}/reasoningEngines"), ok(fixture("reasoning_engines.json", l))).await;
    let fos = format!("{base}/featureOnlineStores");
    get(&s, &fos, ok(fixture("feature_online_stores.json", l))).await;
    // Feature views are listed under the store's name as Vertex AI returned it (project number).
    get(
        &s,
        &format!("/v1/projects/{PROD_N}/locations/us-central1/featureOnlineStores/claims_features/featureViews"),
        ok(fixture("feature_views.json", l)),
    )
    .await;
    get(
        &s,
        &format!("/v1/projects/{PROD}/locations/europe-west4/notebookRuntimes"),
        ok(fixture("notebook_runtimes.json", "europe-west4")),
    )
    .await;
    // Project-wide outside-AI signals: Secret Manager (two pages), Cloud Run, Cloud Functions.
    Mock::given(method("GET"))
        .and(path(format!("/v1/projects/{PROD}/secrets")))
        .and(query_param("pageToken", "secrets-2"))
        .respond_with(ok(fixture("secrets_page2.json", "")))
        .with_priority(1)
        .mount(&s)
        .await;
    get(&s, &format!("/v1/projects/{PROD}/secrets"), ok(fixture("secrets_page1.json", ""))).await;
    // Cloud Run v2 lists one region at a time; the regions come from v1's location list.
    let region =
        |id: &str| json!({"name": format!("projects/{PROD}/locations/{id}"), "locationId": id, "displayName": id});
    Mock::given(method("GET"))
        .and(path(format!("/v1/projects/{PROD}/locations")))
        .and(query_param("pageToken", "loc-2"))
        .respond_with(ok(json!({"locations": [region("europe-west1")]})))
        .with_priority(1)
        .mount(&s)
        .await;
    get(
        &s,
        &format!("/v1/projects/{PROD}/locations"),
        ok(json!({"locations": [region("asia-northeast1"), region("us-central1")], "nextPageToken": "loc-2"})),
    )
    .await;
    get(&s, &format!("/v2/projects/{PROD}/locations/europe-west1/services"), ok(fixture("run_services.json", "")))
        .await;
    get(&s, &format!("/v2/projects/{PROD}/locations/-/functions"), ok(fixture("functions.json", ""))).await;
    // ml-dev never enabled Secret Manager: Google's SERVICE_DISABLED error.
    Mock::given(method("GET"))
        .and(path(format!("/v1/projects/{DEV}/secrets")))
        .respond_with(ResponseTemplate::new(403).insert_header("content-type", "application/json").set_body_json(
            json!(
            {"error": {"code": 403, "status": "PERMISSION_DENIED",
                "message": "Secret Manager API has not been used in project 200 before or it is disabled.",
                "details": [{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "SERVICE_DISABLED",
                    "domain": "googleapis.com",
                    "metadata": {"service": "secretmanager.googleapis.com", "consumer": "projects/200"}}]}}),
        ))
        .with_priority(1)
        .mount(&s)
        .await;
    Mock::given(method("GET"))
        .and(wiremock::matchers::path_regex(
            "^/v[12]/projects/[a-z0-9-]+/(secrets|locations|locations/[a-z0-9-]+/(services|functions))$",
        ))
        .respond_with(ok(json!({})))
        .with_priority(10)
        .mount(&s)
        .await;
    // Cloud Storage buckets that lineage points at (JSON API): labels carry the classification;
    // one is denied, one answers 503 once.
    let bucket = |name: &str, labels: serde_json::Value| {
        ok(
            json!({"kind": "storage#bucket", "id": name, "selfLink": format!("https://www.googleapis.com/storage/v1/b/{name}"),
            "projectNumber": "412345678901", "name": name, "timeCreated": "2026-01-05T10:00:00.000Z", "updated": "2026-01-05T10:00:00.000Z",
            "metageneration": "1", "location": "EUROPE-WEST4", "locationType": "region", "storageClass": "STANDARD",
            "etag": "CAE=", "labels": labels}),
        )
    };
    get(
        &s,
        "/storage/v1/b/claims-pii-tuning",
        bucket("claims-pii-tuning", json!({"data-classification": "restricted"})),
    )
    .await;
    for name in ["claims-batch-in", "claims-raw"] {
        get(&s, &format!("/storage/v1/b/{name}"), bucket(name, json!({"owner": "claims-ml"}))).await;
    }
    Mock::given(method("GET"))
        .and(path("/storage/v1/b/claims-models"))
        .respond_with(google_error(503, "UNAVAILABLE", "Backend Error"))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&s)
        .await;
    get(&s, "/storage/v1/b/claims-models", bucket("claims-models", json!({"owner": "claims-ml"}))).await;
    get(
        &s,
        "/storage/v1/b/claims-eval",
        ResponseTemplate::new(403).insert_header("content-type", "application/json").set_body_json(json!(
            {"error": {"code": 403, "message": "scanner@ml-prod-123.iam.gserviceaccount.com does not have storage.buckets.get access to the Google Cloud Storage bucket.",
                "errors": [{"message": "denied", "domain": "global", "reason": "forbidden"}]}})),
    )
    .await;
    // BigQuery: the feature view's source dataset.
    get(
        &s,
        &format!("/bigquery/v2/projects/{PROD}/datasets/claims_features"),
        ok(json!({"kind": "bigquery#dataset", "etag": "abc==", "id": format!("{PROD}:claims_features"),
            "selfLink": format!("https://bigquery.googleapis.com/bigquery/v2/projects/{PROD}/datasets/claims_features"),
            "datasetReference": {"datasetId": "claims_features", "projectId": PROD},
            "labels": {"data-classification": "confidential"}, "location": "EU",
            "creationTime": "1767610800000", "lastModifiedTime": "1767610800000", "type": "DEFAULT"})),
    )
    .await;
    // ml-dev / europe-west4: a body that is not JSON.
    get(
        &s,
        &format!("/v1/projects/{DEV}/locations/europe-west4/endpoints"),
        ResponseTemplate::new(200)
            .insert_header("content-type", "application/json")
            .set_body_string("{\"endpoints\": [ {"),
    )
    .await;
    // Every other Vertex AI list is empty.
    Mock::given(method("GET"))
        .and(wiremock::matchers::path_regex("^/v1/projects/ml-(prod|dev)-[0-9]+/locations/[a-z0-9-]+/[A-Za-z]+$"))
        .respond_with(ok(json!({})))
        .with_priority(10)
        .mount(&s)
        .await;
    s
}

/// Real ADC: an `authorized_user` file whose token endpoint is the stand-in.
fn write_adc(dir: &std::path::Path, server: &MockServer) -> std::path::PathBuf {
    write(
        dir,
        "adc.json",
        &json!({"type": "authorized_user", "client_id": "test-client.apps.googleusercontent.com",
            "client_secret": "test-client-secret", "refresh_token": "test-refresh-token",
            "token_uri": format!("{}/token", server.uri())})
        .to_string(),
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn vertex_ai_across_projects_and_locations() {
    let server = estate().await;
    let dir = workdir();
    let adc = write_adc(dir.path(), &server);
    let cfg = write(
        dir.path(),
        "aimscope.toml",
        &format!(
            "[gcp]\naiplatform_endpoint = \"{0}\"\nresource_manager_endpoint = \"{0}\"\nservice_usage_endpoint = \"{0}\"\n\
             secret_manager_endpoint = \"{0}\"\nrun_endpoint = \"{0}\"\nfunctions_endpoint = \"{0}\"\n\
             storage_endpoint = \"{0}\"\nbigquery_endpoint = \"{0}\"\nmax_attempts = 3\n",
            server.uri()
        ),
    );
    let out = dir.path().join("inv.json");
    let env = vec![("GOOGLE_APPLICATION_CREDENTIALS", adc.display().to_string()), ("RUST_LOG", "debug".to_owned())];
    let (c, o) = (cfg.display().to_string(), out.display().to_string());
    let res = aimscope_async(
        args(&["scan", "--provider", "gcp", "--config", &c, "--out", &o]),
        env.clone(),
        dir.path().to_owned(),
    )
    .await;
    let stderr = String::from_utf8_lossy(&res.stderr).into_owned();
    assert_eq!(res.status.code(), Some(4), "{stderr}");
    let doc = read_json(&out);
    if std::env::var_os("AIMSCOPE_TEST_SHOW").is_some() {
        for r in server.received_requests().await.unwrap_or_default() {
            eprintln!("{} {}", r.method, r.url);
        }
    }
    let coverage = doc["coverage"].as_array().expect("coverage").clone();
    let cov = |p: &str, region: Option<&str>, col: &str| {
        coverage
            .iter()
            .find(|c| c["account"] == p && c["collector"] == col && c["region"].as_str() == region)
            .unwrap_or_else(|| panic!("no coverage {p}/{region:?}/{col}: {coverage:#?}"))
            .clone()
    };
    // Two projects × two locations seen; one denied; one with Vertex AI disabled.
    for l in LOCATIONS {
        for col in ["vertex.models", "vertex.datasets", "vertex.training_pipelines", "vertex.tuning_jobs"] {
            assert_eq!(cov(PROD, Some(l), col)["status"], "complete", "{col} {l}");
            assert_eq!(cov(DEV, Some(l), col)["status"], "complete", "{col} {l}");
        }
    }
    assert_eq!(cov(LOCKED, None, "vertex.locations")["status"], "denied");
    // Service Usage refused there too; the project-wide collectors still tried, and say so.
    assert_eq!(cov(LOCKED, None, "serviceusage.ai_apis")["status"], "denied");
    assert_eq!(cov(LOCKED, None, "secretmanager.secrets")["status"], "denied");
    assert_eq!(cov(LEGACY, None, "vertex")["status"], "not_enabled");
    let bad = cov(DEV, Some("europe-west4"), "vertex.endpoints");
    assert_eq!(bad["status"], "failed", "{bad}");
    // The 429 was retried; the dataset is there.
    assert_eq!(cov(PROD, Some("us-central1"), "vertex.datasets")["assets"], 1);

    // Lineage: dataset → training pipeline → model → endpoint.
    let base = format!("projects/{PROD}/locations/us-central1");
    let endpoint = asset(&doc, &format!("{base}/endpoints/6001"));
    let model_id = format!("{base}/models/4001@2");
    assert!(has_relation(endpoint, "serves", &model_id));
    let model = asset(&doc, &model_id);
    assert!(has_relation(model, "produced_by", &format!("{base}/trainingPipelines/5001")));
    assert!(has_relation(model, "stored_in", "//storage.googleapis.com/projects/_/buckets/claims-models"));
    // Every version, not only the default ListModels shows: version 1 with its own artifacts.
    let v1 = asset(&doc, &format!("{base}/models/4001@1"));
    assert_eq!(v1["attributes"]["version_id"], "1");
    assert_eq!(v1["facts"]["artifact_location"], "gs://claims-models/claims-v3/v1/");
    assert!(v1["details"].is_null() && model["details"].is_null(), "both versions read in full");
    assert!(has_relation(
        asset(&doc, &format!("{base}/trainingPipelines/5001")),
        "trained_on",
        &format!("{base}/datasets/3001")
    ));
    assert_eq!(endpoint["effective_classification"]["level"], "restricted", "the dataset is labelled pii");
    assert_eq!(
        endpoint["effective_classification"]["explanation"],
        "endpoint claims-online ← model claims-v3 ← training job claims-train ← dataset claims-pii-tabular [restricted]"
    );
    // Names written with the project number meet those built from the project id: no asset id
    // and no reference keeps a number, nothing the estate holds dangles, and the model labelled
    // below what it inherits is flagged.
    let text = doc.to_string();
    for n in [PROD_N, DEV_N] {
        let in_ids = assets(&doc).iter().any(|a| a["id"].as_str().unwrap_or_default().contains(n));
        assert!(!in_ids, "an asset id keeps project number {n}");
    }
    let dangling = doc["dangling_references"].as_array().cloned().unwrap_or_default();
    for d in &dangling {
        let t = d["target"].as_str().unwrap_or_default();
        assert!(!t.contains(PROD_N) && assets(&doc).iter().all(|a| a["id"] != t), "{d}");
        assert!(!t.starts_with(&format!("projects/{PROD}/")), "resolvable reference dangles: {d}");
    }
    assert!(text.contains("classification.declared_below_inherited"));
    let findings = doc["findings"].as_array().cloned().unwrap_or_default();
    assert!(
        findings.iter().any(|f| f["rule_id"] == "classification.declared_below_inherited" && f["asset_id"] == model_id),
        "{findings:#?}"
    );
    assert_eq!(model["effective_classification"]["level"], "restricted");
    assert_eq!(model["account"], PROD);
    // Pagination: the second page's model is there.
    asset(&doc, &format!("{base}/models/4002@1"));
    let tuning = asset(&doc, &format!("{base}/tuningJobs/9001"));
    assert!(has_relation(tuning, "trained_on", "//storage.googleapis.com/projects/_/buckets/claims-pii-tuning"));
    assert!(has_relation(tuning, "fine_tuned_from", "publishers/google/models/gemini-2.0-flash-001"));
    assert_eq!(asset(&doc, &format!("{base}/reasoningEngines/1201"))["kind"], "agent");
    assert_eq!(asset(&doc, &format!("{base}/batchPredictionJobs/1101"))["status"], "in_progress");

    // Enabled AI APIs are evidence of use on their own.
    asset(&doc, &format!("projects/{PROD}/services/generativelanguage.googleapis.com"));
    asset(&doc, &format!("projects/{DEV}/services/aiplatform.googleapis.com"));
    assert!(
        assets(&doc).iter().all(|a| a["id"] != format!("projects/{DEV}/services/generativelanguage.googleapis.com"))
    );

    // A custom job's env var: name kept, key recognised, value dropped.
    let job_id = format!("{base}/customJobs/8001");
    assert_eq!(asset(&doc, &job_id)["attributes"]["environment_names"], json!(["BATCH", "OPENAI_API_KEY"]));
    assert!(has_relation(asset(&doc, &job_id), "calls", &format!("{job_id}/ai-api/openai")));

    // Tuned model: tuning job (trained on a restricted bucket) → model.
    let tuned = asset(&doc, &format!("{base}/models/4003@1"));
    assert!(has_relation(tuned, "produced_by", &format!("{base}/tuningJobs/9001")));
    let tuning_bucket = asset(&doc, "//storage.googleapis.com/projects/_/buckets/claims-pii-tuning");
    assert_eq!(tuning_bucket["kind"], "bucket");
    assert_eq!(tuning_bucket["tags"]["data-classification"], "restricted");
    assert_eq!(tuned["effective_classification"]["level"], "restricted");
    let tuned_endpoint = asset(&doc, &format!("{base}/endpoints/6002"));
    assert!(has_relation(tuned_endpoint, "serves", &format!("{base}/models/4003@1")));
    assert_eq!(
        tuned_endpoint["effective_classification"]["explanation"],
        "endpoint claims-gemini-endpoint ← model claims-gemini ← customization job claims-gemini ← bucket claims-pii-tuning [restricted]"
    );
    assert_eq!(
        tuned["effective_classification"]["explanation"],
        "model claims-gemini ← customization job claims-gemini ← bucket claims-pii-tuning [restricted]"
    );
    // Bucket lookups: a 503 retried, a 403 reported by name, the dataset's own source found.
    assert_eq!(asset(&doc, "//storage.googleapis.com/projects/_/buckets/claims-models")["tags"]["owner"], "claims-ml");
    let dataset = asset(&doc, &format!("{base}/datasets/3001"));
    assert!(has_relation(dataset, "stored_in", "//storage.googleapis.com/projects/_/buckets/claims-raw"));
    let buckets = cov(PROD, None, "storage.bucket_labels");
    assert_eq!(buckets["status"], "denied", "{buckets}");
    assert_eq!(buckets["assets"], 4, "{buckets}");
    assert!(buckets["error"].as_str().unwrap_or_default().contains("buckets/claims-eval"), "{buckets}");
    // Feature store → BigQuery dataset (labels from BigQuery).
    let store = asset(&doc, &format!("{base}/featureOnlineStores/claims_features"));
    assert_eq!(store["kind"], "feature_store");
    let bq = format!("//bigquery.googleapis.com/projects/{PROD}/datasets/claims_features");
    assert!(has_relation(store, "stored_in", &bq));
    assert_eq!(asset(&doc, &bq)["tags"]["data-classification"], "confidential");
    assert_eq!(store["effective_classification"]["level"], "confidential");
    assert_eq!(cov(PROD, None, "bigquery.dataset_labels")["status"], "complete");

    // Outside AI: Secret Manager names (both pages), Cloud Run env (a key recognised by its
    // format under a neutral name; a name backed by a secret reference), Cloud Functions env
    // (an API host, a secret env name), a notebook runtime's env.
    // Secret Manager names the project by number; the id is the project id form.
    let secret = asset(&doc, &format!("projects/{PROD}/secrets/anthropic-api-key"));
    assert_eq!(secret["kind"], "secret");
    assert!(has_relation(secret, "calls", &format!("projects/{PROD}/secrets/anthropic-api-key/ai-api/anthropic")));
    asset(&doc, &format!("projects/{PROD}/secrets/openai-prod/ai-api/openai"));
    assert!(assets(&doc).iter().all(|a| a["id"] != format!("projects/{PROD}/secrets/db-password")));
    assert_eq!(cov(PROD, None, "secretmanager.secrets")["status"], "complete");
    assert_eq!(cov(DEV, None, "secretmanager.secrets")["status"], "not_enabled");
    assert_eq!(cov(LEGACY, None, "run.services")["status"], "complete", "Vertex AI off does not stop the rest");
    let run = format!("projects/{PROD}/locations/europe-west1/services/claims-chat");
    let app = asset(&doc, &run);
    assert_eq!((app["kind"].as_str(), app["region"].as_str()), (Some("application"), Some("europe-west1")));
    let ant = asset(&doc, &format!("{run}/ai-api/anthropic"));
    assert_eq!(ant["attributes"]["confidence"], "high");
    assert!(ant["attributes"]["evidence"].to_string().contains("key_fingerprint"), "{ant}");
    asset(&doc, &format!("{run}/ai-api/huggingface"));
    assert!(
        assets(&doc).iter().all(|a| a["id"] != format!("projects/{PROD}/locations/europe-west1/services/static-site"))
    );
    let requests = server.received_requests().await.unwrap_or_default();
    let listed = |p: &str| requests.iter().filter(|r| r.url.path() == p).count();
    assert_eq!(listed(&format!("/v1/projects/{PROD}/locations")), 2, "both pages of Cloud Run regions");
    for r in ["asia-northeast1", "us-central1", "europe-west1"] {
        assert_eq!(listed(&format!("/v2/projects/{PROD}/locations/{r}/services")), 1, "{r}");
    }
    let func = format!("projects/{PROD}/locations/us-central1/functions/summarise-claims");
    assert_eq!(asset(&doc, &func)["status"], "active");
    asset(&doc, &format!("{func}/ai-api/mistral"));
    asset(&doc, &format!("{func}/ai-api/groq"));
    let nb = format!("projects/{PROD}/locations/europe-west4/notebookRuntimes/7301");
    assert_eq!(asset(&doc, &nb)["kind"], "notebook");
    assert!(has_relation(asset(&doc, &nb), "calls", &format!("{nb}/ai-api/huggingface")));

    let raw = std::fs::read_to_string(&out).unwrap_or_default();
    for planted in [PLANTED, PLANTED_ANT, PLANTED_HF] {
        assert!(!raw.contains(planted) && !stderr.contains(planted), "a planted value escaped");
    }
    // The same estate in every other format, at debug level: no planted value in any byte.
    for format in ["jsonl", "csv", "cyclonedx", "sarif", "servicenow"] {
        let o = dir.path().join(format!("inv.{format}")).display().to_string();
        let res = aimscope_async(
            args(&["scan", "--provider", "gcp", "--config", &c, "--format", format, "--out", &o]),
            env.clone(),
            dir.path().to_owned(),
        )
        .await;
        let text = std::fs::read_to_string(&o).unwrap_or_default();
        let err = String::from_utf8_lossy(&res.stderr).into_owned() + &String::from_utf8_lossy(&res.stdout);
        // SARIF carries findings, not assets; every other format names the detection.
        let named = format == "sarif" || text.contains("anthropic") || text.contains("Anthropic");
        assert!(!text.is_empty() && named, "{format}: no detection in {text:.300}");
        for planted in [PLANTED, PLANTED_ANT, PLANTED_HF] {
            assert!(!text.contains(planted) && !err.contains(planted), "a planted value escaped in {format}");
        }
    }

    // Only reads, each with the ADC token.
    let reqs = server.received_requests().await.unwrap_or_default();
    assert!(reqs.iter().filter(|r| r.url.path() != "/token").all(|r| r.method.as_str() == "GET"));
    assert!(
        reqs.iter().filter(|r| r.url.path() != "/token").all(|r| r
            .headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            == Some("Bearer test-token"))
    );
    let role = include_str!("../config/gcp-readonly-role.yaml");
    let allowed: Vec<&str> = role.lines().filter_map(|l| l.trim().strip_prefix("- ")).collect();
    let calls = doc["run"]["api_calls"].as_object().expect("api_calls");
    assert!(calls.len() >= 10, "{calls:?}");
    for permission in calls.keys() {
        assert!(allowed.contains(&permission.as_str()), "{permission} is not in config/gcp-readonly-role.yaml");
    }
    assert_valid_inventory(&doc, dir.path());
}

#[test]
fn no_google_credentials_is_a_one_line_skip() {
    let dir = workdir();
    let out = dir.path().join("inv.json");
    let res = aimscope(&["scan", "--provider", "gcp", "--out", out.to_str().unwrap_or_default()], &[], dir.path());
    assert_eq!(res.status.code(), Some(4));
    let stderr = String::from_utf8_lossy(&res.stderr);
    assert!(stderr.contains("not seen: gcp discovery (skipped): no Google Cloud credentials"), "{stderr}");
}

/// A listed feature store whose views cannot be read (403 on the child list) stays, marked
/// partial; its scope's coverage says `partial`.
#[tokio::test(flavor = "multi_thread")]
async fn a_refused_child_listing_keeps_the_listed_feature_store() {
    let server = estate().await;
    Mock::given(method("GET"))
        .and(path(format!(
            "/v1/projects/{PROD_N}/locations/us-central1/featureOnlineStores/claims_features/featureViews"
        )))
        .respond_with(google_error(403, "PERMISSION_DENIED", "Permission 'aiplatform.featureViews.list' denied."))
        .with_priority(1)
        .mount(&server)
        .await;
    let dir = workdir();
    let adc = write_adc(dir.path(), &server);
    let cfg = write(
        dir.path(),
        "aimscope.toml",
        &format!(
            "[scan]\ndisabled_collectors = [\"run.services\", \"functions.functions\", \"secretmanager.secrets\"]\n\
             [gcp]\naiplatform_endpoint = \"{0}\"\nresource_manager_endpoint = \"{0}\"\nservice_usage_endpoint = \"{0}\"\n\
             storage_endpoint = \"{0}\"\nbigquery_endpoint = \"{0}\"\nmax_attempts = 2\n",
            server.uri()
        ),
    );
    let out = dir.path().join("inv.json");
    let (c, o) = (cfg.display().to_string(), out.display().to_string());
    let env = vec![("GOOGLE_APPLICATION_CREDENTIALS", adc.display().to_string())];
    let res =
        aimscope_async(args(&["scan", "--provider", "gcp", "--config", &c, "--out", &o]), env, dir.path().to_owned())
            .await;
    assert_eq!(res.status.code(), Some(4), "{}", String::from_utf8_lossy(&res.stderr));
    let doc = read_json(&out);
    let store = asset(&doc, &format!("projects/{PROD}/locations/us-central1/featureOnlineStores/claims_features"));
    assert_eq!(store["details"]["status"], "partial", "{store}");
    assert_eq!(store["details"]["failed_calls"][0]["operation"], "aiplatform.featureViews.list");
    assert_eq!(store["details"]["failed_calls"][0]["error"], "denied");
    let cov = doc["coverage"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|c| {
            c["account"] == PROD && c["region"] == "us-central1" && c["collector"] == "vertex.feature_online_stores"
        })
        .cloned()
        .unwrap_or_default();
    assert_eq!(cov["status"], "partial", "{cov}");
}

/// The fault-injection matrix (`support::faults`) on a Vertex AI listing and on a child
/// listing, through a proxy in front of the stand-in: the same endpoint overrides and ADC
/// `token_uri` a user would set.
#[tokio::test(flavor = "multi_thread")]
async fn gcp_survives_every_fault() {
    use support::faults::*;
    let upstream = estate().await;
    let proxy = FaultProxy::start(&upstream.uri()).await;
    let dir = workdir();
    let adc = write(
        dir.path(),
        "adc.json",
        &json!({"type": "authorized_user", "client_id": "test-client.apps.googleusercontent.com",
            "client_secret": "test-client-secret", "refresh_token": "test-refresh-token",
            "token_uri": format!("{}/token", proxy.url)})
        .to_string(),
    );
    let cfg = write(
        dir.path(),
        "aimscope.toml",
        &format!(
            "[scan]\ncollector_timeout_secs = 30\ndisabled_collectors = [\"run.services\", \"functions.functions\", \"secretmanager.secrets\"]\n\
             [gcp]\naiplatform_endpoint = \"{0}\"\nresource_manager_endpoint = \"{0}\"\nservice_usage_endpoint = \"{0}\"\n\
             storage_endpoint = \"{0}\"\nbigquery_endpoint = \"{0}\"\nmax_attempts = 3\nattempt_timeout_secs = 1\n",
            proxy.url
        ),
    );
    let env = vec![("GOOGLE_APPLICATION_CREDENTIALS", adc.display().to_string())];
    let base = format!("projects/{PROD}/locations/us-central1");
    let store = format!("{base}/featureOnlineStores/claims_features");
    let targets = vec![
        Target {
            name: "model listing",
            rule: Box::new(|f| Rule::path("GET", &format!("/v1/projects/{PROD}/locations/us-central1/models"), f)),
            hurt: (format!("{PROD}/us-central1"), "vertex.models".into()),
            listing: true,
            // And the bucket only a model's artifact URI names.
            may_lose: vec![
                format!("{base}/models/"),
                "//storage.googleapis.com/projects/_/buckets/claims-models".into(),
            ],
            kept: None,
            // Google's JSON leaves an empty repeated field out altogether.
            empty_page: Some(json!({"nextPageToken": NEXT}).to_string()),
        },
        Target {
            name: "model versions (detail)",
            rule: Box::new(|f| {
                Rule::path("GET", &format!("/v1/projects/{PROD_N}/locations/us-central1/models/4001:listVersions"), f)
            }),
            hurt: (format!("{PROD}/us-central1"), "vertex.models".into()),
            listing: false,
            // Version 1 only listVersions names; the default version stays, marked partial.
            may_lose: vec![format!("{base}/models/4001@1")],
            kept: Some(format!("{base}/models/4001@2")),
            empty_page: None,
        },
        Target {
            name: "feature views (detail)",
            rule: Box::new(|f| {
                Rule::path(
                    "GET",
                    &format!(
                        "/v1/projects/{PROD_N}/locations/us-central1/featureOnlineStores/claims_features/featureViews"
                    ),
                    f,
                )
            }),
            hurt: (format!("{PROD}/us-central1"), "vertex.feature_online_stores".into()),
            listing: false,
            // And the BigQuery dataset only a feature view names.
            may_lose: vec![
                format!("{store}/featureViews/"),
                format!("//bigquery.googleapis.com/projects/{PROD}/datasets/claims_features"),
            ],
            kept: Some(store.clone()),
            empty_page: None,
        },
    ];
    let planted = [PLANTED, PLANTED_ANT, PLANTED_HF].map(String::from);
    matrix(ScanSetup { provider: "gcp", dir: dir.path(), cfg: &cfg, env }, &proxy, &GOOGLE, targets, &planted).await;
}
