//! The skeleton every provider plugs into: runner outcomes, exit codes, file output, config
//! errors, and the CLI on a machine with no cloud credentials.

mod support;

use std::path::Path;
use std::time::Duration;

use aimscope::app::{Exit, exit_code};
use aimscope::config::Format;
use aimscope::runner::{self, NoProgress, RunnerOptions};
use aimscope::sink::{FileSink, Sink};
use aimscope_core::{CoverageStatus, Inventory, Provider, ToolInfo};
use support::fakes::*;
use support::*;

fn opts() -> RunnerOptions {
    RunnerOptions {
        concurrency: 4,
        per_scope_concurrency: 2,
        collector_timeout: Duration::from_millis(300),
        shard: None,
        stop: None,
    }
}

fn inventory(collected: runner::Collected) -> Inventory {
    let tool = ToolInfo { name: "aimscope".into(), version: "test".into() };
    Inventory::new(tool, "run-1", chrono::Utc::now(), vec![], collected.assets, collected.coverage)
}

#[tokio::test]
async fn every_failure_becomes_coverage_and_the_scan_completes() {
    let providers: Vec<Box<dyn Provider>> = vec![
        Box::new(FakeProvider {
            accounts: vec!["111".into(), "222".into()],
            collectors: MIXED,
            deny_account: Some("333".into()),
        }),
        Box::new(Unconfigured),
    ];
    let collected = runner::run(&providers, &opts(), &NoProgress).await;
    let status = |acct: &str, col: &str| {
        collected
            .coverage
            .iter()
            .find(|c| c.account.as_deref() == Some(acct) && c.collector == col)
            .map(|c| (c.status, c.assets, c.error.clone()))
            .unwrap_or_else(|| panic!("no coverage for {acct}/{col}"))
    };
    for acct in ["111", "222"] {
        assert_eq!(status(acct, "fake.works").0, CoverageStatus::Complete);
        assert_eq!(status(acct, "fake.works").1, 2);
        let (st, n, err) = status(acct, "fake.fails");
        assert_eq!((st, n), (CoverageStatus::Failed, 1), "assets before the error are kept and counted");
        assert!(err.unwrap_or_default().contains("malformed"));
        assert_eq!(status(acct, "fake.slow").0, CoverageStatus::TimedOut);
        assert_eq!(status(acct, "fake.denied").0, CoverageStatus::Denied);
        let (st, _, err) = status(acct, "fake.panics");
        assert_eq!(st, CoverageStatus::Failed);
        assert!(err.unwrap_or_default().contains("panicked"));
        assert_eq!(status(acct, "fake.not_here").0, CoverageStatus::NotEnabled);
    }
    assert_eq!(status("333", "fake.enter").0, CoverageStatus::Denied);
    let skipped = collected.coverage.iter().find(|c| c.cloud == aimscope_core::Cloud::Gcp).expect("gcp record");
    assert_eq!(skipped.status, CoverageStatus::Skipped);
    assert_eq!(skipped.error.as_deref(), Some("no credentials"));
    // 2 accounts × (2 from works + 1 before the failure).
    assert_eq!(collected.assets.len(), 6);

    let inv = inventory(collected);
    assert_eq!(exit_code(&inv, None), Exit::Partial);
    assert_eq!(exit_code(&inv, None) as u8, 4);
}

#[tokio::test]
async fn a_clean_scan_exits_zero_and_findings_gate_with_five() {
    let providers: Vec<Box<dyn Provider>> =
        vec![Box::new(FakeProvider { accounts: vec!["111".into()], collectors: GOOD, deny_account: None })];
    let mut inv = inventory(runner::run(&providers, &opts(), &NoProgress).await);
    assert!(inv.run.complete);
    assert_eq!(exit_code(&inv, None), Exit::Ok);
    aimscope::analysis::analyze(&mut inv, &Default::default(), &Default::default(), &Default::default(), None);
    // The fake models carry no tags: `tags.missing_required` (low) fires.
    assert!(inv.findings.iter().any(|f| f.rule_id == "tags.missing_required"));
    assert_eq!(exit_code(&inv, Some(aimscope_core::Severity::Low)), Exit::Findings);
    assert_eq!(exit_code(&inv, Some(aimscope_core::Severity::Critical)), Exit::Ok);
}

#[tokio::test]
async fn file_sink_writes_every_format_atomically() {
    let providers: Vec<Box<dyn Provider>> =
        vec![Box::new(FakeProvider { accounts: vec!["111".into()], collectors: MIXED, deny_account: None })];
    let mut inv = inventory(runner::run(&providers, &opts(), &NoProgress).await);
    aimscope::analysis::analyze(&mut inv, &Default::default(), &Default::default(), &Default::default(), None);
    let dir = workdir();
    let formats = [
        (Format::Json, "i.json"),
        (Format::Jsonl, "i.jsonl"),
        (Format::Csv, "i.csv"),
        (Format::Cyclonedx, "i.cdx.json"),
        (Format::Sarif, "i.sarif"),
        (Format::Servicenow, "i.snow.json"),
    ];
    for (format, name) in formats {
        let path = dir.path().join(name);
        std::fs::write(&path, "previous inventory").expect("seed old file");
        let sink = FileSink { path: Some(path.clone()), format, create_dir: false, delta: None };
        sink.healthcheck().await.expect("healthy");
        sink.write(&inv).await.expect("write");
        let text = std::fs::read_to_string(&path).expect("read back");
        match format {
            Format::Json => {
                let doc: serde_json::Value = serde_json::from_str(&text).expect("json");
                assert_valid_inventory(&doc, dir.path());
                assert_eq!(doc["assets"].as_array().map(Vec::len), Some(3));
            }
            Format::Jsonl => {
                let types: Vec<String> = text
                    .lines()
                    .map(|l| {
                        serde_json::from_str::<serde_json::Value>(l).expect("line")["type"]
                            .as_str()
                            .unwrap_or("")
                            .to_owned()
                    })
                    .collect();
                assert_eq!(types[0], "run");
                assert_eq!(types.iter().filter(|t| *t == "asset").count(), 3);
                assert_eq!(types.iter().filter(|t| *t == "coverage").count(), 6);
            }
            Format::Csv => {
                let mut rdr = csv::Reader::from_reader(text.as_bytes());
                assert_eq!(rdr.headers().expect("header").get(0), Some("id"));
                assert_eq!(rdr.records().count(), 3);
            }
            Format::Cyclonedx => {
                let bom: serde_json::Value = serde_json::from_str(&text).expect("json");
                assert_eq!(bom["bomFormat"], "CycloneDX");
                assert_eq!(bom["components"].as_array().map(Vec::len), Some(3));
            }
            Format::Servicenow => {
                let p: serde_json::Value = serde_json::from_str(&text).expect("json");
                // The fake models are AI function CIs keyed by their cloud id.
                assert_eq!(p["items"].as_array().map(Vec::len), Some(3));
                assert_eq!(p["items"][0]["className"], "cmdb_ci_function_ai");
                assert!(p["items"][0]["values"]["object_id"].as_str().is_some_and(|s| s.starts_with("fake:")));
            }
            Format::Sarif => {
                let sarif: serde_json::Value = serde_json::from_str(&text).expect("json");
                assert_eq!(sarif["version"], "2.1.0");
                assert_eq!(sarif["runs"][0]["results"].as_array().map(Vec::len), Some(inv.findings.len()));
            }
            Format::Html | Format::Markdown => unreachable!("the report has its own sink and test"),
        }
    }
    // No temp files are left beside the outputs.
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .expect("dir")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 6, "{names:?}");

    let bad = FileSink {
        path: Some(dir.path().join("missing-dir/out.json")),
        format: Format::Json,
        create_dir: false,
        delta: None,
    };
    assert!(bad.healthcheck().await.is_err(), "an unwritable target fails before the scan");
}

#[test]
fn scan_without_credentials_explains_and_exits_4() {
    let dir = workdir();
    let out = dir.path().join("inv.json");
    let res =
        aimscope(&["scan", "--provider", "aws,azure,gcp", "--out", out.to_str().unwrap_or_default()], &[], dir.path());
    let stderr = String::from_utf8_lossy(&res.stderr);
    assert_eq!(res.status.code(), Some(4), "{stderr}");
    assert!(stderr.contains("not seen: aws discovery (skipped): no AWS credentials found"), "{stderr}");
    assert!(stderr.contains("not seen: azure discovery (skipped)"), "{stderr}");
    assert!(!stderr.contains("panicked"));
    let doc = read_json(&out);
    assert_eq!(doc["run"]["complete"], false);
    assert_eq!(doc["coverage"].as_array().map(Vec::len), Some(3));
    // `--log-format json`: every stderr line is JSON, the gaps included.
    let o = out.to_str().unwrap_or_default();
    let res = aimscope(&["--log-format", "json", "scan", "--provider", "aws,azure,gcp", "--out", o], &[], dir.path());
    let stderr = String::from_utf8_lossy(&res.stderr);
    assert_eq!(res.status.code(), Some(4), "{stderr}");
    assert!(stderr.contains("not seen: aws discovery (skipped)"), "{stderr}");
    for line in stderr.lines().filter(|l| !l.trim().is_empty()) {
        assert!(serde_json::from_str::<serde_json::Value>(line).is_ok(), "not JSON: {line}");
    }
    // `-q`: nothing but errors; the exit code still says partial.
    let res = aimscope(&["-q", "scan", "--provider", "aws,azure,gcp", "--out", o], &[], dir.path());
    assert_eq!(res.status.code(), Some(4));
    assert!(!String::from_utf8_lossy(&res.stderr).contains("not seen"), "{}", String::from_utf8_lossy(&res.stderr));
    assert_valid_inventory(&doc, dir.path());
}

#[test]
fn config_errors_name_the_key_and_exit_3() {
    let dir = workdir();
    let cfg = write(dir.path(), "bad.toml", "[scan]\nconcurency = 4\n");
    let res = aimscope(&["config", "check", "--config", cfg.to_str().unwrap_or_default()], &[], dir.path());
    assert_eq!(res.status.code(), Some(3));
    let stderr = String::from_utf8_lossy(&res.stderr);
    assert!(stderr.contains("concurency") && stderr.contains("bad.toml"), "{stderr}");

    let res = aimscope(&["scan", "--config", "/nonexistent/aimscope.toml"], &[], dir.path());
    assert_eq!(res.status.code(), Some(3));

    let env = [("AIMSCOPE__SCAN__CONCURRENCY", "zero".to_owned())];
    let res = aimscope(&["config", "check"], &env, dir.path());
    assert_eq!(res.status.code(), Some(3), "an env override is validated like the file");
}

#[test]
fn config_init_writes_a_valid_example_and_usage_errors_exit_2() {
    let dir = workdir();
    let path = dir.path().join("aimscope.toml");
    let res = aimscope(&["config", "init", path.to_str().unwrap_or_default()], &[], dir.path());
    assert_eq!(res.status.code(), Some(0));
    let res = aimscope(&["config", "check", "--config", path.to_str().unwrap_or_default()], &[], dir.path());
    assert_eq!(res.status.code(), Some(0), "{}", String::from_utf8_lossy(&res.stderr));
    let res = aimscope(&["config", "init", path.to_str().unwrap_or_default()], &[], dir.path());
    assert_eq!(res.status.code(), Some(2), "refuses to overwrite without --force");
    let res = aimscope(&["scan", "--provider", "oracle"], &[], dir.path());
    assert_eq!(res.status.code(), Some(2));
    let res = aimscope(&["scan", "--fail-on", "severe"], &[], dir.path());
    assert_eq!(res.status.code(), Some(2));
}

/// Several formats go into a directory, each under its own name (created, like its parents);
/// several formats for one file or stdout are a one-line usage error.
#[test]
fn several_formats_go_into_an_output_directory() {
    let dir = workdir();
    let file = dir.path().join("x.json").display().to_string();
    for a in [
        vec!["scan", "--provider", "aws", "--format", "json,sarif", "--out", &file],
        vec!["scan", "--provider", "aws", "--format", "json,sarif"],
    ] {
        let res = aimscope(&a, &[], dir.path());
        let stderr = String::from_utf8_lossy(&res.stderr);
        assert_eq!(res.status.code(), Some(2), "{a:?}: {stderr}");
        assert_eq!(stderr.trim().lines().count(), 1, "one line: {stderr}");
        assert!(stderr.contains("--out-dir"), "{stderr}");
    }
    let res = aimscope(&["scan", "--out", &file, "--out-dir", "d"], &[], dir.path());
    assert_eq!(res.status.code(), Some(2), "--out and --out-dir conflict");
    assert!(!Path::new(&file).exists());

    let out = dir.path().join("new/sub");
    let res = aimscope(
        &[
            "scan",
            "--provider",
            "aws,azure,gcp",
            "--out-dir",
            out.to_str().unwrap_or_default(),
            "--format",
            "jsonl,csv,cyclonedx,servicenow,markdown,csv",
        ],
        &[],
        dir.path(),
    );
    assert_eq!(res.status.code(), Some(4), "{}", String::from_utf8_lossy(&res.stderr));
    let mut files: Vec<String> = std::fs::read_dir(&out)
        .expect("the directory is created")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    assert_eq!(files, ["inventory.cdx.json", "inventory.csv", "inventory.jsonl", "report.md", "servicenow.json"]);
    let md = std::fs::read_to_string(out.join("report.md")).expect("report");
    assert!(md.contains("# ") && md.contains("Statement of Applicability"), "{md}");
    assert!(md.contains("no AWS credentials found"), "the gap is an exclusion in the report");
    let cdx = read_json(&out.join("inventory.cdx.json"));
    assert_eq!(cdx["bomFormat"], "CycloneDX");
    assert!(std::fs::read_to_string(out.join("inventory.jsonl")).expect("jsonl").starts_with("{\"type\":\"run\""));
}

/// No configuration value may crash the binary (exit 101): hostile durations, sizes and counts
/// are config errors (exit 3) that name the key.
#[test]
fn hostile_config_values_are_config_errors_not_panics() {
    let dir = workdir();
    let cases = [
        ("agent", "jitter", "\"99999999999999999d\""),
        ("agent", "interval", "\"18446744073709551615h\""),
        ("agent", "snapshot_every", "\"99999999999999999999s\""),
        ("agent", "shutdown_grace", "\"3651d\""),
        ("agent", "retention", "\"-1d\""),
        ("scan", "concurrency", "99999999999999999999"),
        ("scan", "per_scope_concurrency", "-1"),
        ("scan", "collector_timeout_secs", "-5"),
        ("aws", "max_attempts", "4294967296"),
        ("webhook", "batch_bytes", "-1"),
        ("servicenow", "batch_items", "1e99"),
    ];
    for (table, key, value) in cases {
        let cfg = write(dir.path(), "hostile.toml", &format!("[{table}]\n{key} = {value}\n"));
        let res = aimscope(&["config", "check", "--config", cfg.to_str().unwrap_or_default()], &[], dir.path());
        let stderr = String::from_utf8_lossy(&res.stderr);
        assert_eq!(res.status.code(), Some(3), "{table}.{key} = {value}: {stderr}");
        assert!(stderr.contains(key), "{table}.{key}: the error names the key: {stderr}");
    }
}

#[test]
fn an_unknown_disabled_collector_is_a_config_error_naming_the_valid_ones() {
    let dir = workdir();
    let cfg = write(dir.path(), "c.toml", "[scan]\ndisabled_collectors = [\"sagemaker.modles\"]\n");
    let res = aimscope(&["config", "check", "--config", cfg.to_str().unwrap_or_default()], &[], dir.path());
    let stderr = String::from_utf8_lossy(&res.stderr);
    assert_eq!(res.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("sagemaker.modles") && stderr.contains("sagemaker.models"), "{stderr}");
    let ok = write(dir.path(), "ok.toml", "[scan]\ndisabled_collectors = [\"sagemaker.models\", \"vertex.models\"]\n");
    let res = aimscope(&["config", "check", "--config", ok.to_str().unwrap_or_default()], &[], dir.path());
    assert_eq!(res.status.code(), Some(0), "{}", String::from_utf8_lossy(&res.stderr));
}

/// `config check` refuses what `scan` would refuse: a plain-http webhook to another host, a
/// ServiceNow instance without credentials in the environment.
#[test]
fn config_check_refuses_what_scan_refuses() {
    let dir = workdir();
    let cases = [
        ("[webhook]\nurl = \"http://hooks.example.com/in\"\n", "https"),
        ("[servicenow]\ninstance_url = \"https://acme.service-now.com\"\n", "no ServiceNow credentials"),
    ];
    for (text, says) in cases {
        let cfg = write(dir.path(), "c.toml", text);
        let c = cfg.to_str().unwrap_or_default();
        let check = aimscope(&["config", "check", "--config", c], &[], dir.path());
        let stderr = String::from_utf8_lossy(&check.stderr);
        assert_eq!(check.status.code(), Some(3), "{text}: {stderr}");
        assert!(stderr.contains(says), "{stderr}");
        let out = dir.path().join("inv.json");
        let scan = aimscope(&["scan", "--config", c, "--out", out.to_str().unwrap_or_default()], &[], dir.path());
        assert_eq!(scan.status.code(), Some(3), "scan refuses it too");
    }
}

/// The document format cannot change under a released version: `aimscope schema` must equal
/// the committed `providers/core/schema/inventory-{SCHEMA_VERSION}.json`. A change needs a
/// version bump and the new file (`AIMSCOPE_BLESS=1` writes it for a version that has none).
#[test]
fn the_schema_changes_only_with_its_version() {
    let dir = workdir();
    let out = aimscope(&["schema"], &[], dir.path());
    assert!(out.status.success());
    let printed: serde_json::Value = serde_json::from_slice(&out.stdout).expect("schema is JSON");
    let version = aimscope_core::SCHEMA_VERSION;
    let path = published_schema_path(version);
    if !path.exists() && std::env::var_os("AIMSCOPE_BLESS").is_some() {
        std::fs::write(&path, &out.stdout).expect("write the new version's schema");
    }
    assert!(path.exists(), "schema {version} is not published: run with AIMSCOPE_BLESS=1 to write {}", path.display());
    assert!(
        printed == published_schema(version),
        "the inventory schema changed but SCHEMA_VERSION is still {version}: bump it (providers/core/src/model.rs) \
         and publish the new schema (AIMSCOPE_BLESS=1)"
    );
}
