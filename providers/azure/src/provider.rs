//! Azure scope discovery: a credential from the chain, then every enabled subscription the
//! identity can see (or the configured list).

use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use aimscope_core::detect::Catalogue;
use aimscope_core::{Asset, Cloud, Coverage, Discovery, Provider, ProviderError, Scope, Selection, bind_all};
use async_trait::async_trait;

use crate::actions::CallLog;
use crate::arm::Arm;
use crate::config::AzureConfig;
use crate::scope::{AzureScope, SUBSCRIPTIONS_API};

#[derive(Debug)]
pub struct AzureProvider {
    cfg: AzureConfig,
    sel: Selection,
    catalogue: &'static Catalogue,
    arm: OnceLock<Arc<Arm>>,
}

impl AzureProvider {
    pub fn new(cfg: AzureConfig, sel: Selection, catalogue: &'static Catalogue) -> AzureProvider {
        AzureProvider { cfg, sel, catalogue, arm: OnceLock::new() }
    }
}

#[async_trait]
impl Provider for AzureProvider {
    fn cloud(&self) -> Cloud {
        Cloud::Azure
    }

    async fn discover(&self) -> Result<Discovery, ProviderError> {
        let (rm, audience, authority) = self.cfg.endpoints().map_err(ProviderError::NotConfigured)?;
        let chosen = crate::auth::choose(self.cfg.credential, &format!("{audience}/.default"), &authority)
            .await
            .map_err(ProviderError::NotConfigured)?;
        // One call log for Resource Manager and Key Vault data-plane calls.
        let calls = CallLog::default();
        let client = |base: String, audience: &str| {
            Arm::new(
                base,
                audience,
                chosen.credential.clone(),
                self.cfg.max_attempts,
                Duration::from_secs(self.cfg.request_timeout_secs.max(1)),
                calls.clone(),
            )
            .map(Arc::new)
            .map_err(ProviderError::NotConfigured)
        };
        let arm = client(rm.clone(), &audience)?;
        let _ = self.arm.set(arm.clone());
        let vault = client(String::new(), &self.cfg.vault_audience())?;

        let subscriptions: Vec<String> = if self.cfg.subscriptions.is_empty() {
            let url = arm.url("/subscriptions", SUBSCRIPTIONS_API);
            let subs =
                arm.list(&url, "Microsoft.Resources/subscriptions/read").await.map_err(ProviderError::Discovery)?;
            subs.iter()
                .filter(|s| s.get("state").and_then(|v| v.as_str()).is_none_or(|st| st.eq_ignore_ascii_case("Enabled")))
                .filter_map(|s| s.get("subscriptionId").and_then(|v| v.as_str()).map(str::to_owned))
                .collect()
        } else {
            self.cfg.subscriptions.clone()
        };
        let mut contexts = Vec::new();
        for sub in subscriptions {
            if self.cfg.exclude_subscriptions.contains(&sub) || !self.sel.owns(Cloud::Azure, &sub) {
                continue;
            }
            let scope = Scope { cloud: Cloud::Azure, account: sub, region: None };
            contexts.push(Arc::new(AzureScope::new(scope, arm.clone(), vault.clone(), self.catalogue)));
        }
        let tasks = bind_all(crate::collectors::ALL, &contexts, |name| self.sel.collector_on(name));
        Ok(Discovery {
            tasks,
            coverage: Vec::new(),
            credential_source: Some(format!("{} ({} subscription(s), {rm})", chosen.source, contexts.len())),
        })
    }

    async fn enrich(&self, assets: &[Asset]) -> (Vec<Asset>, Vec<Coverage>) {
        match self.arm.get() {
            Some(arm) => crate::enrich::storage_accounts(arm, assets).await,
            None => (Vec::new(), Vec::new()),
        }
    }

    fn api_calls(&self) -> BTreeMap<String, u64> {
        self.arm.get().map(|a| a.calls.snapshot()).unwrap_or_default()
    }
}
