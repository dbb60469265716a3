//! `aimscope demo`: the built-in estate scanned by the real providers through the loopback
//! server, end to end, as a newcomer runs it. The inventory is checked for what the estate
//! holds: counts by kind, each cloud's lineage and inherited classification, the shadow AI,
//! the denied account and subscription, and no secret value anywhere.

mod support;

use std::collections::BTreeMap;

use support::*;

/// The fake key values the estate plants in environment variables and app settings.
const PLANTED: [&str; 4] = [
    "sk-proj-DEMOnotArealKEY",
    "sk-ant-api03-DEMOnotArealKEY",
    "hf_DEMOnotArealTOKENabcdefghijklmnopq",
    "hf_DEMOnotArealTOKENzyxwvutsrqponmlkj",
];

fn explanation<'a>(doc: &'a serde_json::Value, kind: &str, name: &str) -> (&'a str, &'a str) {
    let a = assets(doc)
        .iter()
        .find(|a| a["kind"] == kind && a["name"] == name)
        .unwrap_or_else(|| panic!("no {kind} {name} in the demo inventory"));
    let ec = &a["effective_classification"];
    (ec["level"].as_str().unwrap_or(""), ec["explanation"].as_str().unwrap_or(""))
}

#[test]
fn demo_scans_the_built_in_estate_and_writes_every_output() {
    let home = workdir();
    let out_dir = home.path().join("aimscope-demo");
    let out_arg = out_dir.display().to_string();
    let res = aimscope(&["demo", "--out", &out_arg], &[], home.path());
    let stdout = String::from_utf8_lossy(&res.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&res.stderr).into_owned();
    assert_eq!(res.status.code(), Some(0), "{stdout}\n{stderr}");
    assert!(
        !stderr.contains("demo estate has no answer"),
        "the estate must answer every call the collectors make:\n{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");

    // Every output is written, and the summary says where the report is.
    for f in ["inventory.json", "inventory.cdx.json", "findings.sarif", "report.html", "report.md"] {
        let p = out_dir.join(f);
        let len = std::fs::metadata(&p).map(|m| m.len()).unwrap_or(0);
        assert!(len > 1000, "{} is missing or nearly empty", p.display());
        assert!(stdout.contains(&format!("wrote {}", p.display())), "{stdout}");
    }
    let report = std::fs::canonicalize(out_dir.join("report.html")).expect("report path");
    assert!(stdout.contains(&format!("Open the AIMS scope report: {}", report.display())), "{stdout}");

    let doc = read_json(&out_dir.join("inventory.json"));
    assert_valid_inventory(&doc, home.path());
    assert_eq!(doc["run"]["complete"], false, "a denied account and subscription make the scan partial");

    // What the estate holds, by cloud and kind.
    let mut counts: BTreeMap<(String, String), usize> = BTreeMap::new();
    for a in assets(&doc) {
        *counts
            .entry((a["cloud"].as_str().unwrap_or("").into(), a["kind"].as_str().unwrap_or("").into()))
            .or_default() += 1;
    }
    let n = |cloud: &str, kind: &str| counts.get(&(cloud.to_owned(), kind.to_owned())).copied().unwrap_or(0);
    for (cloud, kind, want) in [
        ("aws", "model", 2),
        ("aws", "custom_model", 1),
        ("aws", "endpoint", 1),
        ("aws", "training_job", 1),
        ("aws", "agent", 1),
        ("aws", "knowledge_base", 1),
        ("aws", "bucket", 4),
        ("aws", "third_party_api_usage", 2),
        ("azure", "model", 1),
        ("azure", "endpoint", 1),
        ("azure", "deployment", 3),
        ("azure", "ai_service_account", 2),
        ("azure", "third_party_api_usage", 3),
        ("gcp", "model", 3), // underwriting-risk versions 2 and 3, uw-evidence-gemini
        ("gcp", "endpoint", 2),
        ("gcp", "dataset", 1),
        ("gcp", "agent", 1),
        ("gcp", "third_party_api_usage", 3),
    ] {
        assert_eq!(n(cloud, kind), want, "{cloud} {kind}: {counts:?}");
    }

    // Classification inheritance through each cloud's references as the vendors write them:
    // SageMaker artifacts, Azure ML long-form azureml:// URIs and ARM ids, Vertex AI names with
    // project numbers.
    assert_eq!(
        explanation(&doc, "endpoint", "claims-risk"),
        (
            "restricted",
            "endpoint claims-risk ← endpoint config claims-risk-config ← model claims-risk-v3 ← training job claims-risk-train ← bucket northwind-claims-pii [restricted]"
        )
    );
    assert_eq!(
        explanation(&doc, "endpoint", "fraud-scoring"),
        (
            "restricted",
            "endpoint fraud-scoring ← deployment green ← model fraud-detector:2 ← training job fraud-train-20251006 ← dataset fraud-transactions:2 ← datastore fraudstore ← bucket nwfraudpii [restricted]"
        )
    );
    assert_eq!(
        explanation(&doc, "endpoint", "underwriting-risk-online"),
        (
            "restricted",
            "endpoint underwriting-risk-online ← model underwriting-risk ← training job underwriting-risk-train ← dataset applicant-health-2025 [restricted]"
        )
    );
    assert_eq!(explanation(&doc, "custom_model", "support-llm").0, "confidential");
    assert_eq!(explanation(&doc, "agent", "policy-helper").0, "internal");

    // Shadow AI: the sandbox account, the innovation subscription and the marketing project are
    // outside the declared scope.
    let findings = doc["findings"].as_array().expect("findings");
    let fired = |rule: &str, id_part: &str| {
        findings.iter().any(|f| f["rule_id"] == rule && f["asset_id"].as_str().is_some_and(|id| id.contains(id_part)))
    };
    assert!(fired("scope.outside_aims", "function:ticket-summariser"));
    assert!(fired("scope.outside_aims", "sites/lab-chat"));
    assert!(fired("scope.outside_aims", "functions/campaign-copy"));
    assert!(fired("third_party.unapproved_provider", "sites/lab-chat/ai-api/anthropic"));
    assert!(fired("residency.outside_allowed_regions", "custom-model/"), "confidential tuning data in us-east-1");
    assert!(!fired("scope.outside_aims", "claims-risk"), "the production account is in scope");

    // What could not be seen is said, never shown as empty: the AWS account whose role refuses
    // AssumeRole, and the Azure subscription the identity may not read. Nothing else failed.
    let cov = doc["coverage"].as_array().expect("coverage");
    let gap = |cloud: &str, account: &str| {
        cov.iter()
            .filter(|c| c["cloud"] == cloud && c["account"] == account && c["status"] != "complete")
            .map(|c| c["status"].as_str().unwrap_or("").to_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(gap("aws", "444444444444"), ["denied"]);
    let azure = gap("azure", "8b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e");
    assert!(!azure.is_empty() && azure.iter().all(|s| s == "denied"), "{azure:?}");
    let others: Vec<&serde_json::Value> =
        cov.iter().filter(|c| !matches!(c["status"].as_str(), Some("complete" | "not_enabled" | "denied"))).collect();
    assert!(others.is_empty(), "unexpected gaps: {others:?}");

    // The summary table a person reads.
    assert!(stdout.contains("shadow AI"), "{stdout}");
    assert!(stdout.contains("denied — could not look"), "{stdout}");
    let model_row = stdout.lines().find(|l| l.trim_start().starts_with("model ")).expect("model row");
    assert_eq!(model_row.split_whitespace().collect::<Vec<_>>(), ["model", "2", "1", "3", "6"]);

    // The scope report is filled from the estate.
    let html = std::fs::read_to_string(&report).expect("report");
    for s in [
        "Northwind AI Management System",
        "claims-triage",
        "fraud-detection",
        "underwriting-risk",
        "Statement of Applicability",
        "444444444444",
    ] {
        assert!(html.contains(s), "the report lacks {s}");
    }

    // A person opens it in a browser: headless Chromium renders it to a PNG and a PDF.
    let shots = workdir();
    let (png, _pdf) = render_in_chromium(&report, shots.path());
    // `scripts/screenshot.sh` keeps the picture for the README.
    if let Ok(keep) = std::env::var("AIMSCOPE_KEEP_REPORT") {
        std::fs::create_dir_all(&keep).expect("keep dir");
        std::fs::copy(&png, std::path::Path::new(&keep).join("report.png")).expect("keep the screenshot");
    }

    // No planted value anywhere: outputs, stdout, stderr.
    for f in std::fs::read_dir(&out_dir).expect("out dir").flatten() {
        let text = std::fs::read_to_string(f.path()).unwrap_or_default();
        for p in PLANTED {
            assert!(!text.contains(p), "{} leaks {p}", f.path().display());
        }
    }
    for p in PLANTED {
        assert!(!stdout.contains(p) && !stderr.contains(p), "the terminal output leaks {p}");
    }
}

#[test]
fn demo_reports_an_output_directory_it_cannot_create() {
    let home = workdir();
    let blocker = write(home.path(), "not-a-dir", "x");
    let target = blocker.join("sub").display().to_string();
    let res = aimscope(&["demo", "--out", &target], &[], home.path());
    let stderr = String::from_utf8_lossy(&res.stderr).into_owned();
    assert_eq!(res.status.code(), Some(1), "{stderr}");
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 1, "one line: {stderr}");
    assert!(lines[0].starts_with("error: demo: cannot create"), "{stderr}");
}
