//! SSM Parameter Store parameters whose names show an outside AI service (DescribeParameters
//! only: never GetParameter, never decryption).

use aimscope_core::detect::{Sighting, Signal, usage_assets};
use aimscope_core::{AssetKind, AssetStream, Collector, Service};
use async_stream::try_stream;

use super::common::{asset, s};
use crate::error::sdk_err;
use crate::scope::AwsScope;

pub struct Parameters;

impl Collector<AwsScope> for Parameters {
    fn name(&self) -> &'static str {
        "ssm.parameters"
    }

    fn collect<'a>(&'a self, cx: &'a AwsScope) -> AssetStream<'a> {
        Box::pin(try_stream! {
            let mut pages = cx.ssm().describe_parameters().into_paginator().send();
            let mut params = Vec::new();
            while let Some(page) = pages.next().await {
                let page = page.map_err(|e| sdk_err("ssm:DescribeParameters", e))?;
                params.extend(page.parameters().iter().cloned());
            }
            for p in params {
                let Some(name) = p.name() else { continue };
                let Some(detection) = cx.catalogue.match_name(name) else { continue };
                let id = p.arn().map(str::to_owned).unwrap_or_else(|| {
                    format!("arn:{}:ssm:{}:{}:parameter/{}", cx.partition, cx.region(), cx.account(), name.trim_start_matches('/'))
                });
                let mut param = asset(cx, id, AssetKind::Secret, Service::Ssm, name);
                param.attr("type", s(p.r#type().map(|t| t.as_str())));
                param.lifecycle_stage = None;
                let usages = usage_assets(&mut param, vec![Sighting { signal: Signal::ParameterName, field: name.to_owned(), detection }]);
                yield param;
                for u in usages {
                    yield u;
                }
            }
        })
    }
}
