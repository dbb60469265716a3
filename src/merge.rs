//! `aimscope merge`: partial inventories (shards of one scan, or scans of different clouds) into
//! one document. Assets are folded by id ([`Asset::merge`], as the runner folds collector output), coverage by (cloud, account,
//! region, collector) keeping the worst outcome, and the analyses run again over the whole, so
//! lineage and classification that cross shards come out as an unsharded scan would give them.

use std::collections::BTreeMap;

use aimscope_core::{Asset, Coverage, Inventory};

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
    let mut coverage: BTreeMap<(aimscope_core::Cloud, Option<String>, Option<String>, String), Coverage> =
        BTreeMap::new();
    for p in parts {
        for (k, v) in p.run.api_calls {
            *api_calls.entry(k).or_default() += v;
        }
        crate::runner::merge_into(&mut assets, p.assets);
        for c in p.coverage {
            let key = (c.cloud, c.account.clone(), c.region.clone(), c.collector.clone());
            match coverage.get(&key) {
                Some(have) if have.status.gravity() >= c.status.gravity() => {}
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
