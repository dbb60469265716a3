//! ECS task definitions (latest revision of each family) that use outside AI services or serve
//! models: environment variables (names; values matched and dropped), secret names, images.

use aimscope_core::detect::{Sighting, Signal, usage_assets};
use aimscope_core::{AssetKind, AssetStream, Collector, Service};
use async_stream::try_stream;

use super::common::asset;
use crate::error::sdk_err;
use crate::scope::AwsScope;

pub struct TaskDefinitions;

impl Collector<AwsScope> for TaskDefinitions {
    fn name(&self) -> &'static str {
        "ecs.task_definitions"
    }

    fn collect<'a>(&'a self, cx: &'a AwsScope) -> AssetStream<'a> {
        Box::pin(try_stream! {
            let mut families = cx.ecs().list_task_definition_families()
                .status(aws_sdk_ecs::types::TaskDefinitionFamilyStatus::Active)
                .into_paginator().items().send();
            let mut unreadable = None;
            while let Some(family) = families.next().await {
                let family = family.map_err(|e| sdk_err("ecs:ListTaskDefinitionFamilies", e))?;
                // A task definition is recorded only when it shows outside-AI evidence, so one
                // that cannot be read is a coverage gap (reported after the others are read),
                // not an asset.
                let out = match cx.ecs().describe_task_definition().task_definition(&family).send().await {
                    Ok(o) => o,
                    Err(e) => {
                        unreadable.get_or_insert(sdk_err("ecs:DescribeTaskDefinition", e));
                        continue;
                    }
                };
                let Some(td) = out.task_definition() else { continue };
                let Some(arn) = td.task_definition_arn() else { continue };
                let mut sightings = Vec::new();
                let mut images = Vec::new();
                for c in td.container_definitions() {
                    let container = c.name().unwrap_or("container");
                    if let Some(image) = c.image() {
                        images.push(image.to_owned());
                        if let Some(detection) = cx.catalogue.match_image(image) {
                            sightings.push(Sighting { signal: Signal::ContainerImage, field: format!("{container}: {image}"), detection });
                        }
                    }
                    for kv in c.environment() {
                        let (Some(k), Some(v)) = (kv.name(), kv.value()) else { continue };
                        if let Some(detection) = cx.catalogue.match_name_value(k, v) {
                            sightings.push(Sighting { signal: Signal::EnvVar, field: format!("{container}: {k}"), detection });
                        }
                    }
                    for sec in c.secrets() {
                        if let Some(detection) = cx.catalogue.match_name(sec.name()) {
                            sightings.push(Sighting { signal: Signal::SecretName, field: format!("{container}: {}", sec.name()), detection });
                        }
                    }
                }
                if sightings.is_empty() {
                    continue;
                }
                let mut app = asset(cx, arn, AssetKind::Application, Service::Ecs, family.as_str());
                app.attr("images", Some(serde_json::json!(images)));
                app.attr("revision", Some(serde_json::json!(td.revision())));
                let usages = usage_assets(&mut app, sightings);
                yield app;
                for u in usages {
                    yield u;
                }
            }
            if let Some(e) = unreadable {
                Err(e)?;
            }
        })
    }
}
