//! Vertex AI Agent Engine (reasoning engines): deployed agents.

use aimscope_core::{AssetKind, AssetStream, Collector};
use async_stream::try_stream;
use google_cloud_gax::paginator::ItemPaginator as _;

use super::common::asset;
use crate::error::gcp_err;
use crate::scope::{GcpScope, ts};

pub struct ReasoningEngines;

impl Collector<GcpScope> for ReasoningEngines {
    fn name(&self) -> &'static str {
        "vertex.reasoning_engines"
    }

    fn collect<'a>(&'a self, cx: &'a GcpScope) -> AssetStream<'a> {
        Box::pin(try_stream! {
            cx.record("aiplatform.reasoningEngines.list");
            let client = cx.reasoning_engines().await?;
            let mut items = client.list_reasoning_engines().set_parent(cx.parent()).by_item();
            while let Some(item) = items.next().await {
                let x = item.map_err(|e| gcp_err("aiplatform.reasoningEngines.list", e))?;
                let a = asset(cx, &x.name, &x.display_name, AssetKind::Agent, &x.labels).with_created(ts(x.create_time.as_ref()));
                yield a;
            }
        })
    }
}
