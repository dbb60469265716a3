//! SageMaker batch transform jobs: batch inference with a model over S3 input.

use aimscope_core::{AssetKind, AssetStream, Collector, RelationKind, Service};
use async_stream::try_stream;

use super::common::{asset, keep, sagemaker_tags, ts};
use crate::arn;
use crate::error::sdk_err;
use crate::scope::AwsScope;

pub struct TransformJobs;

impl Collector<AwsScope> for TransformJobs {
    fn name(&self) -> &'static str {
        "sagemaker.transform_jobs"
    }

    fn collect<'a>(&'a self, cx: &'a AwsScope) -> AssetStream<'a> {
        Box::pin(try_stream! {
            let mut pages = cx.sagemaker().list_transform_jobs().into_paginator().items().send();
            while let Some(item) = pages.next().await {
                let item = item.map_err(|e| sdk_err("sagemaker:ListTransformJobs", e))?;
                let Some(name) = item.transform_job_name() else { continue };
                let described = cx.sagemaker().describe_transform_job().transform_job_name(name).send().await;
                let raw_arn = item.transform_job_arn().map(str::to_owned);
                let id = raw_arn.as_deref().map(arn::sagemaker_id)
                    .unwrap_or_else(|| arn::sagemaker(cx.partition, cx.region(), cx.account(), "transform-job", name));
                let mut a = asset(cx, id, AssetKind::BatchJob, Service::Sagemaker, name).with_created(ts(item.creation_time()));
                if let Some(st) = item.transform_job_status() {
                    a = a.with_status(st.as_str());
                }
                if let Some(d) = keep(&mut a, "sagemaker:DescribeTransformJob", described) {
                    if let Some(model) = d.model_name() {
                        a.relate(RelationKind::Serves, arn::sagemaker(cx.partition, cx.region(), cx.account(), "model", model));
                    }
                    if let Some(uri) = d.transform_input().and_then(|i| i.data_source()).and_then(|ds| ds.s3_data_source()).and_then(|s3| s3.s3_uri())
                        && let Some(bucket) = arn::s3_bucket_arn(cx.partition, uri)
                    {
                        a.relate_ref(RelationKind::Uses, bucket, uri);
                    }
                }
                sagemaker_tags(cx, &mut a, raw_arn.as_deref()).await;
                yield a;
            }
        })
    }
}
