//! Lambda functions that use outside AI services: environment variable names, and values
//! matched against key formats and API hosts. Values are matched and dropped, never kept.

use aimscope_core::detect::{Sighting, Signal, usage_assets};
use aimscope_core::{AssetKind, AssetStream, Collector, Service};
use async_stream::try_stream;

use super::common::{asset, s};
use crate::error::sdk_err;
use crate::scope::AwsScope;

pub struct LambdaFunctions;

impl Collector<AwsScope> for LambdaFunctions {
    fn name(&self) -> &'static str {
        "lambda.functions"
    }

    fn collect<'a>(&'a self, cx: &'a AwsScope) -> AssetStream<'a> {
        Box::pin(try_stream! {
            let mut pages = cx.lambda().list_functions().into_paginator().items().send();
            while let Some(f) = pages.next().await {
                let f = f.map_err(|e| sdk_err("lambda:ListFunctions", e))?;
                let (Some(name), Some(arn)) = (f.function_name(), f.function_arn()) else { continue };
                let mut sightings: Vec<Sighting> = Vec::new();
                if let Some(vars) = f.environment().and_then(|e| e.variables()) {
                    let mut names: Vec<&String> = vars.keys().collect();
                    names.sort();
                    for k in names {
                        if let Some(detection) = cx.catalogue.match_name_value(k, &vars[k]) {
                            sightings.push(Sighting { signal: Signal::EnvVar, field: k.clone(), detection });
                        }
                    }
                }
                if sightings.is_empty() {
                    continue;
                }
                let mut app = asset(cx, arn, AssetKind::Application, Service::Lambda, name);
                app.attr("runtime", s(f.runtime().map(|r| r.as_str())));
                app.attr("role", s(f.role()));
                let usages = usage_assets(&mut app, sightings);
                let tags = cx.lambda().list_tags().resource(arn).send().await.map_err(|e| sdk_err("lambda:ListTags", e))?;
                app.tags = tags.tags().map(|t| t.iter().map(|(k, v)| (k.clone(), v.clone())).collect()).unwrap_or_default();
                yield app;
                for u in usages {
                    yield u;
                }
            }
        })
    }
}
