//! Cloud Functions (2nd gen) that use outside AI services: runtime and build environment
//! variable names, values matched then dropped, and the names of the secrets they mount.

use aimscope_core::detect::{Sighting, Signal, usage_assets};
use aimscope_core::{AssetKind, AssetStream, Collector, Service};
use async_stream::try_stream;
use google_cloud_gax::paginator::ItemPaginator as _;

use super::common::project_asset;
use crate::error::gcp_err;
use crate::scope::{GcpScope, ts};

pub struct Functions;

impl Collector<GcpScope> for Functions {
    fn name(&self) -> &'static str {
        "functions.functions"
    }

    fn collect<'a>(&'a self, cx: &'a GcpScope) -> AssetStream<'a> {
        Box::pin(try_stream! {
            cx.record("cloudfunctions.functions.list");
            let client = cx.functions().await?;
            let mut items = client.list_functions().set_parent(format!("projects/{}/locations/-", cx.project())).by_item();
            while let Some(item) = items.next().await {
                let x = item.map_err(|e| gcp_err("cloudfunctions.functions.list", e))?;
                let mut vars: Vec<(&String, &str)> = Vec::new();
                if let Some(s) = &x.service_config {
                    vars.extend(s.environment_variables.iter().map(|(k, v)| (k, v.as_str())));
                    vars.extend(s.secret_environment_variables.iter().map(|s| (&s.key, "")));
                }
                if let Some(b) = &x.build_config {
                    vars.extend(b.environment_variables.iter().map(|(k, v)| (k, v.as_str())));
                }
                vars.sort();
                let sightings: Vec<Sighting> = vars
                    .iter()
                    .filter_map(|(k, v)| {
                        let detection = cx.catalogue.match_name_value(k, v)?;
                        Some(Sighting { signal: Signal::EnvVar, field: (*k).clone(), detection })
                    })
                    .collect();
                if sightings.is_empty() {
                    continue;
                }
                let mut app = project_asset(cx, &x.name, AssetKind::Application, Service::CloudFunctions, &x.labels)
                    .with_created(ts(x.create_time.as_ref()));
                app.lifecycle_stage = None;
                if let Some(st) = x.state.name() {
                    app = app.with_status(st);
                }
                app.attr("runtime", x.build_config.as_ref().map(|b| b.runtime.clone().into()));
                app.attr("uri", (!x.url.is_empty()).then(|| x.url.clone().into()));
                let usages = usage_assets(&mut app, sightings);
                yield app;
                for u in usages {
                    yield u;
                }
            }
        })
    }
}
