//! Vertex AI pipeline jobs (Kubeflow / TFX pipelines).

use aimscope_core::{AssetKind, AssetStream, Collector};
use async_stream::try_stream;
use google_cloud_gax::paginator::ItemPaginator as _;

use super::common::asset;
use crate::error::gcp_err;
use crate::scope::{GcpScope, ts};

pub struct PipelineJobs;

impl Collector<GcpScope> for PipelineJobs {
    fn name(&self) -> &'static str {
        "vertex.pipeline_jobs"
    }

    fn collect<'a>(&'a self, cx: &'a GcpScope) -> AssetStream<'a> {
        Box::pin(try_stream! {
            cx.record("aiplatform.pipelineJobs.list");
            let client = cx.pipelines().await?;
            let mut items = client.list_pipeline_jobs().set_parent(cx.parent()).by_item();
            while let Some(item) = items.next().await {
                let x = item.map_err(|e| gcp_err("aiplatform.pipelineJobs.list", e))?;
                let mut a = asset(cx, &x.name, &x.display_name, AssetKind::Pipeline, &x.labels).with_created(ts(x.create_time.as_ref()));
                if let Some(st) = x.state.name() {
                    a = a.with_status(st);
                }
                a.attr("template_uri", (!x.template_uri.is_empty()).then(|| x.template_uri.clone().into()));
                yield a;
            }
        })
    }
}
