//! Second pass over the collected inventory:
//! - tuned models are linked to the tuning job that produced them (Vertex AI records the link
//!   only on the job);
//! - every Cloud Storage bucket and BigQuery dataset that lineage points at is looked up once,
//!   with the run's credentials, and becomes a `bucket` / `dataset` asset whose labels carry
//!   the data classification.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::Instant;

use aimscope_core::{
    Asset, AssetKind, Cloud, CollectError, Coverage, ErrorKind, Lookup, RelationKind, Service, fold_lookups,
};
use futures::StreamExt;
use google_cloud_auth::credentials::Credentials;
use google_cloud_gax::retry_policy::RetryPolicyExt;
use serde::Deserialize;

use crate::collectors::common::{BQ_PREFIX, GCS_PREFIX};
use crate::config::GcpConfig;
use crate::error::{Transient, gcp_err};
use crate::rest::Rest;

/// Lookups in flight at once.
const CONCURRENCY: usize = 8;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Target {
    Bucket,
    BigQueryDataset,
}

impl Target {
    fn of(id: &str) -> Option<Target> {
        if id.starts_with(GCS_PREFIX) {
            Some(Target::Bucket)
        } else if id.starts_with(BQ_PREFIX) {
            Some(Target::BigQueryDataset)
        } else {
            None
        }
    }

    /// The IAM permission the lookup needs.
    fn permission(self) -> &'static str {
        match self {
            Target::Bucket => "storage.buckets.get",
            Target::BigQueryDataset => "bigquery.datasets.get",
        }
    }

    fn collector(self) -> &'static str {
        match self {
            Target::Bucket => "storage.bucket_labels",
            Target::BigQueryDataset => "bigquery.dataset_labels",
        }
    }
}

pub async fn enrich(
    cfg: &GcpConfig,
    creds: &Credentials,
    assets: &[Asset],
    record: impl Fn(&str),
) -> (Vec<Asset>, Vec<Coverage>) {
    let mut out = link_tuned_models(assets);
    let (data, coverage) = data_labels(cfg, creds, assets, record).await;
    out.extend(data);
    (out, coverage)
}

/// Returns copies of tuned models carrying `produced_by` edges to their tuning jobs (merged by
/// id by the runner).
fn link_tuned_models(assets: &[Asset]) -> Vec<Asset> {
    let unversioned = |id: &str| id.split('@').next().unwrap_or(id).to_owned();
    let by_model: HashMap<String, &str> = assets
        .iter()
        .filter(|a| a.cloud == Cloud::Gcp && a.kind == AssetKind::CustomizationJob)
        .filter_map(|a| Some((a.facts.output_model.clone()?, a.id.as_str())))
        .collect();
    assets
        .iter()
        .filter(|a| a.cloud == Cloud::Gcp && a.kind == AssetKind::Model)
        .filter_map(|a| {
            let job = by_model.get(&a.id).or_else(|| by_model.get(&unversioned(&a.id)))?;
            let mut m = a.clone();
            m.relate(RelationKind::ProducedBy, *job);
            Some(m)
        })
        .collect()
}

async fn data_labels(
    cfg: &GcpConfig,
    creds: &Credentials,
    assets: &[Asset],
    record: impl Fn(&str),
) -> (Vec<Asset>, Vec<Coverage>) {
    let known: HashSet<&str> = assets.iter().map(|a| a.id.as_str()).collect();
    // target -> first referencing project (BTreeMap: deterministic order).
    // Owned: the lookups below run as futures that must not borrow from a closure argument.
    let mut wanted: BTreeMap<String, String> = BTreeMap::new();
    for a in assets.iter().filter(|a| a.cloud == Cloud::Gcp) {
        for r in &a.relations {
            if Target::of(&r.target).is_some() && !known.contains(r.target.as_str()) {
                wanted.entry(r.target.clone()).or_insert_with(|| a.account.clone());
            }
        }
    }
    if wanted.is_empty() {
        return (Vec::new(), Vec::new());
    }
    let started = Instant::now();
    let rest = Rest::new(creds.clone(), cfg.max_attempts, cfg.attempt_timeout());
    let mut bq = google_cloud_bigquery_v2::client::DatasetService::builder()
        .with_credentials(creds.clone())
        .with_retry_policy(Transient.with_attempt_limit(cfg.max_attempts));
    if let Some(ep) = &cfg.bigquery_endpoint {
        bq = bq.with_endpoint(ep.clone());
    }
    let bq = bq.build().await;
    for t in wanted.keys().filter_map(|id| Target::of(id)) {
        record(t.permission());
    }
    let results: Vec<(Target, String, String, Result<Asset, CollectError>)> = futures::stream::iter(wanted)
        .map(|(id, project)| {
            let (rest, bq) = (&rest, &bq);
            async move {
                let target = Target::of(&id).unwrap_or(Target::Bucket);
                let r = match target {
                    Target::Bucket => match rest {
                        Ok(rest) => bucket(cfg, rest, &id, &project).await,
                        Err(e) => Err(e.clone()),
                    },
                    Target::BigQueryDataset => match bq {
                        Ok(bq) => dataset(bq, &id, &project).await,
                        Err(e) => Err(CollectError::new(ErrorKind::Other, format!("BigQuery client: {e}"))),
                    },
                };
                (target, project, id, r)
            }
        })
        .buffer_unordered(CONCURRENCY)
        .collect()
        .await;

    let lookups = results
        .into_iter()
        .map(|(t, account, target, result)| Lookup { account, collector: t.collector(), target, result })
        .collect();
    fold_lookups(Cloud::Gcp, lookups, started)
}

/// The fields of a Cloud Storage bucket resource (JSON API v1) that matter here.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Bucket {
    name: String,
    #[serde(default)]
    labels: BTreeMap<String, String>,
    location: Option<String>,
    project_number: Option<String>,
    time_created: Option<chrono::DateTime<chrono::Utc>>,
}

/// `storage.buckets.get` over the JSON API.
async fn bucket(cfg: &GcpConfig, rest: &Rest, id: &str, project: &str) -> Result<Asset, CollectError> {
    let name = id.strip_prefix(GCS_PREFIX).unwrap_or(id);
    let url = format!("{}/storage/v1/b/{name}", cfg.storage_endpoint.trim_end_matches('/'));
    let b: Bucket =
        rest.get("storage.buckets.get", &url, &[("fields", "name,labels,location,projectNumber,timeCreated")]).await?;
    let mut a = Asset::new(
        id,
        Cloud::Gcp,
        project,
        b.location.map(|l| l.to_lowercase()),
        AssetKind::Bucket,
        Service::CloudStorage,
        b.name,
    )
    .with_created(b.time_created);
    a.tags = b.labels;
    a.lifecycle_stage = None;
    a.attr("project_number", b.project_number.map(Into::into));
    Ok(a)
}

async fn dataset(
    client: &google_cloud_bigquery_v2::client::DatasetService,
    id: &str,
    project: &str,
) -> Result<Asset, CollectError> {
    let rest = id.strip_prefix(BQ_PREFIX).unwrap_or(id);
    let (owner, ds) = rest.split_once("/datasets/").unwrap_or((rest, ""));
    let d = client
        .get_dataset()
        .set_project_id(owner)
        .set_dataset_id(ds)
        .send()
        .await
        .map_err(|e| gcp_err(Target::BigQueryDataset.permission(), e))?;
    let created = chrono::DateTime::from_timestamp_millis(d.creation_time).filter(|_| d.creation_time > 0);
    let mut a = Asset::new(
        id,
        Cloud::Gcp,
        if owner.is_empty() { project } else { owner },
        (!d.location.is_empty()).then(|| d.location.to_lowercase()),
        AssetKind::Dataset,
        Service::BigQuery,
        ds,
    )
    .with_created(created);
    a.tags = d.labels.into_iter().collect();
    a.lifecycle_stage = None;
    Ok(a)
}

#[cfg(test)]
mod tests {
    use aimscope_core::Service;

    use super::*;

    fn a(id: &str, kind: AssetKind) -> Asset {
        Asset::new(id, Cloud::Gcp, "p", Some("us-central1".into()), kind, Service::VertexAi, id)
    }

    #[test]
    fn tuned_models_link_to_their_tuning_job_with_or_without_a_version() {
        let mut job = a("projects/p/locations/l/tuningJobs/1", AssetKind::CustomizationJob);
        job.facts.output_model = Some("projects/p/locations/l/models/9@1".into());
        let mut unversioned = a("projects/p/locations/l/tuningJobs/2", AssetKind::CustomizationJob);
        unversioned.facts.output_model = Some("projects/p/locations/l/models/8".into());
        let assets = vec![
            job,
            unversioned,
            a("projects/p/locations/l/models/9@1", AssetKind::Model),
            a("projects/p/locations/l/models/8@3", AssetKind::Model),
            a("projects/p/locations/l/models/7@1", AssetKind::Model),
        ];
        let linked = link_tuned_models(&assets);
        let edges: Vec<(&str, &str)> =
            linked.iter().flat_map(|m| m.relations.iter().map(move |r| (m.id.as_str(), r.target.as_str()))).collect();
        assert_eq!(
            edges,
            [
                ("projects/p/locations/l/models/9@1", "projects/p/locations/l/tuningJobs/1"),
                ("projects/p/locations/l/models/8@3", "projects/p/locations/l/tuningJobs/2")
            ]
        );
    }

    #[test]
    fn lookup_targets() {
        assert_eq!(Target::of("//storage.googleapis.com/projects/_/buckets/b"), Some(Target::Bucket));
        assert_eq!(Target::of("//bigquery.googleapis.com/projects/p/datasets/d"), Some(Target::BigQueryDataset));
        assert_eq!(Target::of("projects/p/locations/l/datasets/3"), None);
    }
}
