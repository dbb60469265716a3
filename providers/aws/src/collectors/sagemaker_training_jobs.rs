//! SageMaker training jobs: input channels (S3 URIs) are the data a model is trained on; the
//! output artifact location links the job to the models built from it (see `enrich`).

use aimscope_core::{AssetKind, AssetStream, Collector, RelationKind, Service};
use async_stream::try_stream;

use super::common::{asset, env_names, keep, s, sagemaker_tags, ts};
use crate::arn;
use crate::error::sdk_err;
use crate::scope::AwsScope;

pub struct TrainingJobs;

impl Collector<AwsScope> for TrainingJobs {
    fn name(&self) -> &'static str {
        "sagemaker.training_jobs"
    }

    fn collect<'a>(&'a self, cx: &'a AwsScope) -> AssetStream<'a> {
        Box::pin(try_stream! {
            let mut pages = cx.sagemaker().list_training_jobs().into_paginator().items().send();
            while let Some(item) = pages.next().await {
                let item = item.map_err(|e| sdk_err("sagemaker:ListTrainingJobs", e))?;
                let Some(name) = item.training_job_name() else { continue };
                let described = cx.sagemaker().describe_training_job().training_job_name(name).send().await;
                let raw_arn = item.training_job_arn().map(str::to_owned);
                let id = raw_arn.as_deref().map(arn::sagemaker_id)
                    .unwrap_or_else(|| arn::sagemaker(cx.partition, cx.region(), cx.account(), "training-job", name));
                let mut a = asset(cx, id, AssetKind::TrainingJob, Service::Sagemaker, name)
                    .with_created(ts(item.creation_time()));
                if let Some(status) = item.training_job_status() {
                    a = a.with_status(status.as_str());
                }
                if let Some(d) = keep(&mut a, "sagemaker:DescribeTrainingJob", described) {
                    for ch in d.input_data_config() {
                        let Some(uri) = ch.data_source().and_then(|ds| ds.s3_data_source()).and_then(|s3| s3.s3_uri()) else { continue };
                        if let Some(bucket) = arn::s3_bucket_arn(cx.partition, uri) {
                            a.relate_ref(RelationKind::TrainedOn, bucket, uri);
                        }
                    }
                    let artifacts = d.model_artifacts().and_then(|m| m.s3_model_artifacts());
                    a.attr("model_artifacts", s(artifacts));
                    a.facts.artifact_location = artifacts.map(str::to_owned);
                    if let Some(uri) = d.output_data_config().and_then(|o| o.s3_output_path())
                        && let Some(bucket) = arn::s3_bucket_arn(cx.partition, uri)
                    {
                        a.relate_ref(RelationKind::StoredIn, bucket, uri);
                    }
                    a.attr("training_image", s(d.algorithm_specification().and_then(|x| x.training_image())));
                    a.attr("algorithm", s(d.algorithm_specification().and_then(|x| x.algorithm_name())));
                    a.attr("role", s(d.role_arn()));
                    a.attr("environment_names", env_names(d.environment()));
                }
                sagemaker_tags(cx, &mut a, raw_arn.as_deref()).await;
                yield a;
            }
        })
    }
}
