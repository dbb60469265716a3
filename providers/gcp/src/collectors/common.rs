//! Shared pieces of GCP collectors.

use std::collections::HashMap;

use aimscope_core::{Asset, AssetKind, Cloud, Service};

use crate::scope::GcpScope;

/// A Vertex AI asset in the scope's project and location; labels become tags.
pub fn asset(cx: &GcpScope, name: &str, display: &str, kind: AssetKind, labels: &HashMap<String, String>) -> Asset {
    let mut a = Asset::new(
        name,
        Cloud::Gcp,
        cx.project(),
        Some(cx.location().to_owned()),
        kind,
        Service::VertexAi,
        if display.is_empty() { name.rsplit('/').next().unwrap_or(name) } else { display },
    );
    a.tags = labels.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
    a
}

/// An asset of a project-wide API (Secret Manager, Cloud Run, Cloud Functions): the region is
/// read from the resource name (`projects/p/locations/{region}/...`), if it has one.
pub fn project_asset(
    cx: &GcpScope,
    name: &str,
    kind: AssetKind,
    service: Service,
    labels: &HashMap<String, String>,
) -> Asset {
    let region = name.split('/').skip_while(|p| *p != "locations").nth(1).map(str::to_owned);
    let mut a =
        Asset::new(name, Cloud::Gcp, cx.project(), region, kind, service, name.rsplit('/').next().unwrap_or(name));
    a.tags = labels.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
    a
}

/// Id prefixes of the data assets lineage points at (looked up by enrichment).
pub(crate) const GCS_PREFIX: &str = "//storage.googleapis.com/projects/_/buckets/";
pub(crate) const BQ_PREFIX: &str = "//bigquery.googleapis.com/projects/";

/// The bucket resource name of a `gs://bucket/...` URI (`//storage.googleapis.com/projects/_/buckets/{bucket}`).
pub fn gcs_bucket(uri: &str) -> Option<String> {
    let bucket = uri.strip_prefix("gs://")?.split('/').next().filter(|b| !b.is_empty())?;
    Some(format!("{GCS_PREFIX}{bucket}"))
}

/// `bq://project.dataset.table` → the BigQuery dataset's resource name.
pub fn bq_dataset(uri: &str) -> Option<String> {
    let mut parts = uri.strip_prefix("bq://")?.split('.');
    let (project, dataset) = (parts.next()?, parts.next()?);
    Some(format!("{BQ_PREFIX}{project}/datasets/{dataset}"))
}

/// A data reference (GCS or BigQuery) as a relation target.
pub fn data_ref(uri: &str) -> Option<String> {
    gcs_bucket(uri).or_else(|| bq_dataset(uri))
}
