//! Machine-readable formats on a real multi-cloud scan (AWS through moto, Azure through the ARM
//! stand-in): CycloneDX 1.6 validated by the CycloneDX project's own validator
//! (cyclonedx-python-lib, strict JSON validation), SARIF 2.1.0 structure, and no planted secret
//! in either.

mod support;

use std::process::Command;

use support::*;

/// Scans the moto + Azure estate `runs` times (the same estate, so the same ids) in `format`.
async fn multi_cloud_scans(
    format: &str,
    file: &str,
    runs: usize,
) -> (Vec<serde_json::Value>, String, serde_json::Value) {
    let moto = Moto::start();
    let estate = moto.seed("seed_moto.py");
    let prod = estate["members"][0].as_str().expect("prod").to_owned();
    let azure = azure::estate().await;
    let dir = workdir();
    stub_az(dir.path());
    let cfg = write(dir.path(), "aimscope.toml", &moto_azure_config(&prod, &azure::config(&azure), ""));
    let out = dir.path().join(file);
    let mut env = moto_env(&moto);
    env.push(("RUST_LOG", "debug".into()));
    let args: Vec<String> = ["scan", "--provider", "aws,azure", "--format", format, "--config"]
        .iter()
        .map(|s| s.to_string())
        .chain([cfg.display().to_string(), "--out".into(), out.display().to_string()])
        .collect();
    let (mut docs, mut stderr) = (Vec::new(), String::new());
    for _ in 0..runs {
        let _ = std::fs::remove_file(&out);
        let res = aimscope_async(args.clone(), env.clone(), dir.path().to_owned()).await;
        stderr = String::from_utf8_lossy(&res.stderr).into_owned();
        // 4: moto does not answer the Bedrock control plane and a few SageMaker listings (the
        // gaps are asserted by aws_moto.rs); the formats are written all the same.
        assert_eq!(res.status.code(), Some(4), "{stderr}");
        let text = std::fs::read_to_string(&out).unwrap_or_else(|e| panic!("no output ({e}):\n{stderr}"));
        if format == "cyclonedx" {
            validate_cyclonedx(&out);
        }
        for p in &planted_values(&estate) {
            assert!(!text.contains(p.as_str()) && !stderr.contains(p.as_str()), "planted value {}… escaped", &p[..8]);
        }
        docs.push(serde_json::from_str(&text).expect("json"));
    }
    (docs, stderr, estate)
}

/// The CycloneDX project's validator, strict JSON Schema validation for 1.6.
fn validate_cyclonedx(out: &std::path::Path) {
    let check = Command::new(python())
        .args([
            "-c",
            "import sys\nfrom cyclonedx.schema import SchemaVersion\nfrom cyclonedx.validation.json import JsonStrictValidator\n\
             err = JsonStrictValidator(SchemaVersion.V1_6).validate_str(open(sys.argv[1]).read())\n\
             print(err if err is None else repr(err.data)[:2000])\nsys.exit(1 if err else 0)",
        ])
        .arg(out)
        .output()
        .expect("run the CycloneDX validator (scripts/test.sh installs cyclonedx-python-lib)");
    assert!(
        check.status.success(),
        "CycloneDX validation failed: {}{}",
        String::from_utf8_lossy(&check.stdout),
        String::from_utf8_lossy(&check.stderr)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn cyclonedx_ml_bom_of_a_multi_cloud_scan_validates() {
    let (mut docs, stderr, _) = multi_cloud_scans("cyclonedx", "bom.cdx.json", 1).await;
    let bom = docs.remove(0);
    assert_eq!(bom["specVersion"], "1.6", "{stderr}");
    let components = bom["components"].as_array().expect("components");
    let find = |f: &dyn Fn(&serde_json::Value) -> bool| components.iter().find(|c| f(c)).cloned();
    // An AWS model with its training data by reference, classified.
    let model = find(&|c| c["type"] == "machine-learning-model" && c["name"] == "claims-v3").expect("aws model");
    let datasets = model["modelCard"]["modelParameters"]["datasets"].as_array().expect("datasets");
    assert!(datasets.iter().any(|d| d["ref"] == "arn:aws:s3:::claims-pii"), "{model}");
    // Training data only (the job's two input channels), not the bucket the model's artifacts
    // are stored in (claims-models).
    let refs: std::collections::BTreeSet<&str> = datasets.iter().filter_map(|d| d["ref"].as_str()).collect();
    assert_eq!(refs, ["arn:aws:s3:::claims-pii", "arn:aws:s3:::untagged-raw"].into_iter().collect(), "{datasets:?}");
    let bucket = find(&|c| c["bom-ref"] == "arn:aws:s3:::claims-pii").expect("bucket");
    assert_eq!(bucket["type"], "data");
    assert_eq!(bucket["data"][0]["classification"], "restricted");
    assert_eq!(bucket["data"][0]["governance"]["owners"][0]["contact"]["name"], "claims-data");
    // An Azure model next to it: one BOM for both clouds.
    assert!(find(&|c| c["type"] == "machine-learning-model" && c["name"] == "claims-model:3").is_some());
    let services = bom["services"].as_array().expect("services");
    let openai = services.iter().find(|s| s["provider"]["name"] == "OpenAI").expect("outside API service");
    assert_eq!(openai["trustZone"], "external");
    let endpoint = services.iter().find(|s| s["name"] == "claims-online").expect("azure endpoint");
    assert_eq!(endpoint["data"][0]["classification"], "restricted");
    // Training jobs are formulation workflows; lineage is in dependencies.
    let workflows = bom["formulation"][0]["workflows"].as_array().expect("workflows");
    assert!(workflows.iter().any(|w| w["name"] == "claims-train"));
    let deps = bom["dependencies"].as_array().expect("dependencies");
    let model_deps = deps.iter().find(|d| d["ref"] == model["bom-ref"]).expect("model dependencies");
    assert!(model_deps["dependsOn"].as_array().is_some_and(|d| d.iter().any(|x| x == "arn:aws:s3:::claims-pii")));
}

#[tokio::test(flavor = "multi_thread")]
async fn sarif_findings_have_rules_locations_and_stable_fingerprints() {
    let (docs, _, _) = multi_cloud_scans("sarif", "findings.sarif", 2).await;
    let (sarif, again) = (&docs[0], &docs[1]);
    let run = &sarif["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().expect("rules");
    let results = run["results"].as_array().expect("results");
    assert!(!results.is_empty());
    for r in results {
        let idx = r["ruleIndex"].as_u64().expect("rule index") as usize;
        assert_eq!(rules[idx]["id"], r["ruleId"]);
        assert!(["error", "warning", "note"].contains(&r["level"].as_str().unwrap_or("")));
        assert!(r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"].is_string());
    }
    let public = results.iter().find(|r| r["ruleId"] == "network.public_access").expect("public access finding");
    assert!(rules.iter().any(|r| r["id"] == "network.public_access"
        && r["properties"]["tags"].as_array().is_some_and(|t| t.iter().any(|x| x == "ISO/IEC 42001 A.4.5"))));
    // Every result has a non-empty fingerprint, distinct per (rule, asset), and the same across
    // two scans of the same estate.
    let prints = |doc: &serde_json::Value| -> std::collections::BTreeMap<(String, String), String> {
        let mut seen = std::collections::BTreeMap::new();
        for r in doc["runs"][0]["results"].as_array().into_iter().flatten() {
            let fps = r["partialFingerprints"].as_object().expect("partialFingerprints object");
            assert!(!fps.is_empty(), "no fingerprint: {r}");
            let fp = serde_json::to_string(fps).expect("fingerprint");
            assert!(fps.values().all(|v| v.as_str().is_some_and(|s| !s.trim().is_empty())), "empty fingerprint: {r}");
            let key = (
                r["ruleId"].as_str().unwrap_or_default().to_owned(),
                r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"].as_str().unwrap_or_default().to_owned(),
            );
            assert!(seen.insert(key.clone(), fp).is_none(), "two results for {key:?}");
        }
        seen
    };
    let (first, second) = (prints(sarif), prints(again));
    let distinct: std::collections::BTreeSet<&String> = first.values().collect();
    assert_eq!(distinct.len(), first.len(), "fingerprints are distinct per (rule, asset)");
    assert_eq!(first, second, "the same findings have the same fingerprints across scans");
    assert!(first.keys().any(|(rule, _)| rule == "network.public_access"), "{public}");
}
