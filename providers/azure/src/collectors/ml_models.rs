//! Azure ML model containers and their versions (workspace model registry).

use aimscope_core::{AssetKind, AssetStream, Collector, RelationKind, Service};
use async_stream::try_stream;

use super::common::{arm_asset, s, str_at};
use crate::ids::{AssetClass, norm};
use crate::scope::{AzureScope, ML_API};

pub struct Models;

impl Collector<AzureScope> for Models {
    fn name(&self) -> &'static str {
        "ml.models"
    }

    fn collect<'a>(&'a self, cx: &'a AzureScope) -> AssetStream<'a> {
        Box::pin(try_stream! {
            let mut unreadable = None;
            for w in cx.workspaces().await? {
                let Some(ws_id) = str_at(w, "/id") else { continue };
                let containers = cx.children(ws_id, "models", ML_API, "Microsoft.MachineLearningServices/workspaces/models/read").await?;
                for c in &containers {
                    let Some(cid) = str_at(c, "/id") else { continue };
                    // One container whose versions cannot be read must not hide the others:
                    // the failure ends the stream after them (a coverage gap).
                    let versions = match cx.children(cid, "versions", ML_API, "Microsoft.MachineLearningServices/workspaces/models/versions/read").await {
                        Ok(v) => v,
                        Err(e) => {
                            unreadable.get_or_insert(e);
                            continue;
                        }
                    };
                    for v in &versions {
                        let Some(mut a) = arm_asset(cx, v, AssetKind::Model, Service::AzureMachineLearning) else { continue };
                        a.name = format!("{}:{}", str_at(c, "/name").unwrap_or(""), a.name);
                        a.region = a.region.or_else(|| str_at(w, "/location").map(str::to_owned));
                        a.attr("model_type", s(str_at(v, "/properties/modelType")));
                        a.attr("model_uri", s(str_at(v, "/properties/modelUri")));
                        if let Some(job) = str_at(v, "/properties/jobName") {
                            a.relate(RelationKind::ProducedBy, format!("{}/jobs/{}", norm(ws_id), job.to_ascii_lowercase()));
                        }
                        // The artifact: a job's output (`azureml://jobs/<job>/outputs/…`) names the
                        // job that produced it; a datastore or storage URL is where it is kept.
                        if let Some(uri) = str_at(v, "/properties/modelUri")
                            && let Some(target) = cx.resolve(ws_id, uri, AssetClass::Data).await
                        {
                            let produced = target.contains("/jobs/");
                            if produced || target.contains("/datastores/") || target.contains("storageaccounts/") || target.starts_with("https://") {
                                let kind = if produced { RelationKind::ProducedBy } else { RelationKind::StoredIn };
                                if !a.relations.iter().any(|r| r.kind == kind && r.target == target) {
                                    a.relate_ref(kind, target, uri);
                                }
                            }
                        }
                        a.relate(RelationKind::PartOf, norm(ws_id));
                        // Versions in the workspace registry are registered by definition.
                        a.attr("in_model_registry", Some(true.into()));
                        a.facts.in_model_registry = Some(true);
                        yield a;
                    }
                }
            }
            if let Some(e) = unreadable {
                Err(e)?;
            }
        })
    }
}
