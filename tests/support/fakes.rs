//! Test-only providers and collectors with scripted behaviour: one that works, one that fails
//! part-way, one that is slow, one that is denied, one that panics.
#![allow(dead_code)]

use std::sync::Arc;
use std::time::Duration;

use aimscope_core::{
    Asset, AssetKind, AssetStream, Cloud, CollectError, Collector, Coverage, CoverageStatus, Discovery, ErrorKind,
    Provider, ProviderError, Scope, ScopeContext, Service, bind_all,
};
use async_trait::async_trait;

pub struct FakeScope(pub Scope);

impl ScopeContext for FakeScope {
    fn scope(&self) -> &Scope {
        &self.0
    }
}

fn model(cx: &FakeScope, name: &str) -> Asset {
    Asset::new(
        format!("fake:{}:{}:{name}", cx.0.account, cx.0.region.as_deref().unwrap_or("")),
        Cloud::Aws,
        cx.0.account.clone(),
        cx.0.region.clone(),
        AssetKind::Model,
        Service::Sagemaker,
        name,
    )
}

pub struct Works;
impl Collector<FakeScope> for Works {
    fn name(&self) -> &'static str {
        "fake.works"
    }
    fn collect<'a>(&'a self, cx: &'a FakeScope) -> AssetStream<'a> {
        Box::pin(futures::stream::iter(vec![Ok(model(cx, "a")), Ok(model(cx, "b"))]))
    }
}

pub struct FailsPartWay;
impl Collector<FakeScope> for FailsPartWay {
    fn name(&self) -> &'static str {
        "fake.fails"
    }
    fn collect<'a>(&'a self, cx: &'a FakeScope) -> AssetStream<'a> {
        Box::pin(futures::stream::iter(vec![
            Ok(model(cx, "before-error")),
            Err(CollectError::new(ErrorKind::Malformed, "fake:List: malformed response")),
        ]))
    }
}

pub struct Slow;
impl Collector<FakeScope> for Slow {
    fn name(&self) -> &'static str {
        "fake.slow"
    }
    fn collect<'a>(&'a self, _cx: &'a FakeScope) -> AssetStream<'a> {
        Box::pin(futures::stream::once(async {
            tokio::time::sleep(Duration::from_secs(30)).await;
            Err(CollectError::new(ErrorKind::Other, "unreachable"))
        }))
    }
}

pub struct Denied;
impl Collector<FakeScope> for Denied {
    fn name(&self) -> &'static str {
        "fake.denied"
    }
    fn collect<'a>(&'a self, _cx: &'a FakeScope) -> AssetStream<'a> {
        Box::pin(futures::stream::iter(vec![Err(CollectError::new(ErrorKind::Denied, "fake:List: AccessDenied"))]))
    }
}

pub struct Panics;
impl Collector<FakeScope> for Panics {
    fn name(&self) -> &'static str {
        "fake.panics"
    }
    fn collect<'a>(&'a self, _cx: &'a FakeScope) -> AssetStream<'a> {
        Box::pin(futures::stream::once(async { panic!("collector bug") }))
    }
}

pub struct NotHere;
impl Collector<FakeScope> for NotHere {
    fn name(&self) -> &'static str {
        "fake.not_here"
    }
    fn applies_to(&self, _cx: &FakeScope) -> bool {
        false
    }
    fn collect<'a>(&'a self, _cx: &'a FakeScope) -> AssetStream<'a> {
        Box::pin(futures::stream::empty())
    }
}

pub static MIXED: &[&dyn Collector<FakeScope>] = &[&Works, &FailsPartWay, &Slow, &Denied, &Panics, &NotHere];
pub static GOOD: &[&dyn Collector<FakeScope>] = &[&Works];

/// A provider over `accounts` × one region with the given collectors; one extra account is
/// reported as denied at discovery.
pub struct FakeProvider {
    pub accounts: Vec<String>,
    pub collectors: &'static [&'static dyn Collector<FakeScope>],
    pub deny_account: Option<String>,
}

#[async_trait]
impl Provider for FakeProvider {
    fn cloud(&self) -> Cloud {
        Cloud::Aws
    }

    async fn discover(&self) -> Result<Discovery, ProviderError> {
        let contexts: Vec<Arc<FakeScope>> = self
            .accounts
            .iter()
            .map(|a| Arc::new(FakeScope(Scope { cloud: Cloud::Aws, account: a.clone(), region: Some("r1".into()) })))
            .collect();
        let coverage = self
            .deny_account
            .iter()
            .map(|a| Coverage {
                cloud: Cloud::Aws,
                account: Some(a.clone()),
                region: None,
                collector: "fake.enter".into(),
                status: CoverageStatus::Denied,
                assets: 0,
                error: Some("cannot enter".into()),
                duration_ms: 0,
            })
            .collect();
        Ok(Discovery { tasks: bind_all(self.collectors, &contexts, |_| true), coverage, credential_source: None })
    }
}

/// A provider with no credentials.
pub struct Unconfigured;

#[async_trait]
impl Provider for Unconfigured {
    fn cloud(&self) -> Cloud {
        Cloud::Gcp
    }
    async fn discover(&self) -> Result<Discovery, ProviderError> {
        Err(ProviderError::NotConfigured("no credentials".into()))
    }
}
