//! Key Vault secrets whose names show an outside AI service. Secrets are *listed* on the data
//! plane (names and tags only); no secret is ever read. A vault whose data plane refuses the
//! identity is reported in coverage; the other vaults are still listed.

use aimscope_core::detect::{Sighting, Signal, usage_assets};
use aimscope_core::{AssetKind, AssetStream, CollectError, Collector, ErrorKind, RelationKind, Service};
use async_stream::try_stream;

use super::common::{arm_asset, str_at};
use crate::ids::norm;
use crate::scope::{AzureScope, KEYVAULT_API, KEYVAULT_DATA_API};

pub struct KeyVaultSecrets;

impl Collector<AzureScope> for KeyVaultSecrets {
    fn name(&self) -> &'static str {
        "keyvault.secrets"
    }

    fn collect<'a>(&'a self, cx: &'a AzureScope) -> AssetStream<'a> {
        Box::pin(try_stream! {
            let url = cx.arm.url(&format!("/subscriptions/{}/providers/Microsoft.KeyVault/vaults", cx.subscription()), KEYVAULT_API);
            let vaults = cx.arm.list(&url, "Microsoft.KeyVault/vaults/read").await?;
            let mut refused: Vec<CollectError> = Vec::new();
            for v in &vaults {
                let (Some(vault_id), Some(uri)) = (str_at(v, "/id"), str_at(v, "/properties/vaultUri")) else { continue };
                let list_url = cx.vault.absolute(&format!("{}/secrets", uri.trim_end_matches('/')), KEYVAULT_DATA_API);
                let secrets = match cx.vault.list(&list_url, "Microsoft.KeyVault/vaults/secrets/readMetadata/action").await {
                    Ok(s) => s,
                    Err(e) => {
                        refused.push(CollectError::new(e.kind, format!("{}: {}", str_at(v, "/name").unwrap_or(vault_id), e.message)));
                        continue;
                    }
                };
                for s in &secrets {
                    let Some(name) = str_at(s, "/id").and_then(|id| id.trim_end_matches('/').rsplit('/').next()) else { continue };
                    let Some(detection) = cx.catalogue.match_name(name) else { continue };
                    let mut secret = arm_asset(cx, &serde_json::json!({"id": format!("{vault_id}/secrets/{name}"), "name": name,
                        "location": str_at(v, "/location"), "tags": s.get("tags")}), AssetKind::Secret, Service::KeyVault)
                        .unwrap_or_else(|| unreachable!("id is set"));
                    secret.lifecycle_stage = None;
                    secret.relate(RelationKind::PartOf, norm(vault_id));
                    let usages = usage_assets(&mut secret, vec![Sighting { signal: Signal::SecretName, field: name.to_owned(), detection }]);
                    yield secret;
                    for u in usages {
                        yield u;
                    }
                }
            }
            if let Some(first) = refused.first() {
                let kind = if refused.iter().all(|e| e.kind == ErrorKind::Denied) { ErrorKind::Denied } else { first.kind };
                let names: Vec<String> = refused.iter().map(|e| e.message.clone()).collect();
                Err(CollectError::new(kind, format!("{} vault(s) not listed: {}", refused.len(), names.join("; "))))?;
            }
        })
    }
}
