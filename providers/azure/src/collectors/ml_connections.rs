//! Azure ML workspace connections: category and target. A target that is an outside AI
//! service's API host is evidence of third-party AI use. Credentials are never requested
//! (no listsecrets).

use aimscope_core::detect::{Sighting, Signal, usage_assets};
use aimscope_core::{AssetKind, AssetStream, Collector, RelationKind, Service};
use async_stream::try_stream;

use super::common::{arm_asset, s, str_at};
use crate::ids::norm;
use crate::scope::{AzureScope, ML_API};

pub struct Connections;

impl Collector<AzureScope> for Connections {
    fn name(&self) -> &'static str {
        "ml.connections"
    }

    fn collect<'a>(&'a self, cx: &'a AzureScope) -> AssetStream<'a> {
        Box::pin(try_stream! {
            for w in cx.workspaces().await? {
                let Some(ws_id) = str_at(w, "/id") else { continue };
                let conns = cx.children(ws_id, "connections", ML_API, "Microsoft.MachineLearningServices/workspaces/connections/read").await?;
                for c in &conns {
                    for a in connection_assets(cx, c, ws_id, Service::AzureMachineLearning) {
                        yield a;
                    }
                }
            }
        })
    }
}

/// A connection and, where its target is an outside AI service, the usage it shows.
pub fn connection_assets(
    cx: &AzureScope,
    c: &serde_json::Value,
    parent_id: &str,
    service: Service,
) -> Vec<aimscope_core::Asset> {
    let Some(mut a) = arm_asset(cx, c, AssetKind::Connection, service) else { return Vec::new() };
    let category = str_at(c, "/properties/category");
    let target = str_at(c, "/properties/target");
    a.attr("category", s(category));
    a.attr("target", s(target));
    a.attr("auth_type", s(str_at(c, "/properties/authType")));
    a.relate(RelationKind::PartOf, norm(parent_id));
    let mut sightings = Vec::new();
    if let Some(t) = target
        && let Some(detection) = cx.catalogue.match_host(t)
    {
        sightings.push(Sighting {
            signal: Signal::Connection,
            field: category.unwrap_or("connection").to_owned(),
            detection,
        });
    }
    let mut out = usage_assets(&mut a, sightings);
    out.insert(0, a);
    out
}
