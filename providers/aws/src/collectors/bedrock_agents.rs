//! Bedrock agents: the foundation model each uses, its knowledge bases and action groups.

use aimscope_core::facts::BaseModel;
use aimscope_core::{AssetKind, AssetStream, Collector, RelationKind, Service};
use async_stream::try_stream;

use super::common::{agent_tags, asset, keep, s, ts};
use crate::error::sdk_err;
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
                let agent_id = summary.agent_id();
                // ListAgents gives no ARN; this is the form GetAgent returns.
                let arn = format!("arn:{}:bedrock:{}:{}:agent/{agent_id}", cx.partition, cx.region(), cx.account());
                let mut a = asset(cx, arn, AssetKind::Agent, Service::BedrockAgent, summary.agent_name())
                    .with_status(summary.agent_status().as_str());
                if let Some(g) = summary.guardrail_configuration().and_then(|g| g.guardrail_identifier()) {
                    a.attr("guardrail", s(Some(g)));
                }
                let got = client.get_agent().agent_id(agent_id).send().await;
                if let Some(agent) = keep(&mut a, "bedrock:GetAgent", got).as_ref().and_then(|o| o.agent()) {
                    a.id = agent.agent_arn().to_owned();
                    a.created_at = ts(Some(agent.created_at()));
                    if let Some(fm) = agent.foundation_model() {
                        a.relate(RelationKind::Uses, foundation_model_arn(cx, fm));
                        a.attr("foundation_model", s(Some(fm)));
                        a.facts.base_model = Some(BaseModel { name: fm.to_owned(), format: None, version: None });
                    }
                }
                // The working draft carries the agent's current wiring.
                let version = "DRAFT";
                let kbs = client.list_agent_knowledge_bases().agent_id(agent_id).agent_version(version)
                    .into_paginator().items().send().try_collect().await;
                for kb in keep(&mut a, "bedrock:ListAgentKnowledgeBases", kbs).unwrap_or_default() {
                    a.relate(RelationKind::Uses, format!(
                        "arn:{}:bedrock:{}:{}:knowledge-base/{}", cx.partition, cx.region(), cx.account(), kb.knowledge_base_id()
                    ));
                }
                let groups = client.list_agent_action_groups().agent_id(agent_id).agent_version(version)
                    .into_paginator().items().send().try_collect().await;
                let groups: Vec<String> = keep(&mut a, "bedrock:ListAgentActionGroups", groups).unwrap_or_default()
                    .iter().map(|g| g.action_group_name().to_owned()).collect();
                if !groups.is_empty() {
                    a.attr("action_groups", Some(serde_json::json!(groups)));
                }
                agent_tags(cx, &mut a).await;
                yield a;
            }
        })
    }
}
