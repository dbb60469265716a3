//! Azure Machine Learning workspaces (kinds Default, Hub, Project, FeatureStore).

use aimscope_core::{AssetKind, AssetStream, Collector, RelationKind, Service};
use async_stream::try_stream;

use super::common::{arm_asset, s, str_at};
use crate::ids::norm;
use crate::scope::AzureScope;

pub struct Workspaces;

impl Collector<AzureScope> for Workspaces {
    fn name(&self) -> &'static str {
        "ml.workspaces"
    }

    fn collect<'a>(&'a self, cx: &'a AzureScope) -> AssetStream<'a> {
        Box::pin(try_stream! {
            for w in cx.workspaces().await? {
                let Some(mut a) = arm_asset(cx, w, AssetKind::Workspace, Service::AzureMachineLearning) else { continue };
                let kind = w.get("kind").and_then(|k| k.as_str()).unwrap_or("Default");
                a.attr("workspace_kind", s(Some(kind)));
                a.attr("public_network_access", s(str_at(w, "/properties/publicNetworkAccess")));
                a.facts.public_network_access = str_at(w, "/properties/publicNetworkAccess").map(|v| v.eq_ignore_ascii_case("Enabled"));
                a.attr("storage_account", str_at(w, "/properties/storageAccount").map(|x| norm(x).into()));
                // A Foundry / ML project belongs to its hub.
                if let Some(hub) = str_at(w, "/properties/hubResourceId") {
                    a.relate(RelationKind::PartOf, norm(hub));
                }
                yield a;
            }
        })
    }
}
