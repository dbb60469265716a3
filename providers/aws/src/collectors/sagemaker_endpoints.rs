//! SageMaker endpoints: each deploys an endpoint config.

use aimscope_core::{AssetKind, AssetStream, Collector, RelationKind, Service};
use async_stream::try_stream;

use super::common::{asset, keep, sagemaker_tags, ts};
use crate::arn;
use crate::error::sdk_err;
use crate::scope::AwsScope;

pub struct Endpoints;

impl Collector<AwsScope> for Endpoints {
    fn name(&self) -> &'static str {
        "sagemaker.endpoints"
    }

    fn collect<'a>(&'a self, cx: &'a AwsScope) -> AssetStream<'a> {
        Box::pin(try_stream! {
            let mut pages = cx.sagemaker().list_endpoints().into_paginator().items().send();
            while let Some(item) = pages.next().await {
                let item = item.map_err(|e| sdk_err("sagemaker:ListEndpoints", e))?;
                let Some(name) = item.endpoint_name() else { continue };
                let described = cx.sagemaker().describe_endpoint().endpoint_name(name).send().await;
                let raw_arn = item.endpoint_arn().map(str::to_owned);
                let id = raw_arn.as_deref().map(arn::sagemaker_id)
                    .unwrap_or_else(|| arn::sagemaker(cx.partition, cx.region(), cx.account(), "endpoint", name));
                let mut a = asset(cx, id, AssetKind::Endpoint, Service::Sagemaker, name)
                    .with_created(ts(item.creation_time()));
                if let Some(status) = item.endpoint_status() {
                    a = a.with_status(status.as_str());
                }
                if let Some(d) = keep(&mut a, "sagemaker:DescribeEndpoint", described)
                    && let Some(cfg) = d.endpoint_config_name()
                {
                    a.relate(RelationKind::Deploys, arn::sagemaker(cx.partition, cx.region(), cx.account(), "endpoint-config", cfg));
                }
                sagemaker_tags(cx, &mut a, raw_arn.as_deref()).await;
                yield a;
            }
        })
    }
}
