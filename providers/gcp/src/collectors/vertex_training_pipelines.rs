//! Vertex AI training pipelines: input dataset → model uploaded.

use aimscope_core::{AssetKind, AssetStream, Collector, RelationKind};
use async_stream::try_stream;
use google_cloud_gax::paginator::ItemPaginator as _;

use super::common::asset;
use crate::error::gcp_err;
use crate::scope::{GcpScope, ts};

pub struct TrainingPipelines;

impl Collector<GcpScope> for TrainingPipelines {
    fn name(&self) -> &'static str {
        "vertex.training_pipelines"
    }

    fn collect<'a>(&'a self, cx: &'a GcpScope) -> AssetStream<'a> {
        Box::pin(try_stream! {
            cx.record("aiplatform.trainingPipelines.list");
            let client = cx.pipelines().await?;
            let mut items = client.list_training_pipelines().set_parent(cx.parent()).by_item();
            while let Some(item) = items.next().await {
                let x = item.map_err(|e| gcp_err("aiplatform.trainingPipelines.list", e))?;
                let mut a = asset(cx, &x.name, &x.display_name, AssetKind::TrainingJob, &x.labels).with_created(ts(x.create_time.as_ref()));
                if let Some(st) = x.state.name() {
                    a = a.with_status(st);
                }
                if let Some(ds) = x.input_data_config.as_ref().map(|c| c.dataset_id.clone()).filter(|d| !d.is_empty()) {
                    a.relate(RelationKind::TrainedOn, format!("projects/{}/locations/{}/datasets/{ds}", cx.project(), cx.location()));
                }
                a.attr("training_task_definition", Some(x.training_task_definition.clone().into()));
                if let Some(m) = x.model_to_upload.as_ref().filter(|m| !m.name.is_empty()) {
                    a.attr("model_to_upload", Some(m.name.clone().into()));
                }
                yield a;
            }
        })
    }
}
