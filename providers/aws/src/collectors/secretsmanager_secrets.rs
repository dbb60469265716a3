//! Secrets Manager secrets whose names show an outside AI service (ListSecrets only: the
//! scanner never calls GetSecretValue).

use aimscope_core::detect::{Sighting, Signal, usage_assets};
use aimscope_core::{AssetKind, AssetStream, Collector, Service};
use async_stream::try_stream;

use super::common::{asset, ts};
use crate::error::sdk_err;
use crate::scope::AwsScope;

pub struct Secrets;

impl Collector<AwsScope> for Secrets {
    fn name(&self) -> &'static str {
        "secretsmanager.secrets"
    }

    fn collect<'a>(&'a self, cx: &'a AwsScope) -> AssetStream<'a> {
        Box::pin(try_stream! {
            // ListSecrets pages carry no `items` paginator; walk pages and their entries.
            let mut pages = cx.secrets_manager().list_secrets().into_paginator().send();
            let mut entries = Vec::new();
            while let Some(page) = pages.next().await {
                let page = page.map_err(|e| sdk_err("secretsmanager:ListSecrets", e))?;
                entries.extend(page.secret_list().iter().cloned());
            }
            for sec in entries {
                let (Some(name), Some(arn)) = (sec.name(), sec.arn()) else { continue };
                let Some(detection) = cx.catalogue.match_name(name) else { continue };
                let mut secret = asset(cx, arn, AssetKind::Secret, Service::SecretsManager, name)
                    .with_created(ts(sec.created_date()));
                secret.tags = sec.tags().iter().filter_map(|t| Some((t.key()?.to_owned(), t.value()?.to_owned()))).collect();
                secret.lifecycle_stage = None;
                let usages = usage_assets(&mut secret, vec![Sighting { signal: Signal::SecretName, field: name.to_owned(), detection }]);
                yield secret;
                for u in usages {
                    yield u;
                }
            }
        })
    }
}
