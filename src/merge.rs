//! `aimscope merge`: partial inventories (shards of one scan, or scans of different clouds) into
//! one document. Assets are folded by id (relations united), coverage by (cloud, account,
//! region, collector) keeping the worst outcome, and the analyses run again over the whole, so
//! lineage and classification that cross shards come out as an unsharded scan would give them.

use std::collections::BTreeMap;

use aimscope_core::{Asset, Coverage, CoverageStatus, Inventory};

/// How bad a coverage outcome is, for keeping the worst of duplicates.
fn badness(s: CoverageStatus) -> u8 {
    match s {
        CoverageStatus::Complete => 0,
        CoverageStatus::NotEnabled => 1,
        CoverageStatus::Skipped => 2,
        CoverageStatus::Throttled => 3,
        CoverageStatus::TimedOut => 4,
        CoverageStatus::Failed => 5,
        CoverageStatus::Denied => 6,
    }
}

/// Merges the documents (analysis fields are left for the caller to recompute).
pub fn merge(parts: Vec<Inventory>) -> anyhow::Result<Inventory> {
    let Some(first) = parts.first() else { anyhow::bail!("nothing to merge") };
    let major = |v: &str| v.split('.').next().unwrap_or_default().to_owned();
    let tool = first.tool.clone();
    let schema = first.schema_version.clone();
    if let Some(odd) = parts.iter().find(|p| major(&p.schema_version) != major(&schema)) {
        anyhow::bail!("cannot merge schema {} with schema {}", odd.schema_version, schema);
    }
    let started_at = parts.iter().map(|p| p.run.started_at).min().unwrap_or_else(chrono::Utc::now);
    let mut providers: Vec<_> = parts.iter().flat_map(|p| p.run.providers.iter().copied()).collect();
    providers.sort();
    providers.dedup();
    let mut api_calls: BTreeMap<String, u64> = BTreeMap::new();
    let mut assets: BTreeMap<String, Asset> = BTreeMap::new();
    let mut coverage: BTreeMap<(String, Option<String>, Option<String>, String), Coverage> = BTreeMap::new();
    for p in parts {
        for (k, v) in p.run.api_calls {
            *api_calls.entry(k).or_default() += v;
        }
        for a in p.assets {
            match assets.get_mut(&a.id) {
                None => {
                    assets.insert(a.id.clone(), a);
                }
                Some(have) => {
                    for r in a.relations {
                        if !have.relations.contains(&r) {
                            have.relations.push(r);
                        }
                    }
                    have.relations.sort();
                }
            }
        }
        for c in p.coverage {
            let key = (c.cloud.to_string(), c.account.clone(), c.region.clone(), c.collector.clone());
            match coverage.get(&key) {
                Some(have) if badness(have.status) >= badness(c.status) => {}
                _ => {
                    coverage.insert(key, c);
                }
            }
        }
    }
    let mut inv = Inventory::new(
        tool,
        uuid::Uuid::new_v4().to_string(),
        started_at,
        providers,
        assets.into_values().collect(),
        coverage.into_values().collect(),
    );
    inv.schema_version = schema;
    inv.run.api_calls = api_calls;
    Ok(inv)
}
