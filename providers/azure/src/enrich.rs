//! Links Azure ML datastores to the storage accounts behind them and records those accounts
//! (with their tags, for classification): one storage-account listing per subscription.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Instant;

use aimscope_core::{Asset, AssetKind, Cloud, Coverage, CoverageStatus, RelationKind, Service};

use crate::arm::Arm;
use crate::ids::norm;
use crate::scope::STORAGE_API;

pub async fn storage_accounts(arm: &Arm, assets: &[Asset]) -> (Vec<Asset>, Vec<Coverage>) {
    // Storage accounts that data assets, jobs or models point at directly (a blob / ADLS URL
    // resolved by the collector), by id.
    let referenced: BTreeSet<&str> = assets
        .iter()
        .filter(|a| a.cloud == Cloud::Azure)
        .flat_map(|a| &a.relations)
        .map(|r| r.target.as_str())
        .filter(|t| t.contains("/providers/microsoft.storage/storageaccounts/"))
        .collect();
    // Subscriptions whose datastores name a storage account, or that hold a referenced one.
    let wanted: BTreeSet<&str> = assets
        .iter()
        .filter(|a| a.cloud == Cloud::Azure && a.kind == AssetKind::Datastore && a.facts.storage.is_some())
        .map(|a| a.account.as_str())
        .chain(referenced.iter().filter_map(|t| crate::ids::segment(t, "subscriptions")))
        .collect();
    let mut out = Vec::new();
    let mut coverage = Vec::new();
    for sub in wanted {
        let started = Instant::now();
        let url = arm.url(&format!("/subscriptions/{sub}/providers/Microsoft.Storage/storageAccounts"), STORAGE_API);
        let mut cov =
            Coverage::new(Cloud::Azure, Some(sub.to_owned()), None, "storage.accounts", CoverageStatus::Complete);
        match arm.list(&url, "Microsoft.Storage/storageAccounts/read").await {
            Ok(accounts) => {
                let mut by_name: BTreeMap<String, Asset> = BTreeMap::new();
                for acct in &accounts {
                    let (Some(id), Some(name)) =
                        (acct.get("id").and_then(|v| v.as_str()), acct.get("name").and_then(|v| v.as_str()))
                    else {
                        continue;
                    };
                    let mut a = Asset::new(
                        norm(id),
                        Cloud::Azure,
                        sub,
                        acct.get("location").and_then(|v| v.as_str()).map(str::to_owned),
                        AssetKind::Bucket,
                        Service::AzureStorage,
                        name,
                    );
                    a.lifecycle_stage = None;
                    if let Some(tags) = acct.get("tags").and_then(|t| t.as_object()) {
                        a.tags = tags.iter().filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_owned()))).collect();
                    }
                    by_name.insert(name.to_ascii_lowercase(), a);
                }
                let mut used = BTreeSet::new();
                for ds in assets.iter().filter(|a| a.account == sub && a.kind == AssetKind::Datastore) {
                    let Some(storage) = &ds.facts.storage else { continue };
                    let account = storage.account.as_str();
                    if let Some(sa) = by_name.get(account) {
                        let mut linked = ds.clone();
                        let container = storage.container.as_deref().unwrap_or("");
                        linked.relate_ref(
                            RelationKind::StoredIn,
                            sa.id.clone(),
                            format!("https://{account}.blob.core.windows.net/{container}"),
                        );
                        out.push(linked);
                        used.insert(account.to_owned());
                    }
                }
                for sa in by_name.values().filter(|sa| referenced.contains(sa.id.as_str())) {
                    used.insert(sa.name.to_ascii_lowercase());
                }
                // Only the storage accounts AI data lives in become assets.
                for name in used {
                    if let Some(sa) = by_name.remove(&name) {
                        out.push(sa);
                        cov.assets += 1;
                    }
                }
            }
            Err(e) => {
                cov.status = e.coverage_status();
                cov.error = Some(e.message);
            }
        }
        cov.duration_ms = started.elapsed().as_millis() as u64;
        coverage.push(cov);
    }
    (out, coverage)
}
