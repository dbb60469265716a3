//! The AWS provider end to end: the real aws-sdk-rust, run by the aimscope binary, against a
//! moto_server holding an organization with member accounts in two regions.
//!
//! moto's STS never refuses AssumeRole, so STS is served by a stand-in speaking the STS Query
//! protocol (XML) through the same `AWS_ENDPOINT_URL_STS` override a user would set: it hands
//! out the credentials moto issued for the member accounts and refuses the `locked` account
//! with AWS's own AccessDenied error document.

mod support;

use std::collections::BTreeSet;

use support::*;
use wiremock::matchers::{body_string_contains, method};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// Collectors moto 5.2.1 cannot serve (not implemented, or Bedrock timestamps not in AWS's wire
/// format); they are exercised by tests/aws_standin.rs.
const NOT_IN_MOTO: &str = r#"["sagemaker.feature_groups", "sagemaker.inference_components", "bedrock.custom_models", "bedrock.customization_jobs",
  "bedrock.imported_models", "bedrock.provisioned_throughput", "bedrock.guardrails", "bedrock.inference_profiles",
  "bedrock.agents", "bedrock.knowledge_bases"]"#;

const PLANTED: &str = "sk-proj-PLANTEDSECRETVALUE0000T3BlbkFJ0000000000";

fn sts_ok(action: &str, result: &str) -> ResponseTemplate {
    ResponseTemplate::new(200).insert_header("content-type", "text/xml").set_body_string(format!(
        "<{action}Response xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><{action}Result>{result}</{action}Result>\
         <ResponseMetadata><RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId></ResponseMetadata></{action}Response>"
    ))
}

/// An STS stand-in: the management account is the caller; `creds` members may be entered;
/// `denied` may not.
async fn sts_standin(estate: &serde_json::Value, denied: &str) -> MockServer {
    let server = MockServer::start().await;
    let mgmt = estate["management"].as_str().unwrap_or_default();
    Mock::given(method("POST"))
        .and(body_string_contains("Action=GetCallerIdentity"))
        .respond_with(sts_ok(
            "GetCallerIdentity",
            &format!("<Arn>arn:aws:iam::{mgmt}:user/auditor</Arn><UserId>AIDACKCEVSQ6C2EXAMPLE</UserId><Account>{mgmt}</Account>"),
        ))
        .mount(&server)
        .await;
    for (acct, c) in estate["creds"].as_object().expect("creds") {
        Mock::given(method("POST"))
            .and(body_string_contains("Action=AssumeRole"))
            .and(body_string_contains(format!("iam%3A%3A{acct}%3Arole")))
            .respond_with(sts_ok(
                "AssumeRole",
                &format!(
                    "<Credentials><AccessKeyId>{}</AccessKeyId><SecretAccessKey>{}</SecretAccessKey>\
                     <SessionToken>{}</SessionToken><Expiration>{}</Expiration></Credentials>\
                     <AssumedRoleUser><AssumedRoleId>AROA3XFRBF535PLBIFPI4:aimscope</AssumedRoleId>\
                     <Arn>arn:aws:sts::{acct}:assumed-role/AimscopeReadOnly/aimscope</Arn></AssumedRoleUser>",
                    c["AccessKeyId"].as_str().unwrap_or_default(),
                    c["SecretAccessKey"].as_str().unwrap_or_default(),
                    c["SessionToken"].as_str().unwrap_or_default(),
                    c["Expiration"].as_str().unwrap_or_default(),
                ),
            ))
            .mount(&server)
            .await;
    }
    Mock::given(method("POST"))
        .and(body_string_contains(format!("iam%3A%3A{denied}%3Arole")))
        .respond_with(ResponseTemplate::new(403).insert_header("content-type", "text/xml").set_body_string(format!(
            "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>Sender</Type>\
             <Code>AccessDenied</Code><Message>User: arn:aws:iam::{mgmt}:user/auditor is not authorized to perform: \
             sts:AssumeRole on resource: arn:aws:iam::{denied}:role/AimscopeReadOnly</Message></Error>\
             <RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c8</RequestId></ErrorResponse>"
        )))
        .mount(&server)
        .await;
    server
}

struct Scan {
    doc: serde_json::Value,
    estate: serde_json::Value,
    stderr: String,
    code: Option<i32>,
    dir: tempfile::TempDir,
    _moto: Moto,
    _sts: MockServer,
}

async fn org_scan(extra_args: &[&str], out_name: &str) -> Scan {
    let moto = Moto::start();
    let estate = moto.seed("seed_moto.py");
    let locked = estate["members"][2].as_str().expect("locked account").to_owned();
    let sts = sts_standin(&estate, &locked).await;
    let dir = workdir();
    let cfg = write(
        dir.path(),
        "aimscope.toml",
        &format!(
            "[scan]\ndisabled_collectors = {NOT_IN_MOTO}\n[aws]\norganization = true\nregions = [\"us-east-1\", \"eu-west-1\"]\n"
        ),
    );
    let out = dir.path().join(out_name);
    let mut env = moto_env(&moto);
    env.push(("AWS_ENDPOINT_URL_STS", sts.uri()));
    env.push(("RUST_LOG", "debug".into()));
    let mut args: Vec<String> = vec![
        "scan".into(),
        "--provider".into(),
        "aws".into(),
        "--config".into(),
        cfg.display().to_string(),
        "--out".into(),
        out.display().to_string(),
    ];
    args.extend(extra_args.iter().map(|a| a.to_string()));
    let res = aimscope_async(args, env, dir.path().to_owned()).await;
    let stderr = String::from_utf8_lossy(&res.stderr).into_owned();
    let text = std::fs::read_to_string(&out).unwrap_or_else(|e| panic!("no output ({e}); stderr:\n{stderr}"));
    let doc = serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text));
    Scan { doc, estate, stderr, code: res.status.code(), dir, _moto: moto, _sts: sts }
}

fn arn(kind: &str, acct: &str, region: &str, name: &str) -> String {
    format!("arn:aws:sagemaker:{region}:{acct}:{kind}/{name}")
}

#[tokio::test(flavor = "multi_thread")]
async fn org_scan_finds_assets_lineage_tags_and_coverage() {
    let s = org_scan(&[], "inventory.json").await;
    let doc = &s.doc;
    let mgmt = s.estate["management"].as_str().unwrap_or_default();
    let prod = s.estate["members"][0].as_str().unwrap_or_default();
    let dev = s.estate["members"][1].as_str().unwrap_or_default();
    let locked = s.estate["members"][2].as_str().unwrap_or_default();

    // A denied account makes the scan partial: exit 4, and the coverage says why.
    assert_eq!(s.code, Some(4), "stderr:\n{}", s.stderr);
    assert_eq!(doc["run"]["complete"], false);
    let coverage = doc["coverage"].as_array().expect("coverage");
    let denied: Vec<_> = coverage.iter().filter(|c| c["status"] != "complete").collect();
    assert_eq!(denied.len(), 1, "only the locked account is a gap: {denied:#?}");
    assert_eq!(denied[0]["account"], locked);
    assert_eq!(denied[0]["collector"], "sts.assume_role");
    assert_eq!(denied[0]["status"], "denied");
    assert!(denied[0]["error"].as_str().unwrap_or_default().contains("AccessDenied"));
    assert!(s.stderr.contains(&format!("not seen: aws:{locked}")), "stderr names the gap:\n{}", s.stderr);

    // Every (account, region, collector) of the three reachable accounts was looked at.
    let seen: BTreeSet<(String, String, String)> = coverage
        .iter()
        .filter(|c| c["region"].is_string())
        .map(|c| {
            (
                c["account"].as_str().unwrap_or_default().into(),
                c["region"].as_str().unwrap_or_default().into(),
                c["collector"].as_str().unwrap_or_default().into(),
            )
        })
        .collect();
    for acct in [mgmt, prod, dev] {
        for region in ["us-east-1", "eu-west-1"] {
            for col in
                ["sagemaker.models", "sagemaker.training_jobs", "sagemaker.endpoints", "bedrock.invocation_logging"]
            {
                assert!(
                    seen.contains(&(acct.into(), region.into(), col.into())),
                    "no coverage for {acct}/{region}/{col}"
                );
            }
        }
    }
    // Nothing from the locked account leaks in as if it had been seen.
    assert!(assets(doc).iter().all(|a| a["account"] != locked));

    // Lineage: endpoint → config → model → training job → bucket.
    let ep = asset(doc, &arn("endpoint", prod, "us-east-1", "claims-prod"));
    let cfg_id = arn("endpoint-config", prod, "us-east-1", "claims-config");
    let model_id = arn("model", prod, "us-east-1", "claims-v3");
    let job_id = arn("training-job", prod, "us-east-1", "claims-train");
    assert!(has_relation(ep, "deploys", &cfg_id));
    assert!(has_relation(asset(doc, &cfg_id), "serves", &model_id));
    let model = asset(doc, &model_id);
    assert!(has_relation(model, "produced_by", &job_id));
    assert_eq!(model["attributes"]["in_model_registry"], false);
    // The typed fact policy reads, and the rule it drives.
    assert_eq!(model["facts"]["in_model_registry"], false);
    assert_eq!(
        model["facts"]["artifact_location"],
        asset(doc, &job_id)["facts"]["artifact_location"],
        "the artifact the produced_by link was made on"
    );
    let job = asset(doc, &job_id);
    assert!(has_relation(job, "trained_on", "arn:aws:s3:::claims-pii"));
    assert!(has_relation(job, "trained_on", "arn:aws:s3:::untagged-raw"));
    assert_eq!(job["status"], "completed");

    // Tags from each service's tag API, and the bucket's tags fetched once.
    assert_eq!(ep["tags"]["owner"], "claims-ml");
    assert_eq!(ep["owner"], "claims-ml");
    let bucket = asset(doc, "arn:aws:s3:::claims-pii");
    assert_eq!(bucket["kind"], "bucket");
    assert_eq!(bucket["tags"]["data-classification"], "pii");
    assert_eq!(bucket["declared_classification"], "restricted");
    let calls = &doc["run"]["api_calls"];
    assert_eq!(calls["s3:GetBucketTagging"], 3, "one lookup per bucket: {calls}");

    // Classification inherited along the chain, with the path that explains it.
    let eff = &ep["effective_classification"];
    assert_eq!(eff["level"], "restricted");
    assert_eq!(eff["path"].as_array().map(Vec::len), Some(5));
    assert_eq!(eff["path"][4], "arn:aws:s3:::claims-pii");
    assert!(
        eff["explanation"]
            .as_str()
            .unwrap_or_default()
            .starts_with("endpoint claims-prod ← endpoint config claims-config ← model claims-v3")
    );
    let findings = doc["findings"].as_array().expect("findings");
    assert!(
        findings.iter().any(|f| f["rule_id"] == "classification.declared_below_inherited" && f["asset_id"] == model_id)
    );
    assert!(
        findings.iter().any(|f| f["rule_id"] == "register.model_not_in_model_registry" && f["asset_id"] == model_id)
    );
    assert!(
        findings.iter().any(|f| f["rule_id"] == "classification.unclassified_training_data" && f["asset_id"] == job_id)
    );

    // Pagination: 105 model packages (moto pages at 100) plus their group.
    let pkgs = assets(doc)
        .iter()
        .filter(|a| a["kind"] == "model_package" && a["account"] == prod && a["region"] == "eu-west-1")
        .count();
    assert_eq!(pkgs, 105);
    assert!(assets(doc).iter().any(|a| a["kind"] == "model_registry" && a["name"] == "fraud-registry"));

    // SageMaker lowercases names in ARNs; the dev model is found and tagged under that id.
    let dev_model = asset(doc, &arn("model", dev, "eu-west-1", "dev-experiment"));
    assert_eq!(dev_model["name"], "Dev-Experiment");
    assert!(findings.iter().any(|f| f["rule_id"] == "tags.missing_required" && f["asset_id"] == dev_model["id"]));

    // Bedrock invocation logging recorded per region.
    let logging = |region: &str| {
        asset(
            doc,
            &format!("arn:aws:bedrock:{region}:{prod}:model-invocation-logging"),
        )["attributes"]["invocation_logging_enabled"]
            .clone()
    };
    assert_eq!(logging("us-east-1"), true);
    assert_eq!(logging("eu-west-1"), false);
    let fact = |region: &str| {
        asset(doc, &format!("arn:aws:bedrock:{region}:{prod}:model-invocation-logging"))["facts"]["invocation_logging"]
            .clone()
    };
    assert_eq!((fact("us-east-1"), fact("eu-west-1")), (true.into(), false.into()));

    // Strictly read-only, and within the shipped least-privilege policy.
    let policy: serde_json::Value =
        serde_json::from_str(include_str!("../config/aws-readonly-policy.json")).expect("policy JSON");
    let allowed: BTreeSet<&str> = policy["Statement"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|s| s["Action"].as_array().into_iter().flatten().filter_map(|a| a.as_str()))
        .collect();
    let called: Vec<&String> = calls.as_object().expect("api_calls").keys().collect();
    assert!(called.len() > 10, "{called:?}");
    for action in called {
        assert!(allowed.contains(action.as_str()), "{action} is called but not in config/aws-readonly-policy.json");
        let op = action.split(':').nth(1).unwrap_or_default();
        assert!(
            op.starts_with("List") || op.starts_with("Describe") || op.starts_with("Get") || action == "sts:AssumeRole",
            "{action} is not read-only"
        );
    }

    // The planted key in the training job's environment never leaves the process. (moto does
    // not echo a training job's Environment back; tests/aws_standin.rs checks the names.)
    let raw = std::fs::read_to_string(s.dir.path().join("inventory.json")).unwrap_or_default();
    assert!(!raw.contains(PLANTED) && !s.stderr.contains(PLANTED), "a secret value escaped");

    assert_valid_inventory(doc, s.dir.path());
}

/// Every planted key value of the seed, and the one in the training job.
fn planted(estate: &serde_json::Value) -> Vec<String> {
    let mut v: Vec<String> = estate["planted"]
        .as_object()
        .expect("planted values")
        .values()
        .filter_map(|x| x.as_str().map(str::to_owned))
        .collect();
    v.push(PLANTED.to_owned());
    v
}

fn assert_no_leak(what: &str, text: &str, planted: &[String]) {
    for p in planted {
        assert!(!text.contains(p.as_str()), "planted value {}… escaped into {what}", &p[..8]);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn outside_ai_services_are_detected_without_keeping_a_secret() {
    let s = org_scan(&[], "inventory.json").await;
    let doc = &s.doc;
    let prod = s.estate["members"][0].as_str().unwrap_or_default();
    let usage = |consumer: &str, provider: &str| -> serde_json::Value {
        let id = format!("{consumer}/ai-api/{provider}");
        let u = asset(doc, &id).clone();
        assert_eq!(u["kind"], "third_party_api_usage");
        assert_eq!(u["attributes"]["provider"], provider);
        assert!(has_relation(asset(doc, consumer), "calls", &id), "{consumer} calls {provider}");
        u
    };
    let lambda = |name: &str| format!("arn:aws:lambda:us-east-1:{prod}:function:{name}");
    let u = usage(&lambda("claims-summarizer"), "openai");
    assert_eq!(u["attributes"]["confidence"], "high");
    let ev = &u["attributes"]["evidence"][0];
    assert_eq!(ev["signal"], "env_var");
    assert_eq!(ev["field"], "OPENAI_API_KEY");
    assert_eq!(ev["matched"], serde_json::json!(["name", "key_format"]));
    assert!(ev["key_fingerprint"].as_str().unwrap_or_default().starts_with("sha256:"));
    assert_eq!(asset(doc, &lambda("claims-summarizer"))["tags"]["owner"], "apps");
    // A key recognised by its format alone, under an innocent name.
    assert_eq!(
        usage(&lambda("notes-bot"), "anthropic")["attributes"]["evidence"][0]["matched"],
        serde_json::json!(["key_format"])
    );
    // A bare `sk-` value under an unrelated name is not enough.
    assert!(assets(doc).iter().all(|a| a["id"] != lambda("plain")));

    let named = |kind: &str, name: &str| -> String {
        let a = assets(doc).iter().find(|a| a["kind"] == kind && a["name"] == name);
        a.unwrap_or_else(|| panic!("no {kind} {name}"))["id"].as_str().unwrap_or_default().to_owned()
    };
    usage(&named("secret", "prod/huggingface-token"), "huggingface");
    usage(&named("secret", "/apps/chat/GROQ_API_KEY"), "groq");
    let task = named("application", "chat-api");
    for p in ["mistral", "cohere", "vllm"] {
        usage(&task, p);
    }
    usage(&named("container_repository", "ollama-serving"), "ollama");

    // Read-only: secrets and parameters are listed, never read.
    let calls = doc["run"]["api_calls"].as_object().expect("api_calls");
    assert!(calls.contains_key("secretsmanager:ListSecrets") && calls.contains_key("ssm:DescribeParameters"));
    assert!(!calls.keys().any(|k| k.contains("GetSecretValue") || k.starts_with("ssm:GetParameter")));

    // Not one planted value in the document or the debug-level log.
    let planted = planted(&s.estate);
    let json = std::fs::read_to_string(s.dir.path().join("inventory.json")).unwrap_or_default();
    assert_no_leak("the JSON inventory", &json, &planted);
    assert_no_leak("stderr (debug)", &s.stderr, &planted);
}

#[tokio::test(flavor = "multi_thread")]
async fn jsonl_output_has_typed_records() {
    let s = org_scan(&["--format", "jsonl"], "inventory.jsonl").await;
    let text = s.doc.as_str().expect("jsonl is not one JSON document").to_owned();
    assert_no_leak("JSON Lines", &text, &planted(&s.estate));
    assert_no_leak("stderr", &s.stderr, &planted(&s.estate));
    assert!(text.contains("\"provider\":\"openai\""));
    let mut types = BTreeSet::new();
    for line in text.lines() {
        let v: serde_json::Value = serde_json::from_str(line).expect("each line is JSON");
        types.insert(v["type"].as_str().unwrap_or_default().to_owned());
    }
    for t in ["run", "asset", "relation", "finding", "coverage"] {
        assert!(types.contains(t), "no {t} record in {types:?}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn csv_output_lists_assets_and_leaks_nothing() {
    let s = org_scan(&["--format", "csv"], "inventory.csv").await;
    let text = s.doc.as_str().expect("csv").to_owned();
    assert_no_leak("CSV", &text, &planted(&s.estate));
    let mut rdr = csv::Reader::from_reader(text.as_bytes());
    let kinds: Vec<String> = rdr.records().filter_map(|r| r.ok()).map(|r| r[4].to_owned()).collect();
    assert!(kinds.iter().any(|k| k == "third_party_api_usage") && kinds.iter().any(|k| k == "endpoint"));
}

/// One seeded organisation (moto + the STS stand-in) scanned several times with different
/// flags: the README's CLI promises on a real scan, whose locked account makes it partial.
struct Org {
    estate: serde_json::Value,
    dir: tempfile::TempDir,
    env: Vec<(&'static str, String)>,
    _moto: Moto,
    _sts: MockServer,
}

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

impl Org {
    async fn start() -> Org {
        let moto = Moto::start();
        let estate = moto.seed("seed_moto.py");
        let locked = estate["members"][2].as_str().expect("locked account").to_owned();
        let sts = sts_standin(&estate, &locked).await;
        let mut env = moto_env(&moto);
        env.push(("AWS_ENDPOINT_URL_STS", sts.uri()));
        Org { estate, dir: workdir(), env, _moto: moto, _sts: sts }
    }

    /// `aimscope scan --provider aws --config C ARGS`, the config holding `extra` as well.
    async fn scan(&self, extra: &str, args: &[&str]) -> Run {
        let cfg = write(
            self.dir.path(),
            "aimscope.toml",
            &format!(
                "{extra}\n[scan]\ndisabled_collectors = {NOT_IN_MOTO}\n[aws]\norganization = true\nregions = [\"us-east-1\", \"eu-west-1\"]\n"
            ),
        );
        let mut all: Vec<String> = ["scan", "--provider", "aws", "--config", &cfg.display().to_string()]
            .iter()
            .map(|s| s.to_string())
            .collect();
        all.extend(args.iter().map(|a| a.to_string()));
        let res = aimscope_async(all, self.env.clone(), self.dir.path().to_owned()).await;
        Run {
            code: res.status.code(),
            stdout: String::from_utf8_lossy(&res.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&res.stderr).into_owned(),
        }
    }

    fn path(&self, name: &str) -> String {
        self.dir.path().join(name).display().to_string()
    }
}

fn fired(doc: &serde_json::Value, rule: &str) -> Vec<String> {
    doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["rule_id"] == rule)
        .map(|f| f["asset_id"].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn exit_codes_stdout_register_and_policy_file_on_a_partial_org_scan() {
    let org = Org::start().await;
    let prod = org.estate["members"][0].as_str().unwrap_or_default().to_owned();
    let model = arn("model", &prod, "us-east-1", "claims-v3");

    // `--out -`: the document on stdout and nothing else there; partial (the locked account) → 4.
    let base = org.scan("", &["--out", "-", "--no-progress"]).await;
    assert_eq!(base.code, Some(4), "{}", base.stderr);
    let doc: serde_json::Value = serde_json::from_str(&base.stdout).expect("stdout is exactly one JSON document");
    assert_eq!(doc["run"]["complete"], false);
    assert!(doc["assets"].as_array().is_some_and(|a| a.len() > 10));
    assert!(fired(&doc, "classification.declared_below_inherited").contains(&model), "a high finding to fail on");
    assert!(fired(&doc, "register.unregistered").is_empty(), "no register given: the rule is off");
    let severities: BTreeSet<&str> =
        doc["findings"].as_array().into_iter().flatten().filter_map(|f| f["severity"].as_str()).collect();
    assert!(!severities.contains("critical"), "{severities:?}");

    // `--fail-on`: 5 when a finding is at or above it, even though the scan is partial (5 over 4);
    // otherwise the partial scan's 4.
    let out = org.path("inv.json");
    let high = org.scan("", &["--out", &out, "--fail-on", "high"]).await;
    assert_eq!(high.code, Some(5), "{}", high.stderr);
    let critical = org.scan("", &["--out", &out, "--fail-on", "critical"]).await;
    assert_eq!(critical.code, Some(4), "{}", critical.stderr);

    // An output that cannot be written: exit 1, one error line naming it, nothing written.
    let unwritable = org.path("no-such-dir/inv.json");
    let bad = org.scan("", &["--out", &unwritable]).await;
    assert_eq!(bad.code, Some(1), "{}", bad.stderr);
    let errors: Vec<&str> = bad.stderr.lines().filter(|l| l.contains("error")).collect();
    assert_eq!(errors.len(), 1, "{}", bad.stderr);
    assert!(errors[0].contains("no-such-dir"), "{}", bad.stderr);
    assert!(!std::path::Path::new(&unwritable).exists());

    // `--register`: the listed model is sanctioned; the other AI assets are not.
    let register = write(org.dir.path(), "register.csv", &format!("id,owner\n{model},claims-ml\n"));
    let reg = org.scan("", &["--out", &out, "--register", &register.display().to_string()]).await;
    assert_eq!(reg.code, Some(4), "{}", reg.stderr);
    let with_register = read_json(std::path::Path::new(&out));
    let unregistered = fired(&with_register, "register.unregistered");
    assert!(!unregistered.is_empty() && !unregistered.contains(&model), "{unregistered:?}");

    // `policy_file`: the one high rule turned off there → nothing at `high`, the partial 4; a
    // rule re-severitied there to critical → 5 at `critical`.
    let highs: BTreeSet<&str> = doc["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| matches!(f["severity"].as_str(), Some("high" | "critical")))
        .filter_map(|f| f["rule_id"].as_str())
        .collect();
    assert_eq!(highs, BTreeSet::from(["classification.declared_below_inherited"]));
    let policy =
        |name: &str, text: &str| format!("policy_file = {:?}", write(org.dir.path(), name, text).display().to_string());
    let off = policy("off.toml", "[rules.\"classification.declared_below_inherited\"]\nenabled = false\n");
    let run = org.scan(&off, &["--out", &out, "--fail-on", "high"]).await;
    assert_eq!(run.code, Some(4), "{}", run.stderr);
    assert!(fired(&read_json(std::path::Path::new(&out)), "classification.declared_below_inherited").is_empty());
    let louder = policy("louder.toml", "[rules.\"tags.missing_required\"]\nseverity = \"critical\"\n");
    let run = org.scan(&louder, &["--out", &out, "--fail-on", "critical"]).await;
    assert_eq!(run.code, Some(5), "{}", run.stderr);
    let doc = read_json(std::path::Path::new(&out));
    assert!(
        doc["findings"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|f| f["rule_id"] == "tags.missing_required" && f["severity"] == "critical")
    );
}
