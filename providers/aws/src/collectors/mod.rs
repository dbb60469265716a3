//! Every AWS collector, one file per resource type. Adding a resource type is one file here
//! and one line in [`ALL`].

use crate::scope::AwsScope;
use aimscope_core::Collector;

mod common;

mod bedrock_agents;
mod bedrock_custom_models;
mod bedrock_customization_jobs;
mod bedrock_guardrails;
mod bedrock_imported_models;
mod bedrock_inference_profiles;
mod bedrock_invocation_logging;
mod bedrock_knowledge_bases;
mod bedrock_provisioned_throughput;
mod ecr_repositories;
mod ecs_task_definitions;
mod lambda_functions;
mod sagemaker_domains;
mod sagemaker_endpoint_configs;
mod sagemaker_endpoints;
mod sagemaker_feature_groups;
mod sagemaker_inference_components;
mod sagemaker_model_packages;
mod sagemaker_models;
mod sagemaker_notebook_instances;
mod sagemaker_pipelines;
mod sagemaker_processing_jobs;
mod sagemaker_training_jobs;
mod sagemaker_transform_jobs;
mod secretsmanager_secrets;
mod ssm_parameters;

/// The collector registry.
pub static ALL: &[&dyn Collector<AwsScope>] = &[
    &sagemaker_models::Models,
    &sagemaker_endpoint_configs::EndpointConfigs,
    &sagemaker_endpoints::Endpoints,
    &sagemaker_training_jobs::TrainingJobs,
    &sagemaker_model_packages::ModelPackages,
    &sagemaker_notebook_instances::NotebookInstances,
    &sagemaker_processing_jobs::ProcessingJobs,
    &sagemaker_transform_jobs::TransformJobs,
    &sagemaker_pipelines::Pipelines,
    &sagemaker_feature_groups::FeatureGroups,
    &sagemaker_domains::Domains,
    &sagemaker_inference_components::InferenceComponents,
    &bedrock_custom_models::CustomModels,
    &bedrock_customization_jobs::CustomizationJobs,
    &bedrock_imported_models::ImportedModels,
    &bedrock_provisioned_throughput::ProvisionedThroughput,
    &bedrock_guardrails::Guardrails,
    &bedrock_inference_profiles::InferenceProfiles,
    &bedrock_invocation_logging::InvocationLogging,
    &bedrock_agents::Agents,
    &bedrock_knowledge_bases::KnowledgeBases,
    // Outside AI services (third-party API usage).
    &lambda_functions::LambdaFunctions,
    &secretsmanager_secrets::Secrets,
    &ssm_parameters::Parameters,
    &ecs_task_definitions::TaskDefinitions,
    &ecr_repositories::Repositories,
];

/// Collector ids, for config validation and docs.
pub fn names() -> Vec<&'static str> {
    ALL.iter().map(|c| c.name()).collect()
}
