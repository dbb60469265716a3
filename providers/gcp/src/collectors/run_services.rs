//! Cloud Run services that use outside AI services: container environment-variable names, and
//! values matched against key formats and API hosts (then dropped), plus the container images.
//! The v2 API lists one region at a time (no `-` wildcard), so the regions come from the
//! configuration or from Cloud Run's own location list (v1 `projects.locations.list`).

use aimscope_core::detect::{Sighting, Signal, usage_assets};
use aimscope_core::{AssetKind, AssetStream, CollectError, Collector, Service};
use async_stream::try_stream;
use google_cloud_gax::paginator::ItemPaginator as _;
use serde::Deserialize;

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
            let regions = if cx.run_regions.is_empty() { run_regions(cx).await? } else { cx.run_regions.clone() };
            let client = cx.run_services().await?;
            for region in regions {
                cx.record("run.services.list");
                let parent = format!("projects/{}/locations/{region}", cx.project());
                let mut items = client.list_services().set_parent(parent).by_item();
                while let Some(item) = items.next().await {
                    let x = item.map_err(|e| gcp_err("run.services.list", e))?;
                    for a in application(cx, &x) {
                        yield a;
                    }
                }
            }
        })
    }
}

/// The service as an application and its outside-AI usage records, if it shows any.
fn application(cx: &GcpScope, x: &google_cloud_run_v2::model::Service) -> Vec<aimscope_core::Asset> {
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
        return Vec::new();
    }
    let mut app = project_asset(cx, &x.name, AssetKind::Application, Service::CloudRun, &x.labels)
        .with_created(ts(x.create_time.as_ref()));
    app.lifecycle_stage = None;
    app.attr("uri", (!x.uri.is_empty()).then(|| x.uri.clone().into()));
    app.attr("images", Some(images.into()));
    let usages = usage_assets(&mut app, sightings);
    std::iter::once(app).chain(usages).collect()
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Locations {
    #[serde(default)]
    locations: Vec<Location>,
    #[serde(default)]
    next_page_token: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Location {
    location_id: String,
}

/// The regions Cloud Run offers the project.
async fn run_regions(cx: &GcpScope) -> Result<Vec<String>, CollectError> {
    let rest = cx.rest().await?;
    let url = format!("{}/v1/projects/{}/locations", cx.run_root(), cx.project());
    let mut out = Vec::new();
    let mut token = String::new();
    loop {
        cx.record("run.locations.list");
        let page: Locations = rest.get("run.locations.list", &url, &[("pageToken", token.as_str())]).await?;
        out.extend(page.locations.into_iter().map(|l| l.location_id));
        if page.next_page_token.is_empty() {
            return Ok(out);
        }
        token = page.next_page_token;
    }
}
