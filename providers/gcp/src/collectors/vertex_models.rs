//! Vertex AI models (every version): container image, artifact URI, the training pipeline that produced them.

use aimscope_core::{AssetKind, AssetStream, Collector, RelationKind, detail};
use async_stream::try_stream;
use google_cloud_gax::paginator::ItemPaginator as _;

use super::common::{asset, data_ref};
use crate::error::gcp_err;
use crate::names::model_version;
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
            let mut listed = Vec::new();
            let mut items = client.list_models().set_parent(cx.parent()).by_item();
            while let Some(item) = items.next().await {
                listed.push(item.map_err(|e| gcp_err("aiplatform.models.list", e))?);
            }
            for default in listed {
                // ListModels answers with each model's default version only; the others come
                // from models.listVersions (same permission). If that fails, the default
                // version stays, marked partial.
                cx.record("aiplatform.models.list");
                let mut versions = Vec::new();
                let mut failed = None;
                let mut pages = client.list_model_versions().set_name(default.name.clone()).by_item();
                while let Some(v) = pages.next().await {
                    match v {
                        Ok(v) => versions.push(v),
                        Err(e) => {
                            failed = Some(gcp_err("aiplatform.models.listVersions", e));
                            break;
                        }
                    }
                }
                if failed.is_some() || !versions.iter().any(|v| v.version_id == default.version_id) {
                    versions.insert(0, default.clone());
                }
                for x in &versions {
                    let mut a = model_version_asset(cx, x);
                    if x.version_id == default.version_id
                        && let Some(e) = &failed
                    {
                        detail::<()>(&mut a, "aiplatform.models.listVersions", Err(e.clone()));
                    }
                    yield a;
                }
            }
        })
    }
}

/// One model version as an asset. `name` is the model's (listVersions may append `@{version}`).
fn model_version_asset(cx: &GcpScope, x: &google_cloud_aiplatform_v1::model::Model) -> aimscope_core::Asset {
    let base = x.name.split('@').next().unwrap_or(&x.name);
    let mut a = asset(cx, &model_version(base, &x.version_id), &x.display_name, AssetKind::Model, &x.labels)
        .with_created(ts(x.create_time.as_ref()));
    a.attr("version_id", Some(x.version_id.clone().into()));
    a.attr("version_aliases", (!x.version_aliases.is_empty()).then(|| x.version_aliases.clone().into()));
    a.attr("model_name", Some(base.to_owned().into()));
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
    a
}
