//! SageMaker models: ListModels, then DescribeModel for the primary container (image, model
//! artifact location, registered model package).

use aimscope_core::{AssetKind, AssetStream, Collector, RelationKind, Service};
use async_stream::try_stream;

use super::common::{asset, keep, s, sagemaker_tags, ts};
use crate::arn;
use crate::error::sdk_err;
use crate::scope::AwsScope;

pub struct Models;

impl Collector<AwsScope> for Models {
    fn name(&self) -> &'static str {
        "sagemaker.models"
    }

    fn collect<'a>(&'a self, cx: &'a AwsScope) -> AssetStream<'a> {
        Box::pin(try_stream! {
            let mut pages = cx.sagemaker().list_models().into_paginator().items().send();
            while let Some(item) = pages.next().await {
                let item = item.map_err(|e| sdk_err("sagemaker:ListModels", e))?;
                let Some(name) = item.model_name() else { continue };
                let described = cx.sagemaker().describe_model().model_name(name).send().await;
                let raw_arn = item.model_arn().map(str::to_owned);
                let id = raw_arn.as_deref().map(arn::sagemaker_id)
                    .unwrap_or_else(|| arn::sagemaker(cx.partition, cx.region(), cx.account(), "model", name));
                let mut a = asset(cx, id, AssetKind::Model, Service::Sagemaker, name)
                    .with_created(ts(item.creation_time()));
                if let Some(d) = keep(&mut a, "sagemaker:DescribeModel", described) {
                    // The primary container, or the first of an inference pipeline's containers.
                    let containers: Vec<_> = d.primary_container().into_iter().chain(d.containers().iter()).collect();
                    let mut registered = false;
                    for (i, c) in containers.iter().enumerate() {
                        if i == 0 {
                            a.attr("image", s(c.image()));
                            a.attr("model_data_url", s(c.model_data_url()));
                            a.facts.artifact_location = c.model_data_url().map(str::to_owned);
                        }
                        if let Some(url) = c.model_data_url()
                            && let Some(bucket) = arn::s3_bucket_arn(cx.partition, url)
                        {
                            a.relate_ref(RelationKind::StoredIn, bucket, url);
                        }
                        if let Some(pkg) = c.model_package_name() {
                            registered = true;
                            let target = if pkg.starts_with("arn:") {
                                arn::sagemaker_id(pkg)
                            } else {
                                arn::sagemaker(cx.partition, cx.region(), cx.account(), "model-package", pkg)
                            };
                            a.relate(RelationKind::PartOf, target);
                        }
                    }
                    a.attr("in_model_registry", Some(serde_json::Value::Bool(registered)));
                    a.facts.in_model_registry = Some(registered);
                    a.attr("execution_role", s(d.execution_role_arn()));
                    a.attr("network_isolation", d.enable_network_isolation().map(serde_json::Value::Bool));
                }
                sagemaker_tags(cx, &mut a, raw_arn.as_deref()).await;
                yield a;
            }
        })
    }
}
