//! Every GCP collector, one file per resource type; one line in [`ALL`] registers it.

use aimscope_core::Collector;

use crate::scope::GcpScope;

pub(crate) mod common;
mod functions_functions;
mod run_services;
mod secretmanager_secrets;
mod serviceusage_ai_apis;

mod vertex_batch_prediction_jobs;
mod vertex_custom_jobs;
mod vertex_datasets;
mod vertex_endpoints;
mod vertex_feature_online_stores;
mod vertex_models;
mod vertex_notebook_runtimes;
mod vertex_pipeline_jobs;
mod vertex_reasoning_engines;
mod vertex_training_pipelines;
mod vertex_tuning_jobs;

pub static ALL: &[&dyn Collector<GcpScope>] = &[
    &vertex_models::Models,
    &vertex_endpoints::Endpoints,
    &vertex_datasets::Datasets,
    &vertex_custom_jobs::CustomJobs,
    &vertex_training_pipelines::TrainingPipelines,
    &vertex_tuning_jobs::TuningJobs,
    &vertex_batch_prediction_jobs::BatchPredictionJobs,
    &vertex_pipeline_jobs::PipelineJobs,
    &vertex_reasoning_engines::ReasoningEngines,
    &vertex_feature_online_stores::FeatureOnlineStores,
    &vertex_notebook_runtimes::NotebookRuntimes,
];

/// Collectors that run once per project (not per location).
pub static PROJECT: &[&dyn Collector<GcpScope>] = &[
    &serviceusage_ai_apis::AiApis,
    &secretmanager_secrets::Secrets,
    &run_services::RunServices,
    &functions_functions::Functions,
];
