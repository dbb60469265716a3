//! Vertex AI custom (training) jobs: container images and environment-variable *names*; values are matched against the outside-AI catalogue and dropped.

use aimscope_core::{AssetKind, AssetStream, Collector, RelationKind};
use async_stream::try_stream;
use google_cloud_gax::paginator::ItemPaginator as _;

use super::common::{asset, data_ref};
use crate::error::gcp_err;
use crate::scope::{GcpScope, ts};

pub struct CustomJobs;

impl Collector<GcpScope> for CustomJobs {
    fn name(&self) -> &'static str {
        "vertex.custom_jobs"
    }

    fn collect<'a>(&'a self, cx: &'a GcpScope) -> AssetStream<'a> {
        Box::pin(try_stream! {
            cx.record("aiplatform.customJobs.list");
            let client = cx.jobs().await?;
            let mut items = client.list_custom_jobs().set_parent(cx.parent()).by_item();
            while let Some(item) = items.next().await {
                let x = item.map_err(|e| gcp_err("aiplatform.customJobs.list", e))?;
                let mut a = asset(cx, &x.name, &x.display_name, AssetKind::TrainingJob, &x.labels).with_created(ts(x.create_time.as_ref()));
                if let Some(st) = x.state.name() {
                    a = a.with_status(st);
                }
                let mut names = Vec::new();
                let mut images = Vec::new();
                let mut sightings = Vec::new();
                for pool in x.job_spec.as_ref().map(|s| s.worker_pool_specs.as_slice()).unwrap_or_default() {
                    let Some(c) = pool.container_spec() else { continue };
                    images.push(c.image_uri.clone());
                    for env in &c.env {
                        names.push(env.name.clone());
                        if let Some(detection) = cx.catalogue.match_name_value(&env.name, &env.value) {
                            sightings.push(aimscope_core::detect::Sighting { signal: aimscope_core::detect::Signal::EnvVar, field: env.name.clone(), detection });
                        }
                    }
                }
                names.sort();
                a.attr("environment_names", (!names.is_empty()).then(|| names.into()));
                a.attr("images", (!images.is_empty()).then(|| images.into()));
                if let Some(uri) = x.job_spec.as_ref().and_then(|s| s.base_output_directory.as_ref()).map(|d| d.output_uri_prefix.clone())
                    && let Some(b) = data_ref(&uri)
                {
                    a.relate_ref(RelationKind::StoredIn, b, uri);
                }
                for u in aimscope_core::detect::usage_assets(&mut a, sightings) {
                    yield u;
                }
                yield a;
            }
        })
    }
}
