//! Model deployments of Azure OpenAI / AI Services accounts (model format, name, version, SKU).

use aimscope_core::facts::BaseModel;
use aimscope_core::{AssetKind, AssetStream, Collector, RelationKind, Service};
use async_stream::try_stream;

use super::common::{arm_asset, s, str_at};
use crate::ids::norm;
use crate::scope::{AzureScope, COGNITIVE_API};

pub struct Deployments;

/// Account kinds that host model deployments.
const DEPLOYABLE: &[&str] = &["OpenAI", "AIServices"];

impl Collector<AzureScope> for Deployments {
    fn name(&self) -> &'static str {
        "cognitive.deployments"
    }

    fn collect<'a>(&'a self, cx: &'a AzureScope) -> AssetStream<'a> {
        Box::pin(try_stream! {
            for acct in cx.ai_accounts().await? {
                let kind = str_at(acct, "/kind").unwrap_or("");
                if !DEPLOYABLE.iter().any(|k| k.eq_ignore_ascii_case(kind)) {
                    continue;
                }
                let Some(aid) = str_at(acct, "/id") else { continue };
                let deployments = cx.children(aid, "deployments", COGNITIVE_API, "Microsoft.CognitiveServices/accounts/deployments/read").await?;
                for d in &deployments {
                    let Some(mut a) = arm_asset(cx, d, AssetKind::Deployment, Service::CognitiveServices) else { continue };
                    a.region = a.region.or_else(|| str_at(acct, "/location").map(|l| l.to_ascii_lowercase()));
                    let (format, model, version) = (
                        str_at(d, "/properties/model/format"),
                        str_at(d, "/properties/model/name"),
                        str_at(d, "/properties/model/version"),
                    );
                    a.attr("model_format", s(format));
                    a.attr("model_name", s(model));
                    a.attr("model_version", s(version));
                    a.facts.base_model = format.zip(model).map(|(format, name)| BaseModel {
                        name: name.to_owned(),
                        format: Some(format.to_owned()),
                        version: version.map(str::to_owned),
                    });
                    a.attr("sku", s(str_at(d, "/sku/name")));
                    a.attr("capacity", d.pointer("/sku/capacity").cloned());
                    if let Some(m) = model {
                        // The foundation model, named as the model catalogue names it.
                        let fm = format!(
                            "azureml://registries/azure-{}/models/{}/versions/{}",
                            format.unwrap_or("openai").to_ascii_lowercase(),
                            m.to_ascii_lowercase(),
                            version.unwrap_or("latest").to_ascii_lowercase()
                        );
                        a.relate(RelationKind::Serves, fm);
                    }
                    if let Some(st) = str_at(d, "/properties/deploymentState") {
                        a.attr("deployment_state", s(Some(st)));
                    }
                    a.relate(RelationKind::PartOf, norm(aid));
                    yield a;
                }
            }
        })
    }
}
