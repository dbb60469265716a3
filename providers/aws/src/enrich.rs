//! Second pass over the collected inventory:
//! - models are linked to the training job whose output artifacts they load (SageMaker records
//!   the link only as a shared S3 URI);
//! - every S3 bucket that lineage points at is looked up once (location, then tags), with the
//!   credentials of the first account that referenced it, and becomes a `bucket` asset whose
//!   tags carry the data classification.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::Instant;

use aimscope_core::{Asset, AssetKind, Cloud, CollectError, Coverage, Lookup, RelationKind, Service, fold_lookups};
use aws_config::SdkConfig;
use futures::StreamExt;

use crate::arn;
use crate::error::sdk_err;
use crate::provider::AwsProvider;

/// Bucket lookups in flight at once.
const BUCKET_CONCURRENCY: usize = 8;

pub async fn enrich(p: &AwsProvider, assets: &[Asset]) -> (Vec<Asset>, Vec<Coverage>) {
    let mut out = link_models_to_training_jobs(assets);
    let (buckets, coverage) = bucket_tags(p, assets).await;
    out.extend(buckets);
    (out, coverage)
}

/// Returns copies of models and registered model packages carrying the new `produced_by` edges
/// (merged by id by the runner).
fn link_models_to_training_jobs(assets: &[Asset]) -> Vec<Asset> {
    let by_artifact: HashMap<&str, &str> = assets
        .iter()
        .filter(|a| a.cloud == Cloud::Aws && a.kind == AssetKind::TrainingJob)
        .filter_map(|a| a.facts.artifact_location.as_deref().map(|u| (u, a.id.as_str())))
        .collect();
    assets
        .iter()
        .filter(|a| a.cloud == Cloud::Aws && matches!(a.kind, AssetKind::Model | AssetKind::ModelPackage))
        .filter_map(|a| {
            let url = a.facts.artifact_location.as_deref()?;
            let job = by_artifact.get(url)?;
            let mut m = a.clone();
            m.relate(RelationKind::ProducedBy, *job);
            Some(m)
        })
        .collect()
}

async fn bucket_tags(p: &AwsProvider, assets: &[Asset]) -> (Vec<Asset>, Vec<Coverage>) {
    // bucket ARN -> first referencing account (BTreeMap: deterministic order).
    let known: HashSet<&str> = assets.iter().map(|a| a.id.as_str()).collect();
    let mut wanted: BTreeMap<String, String> = BTreeMap::new();
    for a in assets.iter().filter(|a| a.cloud == Cloud::Aws) {
        for r in &a.relations {
            if arn::bucket_name(&r.target).is_some() && !known.contains(r.target.as_str()) {
                wanted.entry(r.target.clone()).or_insert_with(|| a.account.clone());
            }
        }
    }
    if wanted.is_empty() {
        return (Vec::new(), Vec::new());
    }
    let configs = p.account_configs();
    let started = Instant::now();
    let results: Vec<(String, String, Result<Asset, CollectError>)> = futures::stream::iter(wanted)
        .map(|(bucket_arn, account)| {
            let sdk = configs.get(&account).cloned();
            async move {
                let r = match sdk {
                    Some(sdk) => lookup(p, &sdk, &bucket_arn, &account).await,
                    None => Err(CollectError::new(
                        aimscope_core::ErrorKind::Other,
                        "no credentials for the referencing account",
                    )),
                };
                (account, bucket_arn, r)
            }
        })
        .buffer_unordered(BUCKET_CONCURRENCY)
        .collect()
        .await;

    let lookups = results
        .into_iter()
        .map(|(account, target, result)| Lookup { account, collector: "s3.bucket_tags", target, result })
        .collect();
    fold_lookups(Cloud::Aws, lookups, started)
}

fn s3_client(p: &AwsProvider, sdk: &SdkConfig, account: &str, region: Option<String>) -> aws_sdk_s3::Client {
    // One retry partition per account and region, as for the collectors' clients (`scope.rs`).
    let partition = format!("s3-{}-{account}", region.as_deref().unwrap_or("default"));
    let mut b = aws_sdk_s3::config::Builder::from(sdk)
        .interceptor(p.action_log().interceptor("s3"))
        .retry_partition(aws_sdk_s3::config::retry::RetryPartition::new(partition));
    if let Some(r) = region {
        b = b.region(aws_config::Region::new(r));
    }
    // An endpoint override (emulator, private endpoint) serves buckets by path, not by DNS name.
    if sdk.endpoint_url().is_some() || std::env::var_os("AWS_ENDPOINT_URL_S3").is_some() {
        b = b.force_path_style(true);
    }
    aws_sdk_s3::Client::from_conf(b.build())
}

async fn lookup(p: &AwsProvider, sdk: &SdkConfig, bucket_arn: &str, account: &str) -> Result<Asset, CollectError> {
    let name = arn::bucket_name(bucket_arn).unwrap_or_default();
    let loc = s3_client(p, sdk, account, None)
        .get_bucket_location()
        .bucket(name)
        .send()
        .await
        .map_err(|e| sdk_err("s3:GetBucketLocation", e))?;
    // An empty location constraint means us-east-1; `EU` is the legacy name of eu-west-1.
    let region = match loc.location_constraint().map(|c| c.as_str()) {
        None | Some("") => "us-east-1".to_owned(),
        Some("EU") => "eu-west-1".to_owned(),
        Some(r) => r.to_owned(),
    };
    let tags = match s3_client(p, sdk, account, Some(region.clone())).get_bucket_tagging().bucket(name).send().await {
        Ok(t) => t.tag_set().iter().map(|t| (t.key().to_owned(), t.value().to_owned())).collect(),
        Err(e) => {
            use aws_smithy_types::error::metadata::ProvideErrorMetadata;
            if e.as_service_error().and_then(|se| se.code()) == Some("NoSuchTagSet") {
                BTreeMap::new()
            } else {
                return Err(sdk_err("s3:GetBucketTagging", e));
            }
        }
    };
    // The bucket's own account is not returned by these calls; the referencing account is
    // recorded as the scope it was seen from.
    let mut a = Asset::new(bucket_arn, Cloud::Aws, account, Some(region), AssetKind::Bucket, Service::S3, name);
    a.tags = tags;
    a.lifecycle_stage = None;
    Ok(a)
}
