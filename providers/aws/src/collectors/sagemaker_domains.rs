//! SageMaker Studio domains and their user profiles (who has an ML workbench).

use aimscope_core::{AssetKind, AssetStream, Collector, RelationKind, Service};
use async_stream::try_stream;

use super::common::{asset, s, sagemaker_tags, ts};
use crate::arn;
use crate::error::sdk_err;
use crate::scope::AwsScope;

pub struct Domains;

impl Collector<AwsScope> for Domains {
    fn name(&self) -> &'static str {
        "sagemaker.domains"
    }

    fn collect<'a>(&'a self, cx: &'a AwsScope) -> AssetStream<'a> {
        Box::pin(try_stream! {
            let mut pages = cx.sagemaker().list_domains().into_paginator().items().send();
            while let Some(d) = pages.next().await {
                let d = d.map_err(|e| sdk_err("sagemaker:ListDomains", e))?;
                let (Some(domain_id), Some(name)) = (d.domain_id(), d.domain_name()) else { continue };
                let raw_arn = d.domain_arn().map(str::to_owned);
                let id = raw_arn.as_deref().map(arn::sagemaker_id)
                    .unwrap_or_else(|| arn::sagemaker(cx.partition, cx.region(), cx.account(), "domain", domain_id));
                let mut a = asset(cx, id.clone(), AssetKind::Workspace, Service::Sagemaker, name)
                    .with_created(ts(d.creation_time()));
                if let Some(st) = d.status() {
                    a = a.with_status(st.as_str());
                }
                a.attr("url", s(d.url()));
                sagemaker_tags(cx, &mut a, raw_arn.as_deref()).await;
                yield a;

                let mut users = cx.sagemaker().list_user_profiles().domain_id_equals(domain_id).into_paginator().items().send();
                while let Some(u) = users.next().await {
                    let u = u.map_err(|e| sdk_err("sagemaker:ListUserProfiles", e))?;
                    let Some(user) = u.user_profile_name() else { continue };
                    let uid = arn::sagemaker(cx.partition, cx.region(), cx.account(), "user-profile", &format!("{domain_id}/{user}"));
                    let mut p = asset(cx, uid, AssetKind::UserProfile, Service::Sagemaker, user).with_created(ts(u.creation_time()));
                    if let Some(st) = u.status() {
                        p = p.with_status(st.as_str());
                    }
                    p.relate(RelationKind::PartOf, id.clone());
                    yield p;
                }
            }
        })
    }
}
