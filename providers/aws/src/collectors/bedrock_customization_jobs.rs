//! Bedrock model customization (fine-tuning) jobs: training data → job → custom model.

use aimscope_core::{AssetKind, AssetStream, Collector, RelationKind, Service};
use async_stream::try_stream;

use super::common::{asset, bedrock_tags, keep, s, ts};
use crate::arn;
use crate::error::sdk_err;
use crate::scope::AwsScope;

pub struct CustomizationJobs;

impl Collector<AwsScope> for CustomizationJobs {
    fn name(&self) -> &'static str {
        "bedrock.customization_jobs"
    }

    fn applies_to(&self, cx: &AwsScope) -> bool {
        cx.has_bedrock()
    }

    fn collect<'a>(&'a self, cx: &'a AwsScope) -> AssetStream<'a> {
        Box::pin(try_stream! {
            let mut pages = cx.bedrock().list_model_customization_jobs().into_paginator().items().send();
            while let Some(j) = pages.next().await {
                let j = j.map_err(|e| sdk_err("bedrock:ListModelCustomizationJobs", e))?;
                let described = cx.bedrock().get_model_customization_job().job_identifier(j.job_arn()).send().await;
                let mut a = asset(cx, j.job_arn(), AssetKind::CustomizationJob, Service::Bedrock, j.job_name())
                    .with_created(ts(Some(j.creation_time())))
                    .with_status(j.status().as_str());
                if !j.base_model_arn().is_empty() {
                    a.relate(RelationKind::FineTunedFrom, j.base_model_arn());
                }
                a.attr("output_model_arn", s(j.custom_model_arn()));
                a.attr("customization_type", s(j.customization_type().map(|c| c.as_str())));
                if let Some(d) = keep(&mut a, "bedrock:GetModelCustomizationJob", described)
                    && let Some(uri) = d.training_data_config().and_then(|t| t.s3_uri())
                    && let Some(bucket) = arn::s3_bucket_arn(cx.partition, uri)
                {
                    a.relate_ref(RelationKind::TrainedOn, bucket, uri);
                }
                bedrock_tags(cx, &mut a).await;
                yield a;
            }
        })
    }
}
