//! The `[azure]` table.

use serde::Deserialize;

/// Which Azure cloud: sets the Resource Manager endpoint, its token audience and the Entra
/// authority host.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum AzureCloud {
    #[default]
    Public,
    China,
    UsGovernment,
    /// `resource_manager` and `authority_host` must be set.
    Custom,
}

/// Which credential to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum CredentialKind {
    /// The chain: environment service principal, workload identity, managed identity (where
    /// the host advertises one), Azure CLI.
    #[default]
    Auto,
    Environment,
    WorkloadIdentity,
    /// Managed identity, also on VMs where nothing in the environment advertises it.
    ManagedIdentity,
    AzureCli,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AzureConfig {
    pub cloud: AzureCloud,
    pub credential: CredentialKind,
    /// Resource Manager endpoint override (private link, sovereign or custom clouds).
    pub resource_manager: Option<String>,
    /// Token audience for Resource Manager (default: the cloud's, e.g. https://management.azure.com).
    pub audience: Option<String>,
    /// Entra ID authority host override (must be https).
    pub authority_host: Option<String>,
    /// Key Vault data-plane token audience (default: the cloud's, e.g. https://vault.azure.net).
    pub vault_audience: Option<String>,
    /// Subscriptions to scan (empty: every enabled subscription the identity can see).
    pub subscriptions: Vec<String>,
    pub exclude_subscriptions: Vec<String>,
    /// Attempts per request (429 and 5xx are retried with backoff, honouring Retry-After).
    pub max_attempts: u32,
    /// Time limit for one HTTP request, in seconds.
    pub request_timeout_secs: u64,
}

impl Default for AzureConfig {
    fn default() -> Self {
        AzureConfig {
            cloud: AzureCloud::Public,
            credential: CredentialKind::Auto,
            resource_manager: None,
            audience: None,
            authority_host: None,
            vault_audience: None,
            subscriptions: Vec::new(),
            exclude_subscriptions: Vec::new(),
            max_attempts: 5,
            request_timeout_secs: 60,
        }
    }
}

impl AzureConfig {
    /// The Key Vault data-plane audience of the configured cloud.
    pub fn vault_audience(&self) -> String {
        let default = match self.cloud {
            AzureCloud::China => "https://vault.azure.cn",
            AzureCloud::UsGovernment => "https://vault.usgovcloudapi.net",
            AzureCloud::Public | AzureCloud::Custom => "https://vault.azure.net",
        };
        self.vault_audience.as_deref().unwrap_or(default).trim_end_matches('/').to_owned()
    }

    /// (Resource Manager endpoint, token audience, authority host) for the configured cloud.
    pub fn endpoints(&self) -> Result<(String, String, String), String> {
        let (rm, aud, auth) = match self.cloud {
            AzureCloud::Public => {
                ("https://management.azure.com", "https://management.azure.com", "https://login.microsoftonline.com")
            }
            AzureCloud::China => (
                "https://management.chinacloudapi.cn",
                "https://management.chinacloudapi.cn",
                "https://login.chinacloudapi.cn",
            ),
            AzureCloud::UsGovernment => (
                "https://management.usgovcloudapi.net",
                "https://management.usgovcloudapi.net",
                "https://login.microsoftonline.us",
            ),
            AzureCloud::Custom => {
                let rm =
                    self.resource_manager.as_deref().ok_or("azure.cloud = \"custom\" needs azure.resource_manager")?;
                let auth =
                    self.authority_host.as_deref().ok_or("azure.cloud = \"custom\" needs azure.authority_host")?;
                (rm, self.audience.as_deref().unwrap_or(rm), auth)
            }
        };
        let rm = self.resource_manager.as_deref().unwrap_or(rm).trim_end_matches('/').to_owned();
        let aud = self.audience.as_deref().unwrap_or(aud).trim_end_matches('/').to_owned();
        let auth = self.authority_host.as_deref().unwrap_or(auth).trim_end_matches('/').to_owned();
        Ok((rm, aud, auth))
    }
}
