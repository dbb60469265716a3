//! One (project, location) scope: Vertex AI clients bound to the location's endpoint, built on
//! first use.

use aimscope_core::detect::Catalogue;
use aimscope_core::{Asset, CollectError, ErrorKind, Scope, ScopeContext};
use google_cloud_aiplatform_v1::client;
use google_cloud_auth::credentials::Credentials;
use google_cloud_gax::retry_policy::RetryPolicyExt;
use tokio::sync::OnceCell;

use crate::error::Transient;
use crate::names::ProjectNames;

/// Declares the scope's lazily built clients: `(accessor, client type, endpoint field)`.
macro_rules! clients {
    ($(($field:ident, $ty:ty, $endpoint:ident)),* $(,)?) => {
        #[derive(Debug, Default)]
        struct Clients {
            $($field: OnceCell<$ty>,)*
        }

        impl GcpScope {
            $(
                pub async fn $field(&self) -> Result<&$ty, CollectError> {
                    self.clients
                        .$field
                        .get_or_try_init(|| async {
                            let mut b = <$ty>::builder()
                                .with_credentials(self.credentials.clone())
                                .with_retry_policy(Transient.with_attempt_limit(self.max_attempts))
                                .with_attempt_timeout(self.attempt_timeout);
                            if let Some(ep) = &self.endpoints.$endpoint {
                                b = b.with_endpoint(ep.clone());
                            }
                            b.build().await.map_err(|e| {
                                CollectError::new(ErrorKind::Other, format!("cannot build the {} client: {e}", stringify!($field)))
                            })
                        })
                        .await
                }
            )*
        }
    };
}

clients!(
    (models, client::ModelService, aiplatform),
    (endpoints, client::EndpointService, aiplatform),
    (datasets, client::DatasetService, aiplatform),
    (jobs, client::JobService, aiplatform),
    (pipelines, client::PipelineService, aiplatform),
    (tuning, client::GenAiTuningService, aiplatform),
    (reasoning_engines, client::ReasoningEngineService, aiplatform),
    (feature_online_stores, client::FeatureOnlineStoreAdminService, aiplatform),
    (notebooks, client::NotebookService, aiplatform),
    (secret_manager, google_cloud_secretmanager_v1::client::SecretManagerService, secret_manager),
    (run_services, google_cloud_run_v2::client::Services, run),
    (functions, google_cloud_functions_v2::client::FunctionService, functions),
);

/// Where each API is reached; `None` is the client's global default.
#[derive(Debug, Clone, Default)]
pub struct Endpoints {
    pub aiplatform: Option<String>,
    pub secret_manager: Option<String>,
    pub run: Option<String>,
    pub functions: Option<String>,
}

#[derive(Debug)]
pub struct GcpScope {
    pub scope: Scope,
    pub catalogue: &'static Catalogue,
    endpoints: Endpoints,
    credentials: Credentials,
    max_attempts: u32,
    attempt_timeout: std::time::Duration,
    clients: Clients,
    /// AI APIs enabled in the project, or why Service Usage could not say (project-level
    /// scopes only).
    pub enabled_apis: Result<Vec<String>, CollectError>,
    /// Cloud Run regions to list (empty: ask Cloud Run).
    pub run_regions: Vec<String>,
    rest: OnceCell<crate::rest::Rest>,
    calls: CallLog,
    /// Project number → id, to put every name into one form.
    names: std::sync::Arc<ProjectNames>,
}

/// Counts calls per IAM permission they need, shared by every scope of a run.
pub type CallLog = std::sync::Arc<std::sync::Mutex<std::collections::BTreeMap<String, u64>>>;

impl ScopeContext for GcpScope {
    fn scope(&self) -> &Scope {
        &self.scope
    }

    fn normalise(&self, asset: Asset) -> Asset {
        self.names.asset(asset)
    }
}

impl GcpScope {
    pub fn new(
        scope: Scope,
        mut endpoints: Endpoints,
        credentials: Credentials,
        retry: crate::config::Retry,
        catalogue: &'static Catalogue,
        calls: CallLog,
        names: std::sync::Arc<ProjectNames>,
    ) -> GcpScope {
        let location = scope.region.as_deref().unwrap_or("global");
        endpoints.aiplatform = endpoints.aiplatform.map(|e| e.replace("{location}", location));
        GcpScope {
            scope,
            catalogue,
            endpoints,
            credentials,
            max_attempts: retry.max_attempts,
            attempt_timeout: retry.attempt_timeout,
            clients: Clients::default(),
            enabled_apis: Ok(Vec::new()),
            run_regions: Vec::new(),
            rest: OnceCell::new(),
            calls,
            names,
        }
    }

    pub fn with_enabled_apis(mut self, apis: Result<Vec<String>, CollectError>) -> GcpScope {
        self.enabled_apis = apis;
        self
    }

    pub fn with_run_regions(mut self, regions: Vec<String>) -> GcpScope {
        self.run_regions = regions;
        self
    }

    /// The plain REST reader, for the few methods without a fitting client.
    pub async fn rest(&self) -> Result<&crate::rest::Rest, CollectError> {
        self.rest
            .get_or_try_init(|| async {
                crate::rest::Rest::new(self.credentials.clone(), self.max_attempts, self.attempt_timeout)
            })
            .await
    }

    /// Cloud Run's API root.
    pub fn run_root(&self) -> &str {
        self.endpoints.run.as_deref().unwrap_or("https://run.googleapis.com").trim_end_matches('/')
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
