//! The AIMS scope report on a real multi-cloud scan (AWS through moto, Azure through the ARM
//! stand-in): written by `scan --report` and by `aimscope report` alike, every section filled
//! from the scan, parsed by a strict HTML5 parser (html5lib), free of external references and
//! planted secrets, and rendered by headless Chromium to PNG and PDF.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use support::*;

struct Scanned {
    dir: tempfile::TempDir,
    cfg: PathBuf,
    inv: PathBuf,
    html: PathBuf,
    planted: Vec<String>,
    stderr: String,
}

async fn scan_with_report() -> Scanned {
    let moto = Moto::start();
    let estate = moto.seed("seed_moto.py");
    let prod = estate["members"][0].as_str().expect("prod").to_owned();
    let azure = azure::estate().await;
    let dir = workdir();
    stub_az(dir.path());
    let extra = format!(
        "[report]\norganisation = \"Example Insurance plc\"\naims_name = \"Claims AI management system\"\n\
         [policy]\nscope_accounts = [\"{prod}\", \"11111111-1111-1111-1111-111111111111\"]\n\
         approved_providers = [\"openai\"]\n"
    );
    let cfg = write(dir.path(), "aimscope.toml", &moto_azure_config(&prod, &azure::config(&azure), &extra));
    let inv = dir.path().join("inventory.json");
    let html = dir.path().join("scope.html");
    let env = moto_env(&moto);
    let res = aimscope_async(
        args(&["scan", "--provider", "aws,azure", "--config"])
            .into_iter()
            .chain([cfg.display().to_string(), "--out".into(), inv.display().to_string()])
            .chain(["--report".into(), html.display().to_string()])
            .collect(),
        env,
        dir.path().to_owned(),
    )
    .await;
    let stderr = String::from_utf8_lossy(&res.stderr).into_owned();
    // 4: the locked Azure subscription is denied (the report must show it as an exclusion).
    assert_eq!(res.status.code(), Some(4), "{stderr}");
    let planted = planted_values(&estate);
    Scanned { dir, cfg, inv, html, planted, stderr }
}

fn report(s: &Scanned, extra: &[&str]) -> (String, String) {
    let mut a = vec!["report".to_owned(), s.inv.display().to_string(), "--config".into(), s.cfg.display().to_string()];
    a.extend(extra.iter().map(|x| x.to_string()));
    let a: Vec<&str> = a.iter().map(String::as_str).collect();
    let out = aimscope(&a, &[], s.dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    (String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}

/// Every `href` is an in-document anchor, and nothing else can make a browser fetch.
fn assert_self_contained(html: &str) {
    for (i, _) in html.match_indices("href=\"") {
        let rest = &html[i + 6..];
        assert!(rest.starts_with('#'), "external link: {}", &rest[..rest.len().min(80)]);
    }
    for needle in ["<script", "<link", "<img", "<iframe", "<object", "src=", "@import", "srcset"] {
        assert!(!html.to_ascii_lowercase().contains(needle), "report contains `{needle}`");
    }
    for (i, _) in html.match_indices("url(") {
        assert!(html[i + 4..].starts_with('#'), "CSS url() to an outside resource");
    }
}

fn html5lib_strict(path: &Path) {
    let check = Command::new(python())
        .args([
            "-c",
            "import sys, html5lib\n\
             p = html5lib.HTMLParser(strict=True)\n\
             p.parse(open(sys.argv[1], 'rb').read())\n\
             print(len(p.errors))",
        ])
        .arg(path)
        .output()
        .expect("run html5lib (scripts/test.sh installs it)");
    assert!(check.status.success(), "HTML5 parse errors: {}", String::from_utf8_lossy(&check.stderr));
}

#[tokio::test(flavor = "multi_thread")]
async fn scope_report_of_a_multi_cloud_scan() {
    let s = scan_with_report().await;
    let html = std::fs::read_to_string(&s.html).unwrap_or_else(|e| panic!("no report ({e}):\n{}", s.stderr));
    let doc = read_json(&s.inv);

    // `aimscope report` on the written inventory gives the same document as `scan --report`
    // (same inventory bytes, so the same SHA-256 in document control).
    let (again, _) = report(&s, &["--format", "html"]);
    assert_eq!(again, html, "scan --report and aimscope report differ");
    let sha = {
        use sha2::Digest;
        let d = sha2::Sha256::digest(std::fs::read(&s.inv).expect("inventory bytes"));
        d.iter().map(|b| format!("{b:02x}")).collect::<String>()
    };
    assert!(html.contains(&sha), "document control names the inventory's SHA-256");
    assert!(html.contains(doc["run"]["id"].as_str().expect("run id")), "version = run id");
    assert!(html.contains("Example Insurance plc") && html.contains("Claims AI management system"));

    // Every section, in order.
    let mut at = 0;
    for id in [
        "control",
        "scope",
        "parties",
        "register",
        "data",
        "lineage",
        "third-party",
        "findings",
        "soa",
        "raci",
        "coverage",
    ] {
        let pos = html.find(&format!("<h2 id=\"{id}\">")).unwrap_or_else(|| panic!("section {id} missing"));
        assert!(pos > at, "section {id} out of order");
        at = pos;
    }
    let section = |id: &str| -> &str {
        let start = html.find(&format!("<h2 id=\"{id}\">")).expect("section");
        let end = html[start + 5..].find("<h2 ").map(|e| start + 5 + e).unwrap_or(html.len());
        &html[start..end]
    };

    // Register: one row per asset, each with its anchor; findings link to register rows.
    let n_assets = assets(&doc).len();
    assert_eq!(section("register").matches("<tr id=\"a-").count(), n_assets);
    for (i, _) in html.match_indices("href=\"#a-") {
        let anchor = &html[i + 7..i + 7 + 14];
        assert!(html.contains(&format!("id=\"{anchor}\"")), "dangling link #{anchor}");
    }
    // The Azure model inherits `restricted` from its training data, with the path.
    assert!(section("register").contains("restricted"), "inherited classification shown");
    assert!(section("register").contains("←"), "the path that explains it");
    // Lineage is drawn: one SVG per AI system with nodes.
    let lineage = section("lineage");
    assert!(lineage.matches("<svg").count() >= 1 && lineage.contains("<rect"), "lineage diagram");
    // Third-party AI: the OpenAI key names and the Anthropic / Hugging Face ones, approval shown.
    let tp = section("third-party");
    assert!(tp.contains("OpenAI") && tp.contains("approved"), "{tp}");
    assert!(tp.contains("NOT approved"), "a provider outside approved_providers is flagged");
    // Findings collapsed per rule, with Annex A controls.
    let findings = section("findings");
    assert_eq!(findings.matches("<details>").count(), {
        let mut rules: Vec<&str> =
            doc["findings"].as_array().expect("findings").iter().filter_map(|f| f["rule_id"].as_str()).collect();
        rules.sort_unstable();
        rules.dedup();
        rules.len()
    });
    // SoA: all 38 Annex A controls; some with evidence, the rest manual.
    let soa = section("soa");
    assert_eq!(soa.matches("<tr>").count(), 38 + 1, "38 controls + header");
    assert!(soa.contains("manual") && soa.contains("A.7.2"));
    // Exclusions: the denied Azure subscription is "not seen", never "nothing there".
    let scope = section("scope");
    assert!(scope.contains("Not seen"), "coverage gaps listed as exclusions");
    assert!(
        section("coverage").contains("44444444-4444-4444-4444-444444444444") && section("coverage").contains("denied")
    );
    // The dev / other AWS account assets outside scope_accounts are shadow AI... only the
    // scanned accounts are in the inventory, so the other Azure subscription's AI is.
    assert!(scope.contains("Shadow AI"), "AI outside scope_accounts listed");
    // RACI: systems without an accountable owner are flagged.
    assert!(section("raci").contains("no accountable owner"));

    assert_self_contained(&html);
    html5lib_strict(&s.html);
    for p in &s.planted {
        assert!(!html.contains(p.as_str()), "planted value {}… in the report", &p[..8]);
    }

    // Markdown: the same sections, for wikis and git.
    let md_path = s.dir.path().join("scope.md");
    let (_, err) = report(&s, &["--out", &md_path.display().to_string()]);
    assert!(err.contains("report written"), "{err}");
    let md = std::fs::read_to_string(&md_path).expect("markdown report");
    for title in [
        "1. Document control",
        "2. Scope statement",
        "4. AI system register",
        "9. Statement of Applicability",
        "11. Coverage appendix",
    ] {
        assert!(md.contains(title), "markdown lacks {title}");
    }
    assert!(md.contains("44444444-4444-4444-4444-444444444444"));
    assert!(!md.contains("<svg"), "no SVG in Markdown: the lineage is a list of edges");
    for p in &s.planted {
        assert!(!md.contains(p.as_str()));
    }

    // Headless Chromium renders it: a PNG screenshot and a PDF (what "print to PDF" gives).
    let (png, pdf) = render_in_chromium(&s.html, s.dir.path());
    // `scripts/screenshot.sh` keeps these for the README.
    if let Ok(keep) = std::env::var("AIMSCOPE_KEEP_REPORT") {
        let keep = PathBuf::from(keep);
        std::fs::create_dir_all(&keep).expect("keep dir");
        for f in [&s.html, &md_path, &png, &pdf, &s.inv] {
            std::fs::copy(f, keep.join(f.file_name().expect("name"))).expect("keep");
        }
    }
}

#[test]
fn report_rejects_what_is_not_an_inventory() {
    let dir = workdir();
    let bad = write(dir.path(), "bad.json", "{\"not\": \"an inventory\"}");
    let out = aimscope(&["report", &bad.display().to_string()], &[], dir.path());
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "one line: {err}");
    assert!(err.contains("is not an aimscope inventory"), "{err}");
    let missing = aimscope(&["report", &dir.path().join("nope.json").display().to_string()], &[], dir.path());
    assert_eq!(missing.status.code(), Some(2));
}

/// The Markdown report of a small analysed inventory (fixtures/report), compared with the
/// committed golden file. `AIMSCOPE_BLESS=1` rewrites the golden file after a deliberate change.
#[test]
fn markdown_report_matches_the_golden_file() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/report");
    let dir = workdir();
    let out = aimscope(
        &[
            "report",
            &root.join("inventory.json").display().to_string(),
            "--config",
            &root.join("aimscope.toml").display().to_string(),
            "--format",
            "markdown",
        ],
        &[],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let md = String::from_utf8(out.stdout).expect("utf-8");
    let golden = root.join("scope.md");
    if std::env::var_os("AIMSCOPE_BLESS").is_some() {
        std::fs::write(&golden, &md).expect("bless");
    }
    let want = std::fs::read_to_string(&golden).expect("golden file (AIMSCOPE_BLESS=1 writes it)");
    assert!(
        md == want,
        "the report differs from fixtures/report/scope.md (AIMSCOPE_BLESS=1 after a deliberate change)"
    );

    // What the golden file must say, whatever its layout: the restricted model's path, the
    // denied account as an exclusion, the agent outside the declared regions as shadow AI, the
    // unapproved provider receiving data, and the roles with their reasons.
    for needle in [
        "model claims-triage-v3 ← training job claims-triage-2026-11-02 ← bucket acme-claims-pii \\[restricted\\]",
        "**Not seen (1).**",
        "| aws 444455556666 | `sts.assume_role` | denied |",
        "**Shadow AI (1).**",
        "[claims-helpdesk](#",
        "**AI producer**: training / fine-tuning jobs claims-triage-2026-11-02",
        "**AI customer (user)**",
        "anthropic.claude-3-5-sonnet-20240620-v1:0",
        "| **OpenAI** |",
        "NOT approved",
        "| **AIS-7** | Triage of motor insurance claims |",
        "| **AIS-7** | claims-ml | jane.doe@example.com |",
    ] {
        assert!(md.contains(needle), "report lacks {needle:?}:\n{md}");
    }
}
