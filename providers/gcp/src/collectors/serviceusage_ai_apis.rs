//! AI APIs enabled in a project (Vertex AI, the Gemini API): evidence of AI use that need not
//! own any resource. Read once per project by discovery (Service Usage); when that failed,
//! this collector carries the error into the project's coverage.

use aimscope_core::{Asset, AssetKind, AssetStream, Cloud, Collector, Service};

use crate::scope::GcpScope;

pub struct AiApis;

impl Collector<GcpScope> for AiApis {
    fn name(&self) -> &'static str {
        "serviceusage.ai_apis"
    }

    fn collect<'a>(&'a self, cx: &'a GcpScope) -> AssetStream<'a> {
        let apis = match &cx.enabled_apis {
            Ok(apis) => apis,
            Err(e) => return Box::pin(futures::stream::iter([Err(e.clone())])),
        };
        let assets: Vec<_> = apis
            .iter()
            .map(|api| {
                let mut a = Asset::new(
                    format!("projects/{}/services/{api}", cx.project()),
                    Cloud::Gcp,
                    cx.project(),
                    None,
                    AssetKind::ApiEnablement,
                    Service::ServiceUsage,
                    api.as_str(),
                )
                .with_status("ENABLED");
                a.attr("api", Some(api.clone().into()));
                Ok(a)
            })
            .collect();
        Box::pin(futures::stream::iter(assets))
    }
}
