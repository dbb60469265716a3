//! Azure AI Foundry projects of AI Services accounts, and the connections of accounts and
//! projects (outside AI services they reach).

use aimscope_core::{AssetKind, AssetStream, Collector, RelationKind, Service};
use async_stream::try_stream;

use super::common::{arm_asset, str_at};
use super::ml_connections::connection_assets;
use crate::ids::norm;
use crate::scope::{AzureScope, COGNITIVE_API};

pub struct Projects;

impl Collector<AzureScope> for Projects {
    fn name(&self) -> &'static str {
        "cognitive.projects"
    }

    fn collect<'a>(&'a self, cx: &'a AzureScope) -> AssetStream<'a> {
        Box::pin(try_stream! {
            for acct in cx.ai_accounts().await? {
                if !str_at(acct, "/kind").is_some_and(|k| k.eq_ignore_ascii_case("AIServices")) {
                    continue;
                }
                let Some(aid) = str_at(acct, "/id") else { continue };
                let conns = cx.children(aid, "connections", COGNITIVE_API, "Microsoft.CognitiveServices/accounts/connections/read").await?;
                for c in &conns {
                    for a in connection_assets(cx, c, aid, Service::CognitiveServices) {
                        yield a;
                    }
                }
                let projects = cx.children(aid, "projects", COGNITIVE_API, "Microsoft.CognitiveServices/accounts/projects/read").await?;
                for p in &projects {
                    let Some(pid) = str_at(p, "/id") else { continue };
                    let Some(mut proj) = arm_asset(cx, p, AssetKind::Workspace, Service::CognitiveServices) else { continue };
                    proj.attr("workspace_kind", Some("FoundryProject".into()));
                    proj.relate(RelationKind::PartOf, norm(aid));
                    let conns = cx.children(pid, "connections", COGNITIVE_API, "Microsoft.CognitiveServices/accounts/projects/connections/read").await?;
                    yield proj;
                    for c in &conns {
                        for a in connection_assets(cx, c, pid, Service::CognitiveServices) {
                            yield a;
                        }
                    }
                }
            }
        })
    }
}
