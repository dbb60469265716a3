//! `aimscope agent`: scans on a schedule, one at a time, keeps history, sends deltas, serves
//! metrics, and stops cleanly.
//!
//! A cycle: scan → compare with the history baseline → deliver (a full snapshot on the first
//! run and every `snapshot_every`, deltas always) → record in history (one transaction) →
//! update metrics. Delivery comes before recording, so a crash in between re-sends the same
//! delta next time (at least once) instead of losing it.
//! On SIGTERM / SIGINT the current scan gets `shutdown_grace` to finish; past that it is
//! abandoned and listed as `interrupted`, leaving every asset row as the last scan left it.

pub mod schedule;

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::Utc;
use serde::Deserialize;
use tokio::sync::watch;

use crate::analysis::delta;
use crate::app::{Exit, Prepared};
use crate::cli::AgentArgs;
use crate::history::{History, RunOutcome};
use crate::metrics;
use schedule::{CronExpr, HumanDuration, Schedule};

/// The `[agent]` table.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AgentConfig {
    /// Time between scan starts (ignored when `cron` is set).
    pub interval: HumanDuration,
    /// Cron expression in UTC (5 fields), e.g. "0 */6 * * *".
    pub cron: Option<CronExpr>,
    /// Random delay added to every start, up to this long.
    pub jitter: HumanDuration,
    /// Scan at start-up rather than waiting for the first scheduled time.
    pub run_on_start: bool,
    /// SQLite history file.
    pub history: PathBuf,
    /// A full snapshot goes to the sinks on the first run and when the last one is this old.
    pub snapshot_every: HumanDuration,
    /// Address of `/healthz` and `/metrics`; empty to serve nothing.
    pub metrics_listen: String,
    /// How long a scan in progress may run on after SIGTERM / SIGINT.
    pub shutdown_grace: HumanDuration,
    /// History of runs, findings and asset events older than this is dropped ("0s": keep all).
    /// Asset lifetimes (first / last seen, removed at) are kept regardless.
    pub retention: HumanDuration,
}

impl Default for AgentConfig {
    fn default() -> Self {
        AgentConfig {
            interval: HumanDuration(Duration::from_secs(6 * 3600)),
            cron: None,
            jitter: HumanDuration(Duration::from_secs(300)),
            run_on_start: true,
            history: PathBuf::from("aimscope-history.db"),
            snapshot_every: HumanDuration(Duration::from_secs(86_400)),
            metrics_listen: "127.0.0.1:9464".into(),
            shutdown_grace: HumanDuration(Duration::from_secs(30)),
            retention: HumanDuration(Duration::from_secs(90 * 86_400)),
        }
    }
}

impl AgentConfig {
    pub fn schedule(&self) -> Schedule {
        match &self.cron {
            Some(c) => Schedule::Cron(Box::new(c.0.clone())),
            None => Schedule::Every(self.interval.0),
        }
    }
}

/// Stops the agent on SIGTERM or SIGINT (Ctrl-C). The handlers are installed before this
/// returns, so a signal that comes during start-up is not the default (immediate) death.
fn stop_signal() -> watch::Receiver<bool> {
    let (tx, rx) = watch::channel(false);
    #[cfg(unix)]
    let term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate());
    #[cfg(unix)]
    let int = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt());
    tokio::spawn(async move {
        #[cfg(unix)]
        match (term, int) {
            (Ok(mut term), Ok(mut int)) => {
                tokio::select! {
                    _ = term.recv() => tracing::warn!("SIGTERM: stopping"),
                    _ = int.recv() => tracing::warn!("SIGINT: stopping"),
                }
            }
            (term, int) => {
                let e = term.err().or(int.err()).map(|e| e.to_string()).unwrap_or_default();
                tracing::warn!("cannot watch SIGTERM / SIGINT ({e}); falling back to Ctrl-C only");
                let _ = tokio::signal::ctrl_c().await;
            }
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
            tracing::warn!("Ctrl-C: stopping");
        }
        let _ = tx.send(true);
    });
    rx
}

async fn stopped(rx: &mut watch::Receiver<bool>) {
    let _ = rx.wait_for(|s| *s).await;
}

pub async fn run(args: AgentArgs) -> Exit {
    let mut stop = stop_signal();
    let mode = crate::app::Mode::Agent { history: args.history.as_deref() };
    let prepared = match crate::app::prepare(&args.scan, mode) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let mut cfg = prepared.cfg().agent.clone();
    // `--once` is for cron and CronJobs: the scheduler already chose the time.
    cfg.run_on_start |= args.once;
    let history_path = prepared.history().map(PathBuf::from).unwrap_or_else(|| cfg.history.clone());
    // One agent per history: a second one (an overlapping cron run, a duplicated pod) exits.
    let lock_path = PathBuf::from(format!("{}.lock", history_path.display()));
    if let Some(dir) = lock_path.parent().filter(|d| !d.as_os_str().is_empty())
        && let Err(e) = std::fs::create_dir_all(dir)
    {
        eprintln!("error: cannot create {}: {e}", dir.display());
        return Exit::Runtime;
    }
    let lock = match std::fs::File::create(&lock_path) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("error: cannot create lock {}: {e}", lock_path.display());
            return Exit::Runtime;
        }
    };
    if let Err(e) = lock.try_lock() {
        eprintln!("error: another aimscope agent holds {} ({e}); not starting a second one", lock_path.display());
        return Exit::Runtime;
    }
    let mut history = match History::open(&history_path) {
        Ok(h) => h,
        Err(e) => {
            eprintln!("error: {e:#}");
            return Exit::Runtime;
        }
    };
    for s in prepared.sinks() {
        if let Err(e) = s.healthcheck().await {
            eprintln!("error: sink {} failed its healthcheck: {e:#}", s.describe());
            return Exit::Runtime;
        }
    }
    let state: metrics::Shared =
        Arc::new(Mutex::new(metrics::State { started_at: Utc::now().timestamp(), ..Default::default() }));
    let listen = args.metrics_listen.clone().unwrap_or_else(|| cfg.metrics_listen.clone());
    if !listen.is_empty() {
        match metrics::serve(&listen, state.clone()).await {
            Ok(addr) => tracing::info!("metrics on http://{addr}/metrics"),
            Err(e) => {
                eprintln!("error: {e:#}");
                return Exit::Runtime;
            }
        }
    }
    let schedule = cfg.schedule();
    let max_cycles = if args.once { Some(1) } else { args.max_cycles };
    tracing::info!(history = %history_path.display(), schedule = ?schedule, "agent started");

    let mut last_start = None;
    let mut cycles = 0u64;
    loop {
        let now = Utc::now();
        // The first scan runs at once when asked to (run_on_start, --once); every other start
        // follows the schedule, spread by jitter.
        let at = match last_start {
            None if cfg.run_on_start => now,
            last => {
                schedule.next(last.unwrap_or(now), now)
                    + chrono::Duration::from_std(schedule::jitter(cfg.jitter.0)).unwrap_or_default()
            }
        };
        let wait = (at - Utc::now()).to_std().unwrap_or(Duration::ZERO);
        if !wait.is_zero() {
            tracing::info!(next = %at.to_rfc3339(), "next scan");
            tokio::select! {
                _ = tokio::time::sleep(wait) => {}
                _ = stopped(&mut stop) => break,
            }
        }
        if *stop.borrow() {
            break;
        }
        last_start = Some(Utc::now());
        let finished = cycle(&prepared, &mut history, &state, &cfg, &mut stop).await;
        cycles += 1;
        if !finished || *stop.borrow() || max_cycles.is_some_and(|m| cycles >= m) {
            break;
        }
    }
    // Whatever a sink still holds (an unreachable webhook's spool) gets one more try, bounded
    // by the grace period; what is left stays spooled for the next start.
    for s in prepared.sinks().iter().filter(|s| s.backlog() > 0) {
        match tokio::time::timeout(cfg.shutdown_grace.0, s.drain()).await {
            Ok(Ok(0)) => tracing::info!("{}: spool delivered", s.describe()),
            Ok(Ok(left)) => tracing::warn!("{}: {left} message(s) kept in the spool for the next start", s.describe()),
            Ok(Err(e)) => tracing::warn!("{}: {e:#}", s.describe()),
            Err(_) => tracing::warn!("{}: spool not delivered within the grace period; kept", s.describe()),
        }
    }
    drop(lock);
    tracing::info!(cycles, "agent stopped");
    Exit::Ok
}

/// One scan, delivered and recorded. False when it was abandoned at shutdown.
async fn cycle(
    prepared: &Prepared,
    history: &mut History,
    state: &metrics::Shared,
    cfg: &AgentConfig,
    stop: &mut watch::Receiver<bool>,
) -> bool {
    let run_id = uuid::Uuid::new_v4().to_string();
    let started_at = Utc::now();
    let clock = Instant::now();
    set(state, |s| s.scanning = true);
    tracing::info!(run = %run_id, "scan started");
    // The agent has its own shutdown (grace period, then the scan is abandoned).
    let scan = crate::app::collect(prepared, run_id.clone(), &crate::runner::NoProgress, None);
    tokio::pin!(scan);
    let result = tokio::select! {
        r = &mut scan => Some(r),
        _ = stopped(stop) => {
            tracing::warn!("a scan is running: it has {:?} to finish", cfg.shutdown_grace.0);
            tokio::time::timeout(cfg.shutdown_grace.0, &mut scan).await.ok()
        }
    };
    set(state, |s| s.scanning = false);
    let Some((inv, calls)) = result else {
        if let Err(e) = history.record_interrupted(&run_id, started_at) {
            tracing::error!("history: {e:#}");
        }
        set(state, |s| *s.scans.entry(RunOutcome::Interrupted).or_default() += 1);
        tracing::warn!(run = %run_id, "scan abandoned at shutdown; history unchanged");
        return false;
    };

    let baseline = match history.baseline() {
        Ok(b) => b,
        Err(e) => {
            tracing::error!("history: {e:#}; this scan is not compared or recorded");
            set(state, |s| *s.scans.entry(RunOutcome::Failed).or_default() += 1);
            return true;
        }
    };
    let d = delta::compute(&baseline, &inv);
    let due = match history.last_snapshot() {
        Ok(Some(at)) => Utc::now() - at >= chrono::Duration::from_std(cfg.snapshot_every.0).unwrap_or_default(),
        _ => true,
    };
    let snapshot = baseline.run_id.is_none() || due;
    let mut delivered = true;
    for s in prepared.sinks() {
        // Both go out (or into the spool) even when the other failed.
        let full = if snapshot || s.full_every_cycle() { s.write(&inv).await } else { Ok(()) };
        let delta = s.write_delta(&d, &inv).await;
        for e in [full.err(), delta.err()].into_iter().flatten() {
            delivered = false;
            tracing::error!("writing to {} failed: {e:#}", s.describe());
        }
    }
    if let Err(e) = history.record(&inv, &d, snapshot) {
        tracing::error!("history: {e:#}");
    }
    if !cfg.retention.0.is_zero() {
        let before = Utc::now() - chrono::Duration::from_std(cfg.retention.0).unwrap_or(chrono::Duration::MAX);
        match history.prune(before) {
            Ok(0) => {}
            Ok(n) => tracing::info!(runs = n, "history: dropped runs older than the retention"),
            Err(e) => tracing::error!("history retention: {e:#}"),
        }
    }
    let result = if delivered { RunOutcome::of(&inv) } else { RunOutcome::Failed };
    let spool: u64 = prepared.sinks().iter().map(|s| s.backlog()).sum();
    set(state, |s| {
        s.observe(&inv, &calls, clock.elapsed());
        *s.scans.entry(result).or_default() += 1;
        if delivered {
            s.last_success = Some(Utc::now().timestamp());
        }
        s.delta = [("added", d.added.len()), ("changed", d.changed.len()), ("removed", d.removed.len())]
            .into_iter()
            .map(|(k, v)| (k, v as u64))
            .collect();
        s.spool_depth = spool;
    });
    tracing::info!(
        run = %inv.run.id,
        assets = inv.assets.len(),
        added = d.added.len(),
        changed = d.changed.len(),
        removed = d.removed.len(),
        unseen = d.unseen.len(),
        new_findings = d.new_findings.len(),
        resolved_findings = d.resolved_findings.len(),
        gaps = inv.gaps().count(),
        snapshot,
        "scan recorded"
    );
    true
}

fn set(state: &metrics::Shared, f: impl FnOnce(&mut metrics::State)) {
    if let Ok(mut s) = state.lock() {
        f(&mut s);
    }
}
