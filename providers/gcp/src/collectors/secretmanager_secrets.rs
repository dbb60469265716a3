//! Secret Manager secrets whose names show an outside AI service (`secrets.list` only: the
//! scanner never accesses a secret version).

use aimscope_core::detect::{Sighting, Signal, usage_assets};
use aimscope_core::{AssetKind, AssetStream, Collector, Service};
use async_stream::try_stream;
use google_cloud_gax::paginator::ItemPaginator as _;

use super::common::project_asset;
use crate::error::gcp_err;
use crate::scope::{GcpScope, ts};

pub struct Secrets;

impl Collector<GcpScope> for Secrets {
    fn name(&self) -> &'static str {
        "secretmanager.secrets"
    }

    fn collect<'a>(&'a self, cx: &'a GcpScope) -> AssetStream<'a> {
        Box::pin(try_stream! {
            cx.record("secretmanager.secrets.list");
            let client = cx.secret_manager().await?;
            let mut items = client.list_secrets().set_parent(format!("projects/{}", cx.project())).by_item();
            while let Some(item) = items.next().await {
                let x = item.map_err(|e| gcp_err("secretmanager.secrets.list", e))?;
                let id = x.name.rsplit('/').next().unwrap_or_default().to_owned();
                let Some(detection) = cx.catalogue.match_name(&id) else { continue };
                let mut secret = project_asset(cx, &x.name, AssetKind::Secret, Service::SecretManager, &x.labels)
                    .with_created(ts(x.create_time.as_ref()));
                secret.lifecycle_stage = None;
                let usages = usage_assets(&mut secret, vec![Sighting { signal: Signal::SecretName, field: id, detection }]);
                yield secret;
                for u in usages {
                    yield u;
                }
            }
        })
    }
}
