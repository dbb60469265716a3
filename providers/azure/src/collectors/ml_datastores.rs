//! Azure ML datastores: the storage account / container behind a workspace's data. The link to
//! the storage account (and its classification tags) is made in `enrich`.

use aimscope_core::facts::StorageLocation;
use aimscope_core::{AssetKind, AssetStream, Collector, RelationKind, Service};
use async_stream::try_stream;

use super::common::{arm_asset, s, str_at};
use crate::ids::norm;
use crate::scope::{AzureScope, ML_API};

pub struct Datastores;

impl Collector<AzureScope> for Datastores {
    fn name(&self) -> &'static str {
        "ml.datastores"
    }

    fn collect<'a>(&'a self, cx: &'a AzureScope) -> AssetStream<'a> {
        Box::pin(try_stream! {
            for w in cx.workspaces().await? {
                let Some(ws_id) = str_at(w, "/id") else { continue };
                let stores = cx.children(ws_id, "datastores", ML_API, "Microsoft.MachineLearningServices/workspaces/datastores/read").await?;
                for d in &stores {
                    let Some(mut a) = arm_asset(cx, d, AssetKind::Datastore, Service::AzureMachineLearning) else { continue };
                    a.region = a.region.or_else(|| str_at(w, "/location").map(str::to_owned));
                    a.lifecycle_stage = None;
                    a.attr("datastore_type", s(str_at(d, "/properties/datastoreType")));
                    a.attr("account_name", str_at(d, "/properties/accountName").map(|x| x.to_ascii_lowercase().into()));
                    a.attr("container", s(str_at(d, "/properties/containerName").or_else(|| str_at(d, "/properties/filesystem"))));
                    a.facts.storage = str_at(d, "/properties/accountName").map(|account| StorageLocation {
                        account: account.to_ascii_lowercase(),
                        container: str_at(d, "/properties/containerName").or_else(|| str_at(d, "/properties/filesystem")).map(str::to_owned),
                    });
                    // Only the credential *type*: datastore secrets are never requested.
                    a.attr("credentials_type", s(str_at(d, "/properties/credentials/credentialsType")));
                    a.relate(RelationKind::PartOf, norm(ws_id));
                    yield a;
                }
            }
        })
    }
}
