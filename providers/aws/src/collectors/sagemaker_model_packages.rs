//! The SageMaker model registry: model package groups and their versioned model packages
//! (with approval status).

use aimscope_core::{AssetKind, AssetStream, Collector, RelationKind, Service};
use async_stream::try_stream;

use super::common::{asset, keep, s, sagemaker_tags, ts};
use crate::arn;
use crate::error::sdk_err;
use crate::scope::AwsScope;

pub struct ModelPackages;

impl Collector<AwsScope> for ModelPackages {
    fn name(&self) -> &'static str {
        "sagemaker.model_packages"
    }

    fn collect<'a>(&'a self, cx: &'a AwsScope) -> AssetStream<'a> {
        Box::pin(try_stream! {
            let mut groups = cx.sagemaker().list_model_package_groups().into_paginator().items().send();
            while let Some(g) = groups.next().await {
                let g = g.map_err(|e| sdk_err("sagemaker:ListModelPackageGroups", e))?;
                let Some(group_name) = g.model_package_group_name() else { continue };
                let raw_arn = g.model_package_group_arn().map(str::to_owned);
                let group_id = raw_arn.as_deref().map(arn::sagemaker_id)
                    .unwrap_or_else(|| arn::sagemaker(cx.partition, cx.region(), cx.account(), "model-package-group", group_name));
                let mut group = asset(cx, group_id.clone(), AssetKind::ModelRegistry, Service::Sagemaker, group_name)
                    .with_created(ts(g.creation_time()));
                if let Some(st) = g.model_package_group_status() {
                    group = group.with_status(st.as_str());
                }
                group.attr("description", s(g.model_package_group_description()));
                sagemaker_tags(cx, &mut group, raw_arn.as_deref()).await;
                let group_tags = group.tags.clone();
                yield group;

                let mut pkgs = cx.sagemaker().list_model_packages().model_package_group_name(group_name).into_paginator().items().send();
                while let Some(p) = pkgs.next().await {
                    let p = p.map_err(|e| sdk_err("sagemaker:ListModelPackages", e))?;
                    let Some(pkg_arn) = p.model_package_arn() else { continue };
                    let version = p.model_package_version().map(|v| v.to_string());
                    let name = match &version {
                        Some(v) => format!("{group_name}/{v}"),
                        None => p.model_package_name().unwrap_or(group_name).to_owned(),
                    };
                    let mut a = asset(cx, arn::sagemaker_id(pkg_arn), AssetKind::ModelPackage, Service::Sagemaker, name)
                        .with_created(ts(p.creation_time()));
                    if let Some(st) = p.model_package_status() {
                        a = a.with_status(st.as_str());
                    }
                    a.attr("approval_status", s(p.model_approval_status().map(|x| x.as_str())));
                    a.relate(RelationKind::PartOf, group_id.clone());
                    // A versioned package takes its group's tags and cannot carry its own
                    // (CreateModelPackage rejects Tags with ModelPackageGroupName).
                    a.tags = group_tags.clone();
                    // The registered artifact: enrichment links it to the training job that
                    // wrote it, so the package inherits that job's data classification.
                    let described = cx.sagemaker().describe_model_package().model_package_name(pkg_arn).send().await;
                    if let Some(d) = keep(&mut a, "sagemaker:DescribeModelPackage", described) {
                        let containers = d.inference_specification().map(|i| i.containers()).unwrap_or_default();
                        if let Some(c) = containers.first() {
                            a.attr("image", s(c.image()));
                            a.attr("model_data_url", s(c.model_data_url()));
                            a.facts.artifact_location = c.model_data_url().map(str::to_owned);
                        }
                        for url in containers.iter().filter_map(|c| c.model_data_url()) {
                            if let Some(bucket) = arn::s3_bucket_arn(cx.partition, url) {
                                a.relate_ref(RelationKind::StoredIn, bucket, url);
                            }
                        }
                    }
                    yield a;
                }
            }
        })
    }
}
