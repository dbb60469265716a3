//! SageMaker Feature Store feature groups.

use aimscope_core::{AssetKind, AssetStream, Collector, Service};
use async_stream::try_stream;

use super::common::{asset, sagemaker_tags, ts};
use crate::arn;
use crate::error::sdk_err;
use crate::scope::AwsScope;

pub struct FeatureGroups;

impl Collector<AwsScope> for FeatureGroups {
    fn name(&self) -> &'static str {
        "sagemaker.feature_groups"
    }

    fn collect<'a>(&'a self, cx: &'a AwsScope) -> AssetStream<'a> {
        Box::pin(try_stream! {
            let mut pages = cx.sagemaker().list_feature_groups().into_paginator().items().send();
            while let Some(f) = pages.next().await {
                let f = f.map_err(|e| sdk_err("sagemaker:ListFeatureGroups", e))?;
                let Some(name) = f.feature_group_name() else { continue };
                let raw_arn = f.feature_group_arn().map(str::to_owned);
                let id = raw_arn.as_deref().map(arn::sagemaker_id)
                    .unwrap_or_else(|| arn::sagemaker(cx.partition, cx.region(), cx.account(), "feature-group", name));
                let mut a = asset(cx, id, AssetKind::FeatureStore, Service::Sagemaker, name).with_created(ts(f.creation_time()));
                if let Some(st) = f.feature_group_status() {
                    a = a.with_status(st.as_str());
                }
                sagemaker_tags(cx, &mut a, raw_arn.as_deref()).await;
                yield a;
            }
        })
    }
}
