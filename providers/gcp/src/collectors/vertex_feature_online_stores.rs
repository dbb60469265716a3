//! Vertex AI Feature Store (online stores) and the BigQuery sources of their feature views:
//! features served to models are often the same personal data the models were trained on.

use aimscope_core::{AssetKind, AssetStream, Collector, RelationKind, detail};
use async_stream::try_stream;
use google_cloud_gax::paginator::ItemPaginator as _;

use super::common::{asset, data_ref};
use crate::error::gcp_err;
use crate::scope::{GcpScope, ts};

pub struct FeatureOnlineStores;

impl Collector<GcpScope> for FeatureOnlineStores {
    fn name(&self) -> &'static str {
        "vertex.feature_online_stores"
    }

    fn collect<'a>(&'a self, cx: &'a GcpScope) -> AssetStream<'a> {
        Box::pin(try_stream! {
            cx.record("aiplatform.featureOnlineStores.list");
            let client = cx.feature_online_stores().await?;
            let mut stores = Vec::new();
            let mut items = client.list_feature_online_stores().set_parent(cx.parent()).by_item();
            while let Some(item) = items.next().await {
                stores.push(item.map_err(|e| gcp_err("aiplatform.featureOnlineStores.list", e))?);
            }
            for x in stores {
                let mut a = asset(cx, &x.name, "", AssetKind::FeatureStore, &x.labels).with_created(ts(x.create_time.as_ref()));
                if let Some(st) = x.state.name() {
                    a = a.with_status(st);
                }
                a.lifecycle_stage = None;
                cx.record("aiplatform.featureViews.list");
                let mut views = client.list_feature_views().set_parent(x.name.clone()).by_item();
                let mut names = Vec::new();
                while let Some(v) = views.next().await {
                    // A listed store stays even when its views cannot be read.
                    let Some(v) = detail(&mut a, "aiplatform.featureViews.list", v.map_err(|e| gcp_err("aiplatform.featureViews.list", e))) else {
                        break;
                    };
                    names.push(v.name.rsplit('/').next().unwrap_or_default().to_owned());
                    if let Some(uri) = v.big_query_source().map(|s| s.uri.clone())
                        && let Some(target) = data_ref(&uri)
                    {
                        a.relate_ref(RelationKind::StoredIn, target, uri);
                    }
                }
                a.attr("feature_views", (!names.is_empty()).then(|| names.into()));
                yield a;
            }
        })
    }
}
