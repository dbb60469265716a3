//! Azure ML registries (shared across workspaces) and their models.

use aimscope_core::{AssetKind, AssetStream, Collector, RelationKind, Service, detail};
use async_stream::try_stream;

use super::common::{arm_asset, str_at};
use crate::ids::norm;
use crate::scope::{AzureScope, ML_API};

pub struct Registries;

impl Collector<AzureScope> for Registries {
    fn name(&self) -> &'static str {
        "ml.registries"
    }

    fn collect<'a>(&'a self, cx: &'a AzureScope) -> AssetStream<'a> {
        Box::pin(try_stream! {
            let url = cx.arm.url(&format!("/subscriptions/{}/providers/Microsoft.MachineLearningServices/registries", cx.subscription()), ML_API);
            let registries = cx.arm.list(&url, "Microsoft.MachineLearningServices/registries/read").await?;
            for r in &registries {
                let Some(rid) = str_at(r, "/id") else { continue };
                let Some(mut reg) = arm_asset(cx, r, AssetKind::ModelRegistry, Service::AzureMachineLearning) else { continue };
                // A listed registry stays even when its models cannot be read.
                let models = cx.children(rid, "models", ML_API, "Microsoft.MachineLearningServices/registries/models/read").await;
                let models = detail(&mut reg, "Microsoft.MachineLearningServices/registries/models/read", models).unwrap_or_default();
                yield reg;
                for m in &models {
                    let Some(mut a) = arm_asset(cx, m, AssetKind::Model, Service::AzureMachineLearning) else { continue };
                    a.region = a.region.or_else(|| str_at(r, "/location").map(str::to_owned));
                    a.relate(RelationKind::PartOf, norm(rid));
                    a.attr("in_model_registry", Some(true.into()));
                    a.facts.in_model_registry = Some(true);
                    yield a;
                }
            }
        })
    }
}
