//! SageMaker notebook instances.

use aimscope_core::{AssetKind, AssetStream, Collector, Service};
use async_stream::try_stream;

use super::common::{asset, s, sagemaker_tags, ts};
use crate::arn;
use crate::error::sdk_err;
use crate::scope::AwsScope;

pub struct NotebookInstances;

impl Collector<AwsScope> for NotebookInstances {
    fn name(&self) -> &'static str {
        "sagemaker.notebook_instances"
    }

    fn collect<'a>(&'a self, cx: &'a AwsScope) -> AssetStream<'a> {
        Box::pin(try_stream! {
            let mut pages = cx.sagemaker().list_notebook_instances().into_paginator().items().send();
            while let Some(n) = pages.next().await {
                let n = n.map_err(|e| sdk_err("sagemaker:ListNotebookInstances", e))?;
                let Some(name) = n.notebook_instance_name() else { continue };
                let raw_arn = n.notebook_instance_arn().map(str::to_owned);
                let id = raw_arn.as_deref().map(arn::sagemaker_id)
                    .unwrap_or_else(|| arn::sagemaker(cx.partition, cx.region(), cx.account(), "notebook-instance", name));
                let mut a = asset(cx, id, AssetKind::Notebook, Service::Sagemaker, name).with_created(ts(n.creation_time()));
                if let Some(st) = n.notebook_instance_status() {
                    a = a.with_status(st.as_str());
                }
                a.attr("instance_type", s(n.instance_type().map(|t| t.as_str())));
                a.attr("url", s(n.url()));
                sagemaker_tags(cx, &mut a, raw_arn.as_deref()).await;
                yield a;
            }
        })
    }
}
