//! SageMaker pipelines (ML workflows).

use aimscope_core::{AssetKind, AssetStream, Collector, Service};
use async_stream::try_stream;

use super::common::{asset, s, sagemaker_tags, ts};
use crate::arn;
use crate::error::sdk_err;
use crate::scope::AwsScope;

pub struct Pipelines;

impl Collector<AwsScope> for Pipelines {
    fn name(&self) -> &'static str {
        "sagemaker.pipelines"
    }

    fn collect<'a>(&'a self, cx: &'a AwsScope) -> AssetStream<'a> {
        Box::pin(try_stream! {
            let mut pages = cx.sagemaker().list_pipelines().into_paginator().items().send();
            while let Some(p) = pages.next().await {
                let p = p.map_err(|e| sdk_err("sagemaker:ListPipelines", e))?;
                let Some(name) = p.pipeline_name() else { continue };
                let raw_arn = p.pipeline_arn().map(str::to_owned);
                let id = raw_arn.as_deref().map(arn::sagemaker_id)
                    .unwrap_or_else(|| arn::sagemaker(cx.partition, cx.region(), cx.account(), "pipeline", name));
                let mut a = asset(cx, id, AssetKind::Pipeline, Service::Sagemaker, name).with_created(ts(p.creation_time()));
                a.attr("role", s(p.role_arn()));
                a.attr("description", s(p.pipeline_description()));
                sagemaker_tags(cx, &mut a, raw_arn.as_deref()).await;
                yield a;
            }
        })
    }
}
