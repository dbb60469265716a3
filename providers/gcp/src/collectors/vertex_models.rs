//! Vertex AI models (every version): container image, artifact URI, the training pipeline that produced them.

use aimscope_core::{AssetKind, AssetStream, Collector, RelationKind};
use async_stream::try_stream;
use google_cloud_gax::paginator::ItemPaginator as _;

use super::common::{asset, data_ref};
use crate::error::gcp_err;
use crate::scope::{GcpScope, ts};

pub struct Models;

impl Collector<GcpScope> for Models {
    fn name(&self) -> &'static str {
        "vertex.models"
    }

    fn collect<'a>(&'a self, cx: &'a GcpScope) -> AssetStream<'a> {
        Box::pin(try_stream! {
            cx.record("aiplatform.models.list");
            let client = cx.models().await?;
            let mut items = client.list_models().set_parent(cx.parent()).by_item();
            while let Some(item) = items.next().await {
                let x = item.map_err(|e| gcp_err("aiplatform.models.list", e))?;
                let mut a = asset(cx, &format!("{}@{}", x.name, x.version_id), &x.display_name, AssetKind::Model, &x.labels)
                    .with_created(ts(x.create_time.as_ref()));
                a.attr("version_id", Some(x.version_id.clone().into()));
                a.attr("model_name", Some(x.name.clone().into()));
                a.attr("image", x.container_spec.as_ref().map(|c| c.image_uri.clone().into()));
                if !x.artifact_uri.is_empty() {
                    a.attr("artifact_uri", Some(x.artifact_uri.clone().into()));
                    a.facts.artifact_location = Some(x.artifact_uri.clone());
                    if let Some(b) = data_ref(&x.artifact_uri) {
                        a.relate_ref(RelationKind::StoredIn, b, x.artifact_uri.clone());
                    }
                }
                if !x.training_pipeline.is_empty() {
                    a.relate(RelationKind::ProducedBy, x.training_pipeline.clone());
                }
                a.attr("in_model_registry", Some(true.into()));
                a.facts.in_model_registry = Some(true);
                yield a;
            }
        })
    }
}
