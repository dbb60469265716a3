//! Vertex AI datasets (managed training data).

use aimscope_core::{AssetKind, AssetStream, Collector, RelationKind};
use async_stream::try_stream;
use google_cloud_gax::paginator::ItemPaginator as _;

use super::common::{asset, data_ref};
use crate::error::gcp_err;
use crate::scope::{GcpScope, ts};

pub struct Datasets;

impl Collector<GcpScope> for Datasets {
    fn name(&self) -> &'static str {
        "vertex.datasets"
    }

    fn collect<'a>(&'a self, cx: &'a GcpScope) -> AssetStream<'a> {
        Box::pin(try_stream! {
            cx.record("aiplatform.datasets.list");
            let client = cx.datasets().await?;
            let mut items = client.list_datasets().set_parent(cx.parent()).by_item();
            while let Some(item) = items.next().await {
                let x = item.map_err(|e| gcp_err("aiplatform.datasets.list", e))?;
                let mut a = asset(cx, &x.name, &x.display_name, AssetKind::Dataset, &x.labels).with_created(ts(x.create_time.as_ref()));
                a.lifecycle_stage = None;
                a.attr("metadata_schema_uri", Some(x.metadata_schema_uri.clone().into()));
                // Tabular and forecasting datasets keep their source in metadata.inputConfig.
                let input = x.metadata.as_ref().and_then(|m| m.get("inputConfig"));
                let gcs = input.and_then(|i| i.pointer("/gcsSource/uri")).and_then(|u| u.as_array()).cloned().unwrap_or_default();
                let bq = input.and_then(|i| i.pointer("/bigquerySource/uri")).cloned();
                for uri in gcs.iter().chain(bq.iter()).filter_map(|u| u.as_str()) {
                    if let Some(target) = data_ref(uri) {
                        a.relate_ref(RelationKind::StoredIn, target, uri);
                    }
                }
                yield a;
            }
        })
    }
}
