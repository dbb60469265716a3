//! Azure AI services accounts (Microsoft.CognitiveServices): Azure OpenAI, AI Services /
//! Foundry, and every other AI kind; network exposure and local (key) auth.

use aimscope_core::{AssetKind, AssetStream, Collector, Service};
use async_stream::try_stream;

use super::common::{arm_asset, s, str_at};
use crate::scope::AzureScope;

pub struct Accounts;

impl Collector<AzureScope> for Accounts {
    fn name(&self) -> &'static str {
        "cognitive.accounts"
    }

    fn collect<'a>(&'a self, cx: &'a AzureScope) -> AssetStream<'a> {
        Box::pin(try_stream! {
            for acct in cx.ai_accounts().await? {
                let Some(mut a) = arm_asset(cx, acct, AssetKind::AiServiceAccount, Service::CognitiveServices) else { continue };
                a.attr("account_kind", s(str_at(acct, "/kind")));
                a.attr("sku", s(str_at(acct, "/sku/name")));
                a.attr("endpoint", s(str_at(acct, "/properties/endpoint")));
                a.facts.endpoint_url = str_at(acct, "/properties/endpoint").map(str::to_owned);
                // Absent means the service default, which is public access enabled.
                let public = str_at(acct, "/properties/publicNetworkAccess").unwrap_or("Enabled");
                a.attr("public_network_access", s(Some(public)));
                a.facts.public_network_access = Some(public.eq_ignore_ascii_case("Enabled"));
                let local_auth_disabled = acct.pointer("/properties/disableLocalAuth").and_then(|v| v.as_bool()).unwrap_or(false);
                a.attr("local_auth_enabled", Some((!local_auth_disabled).into()));
                a.facts.key_auth = Some(!local_auth_disabled);
                a.attr("allow_project_management", acct.pointer("/properties/allowProjectManagement").cloned());
                yield a;
            }
        })
    }
}
