//! SageMaker inference components: a model deployed onto an endpoint with its own resources.

use aimscope_core::{AssetKind, AssetStream, Collector, RelationKind, Service};
use async_stream::try_stream;

use super::common::{asset, keep, s, sagemaker_tags, ts};
use crate::arn;
use crate::error::sdk_err;
use crate::scope::AwsScope;

pub struct InferenceComponents;

impl Collector<AwsScope> for InferenceComponents {
    fn name(&self) -> &'static str {
        "sagemaker.inference_components"
    }

    fn collect<'a>(&'a self, cx: &'a AwsScope) -> AssetStream<'a> {
        Box::pin(try_stream! {
            let mut pages = cx.sagemaker().list_inference_components().into_paginator().items().send();
            while let Some(item) = pages.next().await {
                let item = item.map_err(|e| sdk_err("sagemaker:ListInferenceComponents", e))?;
                let Some(name) = item.inference_component_name() else { continue };
                let described = cx.sagemaker().describe_inference_component().inference_component_name(name).send().await;
                let raw_arn = item.inference_component_arn().map(str::to_owned);
                let id = raw_arn.as_deref().map(arn::sagemaker_id)
                    .unwrap_or_else(|| arn::sagemaker(cx.partition, cx.region(), cx.account(), "inference-component", name));
                let mut a = asset(cx, id, AssetKind::Deployment, Service::Sagemaker, name)
                    .with_created(ts(item.creation_time()));
                if let Some(st) = item.inference_component_status() {
                    a = a.with_status(st.as_str());
                }
                // The endpoint hosts the component: recorded as an attribute, not a dependency,
                // so the endpoint (not the component) inherits from the component's model.
                a.attr("endpoint", s(item.endpoint_arn()));
                a.attr("variant", s(item.variant_name()));
                if let Some(d) = keep(&mut a, "sagemaker:DescribeInferenceComponent", described) {
                    let specs = d.specification().into_iter().chain(d.specifications().iter());
                    for spec in specs {
                        if let Some(model) = spec.model_name() {
                            a.relate(RelationKind::Serves, arn::sagemaker(cx.partition, cx.region(), cx.account(), "model", model));
                        }
                    }
                }
                sagemaker_tags(cx, &mut a, raw_arn.as_deref()).await;
                yield a;
            }
        })
    }
}
