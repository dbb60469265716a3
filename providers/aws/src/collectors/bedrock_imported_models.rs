//! Bedrock imported models (Custom Model Import): weights brought from S3.

use aimscope_core::{AssetKind, AssetStream, Collector, RelationKind, Service};
use async_stream::try_stream;

use super::common::{asset, bedrock_tags, keep, s, ts};
use crate::arn;
use crate::error::sdk_err;
use crate::scope::AwsScope;

pub struct ImportedModels;

impl Collector<AwsScope> for ImportedModels {
    fn name(&self) -> &'static str {
        "bedrock.imported_models"
    }

    fn applies_to(&self, cx: &AwsScope) -> bool {
        cx.has_bedrock()
    }

    fn collect<'a>(&'a self, cx: &'a AwsScope) -> AssetStream<'a> {
        Box::pin(try_stream! {
            let mut pages = cx.bedrock().list_imported_models().into_paginator().items().send();
            while let Some(m) = pages.next().await {
                let m = m.map_err(|e| sdk_err("bedrock:ListImportedModels", e))?;
                let described = cx.bedrock().get_imported_model().model_identifier(m.model_arn()).send().await;
                let mut a = asset(cx, m.model_arn(), AssetKind::CustomModel, Service::Bedrock, m.model_name())
                    .with_created(ts(Some(m.creation_time())))
                    .with_status("Active");
                a.attr("imported", Some(serde_json::Value::Bool(true)));
                a.attr("architecture", s(m.model_architecture()));
                if let Some(d) = keep(&mut a, "bedrock:GetImportedModel", described) {
                    if let Some(uri) = d.model_data_source().and_then(|ds| ds.as_s3_data_source().ok()).map(|s3| s3.s3_uri())
                        && let Some(bucket) = arn::s3_bucket_arn(cx.partition, uri)
                    {
                        a.relate_ref(RelationKind::StoredIn, bucket, uri);
                    }
                    if let Some(job) = d.job_arn() {
                        a.relate(RelationKind::ProducedBy, job);
                    }
                }
                bedrock_tags(cx, &mut a).await;
                yield a;
            }
        })
    }
}
