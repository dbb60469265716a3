//! Shared pieces of AWS collectors: tag lookups per service and small conversions.

use std::collections::BTreeMap;

use aimscope_core::{Asset, AssetKind, Cloud, CollectError, Service, detail};
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

use crate::error::sdk_err;
use crate::scope::AwsScope;

pub use crate::scope::ts;

/// A new AWS asset in the scope's account and region.
pub fn asset(
    cx: &AwsScope,
    id: impl Into<String>,
    kind: AssetKind,
    service: Service,
    name: impl Into<String>,
) -> Asset {
    Asset::new(id, Cloud::Aws, cx.account(), Some(cx.region().to_owned()), kind, service, name)
}

/// The output of a detail call made after `a` was listed; a failure is recorded on the asset
/// (which stays in the inventory with what the list gave) and gives `None`.
pub fn keep<T, E>(a: &mut Asset, op: &str, r: Result<T, SdkError<E, HttpResponse>>) -> Option<T>
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    detail(a, op, r.map_err(|e| sdk_err(op, e)))
}

/// Sets the asset's tags from a tag lookup, or records the failed call on it.
fn set_tags(a: &mut Asset, op: &str, r: Result<BTreeMap<String, String>, CollectError>) {
    if let Some(tags) = detail(a, op, r) {
        a.tags = tags;
    }
}

/// Tags a SageMaker resource (sagemaker:ListTags, paginated) by the ARN as SageMaker returned
/// it (`raw_arn`, case kept), else by the asset's id.
pub async fn sagemaker_tags(cx: &AwsScope, a: &mut Asset, raw_arn: Option<&str>) {
    let arn = raw_arn.map_or_else(|| a.id.clone(), str::to_owned);
    set_tags(a, "sagemaker:ListTags", list_sagemaker_tags(cx, &arn).await);
}

/// Tags a Bedrock resource (bedrock:ListTagsForResource) by the asset's id, its ARN.
pub async fn bedrock_tags(cx: &AwsScope, a: &mut Asset) {
    let arn = a.id.clone();
    set_tags(a, "bedrock:ListTagsForResource", list_bedrock_tags(cx, &arn).await);
}

/// Tags a Bedrock Agents resource (bedrock:ListTagsForResource on the agent endpoint).
pub async fn agent_tags(cx: &AwsScope, a: &mut Asset) {
    let arn = a.id.clone();
    set_tags(a, "bedrock:ListTagsForResource", list_agent_tags(cx, &arn).await);
}

async fn list_sagemaker_tags(cx: &AwsScope, arn: &str) -> Result<BTreeMap<String, String>, CollectError> {
    let mut tags = BTreeMap::new();
    let mut pages = cx.sagemaker().list_tags().resource_arn(arn).into_paginator().items().send();
    while let Some(t) = pages.next().await {
        let t = t.map_err(|e| sdk_err("sagemaker:ListTags", e))?;
        if let (Some(k), Some(v)) = (t.key(), t.value()) {
            tags.insert(k.to_owned(), v.to_owned());
        }
    }
    Ok(tags)
}

async fn list_bedrock_tags(cx: &AwsScope, arn: &str) -> Result<BTreeMap<String, String>, CollectError> {
    let out = cx
        .bedrock()
        .list_tags_for_resource()
        .resource_arn(arn)
        .send()
        .await
        .map_err(|e| sdk_err("bedrock:ListTagsForResource", e))?;
    Ok(out.tags().iter().map(|t| (t.key().to_owned(), t.value().to_owned())).collect())
}

async fn list_agent_tags(cx: &AwsScope, arn: &str) -> Result<BTreeMap<String, String>, CollectError> {
    let out = cx
        .bedrock_agent()
        .list_tags_for_resource()
        .resource_arn(arn)
        .send()
        .await
        .map_err(|e| sdk_err("bedrock:ListTagsForResource", e))?;
    Ok(out.tags().map(|m| m.iter().map(|(k, v)| (k.clone(), v.clone())).collect()).unwrap_or_default())
}

/// A JSON string value, or nothing.
pub fn s(v: Option<&str>) -> Option<serde_json::Value> {
    v.filter(|v| !v.is_empty()).map(|v| serde_json::Value::String(v.to_owned()))
}

/// Environment variable *names*, sorted: values may be credentials and are never kept.
pub fn env_names(env: Option<&std::collections::HashMap<String, String>>) -> Option<serde_json::Value> {
    let mut names: Vec<&String> = env?.keys().collect();
    names.sort();
    Some(serde_json::json!(names))
}
