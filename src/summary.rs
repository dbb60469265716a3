//! The compact end-of-scan summary a person reads in the terminal: assets by cloud × kind,
//! findings by severity with the top rules, shadow AI, outside AI providers and coverage gaps.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use aimscope_core::{AssetKind, Cloud, CoverageStatus, Inventory, Severity};

/// Rule ids that mark AI outside the sanctioned process (the report's exclusions use the same).
const SHADOW_RULES: [&str; 2] = ["scope.outside_aims", "register.unregistered"];

pub fn table(inv: &Inventory) -> String {
    let mut out = String::new();
    let clouds: Vec<Cloud> = Cloud::ALL.iter().copied().filter(|c| inv.run.providers.contains(c)).collect();
    let mut by_kind: BTreeMap<AssetKind, BTreeMap<Cloud, usize>> = BTreeMap::new();
    for a in &inv.assets {
        *by_kind.entry(a.kind).or_default().entry(a.cloud).or_default() += 1;
    }
    let width = by_kind.keys().map(|k| k.as_str().len()).max().unwrap_or(5).max(5);
    let _ = write!(out, "  {:<width$}", "assets");
    for c in &clouds {
        let _ = write!(out, " {:>6}", c.to_string());
    }
    let _ = writeln!(out, " {:>6}", "total");
    for (kind, per) in &by_kind {
        let _ = write!(out, "  {:<width$}", kind.as_str());
        for c in &clouds {
            match per.get(c) {
                Some(n) => write!(out, " {n:>6}"),
                None => write!(out, " {:>6}", "·"),
            }
            .ok();
        }
        let _ = writeln!(out, " {:>6}", per.values().sum::<usize>());
    }
    let _ = write!(out, "  {:<width$}", "all");
    for c in &clouds {
        let _ = write!(out, " {:>6}", inv.assets.iter().filter(|a| a.cloud == *c).count());
    }
    let _ = writeln!(out, " {:>6}\n", inv.assets.len());

    let mut sev: BTreeMap<Severity, usize> = BTreeMap::new();
    let mut rules: BTreeMap<&str, (usize, Severity)> = BTreeMap::new();
    for f in &inv.findings {
        *sev.entry(f.severity).or_default() += 1;
        let e = rules.entry(f.rule_id.as_str()).or_insert((0, f.severity));
        e.0 += 1;
        e.1 = e.1.max(f.severity);
    }
    let counts: Vec<String> =
        Severity::ALL.iter().rev().map(|s| format!("{} {}", sev.get(s).unwrap_or(&0), s)).collect();
    let _ = writeln!(out, "  findings     {} ({})", inv.findings.len(), counts.join(", "));
    let mut top: Vec<(&str, (usize, Severity))> = rules.into_iter().collect();
    top.sort_by(|a, b| b.1.1.cmp(&a.1.1).then(b.1.0.cmp(&a.1.0)).then(a.0.cmp(b.0)));
    for (rule, (n, s)) in top.iter().take(5) {
        let _ = writeln!(out, "    {:<8} {n:>4}  {rule}", s.as_str());
    }

    let mut shadow: Vec<&str> = inv
        .findings
        .iter()
        .filter(|f| SHADOW_RULES.contains(&f.rule_id.as_str()))
        .map(|f| f.asset_id.as_str())
        .collect();
    shadow.sort_unstable();
    shadow.dedup();
    let _ = writeln!(out, "  shadow AI    {} asset(s) outside the declared scope or register", shadow.len());

    let mut providers: BTreeMap<&str, usize> = BTreeMap::new();
    for a in inv.assets.iter().filter(|a| a.kind == AssetKind::ThirdPartyApiUsage) {
        let p = a.facts.outside_ai.as_ref().map_or("unknown", |ai| ai.provider.as_str());
        *providers.entry(p).or_default() += 1;
    }
    let providers: Vec<String> = providers.iter().map(|(p, n)| format!("{p} ({n})")).collect();
    let _ = writeln!(
        out,
        "  outside AI   {}",
        if providers.is_empty() { "none detected".to_owned() } else { providers.join(", ") }
    );

    let mut gaps: BTreeMap<CoverageStatus, usize> = BTreeMap::new();
    for g in inv.gaps() {
        *gaps.entry(g.status).or_default() += 1;
    }
    let gaps: Vec<String> = gaps.iter().map(|(s, n)| format!("{n} {}", s.as_str())).collect();
    let _ = writeln!(
        out,
        "  coverage     {}",
        if gaps.is_empty() {
            "complete: every scope was read".to_owned()
        } else {
            format!("{} — could not look, not \"nothing there\"", gaps.join(", "))
        }
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use aimscope_core::{Asset, Coverage, Finding, Service};

    #[test]
    fn counts_by_cloud_and_kind_and_names_the_gaps() {
        let tool = aimscope_core::ToolInfo { name: "t".into(), version: "t".into() };
        let mut inv = Inventory::new(tool, "run", chrono::Utc::now(), vec![Cloud::Aws, Cloud::Gcp], vec![], vec![]);
        let m = Asset::new("m1", Cloud::Aws, "1", None, AssetKind::Model, Service::Sagemaker, "m1");
        let g = Asset::new("m2", Cloud::Gcp, "p", None, AssetKind::Model, Service::VertexAi, "m2");
        let mut t = Asset::new("t1", Cloud::Aws, "1", None, AssetKind::ThirdPartyApiUsage, Service::Lambda, "t1");
        t.facts.outside_ai = Some(aimscope_core::facts::OutsideAi {
            provider: "openai".into(),
            provider_name: "OpenAI".into(),
            confidence: aimscope_core::detect::Confidence::High,
            consumer: "fn".into(),
            evidence: vec![],
        });
        inv.assets = vec![m, g, t];
        inv.findings = vec![Finding {
            rule_id: "scope.outside_aims".into(),
            severity: Severity::High,
            asset_id: "m1".into(),
            message: "outside".into(),
            evidence: Default::default(),
            controls: vec![],
        }];
        inv.coverage = vec![Coverage {
            cloud: Cloud::Aws,
            account: Some("2".into()),
            region: None,
            collector: "aws.assume_role".into(),
            status: CoverageStatus::Denied,
            assets: 0,
            error: Some("AccessDenied".into()),
            duration_ms: 0,
        }];
        let t = table(&inv);
        let model_row = t.lines().find(|l| l.trim_start().starts_with("model ")).expect("model row");
        assert_eq!(model_row.split_whitespace().collect::<Vec<_>>(), ["model", "1", "1", "2"]);
        assert!(t.contains("1 high"), "{t}");
        assert!(t.contains("shadow AI    1 asset"), "{t}");
        assert!(t.contains("openai (1)"), "{t}");
        assert!(t.contains("1 denied"), "{t}");
    }
}
