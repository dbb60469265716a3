//! Bedrock knowledge bases: embedding model and data sources (with their S3 buckets).

use aimscope_core::{AssetKind, AssetStream, Collector, RelationKind, Service};
use async_stream::try_stream;

use super::bedrock_agents::foundation_model_arn;
use super::common::{agent_tags, asset, ts};
use crate::arn;
use crate::error::{is_not_found, sdk_err};
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
                let out = match client.get_knowledge_base().knowledge_base_id(summary.knowledge_base_id()).send().await {
                    Ok(o) => o,
                    Err(e) if is_not_found(&e) => continue,
                    Err(e) => Err(sdk_err("bedrock:GetKnowledgeBase", e))?,
                };
                let Some(kb) = out.knowledge_base() else { continue };
                let mut a = asset(cx, kb.knowledge_base_arn(), AssetKind::KnowledgeBase, Service::BedrockAgent, kb.name())
                    .with_created(ts(Some(kb.created_at())))
                    .with_status(kb.status().as_str());
                if let Some(v) = kb.knowledge_base_configuration().and_then(|c| c.vector_knowledge_base_configuration()) {
                    a.relate(RelationKind::Uses, foundation_model_arn(cx, v.embedding_model_arn()));
                }
                a.attr("role", Some(serde_json::json!(kb.role_arn())));
                let mut sources = Vec::new();
                let mut ds_pages = client.list_data_sources().knowledge_base_id(kb.knowledge_base_id()).into_paginator().items().send();
                while let Some(ds) = ds_pages.next().await {
                    let ds = ds.map_err(|e| sdk_err("bedrock:ListDataSources", e))?;
                    let d = match client.get_data_source().knowledge_base_id(kb.knowledge_base_id()).data_source_id(ds.data_source_id()).send().await {
                        Ok(d) => d,
                        Err(e) if is_not_found(&e) => continue,
                        Err(e) => Err(sdk_err("bedrock:GetDataSource", e))?,
                    };
                    let Some(src) = d.data_source() else { continue };
                    // Data sources have no ARN of their own; this id is stable under the KB's.
                    let id = format!("{}/data-source/{}", kb.knowledge_base_arn(), src.data_source_id());
                    let mut ds_asset = asset(cx, id.clone(), AssetKind::DataSource, Service::BedrockAgent, src.name())
                        .with_created(ts(Some(src.created_at())))
                        .with_status(src.status().as_str());
                    if let Some(s3) = src.data_source_configuration().and_then(|c| c.s3_configuration())
                        && let Some(bucket) = arn::s3_bucket_arn(cx.partition, s3.bucket_arn())
                    {
                        let prefix = s3.inclusion_prefixes().first().map(String::as_str).unwrap_or("");
                        let name = arn::bucket_name(&bucket).unwrap_or_default();
                        ds_asset.relate_ref(RelationKind::StoredIn, bucket.clone(), format!("s3://{name}/{prefix}"));
                    }
                    ds_asset.relate(RelationKind::PartOf, kb.knowledge_base_arn());
                    a.relate(RelationKind::Uses, id);
                    sources.push(ds_asset);
                }
                a.tags = agent_tags(cx, &a.id).await?;
                yield a;
                for s in sources {
                    yield s;
                }
            }
        })
    }
}
