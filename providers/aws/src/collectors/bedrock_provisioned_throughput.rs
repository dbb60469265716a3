//! Bedrock provisioned throughput: reserved capacity that serves a (custom or foundation) model.

use aimscope_core::{AssetKind, AssetStream, Collector, RelationKind, Service};
use async_stream::try_stream;

use super::common::{asset, bedrock_tags, s, ts};
use crate::error::sdk_err;
use crate::scope::AwsScope;

pub struct ProvisionedThroughput;

impl Collector<AwsScope> for ProvisionedThroughput {
    fn name(&self) -> &'static str {
        "bedrock.provisioned_throughput"
    }

    fn applies_to(&self, cx: &AwsScope) -> bool {
        cx.has_bedrock()
    }

    fn collect<'a>(&'a self, cx: &'a AwsScope) -> AssetStream<'a> {
        Box::pin(try_stream! {
            let mut pages = cx.bedrock().list_provisioned_model_throughputs().into_paginator().items().send();
            while let Some(p) = pages.next().await {
                let p = p.map_err(|e| sdk_err("bedrock:ListProvisionedModelThroughputs", e))?;
                let mut a = asset(cx, p.provisioned_model_arn(), AssetKind::ProvisionedThroughput, Service::Bedrock, p.provisioned_model_name())
                    .with_created(ts(Some(p.creation_time())))
                    .with_status(p.status().as_str());
                if !p.model_arn().is_empty() {
                    a.relate(RelationKind::Serves, p.model_arn());
                }
                a.attr("foundation_model_arn", s(Some(p.foundation_model_arn())));
                a.attr("model_units", Some(serde_json::json!(p.model_units())));
                a.attr("commitment", s(p.commitment_duration().map(|c| c.as_str())));
                bedrock_tags(cx, &mut a).await;
                yield a;
            }
        })
    }
}
