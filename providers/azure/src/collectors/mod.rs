//! Every Azure collector, one file per resource type; one line in [`ALL`] registers it.

use aimscope_core::Collector;

use crate::scope::AzureScope;

mod common;

mod appservice_settings;
mod cognitive_accounts;
mod cognitive_deployments;
mod cognitive_projects;
mod keyvault_secrets;
mod ml_batch_endpoints;
mod ml_connections;
mod ml_data;
mod ml_datastores;
mod ml_jobs;
mod ml_models;
mod ml_online_endpoints;
mod ml_registries;
mod ml_serverless_endpoints;
mod ml_workspaces;

pub static ALL: &[&dyn Collector<AzureScope>] = &[
    &ml_workspaces::Workspaces,
    &ml_models::Models,
    &ml_online_endpoints::OnlineEndpoints,
    &ml_batch_endpoints::BatchEndpoints,
    &ml_serverless_endpoints::ServerlessEndpoints,
    &ml_data::Data,
    &ml_datastores::Datastores,
    &ml_jobs::Jobs,
    &ml_connections::Connections,
    &ml_registries::Registries,
    &cognitive_accounts::Accounts,
    &cognitive_deployments::Deployments,
    &cognitive_projects::Projects,
    // Outside AI services (third-party API usage).
    &keyvault_secrets::KeyVaultSecrets,
    &appservice_settings::AppServiceSettings,
];
