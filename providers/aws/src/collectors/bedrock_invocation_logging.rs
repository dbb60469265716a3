//! Bedrock model-invocation logging, per region: recorded as a service-configuration asset so
//! the policy can flag regions where foundation-model calls are not logged.

use aimscope_core::{AssetKind, AssetStream, Collector, Service};
use async_stream::try_stream;

use super::common::{asset, s};
use crate::error::sdk_err;
use crate::scope::AwsScope;

pub struct InvocationLogging;

impl Collector<AwsScope> for InvocationLogging {
    fn name(&self) -> &'static str {
        "bedrock.invocation_logging"
    }

    fn applies_to(&self, cx: &AwsScope) -> bool {
        cx.has_bedrock()
    }

    fn collect<'a>(&'a self, cx: &'a AwsScope) -> AssetStream<'a> {
        Box::pin(try_stream! {
            let out = cx.bedrock().get_model_invocation_logging_configuration().send().await
                .map_err(|e| sdk_err("bedrock:GetModelInvocationLoggingConfiguration", e))?;
            // Not an ARN-addressable resource: the id is synthetic but stable per account/region.
            let id = format!("arn:{}:bedrock:{}:{}:model-invocation-logging", cx.partition, cx.region(), cx.account());
            let mut a = asset(cx, id, AssetKind::ServiceConfiguration, Service::Bedrock, format!("bedrock invocation logging {}", cx.region()));
            let cfg = out.logging_config();
            let enabled = cfg.is_some_and(|c| c.cloud_watch_config().is_some() || c.s3_config().is_some());
            a = a.with_status(if enabled { "Enabled" } else { "Disabled" });
            a.lifecycle_stage = None;
            a.attr("invocation_logging_enabled", Some(serde_json::Value::Bool(enabled)));
            a.facts.invocation_logging = Some(enabled);
            if let Some(c) = cfg {
                a.attr("log_group", s(c.cloud_watch_config().map(|w| w.log_group_name())));
                a.attr("s3_bucket", s(c.s3_config().map(|x| x.bucket_name())));
                a.attr("text_data_delivery", c.text_data_delivery_enabled().map(serde_json::Value::Bool));
            }
            yield a;
        })
    }
}
