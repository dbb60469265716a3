//! What changed between two scans: assets added, changed (with the fields that changed) and
//! removed, findings new and resolved. Pure: the agent feeds it the history store's baseline,
//! `aimscope diff` two inventory files.
//!
//! The rule that keeps history honest: an asset that was not seen because its scope was denied,
//! throttled, failed or not scanned at all is **not** removed; it is listed as `unseen` and keeps
//! its place. Only a scope whose every coverage record is complete (or the service is not
//! enabled there) can prove an asset gone.

use std::collections::{BTreeMap, BTreeSet};

use aimscope_core::{Asset, Cloud, Finding, Inventory};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Version of the delta document.
pub const DELTA_VERSION: &str = "1.0";

/// The previous state a scan is compared with.
#[derive(Debug, Clone, Default)]
pub struct Baseline {
    pub run_id: Option<String>,
    /// Assets present after the previous scan (removed ones excluded), by id.
    pub assets: BTreeMap<String, Asset>,
    /// Open findings after the previous scan.
    pub findings: BTreeSet<FindingKey>,
}

impl Baseline {
    /// The baseline an inventory document stands for (`aimscope diff`).
    pub fn of(inv: &Inventory) -> Baseline {
        Baseline {
            run_id: Some(inv.run.id.clone()),
            assets: inv.assets.iter().map(|a| (a.id.clone(), a.clone())).collect(),
            findings: inv.findings.iter().map(FindingKey::of).collect(),
        }
    }
}

/// A finding's identity across scans: the rule and the asset (as in SARIF fingerprints).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct FindingKey {
    pub rule_id: String,
    pub asset_id: String,
}

impl FindingKey {
    pub fn of(f: &Finding) -> FindingKey {
        FindingKey { rule_id: f.rule_id.clone(), asset_id: f.asset_id.clone() }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Delta {
    pub delta_version: String,
    pub run_id: String,
    pub previous_run_id: Option<String>,
    pub generated_at: DateTime<Utc>,
    pub added: Vec<Asset>,
    pub changed: Vec<Changed>,
    pub removed: Vec<Removed>,
    /// Ids not seen this time whose scope was not fully seen: kept, not removed.
    pub unseen: Vec<String>,
    pub new_findings: Vec<Finding>,
    pub resolved_findings: Vec<FindingKey>,
}

impl Delta {
    pub fn is_empty(&self) -> bool {
        self.added.is_empty()
            && self.changed.is_empty()
            && self.removed.is_empty()
            && self.new_findings.is_empty()
            && self.resolved_findings.is_empty()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Changed {
    pub id: String,
    /// Dotted paths of what changed: top-level fields, or `tags.<key>` / `attributes.<key>`.
    pub fields: Vec<String>,
    pub asset: Asset,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Removed {
    pub id: String,
    pub cloud: Cloud,
    pub account: String,
    pub region: Option<String>,
    pub kind: aimscope_core::AssetKind,
    pub name: String,
}

/// A content hash of an asset, independent of relation order.
pub fn content_hash(a: &Asset) -> String {
    let mut a = a.clone();
    a.relations.sort();
    let bytes = serde_json::to_vec(&a).unwrap_or_default();
    hex(&Sha256::digest(&bytes))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Whether this scan saw the asset's whole scope: its cloud was scanned and no coverage record
/// of its account (account-wide or in its region), or of its whole cloud, is a gap.
pub fn scope_fully_seen(inv: &Inventory, cloud: Cloud, account: &str, region: Option<&str>) -> bool {
    if !inv.run.providers.contains(&cloud) {
        return false;
    }
    let mut account_seen = false;
    for c in inv.coverage.iter().filter(|c| c.cloud == cloud) {
        // A partial listing is whole (only some details are missing): absence from it is removal.
        let seen = c.status.listing_complete();
        match c.account.as_deref() {
            None if !seen => return false,
            Some(a) if a == account => {
                account_seen = true;
                let applies = c.region.is_none() || region.is_none() || c.region.as_deref() == region;
                if applies && !seen {
                    return false;
                }
            }
            _ => {}
        }
    }
    account_seen
}

/// Compares a finished scan with the baseline.
pub fn compute(base: &Baseline, inv: &Inventory) -> Delta {
    let mut added = Vec::new();
    let mut changed = Vec::new();
    let current: BTreeSet<&str> = inv.assets.iter().map(|a| a.id.as_str()).collect();
    for a in &inv.assets {
        match base.assets.get(&a.id) {
            None => added.push(a.clone()),
            // Missing details are not changes: a failed tag call must not read as tags removed.
            Some(_) if a.is_partial() => {}
            Some(prev) if content_hash(prev) != content_hash(a) => {
                changed.push(Changed { id: a.id.clone(), fields: changed_fields(prev, a), asset: a.clone() })
            }
            Some(_) => {}
        }
    }
    let mut removed = Vec::new();
    let mut unseen = Vec::new();
    let mut unseen_ids: BTreeSet<&str> = BTreeSet::new();
    for (id, prev) in &base.assets {
        if current.contains(id.as_str()) {
            continue;
        }
        if scope_fully_seen(inv, prev.cloud, &prev.account, prev.region.as_deref()) {
            removed.push(Removed {
                id: id.clone(),
                cloud: prev.cloud,
                account: prev.account.clone(),
                region: prev.region.clone(),
                kind: prev.kind,
                name: prev.name.clone(),
            });
        } else {
            unseen.push(id.clone());
            unseen_ids.insert(id.as_str());
        }
    }
    let now: BTreeSet<FindingKey> = inv.findings.iter().map(FindingKey::of).collect();
    let new_findings = inv.findings.iter().filter(|f| !base.findings.contains(&FindingKey::of(f))).cloned().collect();
    // A finding on an asset that was not seen is not resolved: nobody looked.
    let resolved_findings = base
        .findings
        .iter()
        .filter(|k| !now.contains(k) && !unseen_ids.contains(k.asset_id.as_str()))
        .cloned()
        .collect();
    Delta {
        delta_version: DELTA_VERSION.into(),
        run_id: inv.run.id.clone(),
        previous_run_id: base.run_id.clone(),
        generated_at: inv.run.finished_at,
        added,
        changed,
        removed,
        unseen,
        new_findings,
        resolved_findings,
    }
}

/// The fields that differ, as dotted paths; maps of tags and attributes are compared per key.
pub fn changed_fields(old: &Asset, new: &Asset) -> Vec<String> {
    let (Ok(serde_json::Value::Object(o)), Ok(serde_json::Value::Object(n))) =
        (serde_json::to_value(old), serde_json::to_value(new))
    else {
        return vec!["*".into()];
    };
    let keys: BTreeSet<&String> = o.keys().chain(n.keys()).collect();
    let mut out = Vec::new();
    for k in keys {
        let (a, b) = (o.get(k), n.get(k));
        if a == b {
            continue;
        }
        match (k.as_str(), a, b) {
            ("tags" | "attributes", a, b) => {
                let empty = serde_json::Map::new();
                let a = a.and_then(|v| v.as_object()).unwrap_or(&empty);
                let b = b.and_then(|v| v.as_object()).unwrap_or(&empty);
                let sub: BTreeSet<&String> = a.keys().chain(b.keys()).collect();
                out.extend(sub.into_iter().filter(|s| a.get(*s) != b.get(*s)).map(|s| format!("{k}.{s}")));
            }
            ("relations", Some(a), Some(b)) => {
                let sorted = |v: &serde_json::Value| {
                    let mut xs: Vec<String> = v.as_array().into_iter().flatten().map(|r| r.to_string()).collect();
                    xs.sort();
                    xs
                };
                if sorted(a) != sorted(b) {
                    out.push(k.clone());
                }
            }
            _ => out.push(k.clone()),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use aimscope_core::{AssetKind, Coverage, CoverageStatus, Service, ToolInfo};

    use super::*;

    fn asset(id: &str, account: &str, region: &str) -> Asset {
        Asset::new(id, Cloud::Aws, account, Some(region.into()), AssetKind::Model, Service::Sagemaker, id)
    }

    fn cov(account: Option<&str>, region: Option<&str>, status: CoverageStatus) -> Coverage {
        Coverage {
            cloud: Cloud::Aws,
            account: account.map(Into::into),
            region: region.map(Into::into),
            collector: "sagemaker.models".into(),
            status,
            assets: 0,
            error: None,
            duration_ms: 0,
        }
    }

    fn inv(assets: Vec<Asset>, coverage: Vec<Coverage>) -> Inventory {
        Inventory::new(
            ToolInfo { name: "t".into(), version: "0".into() },
            "run-2",
            Utc::now(),
            vec![Cloud::Aws],
            assets,
            coverage,
        )
    }

    #[test]
    fn added_changed_removed_and_unseen() {
        let mut base = Baseline { run_id: Some("run-1".into()), ..Default::default() };
        for a in
            [asset("keep", "1", "r1"), asset("change", "1", "r1"), asset("gone", "1", "r1"), asset("hidden", "2", "r1")]
        {
            base.assets.insert(a.id.clone(), a);
        }
        let mut changed = asset("change", "1", "r1");
        changed.tags.insert("owner".into(), "ml".into());
        changed.raw_status = Some("InService".into());
        let now = inv(
            vec![asset("keep", "1", "r1"), changed, asset("new", "1", "r1")],
            vec![cov(Some("1"), Some("r1"), CoverageStatus::Complete), cov(Some("2"), None, CoverageStatus::Denied)],
        );
        let d = compute(&base, &now);
        assert_eq!(d.added.iter().map(|a| a.id.as_str()).collect::<Vec<_>>(), ["new"]);
        assert_eq!(d.changed.len(), 1);
        assert_eq!(d.changed[0].fields, ["raw_status", "tags.owner"]);
        assert_eq!(d.removed.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(), ["gone"]);
        assert_eq!(d.unseen, ["hidden"], "a denied account proves nothing gone");
        assert_eq!(d.previous_run_id.as_deref(), Some("run-1"));
    }

    #[test]
    fn a_gap_in_another_region_does_not_hide_a_removal_but_one_in_the_same_region_does() {
        let c = vec![
            cov(Some("1"), Some("r1"), CoverageStatus::Complete),
            cov(Some("1"), Some("r2"), CoverageStatus::Throttled),
        ];
        let i = inv(vec![], c);
        assert!(scope_fully_seen(&i, Cloud::Aws, "1", Some("r1")));
        assert!(!scope_fully_seen(&i, Cloud::Aws, "1", Some("r2")));
        assert!(!scope_fully_seen(&i, Cloud::Aws, "1", None), "a global asset needs every region");
        assert!(!scope_fully_seen(&i, Cloud::Aws, "3", Some("r1")), "an account not scanned at all");
        assert!(!scope_fully_seen(&i, Cloud::Azure, "1", Some("r1")), "a cloud not scanned at all");
        let provider_gap = inv(
            vec![],
            vec![cov(None, None, CoverageStatus::Failed), cov(Some("1"), Some("r1"), CoverageStatus::Complete)],
        );
        assert!(!scope_fully_seen(&provider_gap, Cloud::Aws, "1", Some("r1")));
    }

    #[test]
    fn findings_new_and_resolved_but_not_on_unseen_assets() {
        let f = |rule: &str, asset: &str| Finding {
            rule_id: rule.into(),
            severity: aimscope_core::Severity::High,
            asset_id: asset.into(),
            message: String::new(),
            evidence: Default::default(),
            controls: vec![],
        };
        let mut base = Baseline::default();
        base.assets.insert("a".into(), asset("a", "1", "r1"));
        base.assets.insert("h".into(), asset("h", "2", "r1"));
        base.findings.insert(FindingKey { rule_id: "R1".into(), asset_id: "a".into() });
        base.findings.insert(FindingKey { rule_id: "R1".into(), asset_id: "h".into() });
        let mut now = inv(
            vec![asset("a", "1", "r1")],
            vec![cov(Some("1"), None, CoverageStatus::Complete), cov(Some("2"), None, CoverageStatus::Denied)],
        );
        now.findings = vec![f("R2", "a")];
        let d = compute(&base, &now);
        assert_eq!(d.new_findings.len(), 1);
        assert_eq!(d.resolved_findings, [FindingKey { rule_id: "R1".into(), asset_id: "a".into() }]);
    }

    #[test]
    fn relation_order_is_not_a_change() {
        let mut a = asset("m", "1", "r1");
        a.relate(aimscope_core::RelationKind::TrainedOn, "x");
        a.relate(aimscope_core::RelationKind::TrainedOn, "y");
        let mut b = a.clone();
        b.relations.reverse();
        assert_eq!(content_hash(&a), content_hash(&b));
        assert!(changed_fields(&a, &b).is_empty());
    }
}
