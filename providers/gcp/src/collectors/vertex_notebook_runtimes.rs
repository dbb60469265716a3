//! Vertex AI Colab Enterprise notebook runtimes: who runs notebooks where, and the outside AI
//! services their environment variables point at (names kept; values matched and dropped).

use aimscope_core::detect::{Sighting, Signal, usage_assets};
use aimscope_core::{AssetKind, AssetStream, Collector};
use async_stream::try_stream;
use google_cloud_gax::paginator::ItemPaginator as _;

use super::common::asset;
use crate::error::gcp_err;
use crate::scope::{GcpScope, ts};

pub struct NotebookRuntimes;

impl Collector<GcpScope> for NotebookRuntimes {
    fn name(&self) -> &'static str {
        "vertex.notebook_runtimes"
    }

    fn collect<'a>(&'a self, cx: &'a GcpScope) -> AssetStream<'a> {
        Box::pin(try_stream! {
            cx.record("aiplatform.notebookRuntimes.list");
            let client = cx.notebooks().await?;
            let mut items = client.list_notebook_runtimes().set_parent(cx.parent()).by_item();
            while let Some(item) = items.next().await {
                let x = item.map_err(|e| gcp_err("aiplatform.notebookRuntimes.list", e))?;
                let mut a = asset(cx, &x.name, &x.display_name, AssetKind::Notebook, &x.labels).with_created(ts(x.create_time.as_ref()));
                if let Some(st) = x.runtime_state.name() {
                    a = a.with_status(st);
                }
                a.attr("runtime_user", (!x.runtime_user.is_empty()).then(|| x.runtime_user.clone().into()));
                a.attr("service_account", (!x.service_account.is_empty()).then(|| x.service_account.clone().into()));
                if let Some(t) = x.notebook_runtime_template_ref.as_ref().filter(|t| !t.notebook_runtime_template.is_empty()) {
                    a.attr("template", Some(t.notebook_runtime_template.clone().into()));
                }
                let mut names = Vec::new();
                let mut sightings = Vec::new();
                for env in x.software_config.as_ref().map(|c| c.env.as_slice()).unwrap_or_default() {
                    names.push(env.name.clone());
                    if let Some(detection) = cx.catalogue.match_name_value(&env.name, &env.value) {
                        sightings.push(Sighting { signal: Signal::EnvVar, field: env.name.clone(), detection });
                    }
                }
                names.sort();
                a.attr("environment_names", (!names.is_empty()).then(|| names.into()));
                for u in usage_assets(&mut a, sightings) {
                    yield u;
                }
                yield a;
            }
        })
    }
}
