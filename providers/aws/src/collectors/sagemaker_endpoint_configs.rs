//! SageMaker endpoint configs: each production variant serves a model.

use aimscope_core::{AssetKind, AssetStream, Collector, RelationKind, Service};
use async_stream::try_stream;

use super::common::{asset, keep, s, sagemaker_tags, ts};
use crate::arn;
use crate::error::sdk_err;
use crate::scope::AwsScope;

pub struct EndpointConfigs;

impl Collector<AwsScope> for EndpointConfigs {
    fn name(&self) -> &'static str {
        "sagemaker.endpoint_configs"
    }

    fn collect<'a>(&'a self, cx: &'a AwsScope) -> AssetStream<'a> {
        Box::pin(try_stream! {
            let mut pages = cx.sagemaker().list_endpoint_configs().into_paginator().items().send();
            while let Some(item) = pages.next().await {
                let item = item.map_err(|e| sdk_err("sagemaker:ListEndpointConfigs", e))?;
                let Some(name) = item.endpoint_config_name() else { continue };
                let described = cx.sagemaker().describe_endpoint_config().endpoint_config_name(name).send().await;
                let raw_arn = item.endpoint_config_arn().map(str::to_owned);
                let id = raw_arn.as_deref().map(arn::sagemaker_id)
                    .unwrap_or_else(|| arn::sagemaker(cx.partition, cx.region(), cx.account(), "endpoint-config", name));
                let mut a = asset(cx, id, AssetKind::EndpointConfig, Service::Sagemaker, name)
                    .with_created(ts(item.creation_time()));
                if let Some(d) = keep(&mut a, "sagemaker:DescribeEndpointConfig", described) {
                    let variants: Vec<_> = d.production_variants().iter().chain(d.shadow_production_variants().iter()).collect();
                    for v in &variants {
                        if let Some(model) = v.model_name() {
                            a.relate(RelationKind::Serves, arn::sagemaker(cx.partition, cx.region(), cx.account(), "model", model));
                        }
                    }
                    a.attr("variants", Some(serde_json::json!(variants.iter().map(|v| serde_json::json!({
                        "name": v.variant_name(),
                        "model": v.model_name(),
                        "instance_type": v.instance_type().map(|t| t.as_str()),
                        "serverless": v.serverless_config().is_some(),
                    })).collect::<Vec<_>>())));
                    a.attr("kms_key", s(d.kms_key_id()));
                    a.attr("data_capture", d.data_capture_config().map(|c| serde_json::Value::Bool(c.enable_capture().unwrap_or(true))));
                }
                sagemaker_tags(cx, &mut a, raw_arn.as_deref()).await;
                yield a;
            }
        })
    }
}
