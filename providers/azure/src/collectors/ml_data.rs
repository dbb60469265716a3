//! Azure ML data assets (containers and versions) and where their data lives.

use aimscope_core::{AssetKind, AssetStream, Collector, RelationKind, Service};
use async_stream::try_stream;

use super::common::{arm_asset, s, str_at};
use crate::ids::{AssetClass, norm};
use crate::scope::{AzureScope, ML_API};

pub struct Data;

impl Collector<AzureScope> for Data {
    fn name(&self) -> &'static str {
        "ml.data"
    }

    fn collect<'a>(&'a self, cx: &'a AzureScope) -> AssetStream<'a> {
        Box::pin(try_stream! {
            let mut unreadable = None;
            for w in cx.workspaces().await? {
                let Some(ws_id) = str_at(w, "/id") else { continue };
                let containers = cx.children(ws_id, "data", ML_API, "Microsoft.MachineLearningServices/workspaces/data/read").await?;
                for c in &containers {
                    let Some(cid) = str_at(c, "/id") else { continue };
                    // One container whose versions cannot be read must not hide the others:
                    // the failure ends the stream after them (a coverage gap).
                    let versions = match cx.children(cid, "versions", ML_API, "Microsoft.MachineLearningServices/workspaces/data/versions/read").await {
                        Ok(v) => v,
                        Err(e) => {
                            unreadable.get_or_insert(e);
                            continue;
                        }
                    };
                    for v in &versions {
                        let Some(mut a) = arm_asset(cx, v, AssetKind::Dataset, Service::AzureMachineLearning) else { continue };
                        a.name = format!("{}:{}", str_at(c, "/name").unwrap_or(""), a.name);
                        a.region = a.region.or_else(|| str_at(w, "/location").map(str::to_owned));
                        a.lifecycle_stage = None;
                        a.attr("data_type", s(str_at(v, "/properties/dataType")));
                        if let Some(uri) = str_at(v, "/properties/dataUri") {
                            a.attr("data_uri", s(Some(uri)));
                            if let Some(target) = cx.resolve(ws_id, uri, AssetClass::Data).await {
                                a.relate_ref(RelationKind::StoredIn, target, uri);
                            }
                        }
                        a.relate(RelationKind::PartOf, norm(ws_id));
                        yield a;
                    }
                }
            }
            if let Some(e) = unreadable {
                Err(e)?;
            }
        })
    }
}
