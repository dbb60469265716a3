//! The application: turns a parsed command line into work and an exit code.

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::Duration;

use aimscope_core::detect::Catalogue;
use aimscope_core::{Cloud, Coverage, CoverageStatus, Inventory, Severity, ToolInfo};
use tracing_subscriber::EnvFilter;

use crate::cli::{Cli, Command, ConfigCommand, DiffArgs, HistoryArgs, LogFormat, MergeArgs, ReportArgs, ScanArgs};
use crate::config::{Config, EXAMPLE, Format};
use crate::policy::{PolicyConfig, Register};
use crate::runner::{self, RunnerOptions};
use crate::sink::servicenow::ServiceNowSink;
use crate::sink::webhook::WebhookSink;
use crate::sink::{FileSink, ReportSink, Sink};

/// Documented exit codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Exit {
    Ok = 0,
    Runtime = 1,
    Usage = 2,
    Config = 3,
    Partial = 4,
    Findings = 5,
    /// Stopped by SIGINT (128 + 2) after writing what was collected.
    Interrupted = 130,
    /// Stopped by SIGTERM (128 + 15) after writing what was collected.
    Terminated = 143,
}

pub fn init_logging(cli: &Cli) {
    let default = if cli.quiet {
        "error"
    } else {
        match cli.verbose {
            0 => "warn,aimscope=info,aimscope_aws=info",
            1 => "warn,aimscope=debug,aimscope_aws=debug",
            _ => "info,aimscope=trace,aimscope_aws=trace",
        }
    };
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(|| crate::progress::LogWriter);
    let _ = match cli.log_format {
        // https://no-color.org: a non-empty NO_COLOR turns colour off.
        LogFormat::Human => builder
            .with_ansi(std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()))
            .try_init(),
        LogFormat::Json => builder.json().try_init(),
    };
}

pub async fn main(cli: Cli) -> Exit {
    match cli.command {
        Command::Schema => {
            println!("{}", schema_json());
            Exit::Ok
        }
        Command::Config(ConfigCommand::Init { path, force }) => config_init(&path, force),
        Command::Config(ConfigCommand::Check { config }) => match load(config.as_deref(), None).and_then(check_sinks) {
            Ok(()) => {
                eprintln!(
                    "config ok: {}",
                    config.as_deref().map(|p| p.display().to_string()).unwrap_or("(defaults)".into())
                );
                Exit::Ok
            }
            Err(code) => code,
        },
        Command::Demo(args) => crate::demo::run(args, cli.log_format, cli.verbose, cli.quiet).await,
        Command::Scan(args) => {
            let table = cli.log_format == LogFormat::Human && !cli.quiet;
            scan(args, table).await
        }
        Command::Agent(args) => crate::agent::run(args).await,
        Command::Diff(args) => diff(args),
        Command::Merge(args) => merge(args).await,
        Command::History(args) => history(args),
        Command::Report(args) => report(args),
    }
}

/// The sink checks `scan` makes before it starts (URLs, credentials in the environment), without
/// their side effects (no spool is created, nothing is sent).
fn check_sinks(l: Loaded) -> Result<(), Exit> {
    let cfg = &l.cfg;
    if let Some(instance) = &cfg.servicenow.instance_url {
        sink_config("servicenow", ServiceNowSink::new(&cfg.servicenow, instance))?;
    }
    if let Some(url) = &cfg.webhook.url {
        sink_config("webhook", WebhookSink::check(&cfg.webhook, url))?;
    }
    Ok(())
}

/// A sink that cannot be built from its config: one line, exit 3.
fn sink_config<T>(sink: &str, built: anyhow::Result<T>) -> Result<T, Exit> {
    built.map_err(|e| {
        eprintln!("error: {sink}: {e:#}");
        Exit::Config
    })
}

/// The JSON Schema of the inventory document.
pub fn schema_json() -> String {
    let schema = schemars::schema_for!(Inventory);
    serde_json::to_string_pretty(&schema).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
}

fn config_init(path: &std::path::Path, force: bool) -> Exit {
    if path.as_os_str() == "-" {
        print!("{EXAMPLE}");
        return Exit::Ok;
    }
    if path.exists() && !force {
        eprintln!("error: {} exists (use --force to overwrite)", path.display());
        return Exit::Usage;
    }
    match crate::sink::file::write_atomic(path, EXAMPLE.as_bytes()) {
        Ok(()) => {
            eprintln!("wrote {}", path.display());
            Exit::Ok
        }
        Err(e) => {
            eprintln!("error: {e:#}");
            Exit::Runtime
        }
    }
}

/// A validated configuration with everything it names loaded (policy file, catalogue,
/// register), so a scan and `config check` fail the same way on the same input.
pub(crate) struct Loaded {
    cfg: Config,
    catalogue: &'static Catalogue,
    register: Option<Register>,
}

impl Loaded {
    /// What the scope report reads of the configuration.
    pub(crate) fn settings(&self) -> crate::report::Settings {
        let cfg = &self.cfg;
        crate::report::Settings {
            report: cfg.report.clone(),
            tags: cfg.tags.clone(),
            scale: cfg.classification.clone(),
            policy: cfg.policy.clone(),
            register: self.register.clone(),
        }
    }
}

fn config_error(msg: String) -> Exit {
    eprintln!("error: {msg}");
    Exit::Config
}

pub(crate) fn load(path: Option<&std::path::Path>, register_override: Option<PathBuf>) -> Result<Loaded, Exit> {
    let mut cfg = Config::load(path).map_err(|e| config_error(e.to_string()))?;
    if let Some(pf) = cfg.policy_file.clone() {
        let text = std::fs::read_to_string(&pf)
            .map_err(|e| config_error(format!("cannot read policy file {}: {e}", pf.display())))?;
        let policy: PolicyConfig =
            toml::from_str(&text).map_err(|e| config_error(format!("invalid policy file {}: {e}", pf.display())))?;
        policy.validate().map_err(|e| config_error(format!("invalid policy file {}: {e}", pf.display())))?;
        cfg.policy = policy;
    }
    if let Some(r) = register_override {
        cfg.policy.register = Some(r);
    }
    let register = cfg.policy.register.as_deref().map(Register::load).transpose().map_err(config_error)?;
    // The catalogue is built once per process and shared by every scope, hence `'static`.
    let catalogue = match &cfg.third_party.catalogue {
        None => Catalogue::builtin(),
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| config_error(format!("cannot read catalogue {}: {e}", path.display())))?;
            let cat = Catalogue::with_overrides(&text)
                .map_err(|e| config_error(format!("invalid catalogue {}: {e}", path.display())))?;
            Box::leak(Box::new(cat))
        }
    };
    Ok(Loaded { cfg, catalogue, register })
}

/// A loaded configuration, its sinks (not yet health-checked) and what to scan: everything a
/// scan needs before it starts, shared by `scan` and `agent`.
pub struct Prepared {
    loaded: Loaded,
    sinks: Vec<Box<dyn Sink>>,
    selected: Vec<Cloud>,
    shard: Option<aimscope_core::Shard>,
    /// The agent's history database (agent mode only).
    history: Option<PathBuf>,
}

impl std::fmt::Debug for Prepared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let sinks: Vec<String> = self.sinks.iter().map(|s| s.describe()).collect();
        f.debug_struct("Prepared")
            .field("sinks", &sinks)
            .field("selected", &self.selected)
            .field("shard", &self.shard)
            .finish()
    }
}

impl Prepared {
    pub fn cfg(&self) -> &Config {
        &self.loaded.cfg
    }

    pub fn sinks(&self) -> &[Box<dyn Sink>] {
        &self.sinks
    }

    /// The agent's history database (`None` for a plain scan).
    pub fn history(&self) -> Option<&std::path::Path> {
        self.history.as_deref()
    }
}

/// How the sinks will be used: once by `scan`, or every cycle by the agent, whose report
/// reads the agent's history.
#[derive(Debug, Clone, Copy)]
pub enum Mode<'a> {
    Scan,
    Agent { history: Option<&'a std::path::Path> },
}

pub fn prepare(args: &ScanArgs, mode: Mode<'_>) -> Result<Prepared, Exit> {
    let loaded = load(args.config.as_deref(), args.register.clone())?;
    let cfg = &loaded.cfg;
    let history = match mode {
        Mode::Scan => None,
        Mode::Agent { history } => Some(history.map(PathBuf::from).unwrap_or_else(|| cfg.agent.history.clone())),
    };
    let settings = std::sync::Arc::new(loaded.settings());
    let output = |format: Format, path: Option<PathBuf>, create_dir: bool, delta: Option<PathBuf>| -> Box<dyn Sink> {
        match format.report() {
            Some(format) => {
                Box::new(ReportSink { path, format, settings: settings.clone(), history: history.clone(), create_dir })
            }
            None => Box::new(FileSink { path, format, create_dir, delta }),
        }
    };
    let webhook_url = args.webhook.clone().or(cfg.webhook.url.clone());
    let mut formats: Vec<Format> = if args.format.is_empty() { cfg.output.format.clone() } else { args.format.clone() };
    dedup_in_place(&mut formats);
    // The command line's --out / --out-dir replaces either of the file's.
    let (out, dir) = match (&args.out, &args.out_dir) {
        (None, None) => (cfg.output.path.clone(), cfg.output.dir.clone()),
        (out, dir) => (out.clone(), dir.clone()),
    };
    let mut sinks: Vec<Box<dyn Sink>> = Vec::new();
    if let Some(dir) = dir {
        // The agent's deltas are written once, by the first data format's sink.
        let mut delta = Some(dir.join("inventory.delta.json"));
        for f in formats {
            let d = if f.report().is_none() { delta.take() } else { None };
            sinks.push(output(f, Some(dir.join(f.file_name())), true, d));
        }
    } else if out.is_some() || (webhook_url.is_none() && cfg.servicenow.instance_url.is_none()) {
        // The file sink writes to stdout unless only remote sinks were asked for.
        let [format] = formats[..] else {
            eprintln!(
                "error: --format names {} formats: write them into a directory with --out-dir DIR",
                formats.len()
            );
            return Err(Exit::Usage);
        };
        let out: Option<PathBuf> = out.filter(|p| p.as_os_str() != "-");
        let delta = out.as_deref().map(FileSink::delta_beside);
        sinks.push(output(format, out, false, delta));
    }
    if let Some(path) = &args.report {
        sinks.push(output(
            match crate::report::ReportFormat::for_path(Some(path)) {
                crate::report::ReportFormat::Html => Format::Html,
                crate::report::ReportFormat::Markdown => Format::Markdown,
            },
            Some(path.clone()),
            false,
            None,
        ));
    }
    if let Some(instance) = &cfg.servicenow.instance_url {
        sinks.push(Box::new(sink_config("servicenow", ServiceNowSink::new(&cfg.servicenow, instance))?));
    }
    if let Some(url) = &webhook_url {
        sinks.push(Box::new(sink_config("webhook", WebhookSink::new(&cfg.webhook, url))?));
    }
    let selected: Vec<Cloud> = if !args.provider.is_empty() {
        args.provider.clone()
    } else {
        cfg.providers.clone().unwrap_or_else(crate::providers::built_in)
    };
    Ok(Prepared { loaded, sinks, selected: dedup(selected), shard: args.shard, history })
}

/// Builds the providers afresh (credentials, account lists and regions can change between an
/// agent's scans), runs them and analyses the result. Also returns API calls per cloud.
pub async fn collect(
    p: &Prepared,
    run_id: String,
    progress: &dyn crate::runner::Progress,
    stop: Option<tokio::sync::watch::Receiver<bool>>,
) -> (Inventory, BTreeMap<Cloud, u64>) {
    let cfg = &p.loaded.cfg;
    let mut providers = Vec::new();
    let mut unavailable = Vec::new();
    for cloud in p.selected.iter().copied() {
        match crate::providers::build(cloud, cfg, p.loaded.catalogue, p.shard) {
            Ok(pr) => providers.push(pr),
            Err(reason) => {
                tracing::warn!(%cloud, "skipped: {reason}");
                unavailable
                    .push(Coverage::new(cloud, None, None, "discovery", CoverageStatus::Skipped).with_error(reason));
            }
        }
    }
    if let Some(s) = p.shard {
        tracing::info!(shard = %s, "scanning one shard of the scopes");
    }
    let started_at = chrono::Utc::now();
    let opts = RunnerOptions {
        concurrency: cfg.scan.concurrency,
        per_scope_concurrency: cfg.scan.per_scope_concurrency,
        collector_timeout: Duration::from_secs(cfg.scan.collector_timeout_secs),
        shard: p.shard,
        stop,
    };
    let collected = runner::run(&providers, &opts, progress).await;
    let mut coverage = collected.coverage;
    coverage.extend(unavailable);

    let mut inv = Inventory::new(
        ToolInfo { name: "aimscope".into(), version: env!("CARGO_PKG_VERSION").into() },
        run_id,
        started_at,
        p.selected.clone(),
        collected.assets,
        coverage,
    );
    let mut by_cloud = BTreeMap::new();
    for pr in &providers {
        let calls = pr.api_calls();
        *by_cloud.entry(pr.cloud()).or_insert(0) += calls.values().sum::<u64>();
        inv.run.api_calls.extend(calls);
    }
    analyze(&mut inv, &p.loaded);
    (inv, by_cloud)
}

fn analyze(inv: &mut Inventory, l: &Loaded) {
    let cfg = &l.cfg;
    crate::analysis::analyze(inv, &cfg.tags, &cfg.classification, &cfg.policy, l.register.as_ref());
}

/// `table`: whether the log format lets the summary table be printed on a terminal.
async fn scan(args: ScanArgs, table: bool) -> Exit {
    let prepared = match prepare(&args, Mode::Scan) {
        Ok(p) => p,
        Err(code) => return code,
    };
    for s in &prepared.sinks {
        if let Err(e) = s.healthcheck().await {
            eprintln!("error: sink {} failed its healthcheck: {e:#}", s.describe());
            return Exit::Runtime;
        }
    }
    let bar = crate::progress::Bar::new(!args.no_progress && std::io::stderr().is_terminal());
    // SIGINT / SIGTERM: stop the collectors, keep what finished, write it as a partial
    // document (run.complete = false, `interrupted` coverage), exit 130 / 143.
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let signal = std::sync::Arc::new(std::sync::OnceLock::new());
    {
        let signal = signal.clone();
        tokio::spawn(async move {
            if let Some(code) = next_signal().await {
                let _ = signal.set(code);
                tracing::warn!("stopping: writing what was collected so far");
                let _ = stop_tx.send(true);
            }
        });
    }
    let (inv, _) = collect(&prepared, uuid::Uuid::new_v4().to_string(), &bar, Some(stop_rx)).await;
    // Every sink gets the inventory: one that fails (a CMDB rejecting, a receiver down) must
    // not keep the others from writing. Each failure is reported; any failure exits 1.
    let mut failed = 0;
    for s in &prepared.sinks {
        if let Err(e) = s.write(&inv).await {
            eprintln!("error: writing to {} failed: {e:#}", s.describe());
            failed += 1;
        }
    }
    summarize(&inv);
    if table && !args.no_summary && std::io::stderr().is_terminal() {
        eprint!("\n{}", crate::summary::table(&inv));
    }
    if failed > 0 {
        return Exit::Runtime;
    }
    if let Some(code) = signal.get() {
        return *code;
    }
    exit_code(&inv, args.fail_on)
}

/// The exit code of the first SIGINT (130) or SIGTERM (143); `None` if no handler could be set.
async fn next_signal() -> Option<Exit> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let (Ok(mut int), Ok(mut term)) = (signal(SignalKind::interrupt()), signal(SignalKind::terminate())) else {
            return None;
        };
        tokio::select! {
            _ = int.recv() => Some(Exit::Interrupted),
            _ = term.recv() => Some(Exit::Terminated),
        }
    }
    #[cfg(not(unix))]
    {
        tokio::signal::ctrl_c().await.ok().map(|()| Exit::Interrupted)
    }
}

/// `aimscope report INVENTORY`: the AIMS scope document.
fn report(args: ReportArgs) -> Exit {
    let loaded = match load(args.config.as_deref(), None) {
        Ok(l) => l,
        Err(code) => return code,
    };
    let bytes = match std::fs::read(&args.inventory) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("error: cannot read {}: {e}", args.inventory.display());
            return Exit::Usage;
        }
    };
    let inv: Inventory = match serde_json::from_slice::<Inventory>(&bytes) {
        Ok(mut i) => {
            i.upgrade();
            i
        }
        Err(e) => {
            eprintln!("error: {} is not an aimscope inventory (JSON format): {e}", args.inventory.display());
            return Exit::Usage;
        }
    };
    let out = args.out.as_deref().filter(|p| p.as_os_str() != "-");
    let format = args.format.unwrap_or_else(|| crate::report::ReportFormat::for_path(out));
    let sha = crate::report::sha256_hex(&bytes);
    let text = match crate::report::render(&inv, &sha, &loaded.settings(), args.history.as_deref(), format) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: {e:#}");
            return Exit::Runtime;
        }
    };
    let written = match out {
        Some(p) => crate::sink::file::write_atomic(p, text.as_bytes()),
        None => {
            use std::io::Write;
            let mut o = std::io::stdout().lock();
            o.write_all(text.as_bytes()).and_then(|()| o.flush()).map_err(anyhow::Error::from)
        }
    };
    match written {
        Ok(()) => {
            if let Some(p) = out {
                eprintln!("report written to {}", p.display());
            }
            Exit::Ok
        }
        Err(e) => {
            eprintln!("error: writing the report failed: {e:#}");
            Exit::Runtime
        }
    }
}

pub(crate) fn read_inventory(path: &std::path::Path) -> Result<Inventory, Exit> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        eprintln!("error: cannot read {}: {e}", path.display());
        Exit::Usage
    })?;
    let mut inv: Inventory = serde_json::from_str(&text).map_err(|e| {
        eprintln!("error: {} is not an aimscope inventory (JSON format): {e}", path.display());
        Exit::Usage
    })?;
    inv.upgrade();
    Ok(inv)
}

/// `aimscope diff OLD NEW`: the delta document on stdout, a summary on stderr.
fn diff(args: DiffArgs) -> Exit {
    let (old, new) = match (read_inventory(&args.old), read_inventory(&args.new)) {
        (Ok(o), Ok(n)) => (o, n),
        (Err(e), _) | (_, Err(e)) => return e,
    };
    let d = crate::analysis::delta::compute(&crate::analysis::delta::Baseline::of(&old), &new);
    match serde_json::to_string_pretty(&d) {
        Ok(text) => println!("{text}"),
        Err(e) => {
            eprintln!("error: {e}");
            return Exit::Runtime;
        }
    }
    eprintln!(
        "{} added, {} changed, {} removed, {} not seen (scope not fully scanned), {} new findings, {} resolved",
        d.added.len(),
        d.changed.len(),
        d.removed.len(),
        d.unseen.len(),
        d.new_findings.len(),
        d.resolved_findings.len()
    );
    Exit::Ok
}

/// `aimscope merge PART...`: one inventory from partial ones, analysed again as a whole.
async fn merge(args: MergeArgs) -> Exit {
    let loaded = match load(args.config.as_deref(), None) {
        Ok(l) => l,
        Err(code) => return code,
    };
    let mut parts = Vec::new();
    for p in &args.parts {
        match read_inventory(p) {
            Ok(inv) => parts.push(inv),
            Err(code) => return code,
        }
    }
    let mut inv = match crate::merge::merge(parts) {
        Ok(i) => i,
        Err(e) => {
            eprintln!("error: {e:#}");
            return Exit::Usage;
        }
    };
    analyze(&mut inv, &loaded);
    let out = args.out.filter(|p| p.as_os_str() != "-");
    let format = args.format.unwrap_or(match loaded.cfg.output.format[..] {
        [one] => one,
        _ => Format::Json,
    });
    let sink: Box<dyn Sink> = match format.report() {
        Some(format) => Box::new(ReportSink {
            path: out,
            format,
            settings: loaded.settings().into(),
            history: None,
            create_dir: false,
        }),
        None => Box::new(FileSink { path: out, format, create_dir: false, delta: None }),
    };
    if let Err(e) = sink.write(&inv).await {
        eprintln!("error: writing to {} failed: {e:#}", sink.describe());
        return Exit::Runtime;
    }
    summarize(&inv);
    if inv.run.complete { Exit::Ok } else { Exit::Partial }
}

/// `aimscope history`: past runs, or one asset's timeline.
fn history(args: HistoryArgs) -> Exit {
    let path = match args.history.clone() {
        Some(p) => p,
        None => match load(args.config.as_deref(), None) {
            Ok(l) => l.cfg.agent.history.clone(),
            Err(code) => return code,
        },
    };
    if !path.exists() {
        eprintln!("error: no history at {} (the agent creates it on its first scan)", path.display());
        return Exit::Usage;
    }
    let h = match crate::history::History::open(&path) {
        Ok(h) => h,
        Err(e) => {
            eprintln!("error: {e:#}");
            return Exit::Runtime;
        }
    };
    let result = match &args.asset {
        Some(id) => h.timeline(id).map(|t| match t {
            None => {
                eprintln!("error: no asset {id} in {}", path.display());
                None
            }
            Some(t) if args.json => Some(serde_json::to_string_pretty(&t).unwrap_or_default()),
            Some(t) => Some(t.to_text()),
        }),
        None => h.runs(args.limit).map(|runs| {
            Some(if args.json {
                serde_json::to_string_pretty(&runs).unwrap_or_default()
            } else {
                crate::history::runs_table(&runs)
            })
        }),
    };
    match result {
        Ok(Some(text)) => {
            print!("{text}");
            if !text.ends_with('\n') {
                println!();
            }
            Exit::Ok
        }
        Ok(None) => Exit::Usage,
        Err(e) => {
            eprintln!("error: {e:#}");
            Exit::Runtime
        }
    }
}

/// Exit code of a finished scan: findings at or above `fail_on` (5) take precedence over an
/// incomplete scan (4), because a gate asked for them explicitly.
pub fn exit_code(inv: &Inventory, fail_on: Option<Severity>) -> Exit {
    if let Some(min) = fail_on
        && inv.findings.iter().any(|f| f.severity >= min)
    {
        return Exit::Findings;
    }
    if !inv.run.complete {
        return Exit::Partial;
    }
    Exit::Ok
}

fn summarize(inv: &Inventory) {
    let gaps: Vec<&Coverage> = inv.gaps().collect();
    let partial_assets = inv.assets.iter().filter(|a| a.is_partial()).count();
    tracing::info!(
        assets = inv.assets.len(),
        partial_assets,
        findings = inv.findings.len(),
        coverage_records = inv.coverage.len(),
        gaps = gaps.len(),
        "scan finished"
    );
    // One line per scope and status: a denied subscription is one line, not one per collector
    // (the first collector's error stands for the rest; the inventory keeps each one).
    let mut grouped: Vec<(&Coverage, Vec<&str>)> = Vec::new();
    for g in gaps {
        let same =
            |o: &Coverage| (o.cloud, &o.account, &o.region, o.status) == (g.cloud, &g.account, &g.region, g.status);
        match grouped.iter_mut().find(|(o, _)| same(o)) {
            Some((_, collectors)) => collectors.push(&g.collector),
            None => grouped.push((g, vec![&g.collector])),
        }
    }
    for (g, collectors) in grouped {
        let scope = match (&g.account, &g.region) {
            (Some(a), Some(r)) => format!("{}:{a}/{r}", g.cloud),
            (Some(a), None) => format!("{}:{a}", g.cloud),
            _ => g.cloud.to_string(),
        };
        let which = match collectors.as_slice() {
            [one] => (*one).to_owned(),
            many if many.len() <= 4 => format!("{} collectors ({})", many.len(), many.join(", ")),
            many => format!("{} collectors ({}, and {} more)", many.len(), many[..3].join(", "), many.len() - 3),
        };
        // A partial scope was listed in full: its assets are there, some details are not.
        let what = if g.status == CoverageStatus::Partial { "incomplete" } else { "not seen" };
        // Through the logger, so `--log-format json` keeps stderr parseable and `-q` quiet.
        tracing::warn!("{what}: {scope} {which} ({}): {}", g.status.as_str(), g.error.as_deref().unwrap_or(""));
    }
    if partial_assets > 0 {
        tracing::warn!("{partial_assets} listed asset(s) have incomplete details (details.status = partial)");
    }
}

/// Drops repeats, keeping the first of each in order.
fn dedup_in_place<T: PartialEq + Copy>(v: &mut Vec<T>) {
    let mut kept = Vec::with_capacity(v.len());
    for x in v.drain(..) {
        if !kept.contains(&x) {
            kept.push(x);
        }
    }
    *v = kept;
}

fn dedup(mut v: Vec<Cloud>) -> Vec<Cloud> {
    v.sort();
    v.dedup();
    v
}
