//! Bedrock knowledge bases: embedding model and data sources (with their S3 buckets).

use aimscope_core::{AssetKind, AssetStream, Collector, RelationKind, Service};
use async_stream::try_stream;

use super::bedrock_agents::foundation_model_arn;
use super::common::{agent_tags, asset, keep, ts};
use crate::arn;
use crate::error::sdk_err;
use crate::scope::AwsScope;

pub struct KnowledgeBases;

impl Collector<AwsScope> for KnowledgeBases {
    fn name(&self) -> &'static str {
        "bedrock.knowledge_bases"
    }

    fn applies_to(&self, cx: &AwsScope) -> bool {
        cx.has_bedrock()
    }

    fn collect<'a>(&'a self, cx: &'a AwsScope) -> AssetStream<'a> {
        Box::pin(try_stream! {
            let client = cx.bedrock_agent();
            let mut pages = client.list_knowledge_bases().into_paginator().items().send();
            while let Some(summary) = pages.next().await {
                let summary = summary.map_err(|e| sdk_err("bedrock:ListKnowledgeBases", e))?;
                let kb_id = summary.knowledge_base_id();
                // ListKnowledgeBases gives no ARN; this is the form GetKnowledgeBase returns.
                let kb_arn = format!("arn:{}:bedrock:{}:{}:knowledge-base/{kb_id}", cx.partition, cx.region(), cx.account());
                let mut a = asset(cx, kb_arn.clone(), AssetKind::KnowledgeBase, Service::BedrockAgent, summary.name())
                    .with_status(summary.status().as_str());
                let got = client.get_knowledge_base().knowledge_base_id(kb_id).send().await;
                if let Some(kb) = keep(&mut a, "bedrock:GetKnowledgeBase", got).as_ref().and_then(|o| o.knowledge_base()) {
                    a.created_at = ts(Some(kb.created_at()));
                    if let Some(v) = kb.knowledge_base_configuration().and_then(|c| c.vector_knowledge_base_configuration()) {
                        a.relate(RelationKind::Uses, foundation_model_arn(cx, v.embedding_model_arn()));
                    }
                    a.attr("role", Some(serde_json::json!(kb.role_arn())));
                }
                let mut sources = Vec::new();
                let listed = client.list_data_sources().knowledge_base_id(kb_id).into_paginator().items().send().try_collect().await;
                for ds in keep(&mut a, "bedrock:ListDataSources", listed).unwrap_or_default() {
                    // Data sources have no ARN of their own; this id is stable under the KB's.
                    let id = format!("{kb_arn}/data-source/{}", ds.data_source_id());
                    let mut ds_asset = asset(cx, id.clone(), AssetKind::DataSource, Service::BedrockAgent, ds.name())
                        .with_status(ds.status().as_str());
                    let got = client.get_data_source().knowledge_base_id(kb_id).data_source_id(ds.data_source_id()).send().await;
                    if let Some(src) = keep(&mut ds_asset, "bedrock:GetDataSource", got).as_ref().and_then(|d| d.data_source()) {
                        ds_asset.created_at = ts(Some(src.created_at()));
                        if let Some(s3) = src.data_source_configuration().and_then(|c| c.s3_configuration())
                            && let Some(bucket) = arn::s3_bucket_arn(cx.partition, s3.bucket_arn())
                        {
                            let prefix = s3.inclusion_prefixes().first().map(String::as_str).unwrap_or("");
                            let name = arn::bucket_name(&bucket).unwrap_or_default();
                            ds_asset.relate_ref(RelationKind::StoredIn, bucket.clone(), format!("s3://{name}/{prefix}"));
                        }
                    }
                    ds_asset.relate(RelationKind::PartOf, kb_arn.clone());
                    a.relate(RelationKind::Uses, id);
                    sources.push(ds_asset);
                }
                agent_tags(cx, &mut a).await;
                yield a;
                for s in sources {
                    yield s;
                }
            }
        })
    }
}
