//! Shared pieces of AWS collectors: tag lookups per service and small conversions.

use std::collections::BTreeMap;

use aimscope_core::{Asset, AssetKind, Cloud, CollectError, Service};

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

/// Tags of a SageMaker resource (sagemaker:ListTags, paginated).
pub async fn sagemaker_tags(cx: &AwsScope, arn: &str) -> Result<BTreeMap<String, String>, CollectError> {
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

/// Tags of a Bedrock resource (bedrock:ListTagsForResource).
pub async fn bedrock_tags(cx: &AwsScope, arn: &str) -> Result<BTreeMap<String, String>, CollectError> {
    let out = cx
        .bedrock()
        .list_tags_for_resource()
        .resource_arn(arn)
        .send()
        .await
        .map_err(|e| sdk_err("bedrock:ListTagsForResource", e))?;
    Ok(out.tags().iter().map(|t| (t.key().to_owned(), t.value().to_owned())).collect())
}

/// Tags of a Bedrock Agents resource (bedrock:ListTagsForResource on the agent endpoint).
pub async fn agent_tags(cx: &AwsScope, arn: &str) -> Result<BTreeMap<String, String>, CollectError> {
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
