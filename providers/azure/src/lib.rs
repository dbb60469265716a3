//! aimscope's Azure provider: Azure Machine Learning and Azure AI services (Azure OpenAI, AI
//! Services / Foundry) across subscriptions.
//!
//! Resource Manager is called directly (reqwest + azure_identity tokens, current stable
//! api-versions) rather than through `azure_mgmt_machinelearningservices`: that crate is an
//! unofficial, deprecated 0.21 release on azure_core 0.21, whose credentials do not compile
//! beside azure_identity 1.x and whose newest API version is 2024-04-01.
//!
//! How the pieces fit: [`AzureProvider`] picks a credential from the chain ([`auth`]), lists
//! subscriptions, and binds every collector in [`collectors::ALL`] to every subscription
//! ([`scope::AzureScope`], which fetches workspaces and AI accounts once for all collectors).
//! `enrich` links datastores to their storage accounts.

pub mod actions;
pub mod arm;
pub mod auth;
pub mod collectors;
pub mod config;
mod enrich;
pub mod ids;
mod provider;
pub mod scope;

pub use config::AzureConfig;
pub use provider::AzureProvider;
