//! Bedrock agents: the foundation model each uses, its knowledge bases and action groups.

use aimscope_core::{AssetKind, AssetStream, Collector, RelationKind, Service};
use async_stream::try_stream;

use super::common::{agent_tags, asset, s, ts};
use crate::error::{is_not_found, sdk_err};
use crate::scope::AwsScope;

pub struct Agents;

/// The ARN of a foundation model given by id (`anthropic.claude-…`) or ARN.
pub fn foundation_model_arn(cx: &AwsScope, model: &str) -> String {
    if model.starts_with("arn:") {
        model.to_owned()
    } else {
        format!("arn:{}:bedrock:{}::foundation-model/{model}", cx.partition, cx.region())
    }
}

impl Collector<AwsScope> for Agents {
    fn name(&self) -> &'static str {
        "bedrock.agents"
    }

    fn applies_to(&self, cx: &AwsScope) -> bool {
        cx.has_bedrock()
    }

    fn collect<'a>(&'a self, cx: &'a AwsScope) -> AssetStream<'a> {
        Box::pin(try_stream! {
            let client = cx.bedrock_agent();
            let mut pages = client.list_agents().into_paginator().items().send();
            while let Some(summary) = pages.next().await {
                let summary = summary.map_err(|e| sdk_err("bedrock:ListAgents", e))?;
                let out = match client.get_agent().agent_id(summary.agent_id()).send().await {
                    Ok(o) => o,
                    Err(e) if is_not_found(&e) => continue,
                    Err(e) => Err(sdk_err("bedrock:GetAgent", e))?,
                };
                let Some(agent) = out.agent() else { continue };
                let mut a = asset(cx, agent.agent_arn(), AssetKind::Agent, Service::BedrockAgent, agent.agent_name())
                    .with_created(ts(Some(agent.created_at())))
                    .with_status(agent.agent_status().as_str());
                if let Some(fm) = agent.foundation_model() {
                    a.relate(RelationKind::Uses, foundation_model_arn(cx, fm));
                    a.attr("foundation_model", s(Some(fm)));
                }
                if let Some(g) = agent.guardrail_configuration().and_then(|g| g.guardrail_identifier()) {
                    a.attr("guardrail", s(Some(g)));
                }
                // The working draft carries the agent's current wiring.
                let version = "DRAFT";
                let mut kbs = client.list_agent_knowledge_bases().agent_id(agent.agent_id()).agent_version(version)
                    .into_paginator().items().send();
                while let Some(kb) = kbs.next().await {
                    let kb = kb.map_err(|e| sdk_err("bedrock:ListAgentKnowledgeBases", e))?;
                    a.relate(RelationKind::Uses, format!(
                        "arn:{}:bedrock:{}:{}:knowledge-base/{}", cx.partition, cx.region(), cx.account(), kb.knowledge_base_id()
                    ));
                }
                let mut groups = Vec::new();
                let mut ags = client.list_agent_action_groups().agent_id(agent.agent_id()).agent_version(version)
                    .into_paginator().items().send();
                while let Some(g) = ags.next().await {
                    let g = g.map_err(|e| sdk_err("bedrock:ListAgentActionGroups", e))?;
                    groups.push(g.action_group_name().to_owned());
                }
                if !groups.is_empty() {
                    a.attr("action_groups", Some(serde_json::json!(groups)));
                }
                a.tags = agent_tags(cx, &a.id).await?;
                yield a;
            }
        })
    }
}
