//! One subscription: the Resource Manager client and lists shared by several collectors
//! (fetched once per subscription, not once per collector).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use aimscope_core::detect::Catalogue;
use aimscope_core::{CollectError, Scope, ScopeContext};
use serde_json::Value;
use tokio::sync::OnceCell;

use crate::arm::Arm;
use crate::ids::{self, AssetClass, MlRef};

/// api-versions used (current stable ones).
pub const ML_API: &str = "2025-12-01";
pub const COGNITIVE_API: &str = "2025-06-01";
pub const STORAGE_API: &str = "2025-06-01";
pub const SUBSCRIPTIONS_API: &str = "2022-12-01";
pub const KEYVAULT_API: &str = "2025-05-01";
pub const KEYVAULT_DATA_API: &str = "7.5";
pub const WEB_API: &str = "2024-11-01";

#[derive(Debug)]
pub struct AzureScope {
    pub scope: Scope,
    pub arm: Arc<Arm>,
    /// Key Vault data-plane client (its own token audience).
    pub vault: Arc<Arm>,
    pub catalogue: &'static Catalogue,
    workspaces: OnceCell<Result<Vec<Value>, CollectError>>,
    accounts: OnceCell<Result<Vec<Value>, CollectError>>,
    /// Storage accounts and ML registries of the subscription, by lower-cased name → ARM id,
    /// listed once when a reference names one (`None`: the listing failed).
    storage_accounts: OnceCell<Option<HashMap<String, String>>>,
    registries: OnceCell<Option<HashMap<String, String>>>,
    /// Asset container id → its latest version (for `azureml:<name>@latest`).
    latest: Mutex<HashMap<String, Option<String>>>,
}

impl ScopeContext for AzureScope {
    fn scope(&self) -> &Scope {
        &self.scope
    }
}

impl AzureScope {
    pub fn new(scope: Scope, arm: Arc<Arm>, vault: Arc<Arm>, catalogue: &'static Catalogue) -> AzureScope {
        AzureScope {
            scope,
            arm,
            vault,
            catalogue,
            workspaces: OnceCell::new(),
            accounts: OnceCell::new(),
            storage_accounts: OnceCell::new(),
            registries: OnceCell::new(),
            latest: Mutex::new(HashMap::new()),
        }
    }

    pub fn subscription(&self) -> &str {
        &self.scope.account
    }

    /// Azure ML workspaces of the subscription (every kind: Default, Hub, Project, FeatureStore).
    pub async fn workspaces(&self) -> Result<&Vec<Value>, CollectError> {
        self.workspaces
            .get_or_init(|| async {
                let url = self.arm.url(
                    &format!(
                        "/subscriptions/{}/providers/Microsoft.MachineLearningServices/workspaces",
                        self.subscription()
                    ),
                    ML_API,
                );
                self.arm.list(&url, "Microsoft.MachineLearningServices/workspaces/read").await
            })
            .await
            .as_ref()
            .map_err(Clone::clone)
    }

    /// Cognitive Services accounts of the subscription (Azure OpenAI, AI Services, Foundry, ...).
    pub async fn ai_accounts(&self) -> Result<&Vec<Value>, CollectError> {
        self.accounts
            .get_or_init(|| async {
                let url = self.arm.url(
                    &format!("/subscriptions/{}/providers/Microsoft.CognitiveServices/accounts", self.subscription()),
                    COGNITIVE_API,
                );
                self.arm.list(&url, "Microsoft.CognitiveServices/accounts/read").await
            })
            .await
            .as_ref()
            .map_err(Clone::clone)
    }

    /// Resolves an Azure ML reference in any of its forms ([`ids::parse`]) to the id of the
    /// asset it names, looking up what the reference leaves open: the latest version of a
    /// container, a storage account or registry by name. What cannot be looked up keeps the
    /// most specific target that can be written down ([`ids::ml_ref`]), so it shows as a
    /// dangling reference rather than vanishing.
    pub async fn resolve(&self, workspace_id: &str, reference: &str, class: AssetClass) -> Option<String> {
        let parsed = ids::parse(workspace_id, reference, class)?;
        let fallback = parsed.unresolved_target();
        let resolved = match parsed {
            MlRef::Id(id) => Some(id),
            MlRef::Latest { container } => {
                // Read it under the workspace id as ARM wrote it (ids are lower-cased here).
                let ws = ids::norm(workspace_id);
                let path = match container.strip_prefix(&ws) {
                    Some(rest) => format!("{}{rest}", workspace_id.trim_end_matches('/')),
                    None => container.clone(),
                };
                self.latest_version(&container, &path).await.map(|v| format!("{container}/versions/{v}"))
            }
            MlRef::Registry { registry, rest } => {
                let by_name =
                    self.named(&self.registries, "Microsoft.MachineLearningServices/registries", ML_API).await;
                let reg = by_name.and_then(|m| m.get(&registry).cloned());
                // Registry models are inventoried per model container.
                let mut parts = rest.split('/');
                match (reg, parts.next(), parts.next()) {
                    (Some(reg), Some("models"), Some(model)) => Some(format!("{reg}/models/{model}")),
                    _ => None,
                }
            }
            MlRef::StorageAccount { account, .. } => {
                let by_name =
                    self.named(&self.storage_accounts, "Microsoft.Storage/storageAccounts", STORAGE_API).await;
                by_name.and_then(|m| m.get(&account).cloned())
            }
        };
        Some(resolved.unwrap_or(fallback))
    }

    /// Resources of one type in the subscription by lower-cased name → normalised ARM id.
    async fn named<'a>(
        &'a self,
        cell: &'a OnceCell<Option<HashMap<String, String>>>,
        resource_type: &str,
        api: &str,
    ) -> Option<&'a HashMap<String, String>> {
        cell.get_or_init(|| async {
            let url = self.arm.url(&format!("/subscriptions/{}/providers/{resource_type}", self.subscription()), api);
            match self.arm.list(&url, &format!("{resource_type}/read")).await {
                Ok(items) => Some(
                    items
                        .iter()
                        .filter_map(|i| {
                            let name = i.get("name")?.as_str()?.to_ascii_lowercase();
                            Some((name, ids::norm(i.get("id")?.as_str()?)))
                        })
                        .collect(),
                ),
                Err(e) => {
                    tracing::debug!(subscription = %self.subscription(), "{resource_type} not listed: {e}");
                    None
                }
            }
        })
        .await
        .as_ref()
    }

    /// `properties.latestVersion` of an asset container (one GET per container per scan).
    async fn latest_version(&self, container: &str, path: &str) -> Option<String> {
        if let Some(v) = self.latest.lock().ok().and_then(|m| m.get(container).cloned()) {
            return v;
        }
        let op = if container.contains("/models/") {
            "Microsoft.MachineLearningServices/workspaces/models/read"
        } else {
            "Microsoft.MachineLearningServices/workspaces/data/read"
        };
        let v = match self.arm.get(&self.arm.url(path, ML_API), op).await {
            Ok(c) => c.pointer("/properties/latestVersion").and_then(Value::as_str).map(str::to_ascii_lowercase),
            Err(e) => {
                tracing::debug!(%container, "latest version not read: {e}");
                None
            }
        };
        if let Ok(mut m) = self.latest.lock() {
            m.insert(container.to_owned(), v.clone());
        }
        v
    }

    /// Lists a child collection of an ARM resource (`{id}/{child}`).
    pub async fn children(
        &self,
        parent_id: &str,
        child: &str,
        api: &str,
        op: &str,
    ) -> Result<Vec<Value>, CollectError> {
        self.arm.list(&self.arm.url(&format!("{parent_id}/{child}"), api), op).await
    }
}
