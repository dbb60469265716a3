//! The provider registry: which clouds this binary was built with, and how each is built from
//! the config. Adding a cloud is one feature, one crate and one arm here.

use aimscope_core::detect::Catalogue;
use aimscope_core::{Cloud, Provider, Selection, Shard};

use crate::config::Config;

/// Clouds compiled into this binary.
pub fn built_in() -> Vec<Cloud> {
    [
        #[cfg(feature = "aws")]
        Cloud::Aws,
        #[cfg(feature = "azure")]
        Cloud::Azure,
        #[cfg(feature = "gcp")]
        Cloud::Gcp,
    ]
    .to_vec()
}

/// Builds the provider for `cloud`, or explains why this binary cannot scan it.
pub fn build(
    cloud: Cloud,
    cfg: &Config,
    catalogue: &'static Catalogue,
    shard: Option<Shard>,
) -> Result<Box<dyn Provider>, String> {
    let sel = Selection { disabled_collectors: cfg.scan.disabled_collectors.clone(), shard };
    match cloud {
        #[cfg(feature = "aws")]
        Cloud::Aws => Ok(Box::new(aimscope_aws::AwsProvider::new(cfg.aws.clone(), sel, catalogue))),
        #[cfg(feature = "azure")]
        Cloud::Azure => Ok(Box::new(aimscope_azure::AzureProvider::new(cfg.azure.clone(), sel, catalogue))),
        #[cfg(feature = "gcp")]
        Cloud::Gcp => Ok(Box::new(aimscope_gcp::GcpProvider::new(cfg.gcp.clone(), sel, catalogue))),
        #[allow(unreachable_patterns)]
        other => {
            let _ = (sel, catalogue);
            Err(format!("the {other} provider is not available in this build of aimscope"))
        }
    }
}

/// Every collector id of the clouds built in (the values `scan.disabled_collectors` accepts),
/// from the providers' own registries.
pub fn collector_ids() -> Vec<&'static str> {
    #[allow(unused_mut)]
    let mut ids: Vec<&'static str> = Vec::new();
    #[cfg(feature = "aws")]
    ids.extend(aimscope_aws::collectors::ALL.iter().map(|c| c.name()));
    #[cfg(feature = "azure")]
    ids.extend(aimscope_azure::collectors::ALL.iter().map(|c| c.name()));
    #[cfg(feature = "gcp")]
    ids.extend(aimscope_gcp::collectors::ALL.iter().chain(aimscope_gcp::collectors::PROJECT.iter()).map(|c| c.name()));
    ids.sort_unstable();
    ids.dedup();
    ids
}
