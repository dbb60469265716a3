//! One subscription: the Resource Manager client and lists shared by several collectors
//! (fetched once per subscription, not once per collector).

use std::sync::Arc;

use aimscope_core::detect::Catalogue;
use aimscope_core::{CollectError, Scope, ScopeContext};
use serde_json::Value;
use tokio::sync::OnceCell;

use crate::arm::Arm;

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
}

impl ScopeContext for AzureScope {
    fn scope(&self) -> &Scope {
        &self.scope
    }
}

impl AzureScope {
    pub fn new(scope: Scope, arm: Arc<Arm>, vault: Arc<Arm>, catalogue: &'static Catalogue) -> AzureScope {
        AzureScope { scope, arm, vault, catalogue, workspaces: OnceCell::new(), accounts: OnceCell::new() }
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
