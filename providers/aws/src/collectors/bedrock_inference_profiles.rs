//! Bedrock inference profiles (application and cross-region system profiles) and the models
//! they route to.

use aimscope_core::{AssetKind, AssetStream, Collector, RelationKind, Service};
use async_stream::try_stream;

use super::common::{asset, bedrock_tags, s, ts};
use crate::error::sdk_err;
use crate::scope::AwsScope;

pub struct InferenceProfiles;

impl Collector<AwsScope> for InferenceProfiles {
    fn name(&self) -> &'static str {
        "bedrock.inference_profiles"
    }

    fn applies_to(&self, cx: &AwsScope) -> bool {
        cx.has_bedrock()
    }

    fn collect<'a>(&'a self, cx: &'a AwsScope) -> AssetStream<'a> {
        Box::pin(try_stream! {
            // Only application profiles are the account's own; system-defined cross-region
            // profiles exist in every account and are not an asset of it.
            let mut pages = cx.bedrock().list_inference_profiles()
                .type_equals(aws_sdk_bedrock::types::InferenceProfileType::Application)
                .into_paginator().items().send();
            while let Some(p) = pages.next().await {
                let p = p.map_err(|e| sdk_err("bedrock:ListInferenceProfiles", e))?;
                let mut a = asset(cx, p.inference_profile_arn(), AssetKind::InferenceProfile, Service::Bedrock, p.inference_profile_name())
                    .with_created(ts(p.created_at()))
                    .with_status(p.status().as_str());
                for m in p.models() {
                    if let Some(model) = m.model_arn() {
                        a.relate(RelationKind::Serves, model);
                    }
                }
                a.attr("description", s(p.description()));
                bedrock_tags(cx, &mut a).await;
                yield a;
            }
        })
    }
}
