//! Bedrock custom (fine-tuned / distilled) models: base model, training data, producing job.

use aimscope_core::{AssetKind, AssetStream, Collector, RelationKind, Service};
use async_stream::try_stream;

use super::common::{asset, bedrock_tags, keep, s, ts};
use crate::arn;
use crate::error::sdk_err;
use crate::scope::AwsScope;

pub struct CustomModels;

impl Collector<AwsScope> for CustomModels {
    fn name(&self) -> &'static str {
        "bedrock.custom_models"
    }

    fn applies_to(&self, cx: &AwsScope) -> bool {
        cx.has_bedrock()
    }

    fn collect<'a>(&'a self, cx: &'a AwsScope) -> AssetStream<'a> {
        Box::pin(try_stream! {
            let mut pages = cx.bedrock().list_custom_models().into_paginator().items().send();
            while let Some(m) = pages.next().await {
                let m = m.map_err(|e| sdk_err("bedrock:ListCustomModels", e))?;
                let described = cx.bedrock().get_custom_model().model_identifier(m.model_arn()).send().await;
                let mut a = asset(cx, m.model_arn(), AssetKind::CustomModel, Service::Bedrock, m.model_name())
                    .with_created(ts(Some(m.creation_time())));
                if let Some(st) = m.model_status() {
                    a = a.with_status(st.as_str());
                }
                a.attr("base_model_name", s(Some(m.base_model_name())));
                if !m.base_model_arn().is_empty() {
                    a.relate(RelationKind::FineTunedFrom, m.base_model_arn());
                }
                if let Some(d) = keep(&mut a, "bedrock:GetCustomModel", described) {
                    if let Some(base) = d.base_model_arn().filter(|b| !b.is_empty() && *b != m.base_model_arn()) {
                        a.relate(RelationKind::FineTunedFrom, base);
                    }
                    if let Some(job) = d.job_arn() {
                        a.relate(RelationKind::ProducedBy, job);
                    }
                    if let Some(uri) = d.training_data_config().and_then(|t| t.s3_uri())
                        && let Some(bucket) = arn::s3_bucket_arn(cx.partition, uri)
                    {
                        a.relate_ref(RelationKind::TrainedOn, bucket, uri);
                    }
                    if let Some(uri) = d.output_data_config().map(|o| o.s3_uri())
                        && let Some(bucket) = arn::s3_bucket_arn(cx.partition, uri)
                    {
                        a.relate_ref(RelationKind::StoredIn, bucket, uri);
                    }
                    a.attr("customization_type", s(d.customization_type().map(|c| c.as_str())));
                }
                bedrock_tags(cx, &mut a).await;
                yield a;
            }
        })
    }
}
