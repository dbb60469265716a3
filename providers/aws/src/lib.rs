//! aimscope's AWS provider: SageMaker, Bedrock and Bedrock Agents across an organization's
//! accounts and regions, with the official aws-sdk-rust crates.
//!
//! How the pieces fit: [`AwsProvider`] resolves credentials with aws-config's standard chain,
//! finds the accounts (the caller's, an explicit list, or the organization's, entered with
//! STS AssumeRole) and their regions, and binds every collector in [`collectors::ALL`] to every
//! (account, region) [`scope::AwsScope`]. After collection, `enrich` links models to training
//! jobs and fetches the tags of every S3 bucket lineage points at, once per bucket.

pub mod actions;
pub mod arn;
pub mod collectors;
pub mod config;
mod enrich;
pub mod error;
mod provider;
pub mod scope;

pub use config::AwsConfig;
pub use provider::AwsProvider;
