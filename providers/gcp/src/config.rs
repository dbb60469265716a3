//! The `[gcp]` table.

use serde::Deserialize;

/// Which credential to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum GcpCredential {
    /// Application Default Credentials from `GOOGLE_APPLICATION_CREDENTIALS` or gcloud's ADC
    /// file; the metadata server only where the environment says it is there (GKE).
    #[default]
    Auto,
    /// Application Default Credentials including the metadata server (GCE VMs, Cloud Run, ...).
    Metadata,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct GcpConfig {
    pub credential: GcpCredential,
    /// Projects to scan (empty: every ACTIVE project the identity can see, via
    /// Resource Manager projects.search).
    pub projects: Vec<String>,
    pub exclude_projects: Vec<String>,
    /// Vertex AI locations (empty: the locations Vertex AI reports for each project).
    pub locations: Vec<String>,
    /// Vertex AI endpoint; `{location}` is replaced (regional endpoints, private service connect).
    pub aiplatform_endpoint: String,
    pub resource_manager_endpoint: Option<String>,
    pub service_usage_endpoint: Option<String>,
    pub secret_manager_endpoint: Option<String>,
    /// Cloud Run API root (v2 services; v1 location list).
    pub run_endpoint: Option<String>,
    /// Cloud Run regions to list services in (empty: every region Cloud Run lists for the
    /// project; the v2 API has no all-regions wildcard).
    pub run_regions: Vec<String>,
    pub functions_endpoint: Option<String>,
    /// Cloud Storage JSON API root (bucket labels of lineage targets).
    pub storage_endpoint: String,
    pub bigquery_endpoint: Option<String>,
    /// Attempts per call (429 RESOURCE_EXHAUSTED and 503 UNAVAILABLE are retried with backoff).
    pub max_attempts: u32,
    /// Time limit for one attempt of a call, in seconds: a stalled attempt is retried.
    pub attempt_timeout_secs: u64,
}

/// How each call is retried: attempts, and the time limit of one.
#[derive(Debug, Clone, Copy)]
pub struct Retry {
    pub max_attempts: u32,
    pub attempt_timeout: std::time::Duration,
}

impl GcpConfig {
    pub fn attempt_timeout(&self) -> std::time::Duration {
        std::time::Duration::from_secs(self.attempt_timeout_secs.max(1))
    }

    pub fn retry(&self) -> Retry {
        Retry { max_attempts: self.max_attempts, attempt_timeout: self.attempt_timeout() }
    }
}

impl Default for GcpConfig {
    fn default() -> Self {
        GcpConfig {
            credential: GcpCredential::Auto,
            projects: Vec::new(),
            exclude_projects: Vec::new(),
            locations: Vec::new(),
            aiplatform_endpoint: "https://{location}-aiplatform.googleapis.com".into(),
            resource_manager_endpoint: None,
            service_usage_endpoint: None,
            secret_manager_endpoint: None,
            run_endpoint: None,
            run_regions: Vec::new(),
            functions_endpoint: None,
            storage_endpoint: "https://storage.googleapis.com".into(),
            bigquery_endpoint: None,
            max_attempts: 5,
            attempt_timeout_secs: 30,
        }
    }
}
