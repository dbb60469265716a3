//! The fault-injection matrix: each fault of [`support::faults`] on a listing and on a detail
//! call of each cloud's stand-in, once (the retry must absorb it) and for good (coverage must
//! name exactly the hurt scope and collector, and keep every asset that was listed).

mod support;

use support::faults::*;
use support::*;

#[tokio::test(flavor = "multi_thread")]
async fn azure_survives_every_fault() {
    let upstream = azure::estate().await;
    let proxy = FaultProxy::start(&upstream.uri()).await;
    let dir = workdir();
    stub_az(dir.path());
    let cfg = azure::config(&upstream).replace(&upstream.uri(), &proxy.url);
    let cfg = write(
        dir.path(),
        "aimscope.toml",
        &format!("[scan]\ncollector_timeout_secs = 30\n{cfg}request_timeout_secs = 1\n"),
    );
    let ws = azure::WS.to_ascii_lowercase();
    let sub = azure::A[15..].to_owned();
    let targets = vec![
        Target {
            name: "model listing",
            rule: Box::new(|f| Rule::path("GET", &format!("{}/models", azure::WS), f)),
            hurt: (sub.clone(), "ml.models".into()),
            listing: true,
            may_lose: vec![format!("{ws}/models/")],
            kept: None,
            empty_page: Some(r#"{"value": [], "nextLink": "{next}"}"#.into()),
        },
        Target {
            name: "endpoint deployments (detail)",
            rule: Box::new(|f| {
                Rule::path("GET", &format!("{}/onlineEndpoints/claims-online/deployments", azure::WS), f)
            }),
            hurt: (sub.clone(), "ml.online_endpoints".into()),
            listing: false,
            may_lose: vec![format!("{ws}/onlineendpoints/claims-online/deployments/")],
            kept: Some(format!("{ws}/onlineendpoints/claims-online")),
            empty_page: None,
        },
    ];
    let planted = [azure::PLANTED, azure::PLANTED_HF, azure::PLANTED_ANT].map(String::from);
    let setup = ScanSetup { provider: "azure", dir: dir.path(), cfg: &cfg, env: vec![] };
    matrix(setup, &proxy, &AZURE, targets, &planted).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn aws_survives_every_fault() {
    let moto = Moto::start();
    let estate = moto.seed("seed_moto.py");
    let prod = estate["members"][0].as_str().expect("prod").to_owned();
    let proxy = FaultProxy::start(&moto.url).await;
    let dir = workdir();
    // SageMaker in one account and region: the matrix is about faults, not breadth.
    let cfg = write(
        dir.path(),
        "aimscope.toml",
        &format!(
            "[scan]\ncollector_timeout_secs = 30\ndisabled_collectors = [\"sagemaker.feature_groups\", \
             \"sagemaker.inference_components\", \"bedrock.custom_models\", \"bedrock.customization_jobs\", \
             \"bedrock.imported_models\", \"bedrock.provisioned_throughput\", \"bedrock.guardrails\", \
             \"bedrock.inference_profiles\", \"bedrock.agents\", \"bedrock.knowledge_bases\"]\n\
             [aws]\naccounts = [\"{prod}\"]\nregions = [\"us-east-1\"]\nmax_attempts = 3\n\
             attempt_timeout_secs = 1\noperation_timeout_secs = 20\n"
        ),
    );
    let mut env = moto_env(&moto);
    for (k, v) in env.iter_mut() {
        if *k == "AWS_ENDPOINT_URL" {
            *v = proxy.url.clone();
        }
    }
    let job = format!("arn:aws:sagemaker:us-east-1:{prod}:training-job/claims-train");
    let targets = vec![
        Target {
            name: "model listing",
            rule: Box::new(|f| Rule::aws("SageMaker.ListModels", f)),
            hurt: (format!("{prod}/us-east-1"), "sagemaker.models".into()),
            listing: true,
            may_lose: vec![format!("arn:aws:sagemaker:us-east-1:{prod}:model/")],
            kept: None,
            // SageMaker writes the empty list, not an absent key.
            empty_page: Some(serde_json::json!({"Models": [], "NextToken": NEXT}).to_string()),
        },
        Target {
            name: "DescribeTrainingJob (detail)",
            rule: Box::new(|f| Rule::aws("SageMaker.DescribeTrainingJob", f)),
            hurt: (format!("{prod}/us-east-1"), "sagemaker.training_jobs".into()),
            listing: false,
            // The job was listed, so it stays; the buckets it read are named only by the detail.
            may_lose: vec!["arn:aws:s3:::claims-pii".into(), "arn:aws:s3:::untagged-raw".into()],
            kept: Some(job),
            empty_page: None,
        },
    ];
    let planted = planted_values(&estate);
    matrix(ScanSetup { provider: "aws", dir: dir.path(), cfg: &cfg, env }, &proxy, &AWS, targets, &planted).await;
}
