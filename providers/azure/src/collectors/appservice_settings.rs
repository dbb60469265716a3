//! App Service web and function apps that use outside AI services, seen through their app
//! settings: names kept, values matched against key formats and hosts, then dropped. The
//! settings come from the documented read-only `config/appsettings/list` action.

use aimscope_core::detect::{Sighting, Signal, usage_assets};
use aimscope_core::{AssetKind, AssetStream, CollectError, Collector, ErrorKind, Service};
use async_stream::try_stream;

use super::common::{arm_asset, s, str_at};
use crate::scope::{AzureScope, WEB_API};

pub struct AppServiceSettings;

impl Collector<AzureScope> for AppServiceSettings {
    fn name(&self) -> &'static str {
        "appservice.settings"
    }

    fn collect<'a>(&'a self, cx: &'a AzureScope) -> AssetStream<'a> {
        Box::pin(try_stream! {
            let url = cx.arm.url(&format!("/subscriptions/{}/providers/Microsoft.Web/sites", cx.subscription()), WEB_API);
            let sites = cx.arm.list(&url, "Microsoft.Web/sites/read").await?;
            let mut refused: Vec<String> = Vec::new();
            let mut kinds = Vec::new();
            for site in &sites {
                let Some(site_id) = str_at(site, "/id") else { continue };
                let list = cx.arm.url(&format!("{site_id}/config/appsettings/list"), WEB_API);
                let settings = match cx.arm.list_action(&list, "Microsoft.Web/sites/config/list/Action").await {
                    Ok(v) => v,
                    Err(e) => {
                        kinds.push(e.kind);
                        refused.push(format!("{}: {}", str_at(site, "/name").unwrap_or(site_id), e.message));
                        continue;
                    }
                };
                let mut sightings = Vec::new();
                if let Some(props) = settings.get("properties").and_then(|p| p.as_object()) {
                    for (k, v) in props {
                        if let Some(detection) = v.as_str().and_then(|v| cx.catalogue.match_name_value(k, v)) {
                            sightings.push(Sighting { signal: Signal::AppSetting, field: k.clone(), detection });
                        }
                    }
                }
                if sightings.is_empty() {
                    continue;
                }
                let Some(mut app) = arm_asset(cx, site, AssetKind::Application, Service::AppService) else { continue };
                app.attr("site_kind", s(str_at(site, "/kind")));
                app.attr("default_host", s(str_at(site, "/properties/defaultHostName")));
                let usages = usage_assets(&mut app, sightings);
                yield app;
                for u in usages {
                    yield u;
                }
            }
            if !refused.is_empty() {
                let kind = if kinds.iter().all(|k| *k == ErrorKind::Denied) { ErrorKind::Denied } else { kinds[0] };
                Err(CollectError::new(kind, format!("{} app(s) not read: {}", refused.len(), refused.join("; "))))?;
            }
        })
    }
}
