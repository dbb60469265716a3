//! The credential chain users expect from Azure tooling (azure_identity 1.x has no
//! DefaultAzureCredential): environment service principal (client secret), workload
//! identity (AKS), managed identity, then the Azure CLI. The first that yields a token wins and
//! is named in the log.

use std::sync::Arc;
use std::time::Duration;

use crate::config::CredentialKind;
use azure_core::credentials::{Secret, TokenCredential};
use azure_core::http::ClientOptions;
use azure_identity::{
    AzureCliCredential, ClientSecretCredential, ClientSecretCredentialOptions, ManagedIdentityCredential,
    WorkloadIdentityCredential,
};

/// A credential that produced a token, and which one it is.
pub struct Chosen {
    pub credential: Arc<dyn TokenCredential>,
    pub source: &'static str,
}

impl std::fmt::Debug for Chosen {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Chosen").field("source", &self.source).finish_non_exhaustive()
    }
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

fn client_options(authority_host: &str) -> ClientOptions {
    let mut o = ClientOptions::default();
    let mut custom = azure_core::cloud::CustomConfiguration::default();
    custom.authority_host = authority_host.to_owned();
    o.cloud = Some(Arc::new(azure_core::cloud::CloudConfiguration::Custom(custom)));
    o
}

/// Candidates in order, built only when their inputs are present. Managed identity is tried in
/// the automatic chain only where the host advertises an identity endpoint (App Service,
/// Functions, Container Apps, Arc): probing the instance metadata service everywhere would
/// stall every laptop and CI run. On VMs, choose it with `azure.credential = "managed_identity"`.
fn candidates(
    kind: CredentialKind,
    authority_host: &str,
) -> Vec<(&'static str, azure_core::Result<Arc<dyn TokenCredential>>)> {
    let mut out: Vec<(&'static str, azure_core::Result<Arc<dyn TokenCredential>>)> = Vec::new();
    let (tenant, client) = (env("AZURE_TENANT_ID"), env("AZURE_CLIENT_ID"));
    let want = |k: CredentialKind| kind == CredentialKind::Auto || kind == k;
    if want(CredentialKind::Environment)
        && let (Some(t), Some(c), Some(secret)) = (&tenant, &client, env("AZURE_CLIENT_SECRET"))
    {
        let opts = ClientSecretCredentialOptions { client_options: client_options(authority_host) };
        out.push((
            "environment (service principal, client secret)",
            ClientSecretCredential::new(t, c.clone(), Secret::new(secret), Some(opts))
                .map(|c| c as Arc<dyn TokenCredential>),
        ));
    }
    // Certificate credentials need azure_identity's OpenSSL feature; say so rather than skip
    // silently.
    if want(CredentialKind::Environment) && env("AZURE_CLIENT_CERTIFICATE_PATH").is_some() {
        out.push((
            "environment (service principal, certificate)",
            Err(azure_core::Error::with_message(
                azure_core::error::ErrorKind::Credential,
                "certificate credentials are not supported by this build; use a client secret or workload identity",
            )),
        ));
    }
    if want(CredentialKind::WorkloadIdentity)
        && (kind != CredentialKind::Auto || env("AZURE_FEDERATED_TOKEN_FILE").is_some())
    {
        out.push(("workload identity", WorkloadIdentityCredential::new(None).map(|c| c as Arc<dyn TokenCredential>)));
    }
    let advertised = env("IDENTITY_ENDPOINT").is_some() || env("MSI_ENDPOINT").is_some();
    if kind == CredentialKind::ManagedIdentity || (kind == CredentialKind::Auto && advertised) {
        out.push(("managed identity", ManagedIdentityCredential::new(None).map(|c| c as Arc<dyn TokenCredential>)));
    }
    if want(CredentialKind::AzureCli) {
        out.push(("Azure CLI", AzureCliCredential::new(None).map(|c| c as Arc<dyn TokenCredential>)));
    }
    out
}

/// The first credential in the chain that yields a token for `scope`, or why none did.
pub async fn choose(kind: CredentialKind, scope: &str, authority_host: &str) -> Result<Chosen, String> {
    let mut tried = Vec::new();
    for (source, cred) in candidates(kind, authority_host) {
        let cred = match cred {
            Ok(c) => c,
            Err(e) => {
                tried.push(format!("{source}: {e}"));
                continue;
            }
        };
        // Managed identity probes an endpoint that does not answer off Azure: bound the wait.
        let limit = if source == "managed identity" { Duration::from_secs(3) } else { Duration::from_secs(30) };
        match tokio::time::timeout(limit, cred.get_token(&[scope], None)).await {
            Ok(Ok(_)) => return Ok(Chosen { credential: cred, source }),
            Ok(Err(e)) => tried.push(format!("{source}: {}", first_line(&e.to_string()))),
            Err(_) => tried.push(format!("{source}: no answer within {}s", limit.as_secs())),
        }
    }
    Err(format!("no Azure credentials found (tried {})", tried.join("; ")))
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or(s)
}
