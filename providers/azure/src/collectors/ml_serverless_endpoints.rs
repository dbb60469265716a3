//! Azure ML serverless (models-as-a-service) endpoints: a catalogue model behind an API key.

use aimscope_core::{AssetKind, AssetStream, Collector, RelationKind, Service};
use async_stream::try_stream;

use super::common::{arm_asset, s, str_at};
use crate::ids::norm;
use crate::scope::{AzureScope, ML_API};

pub struct ServerlessEndpoints;

impl Collector<AzureScope> for ServerlessEndpoints {
    fn name(&self) -> &'static str {
        "ml.serverless_endpoints"
    }

    fn collect<'a>(&'a self, cx: &'a AzureScope) -> AssetStream<'a> {
        Box::pin(try_stream! {
            for w in cx.workspaces().await? {
                let Some(ws_id) = str_at(w, "/id") else { continue };
                let endpoints = cx.children(ws_id, "serverlessEndpoints", ML_API, "Microsoft.MachineLearningServices/workspaces/serverlessEndpoints/read").await?;
                for e in &endpoints {
                    let Some(mut ep) = arm_asset(cx, e, AssetKind::Endpoint, Service::AzureMachineLearning) else { continue };
                    ep.attr("endpoint_type", Some("serverless".into()));
                    if let Some(model) = str_at(e, "/properties/modelSettings/modelId") {
                        ep.relate(RelationKind::Serves, model.to_ascii_lowercase());
                    }
                    let auth = str_at(e, "/properties/authMode");
                    ep.attr("auth_mode", s(auth));
                    ep.attr("local_auth_enabled", auth.map(|a| a.eq_ignore_ascii_case("Key").into()));
                    ep.facts.key_auth = auth.map(|a| a.eq_ignore_ascii_case("Key"));
                    ep.attr("content_safety", s(str_at(e, "/properties/contentSafety/contentSafetyStatus")));
                    ep.relate(RelationKind::PartOf, norm(ws_id));
                    yield ep;
                }
            }
        })
    }
}
