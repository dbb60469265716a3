//! aimscope's GCP provider: Vertex AI across projects and locations, with the official
//! google-cloud-rust clients (only the Vertex AI services needed are compiled in) and
//! Application Default Credentials from google-cloud-auth.
//!
//! How the pieces fit: [`GcpProvider`] resolves ADC, finds projects (configured or
//! projects.search), asks Service Usage which AI APIs are on, and lists each project's Vertex AI
//! locations; every collector in [`collectors::ALL`] runs per (project, location) against the
//! location's endpoint, and [`collectors::PROJECT`] once per project (Service Usage evidence, and
//! the outside-AI signals of Secret Manager, Cloud Run and Cloud Functions). Enrichment then
//! looks up the Cloud Storage buckets and BigQuery datasets that lineage points at.

pub mod collectors;
pub mod config;
mod enrich;
pub mod error;
pub mod names;
mod provider;
pub mod rest;
pub mod scope;

pub use config::GcpConfig;
pub use provider::GcpProvider;
