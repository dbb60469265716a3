//! Vertex AI (Gemini) tuning jobs: training data → tuned model, from a base model.

use aimscope_core::{AssetKind, AssetStream, Collector, RelationKind};
use async_stream::try_stream;
use google_cloud_gax::paginator::ItemPaginator as _;

use super::common::{asset, data_ref};
use crate::error::gcp_err;
use crate::scope::{GcpScope, ts};

pub struct TuningJobs;

impl Collector<GcpScope> for TuningJobs {
    fn name(&self) -> &'static str {
        "vertex.tuning_jobs"
    }

    fn collect<'a>(&'a self, cx: &'a GcpScope) -> AssetStream<'a> {
        Box::pin(try_stream! {
            cx.record("aiplatform.tuningJobs.list");
            let client = cx.tuning().await?;
            let mut items = client.list_tuning_jobs().set_parent(cx.parent()).by_item();
            while let Some(item) = items.next().await {
                let x = item.map_err(|e| gcp_err("aiplatform.tuningJobs.list", e))?;
                let mut a = asset(cx, &x.name, &x.tuned_model_display_name, AssetKind::CustomizationJob, &x.labels).with_created(ts(x.create_time.as_ref()));
                if let Some(st) = x.state.name() {
                    a = a.with_status(st);
                }
                if let Some(base) = x.base_model() {
                    a.relate(RelationKind::FineTunedFrom, format!("publishers/google/models/{base}"));
                }
                if let Some(uri) = x.supervised_tuning_spec().map(|s| s.training_dataset_uri.clone())
                    && let Some(b) = data_ref(&uri)
                {
                    a.relate_ref(RelationKind::TrainedOn, b, uri);
                }
                if let Some(t) = x.tuned_model.as_ref() {
                    a.attr("tuned_model", (!t.model.is_empty()).then(|| t.model.clone().into()));
                    a.facts.output_model = (!t.model.is_empty()).then(|| t.model.clone());
                    a.attr("tuned_endpoint", (!t.endpoint.is_empty()).then(|| t.endpoint.clone().into()));
                }
                yield a;
            }
        })
    }
}
