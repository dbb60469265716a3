//! Cloud Run services that use outside AI services: container environment-variable names, and
//! values matched against key formats and API hosts (then dropped), plus the container images.

use aimscope_core::detect::{Sighting, Signal, usage_assets};
use aimscope_core::{AssetKind, AssetStream, Collector, Service};
use async_stream::try_stream;
use google_cloud_gax::paginator::ItemPaginator as _;

use super::common::project_asset;
use crate::error::gcp_err;
use crate::scope::{GcpScope, ts};

pub struct RunServices;

impl Collector<GcpScope> for RunServices {
    fn name(&self) -> &'static str {
        "run.services"
    }

    fn collect<'a>(&'a self, cx: &'a GcpScope) -> AssetStream<'a> {
        Box::pin(try_stream! {
            cx.record("run.services.list");
            let client = cx.run_services().await?;
            // `locations/-` lists every region in one walk.
            let mut items = client.list_services().set_parent(format!("projects/{}/locations/-", cx.project())).by_item();
            while let Some(item) = items.next().await {
                let x = item.map_err(|e| gcp_err("run.services.list", e))?;
                let mut sightings = Vec::new();
                let mut images = Vec::new();
                for c in x.template.as_ref().map(|t| t.containers.as_slice()).unwrap_or_default() {
                    if let Some(detection) = cx.catalogue.match_image(&c.image) {
                        sightings.push(Sighting { signal: Signal::ContainerImage, field: c.image.clone(), detection });
                    }
                    images.push(c.image.clone());
                    for env in &c.env {
                        // A value from Secret Manager is a reference, not a value: only the name counts.
                        let value = env.value().map(String::as_str).unwrap_or_default();
                        if let Some(detection) = cx.catalogue.match_name_value(&env.name, value) {
                            sightings.push(Sighting { signal: Signal::EnvVar, field: env.name.clone(), detection });
                        }
                    }
                }
                if sightings.is_empty() {
                    continue;
                }
                let mut app = project_asset(cx, &x.name, AssetKind::Application, Service::CloudRun, &x.labels)
                    .with_created(ts(x.create_time.as_ref()));
                app.lifecycle_stage = None;
                app.attr("uri", (!x.uri.is_empty()).then(|| x.uri.clone().into()));
                app.attr("images", Some(images.into()));
                let usages = usage_assets(&mut app, sightings);
                yield app;
                for u in usages {
                    yield u;
                }
            }
        })
    }
}
