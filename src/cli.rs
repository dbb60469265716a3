//! Command-line interface (clap derive). The README carries `aimscope --help`.

use std::path::PathBuf;

use aimscope_core::{Cloud, Severity};
use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::config::Format;

#[derive(Debug, Parser)]
#[command(
    name = "aimscope",
    version,
    about = "Discover AI assets across AWS, Azure and GCP for ISO/IEC 42001 AIMS scoping"
)]
#[command(
    after_help = "Exit codes: 0 ok, 1 runtime failure, 2 usage, 3 config, 4 partial scan, 5 findings at or above --fail-on"
)]
pub struct Cli {
    /// Log format on stderr.
    #[arg(long, value_enum, default_value_t = LogFormat::Human, global = true)]
    pub log_format: LogFormat,
    /// More log detail (-v debug, -vv trace). RUST_LOG overrides.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,
    /// Only errors on stderr.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Human,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Scan clouds and write the inventory.
    Scan(ScanArgs),
    /// Print the JSON Schema of the inventory document.
    Schema,
    /// Write or check a configuration file.
    #[command(subcommand)]
    Config(ConfigCommand),
}

#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Providers to scan (comma-separated). Default: `providers` from the config, else all built in.
    #[arg(long, value_delimiter = ',', value_parser = parse_cloud)]
    pub provider: Vec<Cloud>,
    /// Configuration file (TOML). Environment: AIMSCOPE_CONFIG.
    #[arg(long, env = "AIMSCOPE_CONFIG")]
    pub config: Option<PathBuf>,
    /// Output file; `-` for stdout. Overrides `output.path`.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Output format. Overrides `output.format`.
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// Exit 5 when any finding has this severity or higher.
    #[arg(long, value_parser = parse_severity)]
    pub fail_on: Option<Severity>,
    /// Also push the inventory to this webhook (Standard Webhooks signing; secret from
    /// $AIMSCOPE_WEBHOOK_SECRET). Overrides `webhook.url`.
    #[arg(long)]
    pub webhook: Option<String>,
    /// Sanctioned AI register (CSV or JSON). Overrides `policy.register`.
    #[arg(long)]
    pub register: Option<PathBuf>,
    /// No progress bar (it is also hidden when stderr is not a terminal).
    #[arg(long)]
    pub no_progress: bool,
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Write a commented example configuration.
    Init {
        /// Where to write it; `-` for stdout.
        #[arg(default_value = "aimscope.toml")]
        path: PathBuf,
        /// Overwrite an existing file.
        #[arg(long)]
        force: bool,
    },
    /// Validate a configuration file (and its environment overrides).
    Check {
        #[arg(long, env = "AIMSCOPE_CONFIG")]
        config: Option<PathBuf>,
    },
}

fn parse_cloud(s: &str) -> Result<Cloud, String> {
    s.parse()
}

fn parse_severity(s: &str) -> Result<Severity, String> {
    s.parse()
}
