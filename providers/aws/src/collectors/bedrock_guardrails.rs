//! Bedrock guardrails.

use aimscope_core::{AssetKind, AssetStream, Collector, Service};
use async_stream::try_stream;

use super::common::{asset, bedrock_tags, s, ts};
use crate::error::sdk_err;
use crate::scope::AwsScope;

pub struct Guardrails;

impl Collector<AwsScope> for Guardrails {
    fn name(&self) -> &'static str {
        "bedrock.guardrails"
    }

    fn applies_to(&self, cx: &AwsScope) -> bool {
        cx.has_bedrock()
    }

    fn collect<'a>(&'a self, cx: &'a AwsScope) -> AssetStream<'a> {
        Box::pin(try_stream! {
            let mut pages = cx.bedrock().list_guardrails().into_paginator().items().send();
            while let Some(g) = pages.next().await {
                let g = g.map_err(|e| sdk_err("bedrock:ListGuardrails", e))?;
                let mut a = asset(cx, g.arn(), AssetKind::Guardrail, Service::Bedrock, g.name())
                    .with_created(ts(Some(g.created_at())))
                    .with_status(g.status().as_str());
                a.attr("version", s(Some(g.version())));
                a.attr("description", s(g.description()));
                bedrock_tags(cx, &mut a).await;
                yield a;
            }
        })
    }
}
