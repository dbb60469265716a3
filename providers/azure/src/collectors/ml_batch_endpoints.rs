//! Azure ML batch endpoints and their deployments (deployment → model version).

use aimscope_core::{AssetKind, AssetStream, Collector, RelationKind, Service, detail};
use async_stream::try_stream;

use super::common::{arm_asset, str_at};
use crate::ids::{AssetClass, norm};
use crate::scope::{AzureScope, ML_API};

pub struct BatchEndpoints;

impl Collector<AzureScope> for BatchEndpoints {
    fn name(&self) -> &'static str {
        "ml.batch_endpoints"
    }

    fn collect<'a>(&'a self, cx: &'a AzureScope) -> AssetStream<'a> {
        Box::pin(try_stream! {
            for w in cx.workspaces().await? {
                let Some(ws_id) = str_at(w, "/id") else { continue };
                let endpoints = cx.children(ws_id, "batchEndpoints", ML_API, "Microsoft.MachineLearningServices/workspaces/batchEndpoints/read").await?;
                for e in &endpoints {
                    let Some(eid) = str_at(e, "/id") else { continue };
                    let Some(mut ep) = arm_asset(cx, e, AssetKind::Endpoint, Service::AzureMachineLearning) else { continue };
                    ep.attr("endpoint_type", Some("batch".into()));
                    // A listed endpoint stays even when its deployments cannot be read.
                    let deployments = cx.children(eid, "deployments", ML_API, "Microsoft.MachineLearningServices/workspaces/batchEndpoints/deployments/read").await;
                    let deployments = detail(&mut ep, "Microsoft.MachineLearningServices/workspaces/batchEndpoints/deployments/read", deployments).unwrap_or_default();
                    let mut deps = Vec::new();
                    for d in &deployments {
                        let Some(mut dep) = arm_asset(cx, d, AssetKind::Deployment, Service::AzureMachineLearning) else { continue };
                        let model = str_at(d, "/properties/model/assetId").or_else(|| str_at(d, "/properties/model/uri"));
                        if let Some(m) = model
                            && let Some(target) = cx.resolve(ws_id, m, AssetClass::Model).await
                        {
                            dep.relate_ref(RelationKind::Serves, target, m);
                        }
                        ep.relate(RelationKind::Deploys, dep.id.clone());
                        deps.push(dep);
                    }
                    ep.relate(RelationKind::PartOf, norm(ws_id));
                    yield ep;
                    for d in deps {
                        yield d;
                    }
                }
            }
        })
    }
}
