//! Vertex AI batch prediction jobs: a model over GCS or BigQuery input.

use aimscope_core::{AssetKind, AssetStream, Collector, RelationKind};
use async_stream::try_stream;
use google_cloud_gax::paginator::ItemPaginator as _;

use super::common::{asset, data_ref};
use crate::error::gcp_err;
use crate::names::model_version;
use crate::scope::{GcpScope, ts};

pub struct BatchPredictionJobs;

impl Collector<GcpScope> for BatchPredictionJobs {
    fn name(&self) -> &'static str {
        "vertex.batch_prediction_jobs"
    }

    fn collect<'a>(&'a self, cx: &'a GcpScope) -> AssetStream<'a> {
        Box::pin(try_stream! {
            cx.record("aiplatform.batchPredictionJobs.list");
            let client = cx.jobs().await?;
            let mut items = client.list_batch_prediction_jobs().set_parent(cx.parent()).by_item();
            while let Some(item) = items.next().await {
                let x = item.map_err(|e| gcp_err("aiplatform.batchPredictionJobs.list", e))?;
                let mut a = asset(cx, &x.name, &x.display_name, AssetKind::BatchJob, &x.labels).with_created(ts(x.create_time.as_ref()));
                if let Some(st) = x.state.name() {
                    a = a.with_status(st);
                }
                if !x.model.is_empty() {
                    a.relate(RelationKind::Serves, model_version(&x.model, &x.model_version_id));
                }
                for uri in x.input_config.as_ref().and_then(|c| c.gcs_source()).map(|g| g.uris.clone()).unwrap_or_default() {
                    if let Some(b) = data_ref(&uri) {
                        a.relate_ref(RelationKind::Uses, b, uri);
                    }
                }
                yield a;
            }
        })
    }
}
