//! SageMaker processing jobs (data preparation, evaluation): their S3 inputs are data they use.

use aimscope_core::{AssetKind, AssetStream, Collector, RelationKind, Service};
use async_stream::try_stream;

use super::common::{asset, env_names, keep, s, sagemaker_tags, ts};
use crate::arn;
use crate::error::sdk_err;
use crate::scope::AwsScope;

pub struct ProcessingJobs;

impl Collector<AwsScope> for ProcessingJobs {
    fn name(&self) -> &'static str {
        "sagemaker.processing_jobs"
    }

    fn collect<'a>(&'a self, cx: &'a AwsScope) -> AssetStream<'a> {
        Box::pin(try_stream! {
            let mut pages = cx.sagemaker().list_processing_jobs().into_paginator().items().send();
            while let Some(item) = pages.next().await {
                let item = item.map_err(|e| sdk_err("sagemaker:ListProcessingJobs", e))?;
                let Some(name) = item.processing_job_name() else { continue };
                let described = cx.sagemaker().describe_processing_job().processing_job_name(name).send().await;
                let raw_arn = item.processing_job_arn().map(str::to_owned);
                let id = raw_arn.as_deref().map(arn::sagemaker_id)
                    .unwrap_or_else(|| arn::sagemaker(cx.partition, cx.region(), cx.account(), "processing-job", name));
                let mut a = asset(cx, id, AssetKind::ProcessingJob, Service::Sagemaker, name)
                    .with_created(ts(item.creation_time()));
                if let Some(st) = item.processing_job_status() {
                    a = a.with_status(st.as_str());
                }
                if let Some(d) = keep(&mut a, "sagemaker:DescribeProcessingJob", described) {
                    for input in d.processing_inputs() {
                        if let Some(uri) = input.s3_input().and_then(|x| x.s3_uri())
                            && let Some(bucket) = arn::s3_bucket_arn(cx.partition, uri)
                        {
                            a.relate_ref(RelationKind::Uses, bucket, uri);
                        }
                    }
                    a.attr("image", s(d.app_specification().and_then(|x| x.image_uri())));
                    a.attr("environment_names", env_names(d.environment()));
                }
                sagemaker_tags(cx, &mut a, raw_arn.as_deref()).await;
                yield a;
            }
        })
    }
}
