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
    /// Scan a built-in fictional multi-cloud estate (no credentials, no network) and write the
    /// inventory, CycloneDX, SARIF and the AIMS scope report.
    Demo(DemoArgs),
    /// Scan clouds and write the inventory.
    Scan(ScanArgs),
    /// Scan on a schedule, keep history, send deltas, serve /healthz and /metrics.
    Agent(AgentArgs),
    /// Compare two inventory files: assets added / changed / removed, findings new / resolved.
    Diff(DiffArgs),
    /// Combine partial inventories (e.g. the shards of one scan) into one, analysed as a whole.
    Merge(MergeArgs),
    /// List the agent's past runs, or one asset's timeline.
    History(HistoryArgs),
    /// Write the AIMS scope document (HTML or Markdown) from an inventory.
    Report(ReportArgs),
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
    #[arg(long, conflicts_with = "out_dir")]
    pub out: Option<PathBuf>,
    /// Directory for every format of --format, each under its own name (inventory.json,
    /// inventory.cdx.json, findings.sarif, report.html, ...); created if missing. Overrides
    /// `output.dir`.
    #[arg(long)]
    pub out_dir: Option<PathBuf>,
    /// Output format, or several (comma-separated) with --out-dir; `html` and `markdown` are
    /// the AIMS scope report. Overrides `output.format`.
    #[arg(long, value_enum, value_delimiter = ',')]
    pub format: Vec<Format>,
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
    /// Also write the AIMS scope report here (Markdown when the name ends in `.md`, else HTML);
    /// the agent rewrites it every cycle.
    #[arg(long)]
    pub report: Option<PathBuf>,
    /// No progress bar (it is also hidden when stderr is not a terminal).
    #[arg(long)]
    pub no_progress: bool,
    /// No summary table at the end (it is only printed when stderr is a terminal, with human
    /// logs and without --quiet).
    #[arg(long)]
    pub no_summary: bool,
    /// Scan only slice K of N of the accounts / subscriptions / projects (0-based K, e.g. a
    /// Kubernetes Indexed Job's $JOB_COMPLETION_INDEX); `aimscope merge` joins the slices.
    #[arg(long, value_parser = parse_shard)]
    pub shard: Option<aimscope_core::Shard>,
}

#[derive(Debug, Args)]
pub struct AgentArgs {
    #[command(flatten)]
    pub scan: ScanArgs,
    /// Run one cycle and exit (for cron or a Kubernetes CronJob).
    #[arg(long)]
    pub once: bool,
    /// Stop after this many cycles.
    #[arg(long)]
    pub max_cycles: Option<u64>,
    /// History database. Overrides `agent.history`.
    #[arg(long)]
    pub history: Option<PathBuf>,
    /// Address for /healthz and /metrics (empty: none). Overrides `agent.metrics_listen`.
    #[arg(long)]
    pub metrics_listen: Option<String>,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Directory for the outputs (created if missing; files of the same names are replaced).
    #[arg(long, default_value = "aimscope-demo")]
    pub out: PathBuf,
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The earlier inventory (JSON format).
    pub old: PathBuf,
    /// The later inventory (JSON format).
    pub new: PathBuf,
}

#[derive(Debug, Args)]
pub struct MergeArgs {
    /// Partial inventories (JSON format).
    #[arg(required = true)]
    pub parts: Vec<PathBuf>,
    /// Configuration (classification scale, policy) for the analysis of the whole.
    #[arg(long, env = "AIMSCOPE_CONFIG")]
    pub config: Option<PathBuf>,
    /// Output file; `-` or absent for stdout.
    #[arg(long)]
    pub out: Option<PathBuf>,
    #[arg(long, value_enum)]
    pub format: Option<Format>,
}

pub use crate::report::ReportFormat;

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// The inventory (JSON format) of a scan.
    pub inventory: PathBuf,
    /// Configuration: `[report]` (organisation, AIMS name, purpose and RACI tags), tag keys,
    /// classification scale and declared scope.
    #[arg(long, env = "AIMSCOPE_CONFIG")]
    pub config: Option<PathBuf>,
    /// History database: what this version supersedes, and when each asset was first seen.
    #[arg(long)]
    pub history: Option<PathBuf>,
    /// Default: Markdown for an `--out` ending in `.md`, else HTML.
    #[arg(long, value_enum)]
    pub format: Option<ReportFormat>,
    /// Output file; `-` or absent for stdout.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// Show this asset's timeline instead of the runs.
    #[arg(long)]
    pub asset: Option<String>,
    /// Runs to list, newest first.
    #[arg(long, default_value_t = 20)]
    pub limit: usize,
    /// JSON instead of a table.
    #[arg(long)]
    pub json: bool,
    /// History database (default: `agent.history` of the config).
    #[arg(long)]
    pub history: Option<PathBuf>,
    #[arg(long, env = "AIMSCOPE_CONFIG")]
    pub config: Option<PathBuf>,
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

fn parse_shard(s: &str) -> Result<aimscope_core::Shard, String> {
    s.parse()
}

fn parse_severity(s: &str) -> Result<Severity, String> {
    s.parse()
}
