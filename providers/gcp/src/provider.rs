//! GCP scope discovery: Application Default Credentials, the projects (configured, or every
//! ACTIVE project from Resource Manager projects.search), whether Vertex AI and the Gemini API
//! are enabled (Service Usage), and the Vertex AI locations of each project.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Instant;

use aimscope_core::detect::Catalogue;
use aimscope_core::{
    Asset, Cloud, CollectError, Coverage, CoverageStatus, Discovery, ErrorKind, Provider, ProviderError, Scope,
    Selection, bind_all, discovery_failure,
};
use async_trait::async_trait;
use google_cloud_auth::credentials::Credentials;
use google_cloud_gax::paginator::ItemPaginator as _;
use google_cloud_gax::retry_policy::RetryPolicyExt;

use crate::config::{GcpConfig, GcpCredential};
use crate::error::{Transient, gcp_err};
use crate::names::ProjectNames;
use crate::scope::{CallLog, Endpoints, GcpScope};

/// AI APIs whose enablement is evidence of use even without a resource.
pub const AI_APIS: &[&str] = &["aiplatform.googleapis.com", "generativelanguage.googleapis.com"];

#[derive(Debug)]
pub struct GcpProvider {
    cfg: GcpConfig,
    sel: Selection,
    catalogue: &'static Catalogue,
    calls: CallLog,
    /// The run's credentials, kept for enrichment.
    creds: std::sync::OnceLock<Credentials>,
}

impl GcpProvider {
    pub fn new(cfg: GcpConfig, sel: Selection, catalogue: &'static Catalogue) -> GcpProvider {
        GcpProvider { cfg, sel, catalogue, calls: CallLog::default(), creds: std::sync::OnceLock::new() }
    }

    fn record(&self, op: &str) {
        if let Ok(mut m) = self.calls.lock() {
            *m.entry(op.to_owned()).or_default() += 1;
        }
    }

    fn global_endpoint(&self) -> String {
        let t = &self.cfg.aiplatform_endpoint;
        if t.contains("{location}-") { t.replace("{location}-", "") } else { t.replace("{location}", "global") }
    }

    /// ADC, without probing the metadata server unless the environment says it is there.
    fn credentials(&self) -> Result<(Credentials, &'static str), String> {
        let env = |k: &str| std::env::var_os(k).filter(|v| !v.is_empty());
        let gcloud_adc = env("CLOUDSDK_CONFIG")
            .map(std::path::PathBuf::from)
            .or_else(|| env("HOME").map(|h| std::path::PathBuf::from(h).join(".config/gcloud")))
            .map(|d| d.join("application_default_credentials.json"))
            .filter(|p| p.exists());
        let source = if env("GOOGLE_APPLICATION_CREDENTIALS").is_some() {
            "GOOGLE_APPLICATION_CREDENTIALS"
        } else if gcloud_adc.is_some() {
            "gcloud application-default credentials"
        } else if self.cfg.credential == GcpCredential::Metadata || env("KUBERNETES_SERVICE_HOST").is_some() {
            "metadata server"
        } else {
            return Err("no Google Cloud credentials (set GOOGLE_APPLICATION_CREDENTIALS, run `gcloud auth application-default login`, or set gcp.credential = \"metadata\" on Google Cloud compute)".into());
        };
        let creds = google_cloud_auth::credentials::Builder::default()
            .build()
            .map_err(|e| format!("Application Default Credentials ({source}): {e}"))?;
        Ok((creds, source))
    }

    /// The projects to scan and, when searched, their numbers (Resource Manager names a project
    /// `projects/{number}`; `projectId` is the id). Configured projects get their numbers in
    /// `discover`.
    async fn projects(&self, creds: &Credentials) -> Result<(Vec<String>, ProjectNames), CollectError> {
        let mut names = ProjectNames::default();
        if !self.cfg.projects.is_empty() {
            return Ok((self.cfg.projects.clone(), names));
        }
        let client = self.resource_manager(creds).await?;
        self.record("resourcemanager.projects.get");
        let mut items = client.search_projects().set_query("state:ACTIVE").by_item();
        let mut out = Vec::new();
        while let Some(p) = items.next().await {
            let p = p.map_err(|e| gcp_err("resourcemanager.projects.search", e))?;
            names.insert(&p.name, &p.project_id);
            out.push(p.project_id);
        }
        Ok((out, names))
    }

    /// projects.get for the projects whose number neither projects.search nor Service Usage
    /// gave (configured projects where Service Usage is refused). Best effort: without a number,
    /// names that carry it keep it.
    async fn numbers_of_the_rest(&self, creds: &Credentials, projects: &[String], names: &mut ProjectNames) {
        let missing: Vec<&String> = projects.iter().filter(|p| !names.knows(p)).collect();
        if missing.is_empty() {
            return;
        }
        let client = match self.resource_manager(creds).await {
            Ok(c) => c,
            Err(e) => {
                tracing::debug!("project numbers not read: {e}");
                return;
            }
        };
        for id in missing {
            self.record("resourcemanager.projects.get");
            match client.get_project().set_name(format!("projects/{id}")).send().await {
                Ok(p) => names.insert(&p.name, &p.project_id),
                Err(e) => tracing::debug!(project = %id, "{}", gcp_err("resourcemanager.projects.get", e)),
            }
        }
    }

    async fn resource_manager(
        &self,
        creds: &Credentials,
    ) -> Result<google_cloud_resourcemanager_v3::client::Projects, CollectError> {
        let mut b = google_cloud_resourcemanager_v3::client::Projects::builder()
            .with_credentials(creds.clone())
            .with_retry_policy(Transient.with_attempt_limit(self.cfg.max_attempts))
            .with_attempt_timeout(self.cfg.attempt_timeout());
        if let Some(ep) = &self.cfg.resource_manager_endpoint {
            b = b.with_endpoint(ep.clone());
        }
        b.build().await.map_err(|e| CollectError::new(ErrorKind::Other, format!("Resource Manager client: {e}")))
    }

    /// Which AI APIs are enabled in `project`, and the project's number as Service Usage names
    /// it (`parent: projects/{number}`).
    async fn enabled_apis(
        &self,
        creds: &Credentials,
        project: &str,
    ) -> Result<(Vec<String>, Option<String>), CollectError> {
        let mut b = google_cloud_api_serviceusage_v1::client::ServiceUsage::builder()
            .with_credentials(creds.clone())
            .with_retry_policy(Transient.with_attempt_limit(self.cfg.max_attempts))
            .with_attempt_timeout(self.cfg.attempt_timeout());
        if let Some(ep) = &self.cfg.service_usage_endpoint {
            b = b.with_endpoint(ep.clone());
        }
        let client =
            b.build().await.map_err(|e| CollectError::new(ErrorKind::Other, format!("Service Usage client: {e}")))?;
        self.record("serviceusage.services.get");
        let out = client
            .batch_get_services()
            .set_parent(format!("projects/{project}"))
            .set_names(AI_APIS.iter().map(|a| format!("projects/{project}/services/{a}")))
            .send()
            .await
            .map_err(|e| gcp_err("serviceusage.services.batchGet", e))?;
        let number = out.services.iter().map(|s| s.parent.clone()).find(|p| !p.is_empty());
        let enabled = out
            .services
            .iter()
            .filter(|s| s.state == google_cloud_api_serviceusage_v1::model::State::Enabled)
            .filter_map(|s| s.name.rsplit('/').next().map(str::to_owned))
            .collect();
        Ok((enabled, number))
    }

    async fn locations(&self, creds: &Credentials, project: &str) -> Result<Vec<String>, CollectError> {
        if !self.cfg.locations.is_empty() {
            return Ok(self.cfg.locations.clone());
        }
        let client = google_cloud_aiplatform_v1::client::ModelService::builder()
            .with_endpoint(self.global_endpoint())
            .with_credentials(creds.clone())
            .with_retry_policy(Transient.with_attempt_limit(self.cfg.max_attempts))
            .with_attempt_timeout(self.cfg.attempt_timeout())
            .build()
            .await
            .map_err(|e| CollectError::new(ErrorKind::Other, format!("Vertex AI client: {e}")))?;
        self.record("aiplatform.locations.list");
        let mut items = client.list_locations().set_name(format!("projects/{project}")).by_item();
        let mut out = Vec::new();
        while let Some(l) = items.next().await {
            let l = l.map_err(|e| gcp_err("aiplatform.locations.list", e))?;
            out.push(l.location_id);
        }
        Ok(out)
    }
}

#[async_trait]
impl Provider for GcpProvider {
    fn cloud(&self) -> Cloud {
        Cloud::Gcp
    }

    async fn discover(&self) -> Result<Discovery, ProviderError> {
        let (creds, source) = self.credentials().map_err(ProviderError::NotConfigured)?;
        let _ = self.creds.set(creds.clone());
        let (projects, mut names) = self.projects(&creds).await.map_err(ProviderError::Discovery)?;
        let projects: Vec<String> = projects
            .into_iter()
            .filter(|p| !self.cfg.exclude_projects.contains(p) && self.sel.owns(Cloud::Gcp, p))
            .collect();
        // Service Usage first (it also names each project's number), then the scopes.
        let mut enabled = Vec::with_capacity(projects.len());
        for project in &projects {
            let e = self.enabled_apis(&creds, project).await;
            if let Ok((_, Some(number))) = &e {
                names.insert(number, project);
            }
            enabled.push(e.map(|(apis, _)| apis));
        }
        self.numbers_of_the_rest(&creds, &projects, &mut names).await;
        tracing::debug!(projects = projects.len(), numbers = names.len(), "GCP project numbers known");
        let names = Arc::new(names);
        let mut cov = Vec::new();
        let mut project_scopes = Vec::new();
        let mut location_scopes = Vec::new();
        for (project, enabled) in projects.into_iter().zip(enabled) {
            // A Service Usage failure is reported by the `serviceusage.ai_apis` collector of the
            // project scope; the other project-wide collectors run regardless.
            let make = |region: Option<String>| {
                GcpScope::new(
                    Scope { cloud: Cloud::Gcp, account: project.clone(), region },
                    Endpoints {
                        aiplatform: Some(self.cfg.aiplatform_endpoint.clone()),
                        secret_manager: self.cfg.secret_manager_endpoint.clone(),
                        run: self.cfg.run_endpoint.clone(),
                        functions: self.cfg.functions_endpoint.clone(),
                    },
                    creds.clone(),
                    self.cfg.retry(),
                    self.catalogue,
                    self.calls.clone(),
                    names.clone(),
                )
            };
            project_scopes.push(Arc::new(
                make(None).with_enabled_apis(enabled.clone()).with_run_regions(self.cfg.run_regions.clone()),
            ));
            if let Ok(apis) = &enabled
                && !apis.iter().any(|a| a == AI_APIS[0])
            {
                // Vertex AI is off: nothing can be there, and asking would only fail.
                cov.push(
                    Coverage::new(Cloud::Gcp, Some(project.clone()), None, "vertex", CoverageStatus::NotEnabled)
                        .with_error("aiplatform.googleapis.com is not enabled"),
                );
                continue;
            }
            let started = Instant::now();
            match self.locations(&creds, &project).await {
                Ok(locs) => location_scopes.extend(locs.into_iter().map(|l| Arc::new(make(Some(l))))),
                Err(e) => cov.push(discovery_failure(Cloud::Gcp, &project, "vertex.locations", &e, started)),
            }
        }
        let mut tasks = bind_all(crate::collectors::PROJECT, &project_scopes, |name| self.sel.collector_on(name));
        tasks.extend(bind_all(crate::collectors::ALL, &location_scopes, |name| self.sel.collector_on(name)));
        Ok(Discovery {
            tasks,
            coverage: cov,
            credential_source: Some(format!("{source} ({} location scope(s))", location_scopes.len())),
        })
    }

    async fn enrich(&self, assets: &[Asset]) -> (Vec<Asset>, Vec<Coverage>) {
        match self.creds.get() {
            Some(creds) => crate::enrich::enrich(&self.cfg, creds, assets, |op| self.record(op)).await,
            None => (Vec::new(), Vec::new()),
        }
    }

    fn api_calls(&self) -> BTreeMap<String, u64> {
        self.calls.lock().map(|m| m.clone()).unwrap_or_default()
    }
}
