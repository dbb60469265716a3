//! SARIF 2.1.0 for findings, so they land in code-scanning dashboards: one rule per policy rule
//! (with its Annex A controls as tags), one result per finding with the asset id as a logical
//! location and a stable `partialFingerprints` entry (rule + asset), so a finding keeps its
//! identity across scans.

use aimscope_core::{Inventory, Severity};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::policy::RULES;

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "note",
    }
}

/// GitHub's `security-severity` scale for code-scanning.
fn security_severity(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
        Severity::Info => "0.0",
    }
}

pub fn render(inv: &Inventory) -> serde_json::Result<Vec<u8>> {
    let rules: Vec<Value> = RULES
        .iter()
        .map(|r| {
            json!({
                "id": r.id,
                "name": r.id.replace(['.', '_'], " "),
                "shortDescription": {"text": r.title},
                "defaultConfiguration": {"level": level(r.severity)},
                "properties": {"tags": r.controls.iter().map(|c| format!("ISO/IEC 42001 {c}")).collect::<Vec<_>>(),
                               "security-severity": security_severity(r.severity)}
            })
        })
        .collect();
    let results: Vec<Value> = inv
        .findings
        .iter()
        .map(|f| {
            let digest = Sha256::digest(format!("{}\u{0}{}", f.rule_id, f.asset_id).as_bytes());
            let fp: String = digest.iter().take(16).map(|b| format!("{b:02x}")).collect();
            json!({
                "ruleId": f.rule_id,
                "ruleIndex": RULES.iter().position(|r| r.id == f.rule_id),
                "level": level(f.severity),
                "message": {"text": f.message},
                "locations": [{"logicalLocations": [{"fullyQualifiedName": f.asset_id, "kind": "resource"}]}],
                "partialFingerprints": {"aimscope/rule-asset/v1": fp},
                "properties": {"severity": f.severity, "controls": f.controls, "evidence": f.evidence,
                               "security-severity": security_severity(f.severity)}
            })
        })
        .collect();
    let doc = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "aimscope", "version": inv.tool.version, "informationUri": "https://github.com/aimscope/aimscope", "rules": rules}},
            "automationDetails": {"id": format!("aimscope/{}", inv.run.id)},
            "results": results,
            "properties": {"scanComplete": inv.run.complete}
        }]
    });
    let mut out = serde_json::to_vec_pretty(&doc)?;
    out.push(b'\n');
    Ok(out)
}
