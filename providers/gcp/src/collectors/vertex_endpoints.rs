//! Vertex AI endpoints and the models deployed on them.

use aimscope_core::{AssetKind, AssetStream, Collector, RelationKind};
use async_stream::try_stream;
use google_cloud_gax::paginator::ItemPaginator as _;

use super::common::asset;
use crate::error::gcp_err;
use crate::names::model_version;
use crate::scope::{GcpScope, ts};

pub struct Endpoints;

impl Collector<GcpScope> for Endpoints {
    fn name(&self) -> &'static str {
        "vertex.endpoints"
    }

    fn collect<'a>(&'a self, cx: &'a GcpScope) -> AssetStream<'a> {
        Box::pin(try_stream! {
            cx.record("aiplatform.endpoints.list");
            let client = cx.endpoints().await?;
            let mut items = client.list_endpoints().set_parent(cx.parent()).by_item();
            while let Some(item) = items.next().await {
                let x = item.map_err(|e| gcp_err("aiplatform.endpoints.list", e))?;
                let mut a = asset(cx, &x.name, &x.display_name, AssetKind::Endpoint, &x.labels).with_created(ts(x.create_time.as_ref()));
                for d in &x.deployed_models {
                    if !d.model.is_empty() {
                        a.relate_ref(RelationKind::Serves, model_version(&d.model, &d.model_version_id), d.id.clone());
                    }
                }
                a.attr("deployed_models", Some(x.deployed_models.len().into()));
                yield a;
            }
        })
    }
}
