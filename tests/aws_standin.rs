//! AWS operations moto does not serve (or serves off the wire format): Bedrock, Bedrock Agents,
//! SageMaker feature groups, throttling and access errors. A local stand-in answers in AWS's
//! exact protocols — restJson1 for Bedrock, awsJson1.1 for SageMaker, Query/XML for STS, REST/XML
//! for S3 — with shapes taken from botocore's service models, reached through the standard
//! `AWS_ENDPOINT_URL` override. The aimscope binary and the real aws-sdk-rust do the rest.

mod support;

use std::collections::BTreeSet;

use serde_json::json;
use support::*;
use wiremock::matchers::{body_string_contains, header, method, path, path_regex, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

const ACCT: &str = "111122223333";
const R: &str = "us-east-1";
const PLANTED: &str = "sk-ant-api03-PLANTEDvalue-do-not-leak-0000000000000000000000000000000000000000000000-AAAAAAAA";

fn ok(body: serde_json::Value) -> ResponseTemplate {
    ResponseTemplate::new(200).insert_header("content-type", "application/json").set_body_json(body)
}

fn aws_error(status: u16, code: &str, message: &str) -> ResponseTemplate {
    ResponseTemplate::new(status)
        .insert_header("content-type", "application/json")
        .insert_header("x-amzn-errortype", code)
        .set_body_json(json!({ "message": message }))
}

fn xml(status: u16, body: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).insert_header("content-type", "application/xml").set_body_string(body.to_owned())
}

/// Matches `p` with or without its trailing slash (smithy may normalise either way).
fn route(p: &str) -> wiremock::matchers::PathRegexMatcher {
    let escaped: String = p
        .trim_end_matches('/')
        .chars()
        .flat_map(|c| if ".+*?()|[]{}^$".contains(c) { vec!['\\', c] } else { vec![c] })
        .collect();
    path_regex(format!("^{escaped}/?$"))
}

async fn get(server: &MockServer, p: &str, resp: ResponseTemplate) {
    Mock::given(method("GET")).and(route(p)).respond_with(resp).mount(server).await;
}

async fn post(server: &MockServer, p: &str, resp: ResponseTemplate) {
    Mock::given(method("POST")).and(route(p)).respond_with(resp).mount(server).await;
}

async fn sagemaker(server: &MockServer, op: &str, resp: ResponseTemplate) {
    Mock::given(method("POST"))
        .and(header("x-amz-target", format!("SageMaker.{op}").as_str()))
        .respond_with(resp)
        .mount(server)
        .await;
}

/// STS GetCallerIdentity (Query/XML): who the scanner is.
async fn caller_identity(s: &MockServer) {
    Mock::given(method("POST"))
        .and(body_string_contains("Action=GetCallerIdentity"))
        .respond_with(xml(
            200,
            &format!(
                "<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><GetCallerIdentityResult>\
                 <Arn>arn:aws:iam::{ACCT}:user/auditor</Arn><UserId>AIDACKCEVSQ6C2EXAMPLE</UserId><Account>{ACCT}</Account>\
                 </GetCallerIdentityResult><ResponseMetadata><RequestId>01234567-89ab-cdef-0123-456789abcdef</RequestId>\
                 </ResponseMetadata></GetCallerIdentityResponse>"
            ),
        ))
        .mount(s)
        .await;
}

/// Static test credentials and the stand-in as every service's endpoint.
fn static_env(s: &MockServer) -> Vec<(&'static str, String)> {
    vec![
        ("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE".to_owned()),
        ("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY".to_owned()),
        ("AWS_REGION", R.to_owned()),
        ("AWS_ENDPOINT_URL", s.uri()),
    ]
}

async fn estate() -> MockServer {
    let s = MockServer::start().await;
    let arn = |rest: &str| format!("arn:aws:bedrock:{R}:{ACCT}:{rest}");
    let kb_arn = arn("knowledge-base/KB12345678");
    let custom = arn("custom-model/amazon.titan-text-express-v1:0:8k/abc123");

    // STS: who am I.
    caller_identity(&s).await;

    // Bedrock: a custom model fine-tuned on S3 data.
    get(
        &s,
        "/custom-models",
        ok(json!({"modelSummaries": [{
            "modelArn": custom, "modelName": "support-llm", "creationTime": "2026-10-01T08:00:00Z",
            "baseModelArn": "arn:aws:bedrock:us-east-1::foundation-model/amazon.titan-text-express-v1:0:8k",
            "baseModelName": "Titan Text G1 - Express", "customizationType": "FINE_TUNING", "modelStatus": "Active"}]})),
    )
    .await;
    Mock::given(method("GET"))
        .and(path_regex(r"^/custom-models/.+"))
        .respond_with(ok(json!({
            "modelArn": custom, "modelName": "support-llm", "jobName": "support-tune",
            "jobArn": arn("model-customization-job/amazon.titan-text-express-v1:0:8k/xyz789"),
            "baseModelArn": "arn:aws:bedrock:us-east-1::foundation-model/amazon.titan-text-express-v1:0:8k",
            "customizationType": "FINE_TUNING", "hyperParameters": {"epochCount": "2"},
            "trainingDataConfig": {"s3Uri": "s3://tuning-data/support/train.jsonl"},
            "outputDataConfig": {"s3Uri": "s3://tuning-data/output/"},
            "validationMetrics": [], "creationTime": "2026-10-01T08:00:00Z", "modelStatus": "Active"})))
        .mount(&s)
        .await;

    // Guardrails: throttled once, then served (the SDK's retry must absorb it).
    Mock::given(method("GET"))
        .and(path("/guardrails"))
        .respond_with(aws_error(429, "ThrottlingException", "Too many requests, please wait before trying again."))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&s)
        .await;
    get(
        &s,
        "/guardrails",
        ok(json!({"guardrails": [{
            "id": "gr1abc", "arn": arn("guardrail/gr1abc"), "status": "READY", "name": "pii-filter",
            "version": "DRAFT", "createdAt": "2026-09-01T00:00:00Z", "updatedAt": "2026-09-02T00:00:00Z"}]})),
    )
    .await;

    // Provisioned throughput: denied.
    get(
        &s,
        "/provisioned-model-throughputs",
        aws_error(
            403,
            "AccessDeniedException",
            "User: arn:aws:iam::111122223333:user/auditor is not authorized to perform: bedrock:ListProvisionedModelThroughputs",
        ),
    )
    .await;
    // Imported models: a body that is not JSON.
    get(
        &s,
        "/imported-models",
        ResponseTemplate::new(200)
            .insert_header("content-type", "application/json")
            .set_body_string("{\"modelSummaries\": [ <html>"),
    )
    .await;
    get(
        &s,
        "/inference-profiles",
        ok(json!({"inferenceProfileSummaries": [{
            "inferenceProfileName": "support-app", "inferenceProfileArn": arn("application-inference-profile/ip1"),
            "inferenceProfileId": "ip1", "status": "ACTIVE", "type": "APPLICATION",
            "models": [{"modelArn": "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0"}]}]})),
    )
    .await;
    get(&s, "/logging/modelinvocations", ok(json!({}))).await;
    post(&s, "/listTagsForResource", ok(json!({"tags": [{"key": "owner", "value": "support-ml"}]}))).await;

    // Bedrock Agents: two pages of agents, one agent wired to a knowledge base.
    Mock::given(method("POST"))
        .and(route("/agents/"))
        .and(body_string_contains("page-2"))
        .respond_with(ok(json!({"agentSummaries": [{
            "agentId": "AGENT00002", "agentName": "faq-bot", "agentStatus": "NOT_PREPARED", "updatedAt": "2026-10-03T00:00:00Z"}]})))
        .with_priority(1)
        .mount(&s)
        .await;
    post(
        &s,
        "/agents/",
        ok(json!({"nextToken": "page-2", "agentSummaries": [{
            "agentId": "AGENT00001", "agentName": "claims-helper", "agentStatus": "PREPARED", "updatedAt": "2026-10-02T00:00:00Z",
            "latestAgentVersion": "1"}]})),
    )
    .await;
    for (id, name, status) in [("AGENT00001", "claims-helper", "PREPARED"), ("AGENT00002", "faq-bot", "NOT_PREPARED")] {
        get(
            &s,
            &format!("/agents/{id}/"),
            ok(json!({"agent": {
                "agentId": id, "agentName": name, "agentArn": arn(&format!("agent/{id}")), "agentVersion": "DRAFT",
                "agentStatus": status, "foundationModel": "anthropic.claude-3-haiku-20240307-v1:0",
                "idleSessionTTLInSeconds": 600, "agentResourceRoleArn": format!("arn:aws:iam::{ACCT}:role/agent-role"),
                "createdAt": "2026-10-02T00:00:00Z", "updatedAt": "2026-10-02T00:00:00Z"}})),
        )
        .await;
        let kbs = if id == "AGENT00001" {
            json!([{"knowledgeBaseId": "KB12345678", "knowledgeBaseState": "ENABLED", "updatedAt": "2026-10-02T00:00:00Z"}])
        } else {
            json!([])
        };
        post(
            &s,
            &format!("/agents/{id}/agentversions/DRAFT/knowledgebases/"),
            ok(json!({"agentKnowledgeBaseSummaries": kbs})),
        )
        .await;
        post(
            &s,
            &format!("/agents/{id}/agentversions/DRAFT/actiongroups/"),
            ok(json!({"actionGroupSummaries": [{
                "actionGroupId": "AG1", "actionGroupName": "lookup-claim", "actionGroupState": "ENABLED", "updatedAt": "2026-10-02T00:00:00Z"}]})),
        )
        .await;
    }
    post(
        &s,
        "/knowledgebases/",
        ok(json!({"knowledgeBaseSummaries": [{
            "knowledgeBaseId": "KB12345678", "name": "claims-docs", "status": "ACTIVE", "updatedAt": "2026-10-02T00:00:00Z"}]})),
    )
    .await;
    get(
        &s,
        "/knowledgebases/KB12345678",
        ok(json!({"knowledgeBase": {
            "knowledgeBaseId": "KB12345678", "name": "claims-docs", "knowledgeBaseArn": kb_arn,
            "roleArn": format!("arn:aws:iam::{ACCT}:role/kb-role"), "status": "ACTIVE",
            "knowledgeBaseConfiguration": {"type": "VECTOR", "vectorKnowledgeBaseConfiguration": {
                "embeddingModelArn": "arn:aws:bedrock:us-east-1::foundation-model/amazon.titan-embed-text-v2:0"}},
            "createdAt": "2026-10-02T00:00:00Z", "updatedAt": "2026-10-02T00:00:00Z"}})),
    )
    .await;
    post(
        &s,
        "/knowledgebases/KB12345678/datasources/",
        ok(json!({"dataSourceSummaries": [{
            "knowledgeBaseId": "KB12345678", "dataSourceId": "DS00000001", "name": "claims-s3", "status": "AVAILABLE",
            "updatedAt": "2026-10-02T00:00:00Z"}]})),
    )
    .await;
    get(
        &s,
        "/knowledgebases/KB12345678/datasources/DS00000001",
        ok(json!({"dataSource": {
            "knowledgeBaseId": "KB12345678", "dataSourceId": "DS00000001", "name": "claims-s3", "status": "AVAILABLE",
            "dataSourceConfiguration": {"type": "S3", "s3Configuration": {"bucketArn": "arn:aws:s3:::kb-docs", "inclusionPrefixes": ["claims/"]}},
            "createdAt": "2026-10-02T00:00:00Z", "updatedAt": "2026-10-02T00:00:00Z"}})),
    )
    .await;
    Mock::given(method("GET"))
        .and(path_regex(r"^/tags/.+"))
        .respond_with(ok(json!({"tags": {"owner": "claims-ml", "ai-system-id": "AIS-9"}})))
        .mount(&s)
        .await;

    // SageMaker: a feature group, and a training job whose environment holds a key.
    sagemaker(
        &s,
        "ListFeatureGroups",
        ok(json!({"FeatureGroupSummaries": [{
            "FeatureGroupName": "claims-features", "FeatureGroupArn": format!("arn:aws:sagemaker:{R}:{ACCT}:feature-group/claims-features"),
            "CreationTime": 1764000000.0, "FeatureGroupStatus": "Created"}]})),
    )
    .await;
    sagemaker(
        &s,
        "ListTrainingJobs",
        ok(json!({"TrainingJobSummaries": [{
            "TrainingJobName": "agent-eval", "TrainingJobArn": format!("arn:aws:sagemaker:{R}:{ACCT}:training-job/agent-eval"),
            "CreationTime": 1764000000.0, "TrainingJobStatus": "Completed"}]})),
    )
    .await;
    sagemaker(
        &s,
        "DescribeTrainingJob",
        ok(json!({
            "TrainingJobName": "agent-eval", "TrainingJobArn": format!("arn:aws:sagemaker:{R}:{ACCT}:training-job/agent-eval"),
            "TrainingJobStatus": "Completed", "SecondaryStatus": "Completed",
            "AlgorithmSpecification": {"TrainingImage": "763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch:2", "TrainingInputMode": "File"},
            "RoleArn": format!("arn:aws:iam::{ACCT}:role/sm"), "ResourceConfig": {"InstanceType": "ml.m5.large", "InstanceCount": 1, "VolumeSizeInGB": 10},
            "StoppingCondition": {"MaxRuntimeInSeconds": 3600}, "CreationTime": 1764000000.0,
            "ModelArtifacts": {"S3ModelArtifacts": "s3://tuning-data/eval/model.tar.gz"},
            "InputDataConfig": [{"ChannelName": "train", "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": "s3://kb-docs/claims/"}}}],
            "Environment": {"ANTHROPIC_API_KEY": PLANTED, "LOG_LEVEL": "info"}})),
    )
    .await;
    sagemaker(&s, "ListTags", ok(json!({"Tags": [{"Key": "owner", "Value": "eval-team"}]}))).await;
    // An inference component on a multi-model endpoint: it serves its own model.
    let ic = format!("arn:aws:sagemaker:{R}:{ACCT}:inference-component/claims-ic");
    let ep = format!("arn:aws:sagemaker:{R}:{ACCT}:endpoint/claims-mme");
    sagemaker(&s, "ListInferenceComponents", ok(json!({"InferenceComponents": [{"CreationTime": 1767225600.0,
        "InferenceComponentArn": ic, "InferenceComponentName": "claims-ic", "EndpointArn": ep, "EndpointName": "claims-mme",
        "VariantName": "AllTraffic", "InferenceComponentStatus": "InService", "LastModifiedTime": 1767225600.0}]})))
    .await;
    sagemaker(
        &s,
        "DescribeInferenceComponent",
        ok(json!({"InferenceComponentName": "claims-ic", "InferenceComponentArn": ic,
        "EndpointName": "claims-mme", "EndpointArn": ep, "VariantName": "AllTraffic",
        "Specification": {"ModelName": "claims-v3", "ComputeResourceRequirements": {"NumberOfCpuCoresRequired": 1.0,
            "MinMemoryRequiredInMb": 1024}},
        "RuntimeConfig": {"DesiredCopyCount": 1, "CurrentCopyCount": 1},
        "CreationTime": 1767225600.0, "LastModifiedTime": 1767225600.0, "InferenceComponentStatus": "InService"})),
    )
    .await;

    // S3: the buckets lineage points at.
    for (bucket, region) in [("kb-docs", "eu-west-1"), ("tuning-data", "")] {
        Mock::given(method("GET"))
            .and(route(&format!("/{bucket}")))
            .and(query_param("location", ""))
            .respond_with(xml(
                200,
                &format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<LocationConstraint xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">{region}</LocationConstraint>"),
            ))
            .mount(&s)
            .await;
    }
    Mock::given(method("GET"))
        .and(route("/kb-docs"))
        .and(query_param("tagging", ""))
        .respond_with(xml(
            200,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Tagging xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><TagSet>\
             <Tag><Key>data-classification</Key><Value>confidential</Value></Tag></TagSet></Tagging>",
        ))
        .mount(&s)
        .await;
    Mock::given(method("GET"))
        .and(route("/tuning-data"))
        .and(query_param("tagging", ""))
        .respond_with(xml(
            404,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>NoSuchTagSet</Code><Message>The TagSet does not exist</Message>\
             <BucketName>tuning-data</BucketName><RequestId>4442587FB7D0A2F9</RequestId><HostId>x</HostId></Error>",
        ))
        .mount(&s)
        .await;
    s
}

#[tokio::test(flavor = "multi_thread")]
async fn bedrock_agents_and_errors_through_the_wire_format() {
    let server = estate().await;
    let dir = workdir();
    let cfg = write(
        dir.path(),
        "aimscope.toml",
        r#"
[scan]
# Not served here (moto serves them in tests/aws_moto.rs), so that every gap below is planned.
disabled_collectors = ["sagemaker.models", "sagemaker.endpoint_configs", "sagemaker.endpoints", "sagemaker.model_packages",
  "sagemaker.notebook_instances", "sagemaker.processing_jobs", "sagemaker.transform_jobs", "sagemaker.pipelines",
  "bedrock.customization_jobs", "sagemaker.domains", "lambda.functions", "ecr.repositories", "ecs.task_definitions",
  "secretsmanager.secrets", "ssm.parameters"]
[aws]
regions = ["us-east-1"]
max_attempts = 3
"#,
    );
    let out = dir.path().join("inv.json");
    let mut env = static_env(&server);
    env.push(("RUST_LOG", "debug".to_owned()));
    let (c, o) = (cfg.display().to_string(), out.display().to_string());
    let res =
        aimscope_async(args(&["scan", "--provider", "aws", "--config", &c, "--out", &o]), env, dir.path().to_owned())
            .await;
    let stderr = String::from_utf8_lossy(&res.stderr).into_owned();
    assert_eq!(res.status.code(), Some(4), "{stderr}");
    if std::env::var_os("AIMSCOPE_TEST_SHOW").is_some() {
        eprintln!("{stderr}");
    }
    let doc = read_json(&out);

    let cov = |col: &str| {
        doc["coverage"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|c| c["collector"] == col)
            .unwrap_or_else(|| panic!("no coverage for {col}"))
            .clone()
    };
    let seen: Vec<String> = server
        .received_requests()
        .await
        .unwrap_or_default()
        .iter()
        .map(|r| format!("{} {}", r.method, r.url.path()))
        .collect();
    // Exactly these gaps, nothing unplanned (an unmatched route would show up here).
    let gaps: BTreeSet<(String, String)> = doc["coverage"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|c| !matches!(c["status"].as_str(), Some("complete" | "not_enabled")))
        .map(|c| (c["collector"].as_str().unwrap_or("").to_owned(), c["status"].as_str().unwrap_or("").to_owned()))
        .collect();
    let want = [("bedrock.imported_models", "failed"), ("bedrock.provisioned_throughput", "denied")];
    assert_eq!(gaps, want.iter().map(|(c, s)| (c.to_string(), s.to_string())).collect(), "{:#?}", doc["coverage"]);
    // Inference components are served: the component serves its model, the endpoint hosts it.
    let ic = asset(&doc, &format!("arn:aws:sagemaker:{R}:{ACCT}:inference-component/claims-ic"));
    assert_eq!((ic["kind"].as_str(), ic["status"].as_str()), (Some("deployment"), Some("active")));
    assert!(has_relation(ic, "serves", &format!("arn:aws:sagemaker:{R}:{ACCT}:model/claims-v3")), "{ic}");
    assert_eq!(ic["attributes"]["endpoint"], format!("arn:aws:sagemaker:{R}:{ACCT}:endpoint/claims-mme"));
    // Throttled once, retried (two requests), complete.
    let guardrail_lists = seen.iter().filter(|r| r.as_str() == "GET /guardrails").count();
    assert_eq!(guardrail_lists, 2, "{seen:#?}");
    assert_eq!(cov("bedrock.guardrails")["status"], "complete");
    assert_eq!(cov("bedrock.guardrails")["assets"], 1);
    // Denied: a coverage record naming the action, not a crash or a silent empty list.
    let denied = cov("bedrock.provisioned_throughput");
    assert_eq!(denied["status"], "denied");
    assert!(
        denied["error"]
            .as_str()
            .unwrap_or_default()
            .contains("bedrock:ListProvisionedModelThroughputs: AccessDeniedException")
    );
    // Malformed body: failed, with a clear message.
    let bad = cov("bedrock.imported_models");
    assert_eq!(bad["status"], "failed");
    assert!(bad["error"].as_str().unwrap_or_default().starts_with("bedrock:ListImportedModels:"), "{bad}");
    for ok in [
        "bedrock.custom_models",
        "bedrock.agents",
        "bedrock.knowledge_bases",
        "bedrock.inference_profiles",
        "bedrock.invocation_logging",
        "sagemaker.feature_groups",
        "sagemaker.training_jobs",
        "s3.bucket_tags",
    ] {
        assert_eq!(cov(ok)["status"], "complete", "{ok}: {}\nrequests: {seen:#?}", cov(ok));
    }

    // Agents across two pages, with their wiring.
    let agent = asset(&doc, &format!("arn:aws:bedrock:{R}:{ACCT}:agent/AGENT00001"));
    asset(&doc, &format!("arn:aws:bedrock:{R}:{ACCT}:agent/AGENT00002"));
    let kb = format!("arn:aws:bedrock:{R}:{ACCT}:knowledge-base/KB12345678");
    assert!(has_relation(agent, "uses", &kb));
    assert!(has_relation(
        agent,
        "uses",
        "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0"
    ));
    assert_eq!(agent["attributes"]["action_groups"], json!(["lookup-claim"]));
    assert_eq!(agent["tags"]["ai-system-id"], "AIS-9");
    let ds_id = format!("{kb}/data-source/DS00000001");
    assert!(has_relation(asset(&doc, &kb), "uses", &ds_id));
    assert!(has_relation(
        asset(&doc, &kb),
        "uses",
        "arn:aws:bedrock:us-east-1::foundation-model/amazon.titan-embed-text-v2:0"
    ));
    let ds = asset(&doc, &ds_id);
    assert!(has_relation(ds, "stored_in", "arn:aws:s3:::kb-docs"));

    // The agent inherits the bucket's classification through KB and data source.
    let bucket = asset(&doc, "arn:aws:s3:::kb-docs");
    assert_eq!(bucket["region"], "eu-west-1");
    assert_eq!(agent["effective_classification"]["level"], "confidential");
    assert_eq!(
        agent["effective_classification"]["explanation"],
        "agent claims-helper ← knowledge base claims-docs ← data source claims-s3 ← bucket kb-docs [confidential]"
    );
    // A bucket with no tag set is still an asset, just unclassified.
    assert!(asset(&doc, "arn:aws:s3:::tuning-data")["tags"].is_null());

    // The custom model's lineage.
    let custom = assets(&doc).iter().find(|a| a["kind"] == "custom_model").expect("custom model");
    assert!(has_relation(custom, "trained_on", "arn:aws:s3:::tuning-data"));
    assert!(has_relation(
        custom,
        "fine_tuned_from",
        "arn:aws:bedrock:us-east-1::foundation-model/amazon.titan-text-express-v1:0:8k"
    ));
    assert!(custom["relations"].as_array().into_iter().flatten().any(|r| r["kind"] == "produced_by"));
    assert!(assets(&doc).iter().any(|a| a["kind"] == "guardrail" && a["name"] == "pii-filter"));
    assert!(assets(&doc).iter().any(|a| a["kind"] == "feature_store" && a["name"] == "claims-features"));
    let profile = assets(&doc).iter().find(|a| a["kind"] == "inference_profile").expect("profile");
    assert!(has_relation(
        profile,
        "serves",
        "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0"
    ));

    // Env-var names are kept; the value is dropped everywhere, including debug logs.
    let job = asset(&doc, &format!("arn:aws:sagemaker:{R}:{ACCT}:training-job/agent-eval"));
    assert_eq!(job["attributes"]["environment_names"], json!(["ANTHROPIC_API_KEY", "LOG_LEVEL"]));
    let raw = std::fs::read_to_string(&out).unwrap_or_default();
    assert!(!raw.contains(PLANTED) && !stderr.contains(PLANTED), "a secret value escaped");
    // Foundation models referenced by id are kept as named dangling references.
    assert!(doc["dangling_references"].as_array().is_some_and(|d| {
        d.iter().any(|r| r["target"].as_str().is_some_and(|t| t.contains("foundation-model/anthropic")))
    }));
    assert_valid_inventory(&doc, dir.path());
}

/// A listed resource is always in the inventory: detail calls that fail after a successful
/// List (denied by a permission boundary, throttled past retries, gone, malformed) keep the
/// asset with what the List gave, say which call failed, and make the scope `partial`.
#[tokio::test(flavor = "multi_thread")]
async fn failed_detail_calls_keep_the_listed_assets() {
    let s = MockServer::start().await;
    let denied = || {
        aws_error(403, "AccessDeniedException", "User is not authorized to perform this action (permissions boundary)")
    };
    caller_identity(&s).await;
    // Four agents listed (a page of one, then three); each GetAgent fails differently.
    Mock::given(method("POST"))
        .and(route("/agents/"))
        .and(body_string_contains("page-2"))
        .respond_with(ok(json!({"agentSummaries": [
            {"agentId": "AGENTTHROT", "agentName": "throttled", "agentStatus": "PREPARED", "updatedAt": "2026-10-02T00:00:00Z"},
            {"agentId": "AGENTGONE0", "agentName": "gone", "agentStatus": "DELETING", "updatedAt": "2026-10-02T00:00:00Z"},
            {"agentId": "AGENTBAD00", "agentName": "malformed", "agentStatus": "PREPARED", "updatedAt": "2026-10-02T00:00:00Z"}]})))
        .with_priority(1)
        .mount(&s)
        .await;
    post(
        &s,
        "/agents/",
        ok(json!({"nextToken": "page-2", "agentSummaries": [
            {"agentId": "AGENTDENY0", "agentName": "denied", "agentStatus": "PREPARED", "updatedAt": "2026-10-02T00:00:00Z"}]})),
    )
    .await;
    get(&s, "/agents/AGENTDENY0/", denied()).await;
    get(&s, "/agents/AGENTTHROT/", aws_error(429, "ThrottlingException", "Rate exceeded")).await;
    get(&s, "/agents/AGENTGONE0/", aws_error(404, "ResourceNotFoundException", "Agent not found")).await;
    get(
        &s,
        "/agents/AGENTBAD00/",
        ResponseTemplate::new(200)
            .insert_header("content-type", "application/json")
            .set_body_string("{\"agent\": {\"agentId\": "),
    )
    .await;
    Mock::given(method("POST"))
        .and(path_regex(r"^/agents/[A-Z0-9]+/agentversions/DRAFT/(knowledgebases|actiongroups)/?$"))
        .respond_with(ok(json!({})))
        .mount(&s)
        .await;
    // A knowledge base whose GetKnowledgeBase is denied; its data sources still list.
    post(
        &s,
        "/knowledgebases/",
        ok(json!({"knowledgeBaseSummaries": [{
            "knowledgeBaseId": "KBDENIED01", "name": "hr-docs", "status": "ACTIVE", "updatedAt": "2026-10-02T00:00:00Z"}]})),
    )
    .await;
    get(&s, "/knowledgebases/KBDENIED01", denied()).await;
    post(&s, "/knowledgebases/KBDENIED01/datasources/", ok(json!({"dataSourceSummaries": []}))).await;
    Mock::given(method("GET"))
        .and(path_regex(r"^/tags/.+"))
        .respond_with(ok(json!({"tags": {"owner": "hr"}})))
        .mount(&s)
        .await;
    // SageMaker: an endpoint whose DescribeEndpoint is denied, a training job whose describe is
    // throttled past the retry budget and whose ListTags is denied.
    let sm_arn = |rest: &str| format!("arn:aws:sagemaker:{R}:{ACCT}:{rest}");
    sagemaker(
        &s,
        "ListEndpoints",
        ok(json!({"Endpoints": [{"EndpointName": "Claims-Prod", "EndpointArn": sm_arn("endpoint/claims-prod"),
            "CreationTime": 1764000000.0, "LastModifiedTime": 1764000000.0, "EndpointStatus": "InService"}]})),
    )
    .await;
    sagemaker(&s, "DescribeEndpoint", aws_error(400, "AccessDeniedException", "not authorized")).await;
    sagemaker(
        &s,
        "ListTrainingJobs",
        ok(json!({"TrainingJobSummaries": [{"TrainingJobName": "claims-train", "TrainingJobArn": sm_arn("training-job/claims-train"),
            "CreationTime": 1764000000.0, "TrainingJobStatus": "Completed"}]})),
    )
    .await;
    sagemaker(&s, "DescribeTrainingJob", aws_error(400, "ThrottlingException", "Rate exceeded")).await;
    Mock::given(method("POST"))
        .and(header("x-amz-target", "SageMaker.ListTags"))
        .and(body_string_contains("training-job"))
        .respond_with(aws_error(400, "AccessDeniedException", "not authorized"))
        .with_priority(1)
        .mount(&s)
        .await;
    sagemaker(&s, "ListTags", ok(json!({"Tags": [{"Key": "owner", "Value": "claims-ml"}]}))).await;

    let dir = workdir();
    let only = ["bedrock.agents", "bedrock.knowledge_bases", "sagemaker.endpoints", "sagemaker.training_jobs"];
    let all = [
        "bedrock.custom_models",
        "bedrock.customization_jobs",
        "bedrock.guardrails",
        "bedrock.imported_models",
        "bedrock.inference_profiles",
        "bedrock.invocation_logging",
        "bedrock.provisioned_throughput",
        "ecr.repositories",
        "ecs.task_definitions",
        "lambda.functions",
        "sagemaker.domains",
        "sagemaker.endpoint_configs",
        "sagemaker.feature_groups",
        "sagemaker.inference_components",
        "sagemaker.model_packages",
        "sagemaker.models",
        "sagemaker.notebook_instances",
        "sagemaker.pipelines",
        "sagemaker.processing_jobs",
        "sagemaker.transform_jobs",
        "secretsmanager.secrets",
        "ssm.parameters",
    ];
    let disabled: Vec<String> = all.iter().filter(|c| !only.contains(c)).map(|c| format!("\"{c}\"")).collect();
    let cfg = write(
        dir.path(),
        "aimscope.toml",
        &format!(
            "[scan]\ndisabled_collectors = [{}]\n[aws]\nregions = [\"{R}\"]\nmax_attempts = 2\n",
            disabled.join(", ")
        ),
    );
    let out = dir.path().join("inv.json");
    let env = static_env(&s);
    let (c, o) = (cfg.display().to_string(), out.display().to_string());
    let res =
        aimscope_async(args(&["scan", "--provider", "aws", "--config", &c, "--out", &o]), env, dir.path().to_owned())
            .await;
    let stderr = String::from_utf8_lossy(&res.stderr).into_owned();
    assert_eq!(res.status.code(), Some(4), "partial is a gap: {stderr}");
    let doc = read_json(&out);
    let failed = |id: &str| -> Vec<(String, String)> {
        let a = asset(&doc, id);
        assert_eq!(a["details"]["status"], "partial", "{a}");
        a["details"]["failed_calls"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|c| (c["operation"].as_str().unwrap_or("").to_owned(), c["error"].as_str().unwrap_or("").to_owned()))
            .collect()
    };
    let agent = |id: &str| format!("arn:aws:bedrock:{R}:{ACCT}:agent/{id}");
    let pair = |op: &str, why: &str| (op.to_owned(), why.to_owned());
    assert_eq!(failed(&agent("AGENTDENY0")), vec![pair("bedrock:GetAgent", "denied")]);
    assert_eq!(failed(&agent("AGENTTHROT")), vec![pair("bedrock:GetAgent", "throttled")]);
    assert_eq!(failed(&agent("AGENTGONE0")), vec![pair("bedrock:GetAgent", "not_found")]);
    assert_eq!(failed(&agent("AGENTBAD00")), vec![pair("bedrock:GetAgent", "malformed")]);
    // What the List gave is kept: name, status, and the tags (a separate call that worked).
    let denied_agent = asset(&doc, &agent("AGENTDENY0"));
    assert_eq!((denied_agent["name"].as_str(), denied_agent["status"].as_str()), (Some("denied"), Some("active")));
    assert_eq!(denied_agent["tags"]["owner"], "hr");
    let kb = format!("arn:aws:bedrock:{R}:{ACCT}:knowledge-base/KBDENIED01");
    assert_eq!(failed(&kb), vec![pair("bedrock:GetKnowledgeBase", "denied")]);
    assert_eq!(failed(&sm_arn("endpoint/claims-prod")), vec![pair("sagemaker:DescribeEndpoint", "denied")]);
    assert_eq!(asset(&doc, &sm_arn("endpoint/claims-prod"))["tags"]["owner"], "claims-ml");
    assert_eq!(
        failed(&sm_arn("training-job/claims-train")),
        vec![pair("sagemaker:DescribeTrainingJob", "throttled"), pair("sagemaker:ListTags", "denied")]
    );
    // Coverage says "listed, details incomplete" for exactly these four, naming the calls.
    let coverage = doc["coverage"].as_array().cloned().unwrap_or_default();
    let gaps: Vec<(String, String)> = coverage
        .iter()
        .filter(|c| c["status"] != "complete" && c["status"] != "not_enabled")
        .map(|c| (c["collector"].as_str().unwrap_or("").to_owned(), c["status"].as_str().unwrap_or("").to_owned()))
        .collect();
    let mut want: Vec<(String, String)> = only.iter().map(|c| pair(c, "partial")).collect();
    want.sort();
    let mut gaps_sorted = gaps.clone();
    gaps_sorted.sort();
    assert_eq!(gaps_sorted, want, "{coverage:#?}");
    let agents_cov = coverage.iter().find(|c| c["collector"] == "bedrock.agents").cloned().unwrap_or_default();
    assert_eq!(agents_cov["assets"], 4);
    let msg = agents_cov["error"].as_str().unwrap_or_default();
    assert!(
        msg.starts_with("4 listed asset(s) with incomplete details:") && msg.contains("bedrock:GetAgent denied (1)"),
        "{msg}"
    );
    assert_eq!(doc["run"]["complete"], false);
    assert!(stderr.contains("partial"), "the summary names the partial scope: {stderr}");
    // The throttled call was retried up to max_attempts before giving up.
    let reqs = s.received_requests().await.unwrap_or_default();
    assert_eq!(reqs.iter().filter(|r| r.url.path().trim_end_matches('/') == "/agents/AGENTTHROT").count(), 2);
    assert_valid_inventory(&doc, dir.path());
}
