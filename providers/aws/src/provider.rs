//! AWS scope discovery: credentials from the standard chain, the caller's account, the
//! organization's accounts entered by AssumeRole, and the enabled regions of each account.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use aimscope_core::detect::Catalogue;
use aimscope_core::{
    Asset, Cloud, CollectError, Coverage, CoverageStatus, Discovery, ErrorKind, Provider, ProviderError, Scope,
    Selection, bind_all, discovery_failure,
};
use async_trait::async_trait;
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::provider::ProvideCredentials;
use futures::StreamExt;

use crate::actions::ActionLog;
use crate::config::{AwsConfig, RetryMode};
use crate::error::sdk_err;
use crate::scope::AwsScope;

/// Accounts entered at once (AssumeRole + ListRegions), well under STS's request rate.
const ENTRY_CONCURRENCY: usize = 16;

#[derive(Debug)]
pub struct AwsProvider {
    cfg: AwsConfig,
    sel: Selection,
    catalogue: &'static Catalogue,
    actions: ActionLog,
    /// SDK config per account (with that account's credentials), kept for enrichment.
    accounts: Mutex<BTreeMap<String, SdkConfig>>,
}

impl AwsProvider {
    pub fn new(cfg: AwsConfig, sel: Selection, catalogue: &'static Catalogue) -> AwsProvider {
        AwsProvider { cfg, sel, catalogue, actions: ActionLog::default(), accounts: Mutex::new(BTreeMap::new()) }
    }

    pub(crate) fn account_configs(&self) -> BTreeMap<String, SdkConfig> {
        self.accounts.lock().map(|m| m.clone()).unwrap_or_default()
    }

    pub(crate) fn action_log(&self) -> &ActionLog {
        &self.actions
    }

    async fn base_config(&self) -> SdkConfig {
        let mut loader = aws_config::defaults(BehaviorVersion::latest())
            // Standard: exponential backoff with jitter on throttling and 5xx. Adaptive adds a
            // client-side rate limiter that slows down on throttling and recovers slowly. Both
            // keep their state per retry partition, and every scope's clients have their own
            // (service, region, account) partition (`scope.rs`), so a throttled key backs off
            // alone.
            .retry_config(
                match self.cfg.retry_mode {
                    RetryMode::Standard => RetryConfig::standard(),
                    RetryMode::Adaptive => RetryConfig::adaptive(),
                }
                .with_max_attempts(self.cfg.max_attempts.max(1)),
            )
            .timeout_config(
                TimeoutConfig::builder()
                    .connect_timeout(Duration::from_secs(10))
                    .operation_attempt_timeout(Duration::from_secs(self.cfg.attempt_timeout_secs.max(1)))
                    .operation_timeout(Duration::from_secs(self.cfg.operation_timeout_secs.max(1)))
                    .build(),
            );
        if let Some(p) = &self.cfg.profile {
            loader = loader.profile_name(p);
        }
        loader.load().await
    }

    fn sts(&self, sdk: &SdkConfig) -> aws_sdk_sts::Client {
        aws_sdk_sts::Client::from_conf(
            aws_sdk_sts::config::Builder::from(sdk).interceptor(self.actions.interceptor("sts")).build(),
        )
    }

    /// The accounts to scan (besides the caller's own), with coverage for discovery failures.
    async fn member_accounts(&self, base: &SdkConfig, own: &str, coverage: &mut Vec<Coverage>) -> Vec<String> {
        let mut ids: Vec<String> = self.cfg.accounts.clone();
        if self.cfg.organization {
            let org = aws_sdk_organizations::Client::from_conf(
                aws_sdk_organizations::config::Builder::from(base)
                    .interceptor(self.actions.interceptor("organizations"))
                    .build(),
            );
            let started = Instant::now();
            // Organizations pages are flattened by hand: ListAccounts returns NextToken.
            let mut token: Option<String> = None;
            loop {
                match org.list_accounts().set_next_token(token.clone()).send().await {
                    Ok(page) => {
                        for a in page.accounts() {
                            let active = a
                                .state()
                                .map(|s| s.as_str() == "ACTIVE")
                                .unwrap_or_else(|| a.status().map(|s| s.as_str() == "ACTIVE").unwrap_or(true));
                            if let (Some(id), true) = (a.id(), active) {
                                ids.push(id.to_owned());
                            }
                        }
                        token = page.next_token().map(str::to_owned);
                        if token.is_none() {
                            break;
                        }
                    }
                    Err(e) => {
                        let e = sdk_err("organizations:ListAccounts", e);
                        coverage.push(discovery_failure(Cloud::Aws, own, "organizations.list_accounts", &e, started));
                        break;
                    }
                }
            }
        }
        ids.retain(|a| a != own && !self.cfg.exclude_accounts.contains(a));
        ids.sort();
        ids.dedup();
        ids
    }

    async fn assume(&self, base: &SdkConfig, partition: &str, account: &str) -> Result<SdkConfig, CollectError> {
        let role = format!("arn:{partition}:iam::{account}:role/{}", self.cfg.role_name);
        let out = self
            .sts(base)
            .assume_role()
            .role_arn(&role)
            .role_session_name(&self.cfg.session_name)
            .set_external_id(self.cfg.external_id.clone())
            .send()
            .await
            .map_err(|e| {
                let mut e = sdk_err("sts:AssumeRole", e);
                e.message = format!("cannot assume {role}: {}", e.message);
                e
            })?;
        let c = out.credentials().ok_or_else(|| {
            CollectError::new(ErrorKind::Malformed, format!("sts:AssumeRole {role}: no credentials in response"))
        })?;
        let expiry = std::time::SystemTime::try_from(*c.expiration()).ok();
        let creds = aws_credential_types::Credentials::new(
            c.access_key_id(),
            c.secret_access_key(),
            Some(c.session_token().to_owned()),
            expiry,
            "aimscope-assume-role",
        );
        Ok(base
            .to_builder()
            .credentials_provider(aws_credential_types::provider::SharedCredentialsProvider::new(creds))
            .build())
    }

    async fn regions(&self, sdk: &SdkConfig, account: &str, coverage: &mut Vec<Coverage>) -> Vec<String> {
        if !self.cfg.regions.is_empty() {
            return self.cfg.regions.clone();
        }
        let started = Instant::now();
        let client = aws_sdk_account::Client::from_conf(
            aws_sdk_account::config::Builder::from(sdk).interceptor(self.actions.interceptor("account")).build(),
        );
        let mut regions = Vec::new();
        let mut pages = client
            .list_regions()
            .region_opt_status_contains(aws_sdk_account::types::RegionOptStatus::Enabled)
            .region_opt_status_contains(aws_sdk_account::types::RegionOptStatus::EnabledByDefault)
            .into_paginator()
            .send();
        while let Some(page) = pages.next().await {
            match page {
                Ok(p) => regions.extend(p.regions().iter().filter_map(|r| r.region_name().map(str::to_owned))),
                Err(e) => {
                    let e = sdk_err("account:ListRegions", e);
                    let fallback = sdk.region().map(|r| r.to_string());
                    let mut cov = discovery_failure(Cloud::Aws, account, "account.list_regions", &e, started);
                    cov.error = Some(format!(
                        "{}; scanning only the default region {} (set aws.regions to choose)",
                        e.message,
                        fallback.as_deref().unwrap_or("(none)")
                    ));
                    coverage.push(cov);
                    return fallback.into_iter().collect();
                }
            }
        }
        regions.sort();
        regions
    }
}

#[async_trait]
impl Provider for AwsProvider {
    fn cloud(&self) -> Cloud {
        Cloud::Aws
    }

    async fn discover(&self) -> Result<Discovery, ProviderError> {
        let base = self.base_config().await;
        let Some(provider) = base.credentials_provider() else {
            return Err(ProviderError::NotConfigured("no AWS credentials provider configured".into()));
        };
        if let Err(e) = provider.provide_credentials().await {
            return Err(ProviderError::NotConfigured(format!(
                "no AWS credentials found (environment, shared config/SSO profile, web identity, ECS or EC2 role): {e}"
            )));
        }
        if base.region().is_none() && self.cfg.regions.is_empty() {
            return Err(ProviderError::NotConfigured(
                "no AWS region configured: set AWS_REGION or aws.regions in the config".into(),
            ));
        }
        let base = if base.region().is_none() {
            base.to_builder().region(Region::new(self.cfg.regions[0].clone())).build()
        } else {
            base
        };
        let partition = crate::arn::partition_of(&base.region().map(|r| r.to_string()).unwrap_or_default());
        let identity = self
            .sts(&base)
            .get_caller_identity()
            .send()
            .await
            .map_err(|e| ProviderError::Discovery(sdk_err("sts:GetCallerIdentity", e)))?;
        let own = identity
            .account()
            .ok_or_else(|| {
                ProviderError::Discovery(CollectError::new(
                    ErrorKind::Malformed,
                    "sts:GetCallerIdentity returned no account",
                ))
            })?
            .to_owned();

        let mut coverage = Vec::new();
        // (account, its config when already entered: the caller's own account).
        let mut wanted: Vec<(String, Option<SdkConfig>)> = Vec::new();
        let explicit_only = !self.cfg.accounts.is_empty() && !self.cfg.organization;
        let own_wanted = !explicit_only || self.cfg.accounts.contains(&own);
        if own_wanted && !self.cfg.exclude_accounts.contains(&own) && self.sel.owns(Cloud::Aws, &own) {
            wanted.push((own.clone(), Some(base.clone())));
        }
        let members = self.member_accounts(&base, &own, &mut coverage).await;
        wanted.extend(members.into_iter().filter(|a| self.sel.owns(Cloud::Aws, a)).map(|a| (a, None)));

        // Accounts are entered side by side (AssumeRole, then ListRegions): one at a time costs
        // two round trips per account before the first collector runs. `buffered` keeps the
        // order, so the task list is the same whatever answers first.
        let base = &base;
        let entered: Vec<(Vec<Coverage>, Option<(String, SdkConfig, Vec<String>)>)> = futures::stream::iter(wanted)
            .map(|(account, sdk)| async move {
                let mut cov = Vec::new();
                let sdk = match sdk {
                    Some(sdk) => sdk,
                    None => {
                        let started = Instant::now();
                        match self.assume(base, partition, &account).await {
                            Ok(sdk) => sdk,
                            Err(e) => {
                                tracing::warn!(account = %account, "{}", e.message);
                                let mut c = discovery_failure(Cloud::Aws, &account, "sts.assume_role", &e, started);
                                // Any failure to enter an account means we could not look: never "complete".
                                if c.status == CoverageStatus::NotEnabled {
                                    c.status = CoverageStatus::Denied;
                                }
                                return (vec![c], None);
                            }
                        }
                    }
                };
                let regions = self.regions(&sdk, &account, &mut cov).await;
                (cov, Some((account, sdk, regions)))
            })
            .buffered(ENTRY_CONCURRENCY)
            .collect()
            .await;

        let mut contexts = Vec::new();
        for (cov, entry) in entered {
            coverage.extend(cov);
            let Some((account, sdk, regions)) = entry else { continue };
            for region in regions {
                let scoped = sdk.to_builder().region(Region::new(region.clone())).build();
                let scope = Scope { cloud: Cloud::Aws, account: account.clone(), region: Some(region) };
                contexts.push(Arc::new(AwsScope::new(scope, scoped, self.actions.clone(), self.catalogue)));
            }
            if let Ok(mut m) = self.accounts.lock() {
                m.insert(account, sdk);
            }
        }
        let tasks = bind_all(crate::collectors::ALL, &contexts, |name| self.sel.collector_on(name));
        Ok(Discovery { tasks, coverage, credential_source: Some(format!("AWS standard chain, caller account {own}")) })
    }

    async fn enrich(&self, assets: &[Asset]) -> (Vec<Asset>, Vec<Coverage>) {
        crate::enrich::enrich(self, assets).await
    }

    fn api_calls(&self) -> BTreeMap<String, u64> {
        self.actions.snapshot()
    }
}
