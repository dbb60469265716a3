//! ECR repositories whose names show model-serving software (vLLM, TGI, Triton, Ollama, ...).

use aimscope_core::detect::{Sighting, Signal, usage_assets};
use aimscope_core::{AssetKind, AssetStream, Collector, Service};
use async_stream::try_stream;

use super::common::{asset, s, ts};
use crate::error::sdk_err;
use crate::scope::AwsScope;

pub struct Repositories;

impl Collector<AwsScope> for Repositories {
    fn name(&self) -> &'static str {
        "ecr.repositories"
    }

    fn collect<'a>(&'a self, cx: &'a AwsScope) -> AssetStream<'a> {
        Box::pin(try_stream! {
            let mut pages = cx.ecr().describe_repositories().into_paginator().items().send();
            while let Some(r) = pages.next().await {
                let r = r.map_err(|e| sdk_err("ecr:DescribeRepositories", e))?;
                let (Some(name), Some(arn)) = (r.repository_name(), r.repository_arn()) else { continue };
                let Some(detection) = cx.catalogue.match_image(name) else { continue };
                let mut repo = asset(cx, arn, AssetKind::ContainerRepository, Service::Ecr, name)
                    .with_created(ts(r.created_at()));
                repo.attr("uri", s(r.repository_uri()));
                let usages = usage_assets(&mut repo, vec![Sighting { signal: Signal::RepositoryName, field: name.to_owned(), detection }]);
                yield repo;
                for u in usages {
                    yield u;
                }
            }
        })
    }
}
