//! Azure ML managed online endpoints and their deployments (deployment → model version).

use aimscope_core::{AssetKind, AssetStream, Collector, RelationKind, Service, detail};
use async_stream::try_stream;

use aimscope_core::detect::{Sighting, Signal, usage_assets};

use super::common::{arm_asset, env_names, s, str_at};
use crate::ids::{AssetClass, norm};
use crate::scope::{AzureScope, ML_API};

pub struct OnlineEndpoints;

impl Collector<AzureScope> for OnlineEndpoints {
    fn name(&self) -> &'static str {
        "ml.online_endpoints"
    }

    fn collect<'a>(&'a self, cx: &'a AzureScope) -> AssetStream<'a> {
        Box::pin(try_stream! {
            for w in cx.workspaces().await? {
                let Some(ws_id) = str_at(w, "/id") else { continue };
                let endpoints = cx.children(ws_id, "onlineEndpoints", ML_API, "Microsoft.MachineLearningServices/workspaces/onlineEndpoints/read").await?;
                for e in &endpoints {
                    let Some(eid) = str_at(e, "/id") else { continue };
                    let Some(mut ep) = arm_asset(cx, e, AssetKind::Endpoint, Service::AzureMachineLearning) else { continue };
                    ep.attr("auth_mode", s(str_at(e, "/properties/authMode")));
                    ep.attr("public_network_access", s(str_at(e, "/properties/publicNetworkAccess")));
                    ep.facts.public_network_access = str_at(e, "/properties/publicNetworkAccess").map(|v| v.eq_ignore_ascii_case("Enabled"));
                    ep.attr("scoring_uri", s(str_at(e, "/properties/scoringUri")));
                    ep.facts.endpoint_url = str_at(e, "/properties/scoringUri").map(str::to_owned);
                    // A listed endpoint stays even when its deployments cannot be read.
                    let deployments = cx.children(eid, "deployments", ML_API, "Microsoft.MachineLearningServices/workspaces/onlineEndpoints/deployments/read").await;
                    let deployments = detail(&mut ep, "Microsoft.MachineLearningServices/workspaces/onlineEndpoints/deployments/read", deployments).unwrap_or_default();
                    let mut extra = Vec::new();
                    for d in &deployments {
                        let Some(mut dep) = arm_asset(cx, d, AssetKind::Deployment, Service::AzureMachineLearning) else { continue };
                        if let Some(model) = str_at(d, "/properties/model")
                            && let Some(target) = cx.resolve(ws_id, model, AssetClass::Model).await
                        {
                            dep.relate_ref(RelationKind::Serves, target, model);
                        }
                        dep.attr("instance_type", s(str_at(d, "/properties/instanceType")));
                        dep.attr("compute_type", s(str_at(d, "/properties/endpointComputeType")));
                        dep.attr("environment_names", env_names(d.pointer("/properties/environmentVariables")));
                        // Env-var values are matched against the outside-AI catalogue, then dropped.
                        let mut sightings = Vec::new();
                        if let Some(vars) = d.pointer("/properties/environmentVariables").and_then(|v| v.as_object()) {
                            for (k, v) in vars {
                                if let Some(detection) = v.as_str().and_then(|v| cx.catalogue.match_name_value(k, v)) {
                                    sightings.push(Sighting { signal: Signal::EnvVar, field: k.clone(), detection });
                                }
                            }
                        }
                        extra.extend(usage_assets(&mut dep, sightings));
                        ep.relate(RelationKind::Deploys, dep.id.clone());
                        extra.push(dep);
                    }
                    ep.relate(RelationKind::PartOf, norm(ws_id));
                    yield ep;
                    for x in extra {
                        yield x;
                    }
                }
            }
        })
    }
}
