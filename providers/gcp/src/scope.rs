//! One (project, location) scope: Vertex AI clients bound to the location's endpoint, built on
//! first use.

use aimscope_core::detect::Catalogue;
use aimscope_core::{CollectError, ErrorKind, Scope, ScopeContext};
use google_cloud_aiplatform_v1::client;
use google_cloud_auth::credentials::Credentials;
use google_cloud_gax::retry_policy::RetryPolicyExt;
use tokio::sync::OnceCell;

use crate::error::Transient;

/// Declares the scope's lazily built Vertex AI clients.
macro_rules! clients {
    ($(($field:ident, $ty:ident)),* $(,)?) => {
        #[derive(Debug, Default)]
        struct Clients {
            $($field: OnceCell<client::$ty>,)*
        }

        impl GcpScope {
            $(
                pub async fn $field(&self) -> Result<&client::$ty, CollectError> {
                    self.clients
                        .$field
                        .get_or_try_init(|| async {
                            client::$ty::builder()
                                .with_endpoint(self.endpoint.clone())
                                .with_credentials(self.credentials.clone())
                                .with_retry_policy(Transient.with_attempt_limit(self.max_attempts))
                                .build()
                                .await
                                .map_err(|e| CollectError::new(ErrorKind::Other, format!("cannot build the Vertex AI client: {e}")))
                        })
                        .await
                }
            )*
        }
    };
}

clients!(
    (models, ModelService),
    (endpoints, EndpointService),
    (datasets, DatasetService),
    (jobs, JobService),
    (pipelines, PipelineService),
    (tuning, GenAiTuningService),
    (reasoning_engines, ReasoningEngineService),
);

#[derive(Debug)]
pub struct GcpScope {
    pub scope: Scope,
    pub catalogue: &'static Catalogue,
    endpoint: String,
    credentials: Credentials,
    max_attempts: u32,
    clients: Clients,
    /// AI APIs enabled in the project (project-level scopes only).
    pub enabled_apis: Vec<String>,
    calls: CallLog,
}

/// Counts calls per IAM permission they need, shared by every scope of a run.
pub type CallLog = std::sync::Arc<std::sync::Mutex<std::collections::BTreeMap<String, u64>>>;

impl ScopeContext for GcpScope {
    fn scope(&self) -> &Scope {
        &self.scope
    }
}

impl GcpScope {
    pub fn new(
        scope: Scope,
        endpoint: String,
        credentials: Credentials,
        max_attempts: u32,
        catalogue: &'static Catalogue,
        calls: CallLog,
    ) -> GcpScope {
        let endpoint = endpoint.replace("{location}", scope.region.as_deref().unwrap_or("global"));
        GcpScope {
            scope,
            catalogue,
            endpoint,
            credentials,
            max_attempts,
            clients: Clients::default(),
            enabled_apis: Vec::new(),
            calls,
        }
    }

    pub fn with_enabled_apis(mut self, apis: Vec<String>) -> GcpScope {
        self.enabled_apis = apis;
        self
    }

    /// Records a call by the IAM permission it needs (e.g. `aiplatform.models.list`).
    pub fn record(&self, permission: &str) {
        if let Ok(mut m) = self.calls.lock() {
            *m.entry(permission.to_owned()).or_default() += 1;
        }
    }

    pub fn project(&self) -> &str {
        &self.scope.account
    }

    pub fn location(&self) -> &str {
        self.scope.region.as_deref().unwrap_or("us-central1")
    }

    /// `projects/{project}/locations/{location}`.
    pub fn parent(&self) -> String {
        format!("projects/{}/locations/{}", self.project(), self.location())
    }
}

/// Converts a protobuf timestamp.
pub fn ts(t: Option<&wkt::Timestamp>) -> Option<chrono::DateTime<chrono::Utc>> {
    t.and_then(|t| chrono::DateTime::from_timestamp(t.seconds(), t.nanos().max(0) as u32))
}
