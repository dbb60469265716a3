//! aimscope: multi-cloud AI asset discovery.
//!
//! How the pieces fit: [`app`] reads the [`cli`] and [`config`], builds the providers
//! ([`providers`]) and sinks ([`sink`]), checks the sinks, runs every collector through the
//! [`runner`], analyses the result ([`analysis`], [`policy`]) and writes it. Providers live in
//! their own crates under `providers/`; the inventory model and traits in `aimscope-core`.

pub mod agent;
pub mod analysis;
pub mod app;
pub mod cli;
pub mod config;
pub mod demo;
pub mod history;
pub mod merge;
pub mod metrics;
pub mod policy;
pub mod progress;
pub mod providers;
pub mod redact;
pub mod report;
pub mod runner;
pub mod sink;
pub mod summary;
