//! Drives every provider's tasks with bounded concurrency and turns every outcome into data.
//!
//! Concurrency is bounded twice: globally (how many collectors run at once) and per account
//! (how many run against one account / subscription / project at once), because API rate
//! limits are per account and a 500-account org should spread its load, not hammer one.
//! A task that errors, times out or panics becomes a coverage record; the scan never aborts.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::{Duration, Instant};

use aimscope_core::{Asset, Cloud, Coverage, CoverageStatus, Provider, ProviderError, Task};
use futures::{FutureExt, StreamExt};
use tokio::sync::Semaphore;

/// Limits for one run.
#[derive(Debug, Clone)]
pub struct RunnerOptions {
    /// Collectors running at once, across all scopes.
    pub concurrency: usize,
    /// Collectors running at once against one account / subscription / project.
    pub per_scope_concurrency: usize,
    /// Time limit for one collector over one scope.
    pub collector_timeout: Duration,
    /// Only the scopes of this slice (scale-out over several processes).
    pub shard: Option<aimscope_core::Shard>,
    /// Becomes `true` when the scan must stop (a signal): what finished is kept, every task
    /// not finished is recorded as `interrupted`, enrichment is skipped.
    pub stop: Option<tokio::sync::watch::Receiver<bool>>,
}

impl Default for RunnerOptions {
    fn default() -> Self {
        RunnerOptions {
            concurrency: 16,
            per_scope_concurrency: 4,
            collector_timeout: Duration::from_secs(600),
            shard: None,
            stop: None,
        }
    }
}

/// Progress callbacks; the CLI shows a bar, tests and agents may ignore them.
pub trait Progress: Send + Sync {
    fn provider_started(&self, _cloud: Cloud) {}
    fn tasks_added(&self, _n: u64) {}
    fn task_finished(&self, _coverage: &Coverage) {}
    fn finish(&self) {}
}

/// Shows nothing.
#[derive(Debug, Default)]
pub struct NoProgress;
impl Progress for NoProgress {}

/// What the runner produced, before analysis.
#[derive(Debug, Default)]
pub struct Collected {
    pub assets: Vec<Asset>,
    pub coverage: Vec<Coverage>,
}

/// Runs every provider's discovery, then all tasks, then each provider's enrichment.
pub async fn run(providers: &[Box<dyn Provider>], opts: &RunnerOptions, progress: &dyn Progress) -> Collected {
    let mut coverage = Vec::new();
    let mut tasks: Vec<Box<dyn Task>> = Vec::new();

    // Discovery of each provider runs concurrently: one slow credential chain (e.g. an IMDS
    // probe off-cloud) must not delay the others.
    let discover_all = futures::future::join_all(providers.iter().map(|p| async move {
        progress.provider_started(p.cloud());
        let started = Instant::now();
        (p.cloud(), started, p.discover().await)
    }));
    let discoveries = tokio::select! {
        d = discover_all => d,
        () = stopped(opts.stop.clone()) => {
            progress.finish();
            let coverage = providers.iter().map(|p| interrupted(p.cloud(), None, None, "discovery")).collect();
            return Collected { assets: Vec::new(), coverage };
        }
    };
    for (cloud, started, result) in discoveries {
        match result {
            Ok(d) => {
                if let Some(src) = &d.credential_source {
                    tracing::info!(%cloud, credentials = %src, tasks = d.tasks.len(), "provider ready");
                }
                // Providers enter only their shard's scopes; this keeps any record or task of
                // another shard out regardless. Provider-wide records (account absent) stay in
                // every shard, and `merge` folds the copies.
                let mine = |account: &str| opts.shard.is_none_or(|s| s.owns(cloud, account));
                coverage.extend(d.coverage.into_iter().filter(|c| c.account.as_deref().is_none_or(mine)));
                tasks.extend(d.tasks.into_iter().filter(|t| mine(&t.scope().account)));
            }
            Err(e) => {
                let status = match &e {
                    ProviderError::NotConfigured(_) => CoverageStatus::Skipped,
                    ProviderError::Discovery(ce) => ce.coverage_status(),
                };
                tracing::warn!(%cloud, "skipped: {e}");
                coverage.push(Coverage {
                    cloud,
                    account: None,
                    region: None,
                    collector: "discovery".into(),
                    status,
                    assets: 0,
                    error: Some(e.to_string()),
                    duration_ms: started.elapsed().as_millis() as u64,
                });
            }
        }
    }

    progress.tasks_added(tasks.len() as u64);
    let global = opts.concurrency.max(1);
    let per_scope = opts.per_scope_concurrency.max(1);
    let mut limits: HashMap<(Cloud, String), Arc<Semaphore>> = HashMap::new();
    let jobs: Vec<_> = tasks
        .iter()
        .map(|t| {
            let sem = limits
                .entry((t.scope().cloud, t.scope().account.clone()))
                .or_insert_with(|| Arc::new(Semaphore::new(per_scope)))
                .clone();
            (t.as_ref(), sem)
        })
        .collect();

    let mut assets: BTreeMap<String, Asset> = BTreeMap::new();
    let mut done = vec![false; jobs.len()];
    let mut warned: std::collections::HashSet<(Cloud, Option<String>, Option<String>, CoverageStatus)> =
        Default::default();
    let mut results = futures::stream::iter(jobs.into_iter().enumerate())
        .map(|(i, (task, sem))| async move {
            // The semaphore is never closed, so acquire only fails if it were; treat as no limit.
            let _permit = sem.acquire_owned().await.ok();
            (i, run_task(task, opts.collector_timeout).await)
        })
        .buffer_unordered(global);
    let stop = stopped(opts.stop.clone());
    tokio::pin!(stop);
    let mut was_stopped = false;
    loop {
        tokio::select! {
            next = results.next() => match next {
                Some((i, (found, cov))) => {
                    done[i] = true;
                    if let Some(err) = &cov.error {
                        // The first gap of a kind in a scope is news; the same status from the
                        // scope's other collectors (a denied subscription fails them all) is
                        // detail, and the end-of-scan summary groups them.
                        let key = (cov.cloud, cov.account.clone(), cov.region.clone(), cov.status);
                        let scope = cov.account.iter().chain(&cov.region).cloned().collect::<Vec<_>>().join("/");
                        if warned.insert(key) {
                            tracing::warn!(scope = %format!("{}:{scope}", cov.cloud), collector = %cov.collector, status = cov.status.as_str(), "{err}");
                        } else {
                            tracing::debug!(scope = %format!("{}:{scope}", cov.cloud), collector = %cov.collector, status = cov.status.as_str(), "{err}");
                        }
                    }
                    progress.task_finished(&cov);
                    coverage.push(cov);
                    merge_into(&mut assets, found);
                }
                None => break,
            },
            () = &mut stop => {
                was_stopped = true;
                break;
            }
        }
    }
    // Dropping the stream cancels the collectors still running.
    drop(results);
    if was_stopped {
        for (t, _) in tasks.iter().zip(&done).filter(|(_, d)| !**d) {
            let s = t.scope();
            coverage.push(interrupted(s.cloud, Some(s.account.clone()), s.region.clone(), t.collector()));
        }
        progress.finish();
        return finish(assets, coverage);
    }

    // Enrichment sees the whole inventory, so a bucket referenced from ten accounts is looked
    // up once.
    let snapshot: Vec<Asset> = assets.values().cloned().collect();
    for p in providers {
        let (extra, cov) = p.enrich(&snapshot).await;
        coverage.extend(cov);
        merge_into(&mut assets, extra);
    }
    progress.finish();
    finish(assets, coverage)
}

fn finish(assets: BTreeMap<String, Asset>, mut coverage: Vec<Coverage>) -> Collected {
    coverage.sort_by(|a, b| {
        (a.cloud, &a.account, &a.region, &a.collector).cmp(&(b.cloud, &b.account, &b.region, &b.collector))
    });
    Collected { assets: assets.into_values().collect(), coverage }
}

/// Resolves when the stop flag turns true (never, without one).
async fn stopped(stop: Option<tokio::sync::watch::Receiver<bool>>) {
    match stop {
        Some(mut rx) => {
            if rx.wait_for(|s| *s).await.is_err() {
                // The sender is gone without a stop: never resolve.
                std::future::pending::<()>().await;
            }
        }
        None => std::future::pending::<()>().await,
    }
}

fn interrupted(cloud: Cloud, account: Option<String>, region: Option<String>, collector: &str) -> Coverage {
    Coverage {
        cloud,
        account,
        region,
        collector: collector.to_owned(),
        status: CoverageStatus::Interrupted,
        assets: 0,
        error: Some("the scan was stopped before this finished".into()),
        duration_ms: 0,
    }
}

/// Folds assets into the map by id ([`Asset::merge`] joins two sightings of one asset).
pub(crate) fn merge_into(assets: &mut BTreeMap<String, Asset>, found: Vec<Asset>) {
    for a in found {
        match assets.get_mut(&a.id) {
            Some(existing) => existing.merge(a),
            None => {
                assets.insert(a.id.clone(), a);
            }
        }
    }
}

/// `2 listed asset(s) with incomplete details: bedrock:GetAgent denied (2)`.
fn partial_summary(partial: &[&Asset]) -> String {
    let mut calls: BTreeMap<(&str, &str), u64> = BTreeMap::new();
    for a in partial {
        for c in a.details.iter().flat_map(|d| &d.failed_calls) {
            *calls.entry((c.operation.as_str(), c.error.as_str())).or_default() += 1;
        }
    }
    let calls: Vec<String> = calls.into_iter().map(|((op, why), n)| format!("{op} {why} ({n})")).collect();
    format!("{} listed asset(s) with incomplete details: {}", partial.len(), calls.join(", "))
}

async fn run_task(task: &dyn Task, timeout: Duration) -> (Vec<Asset>, Coverage) {
    let started = Instant::now();
    let scope = task.scope().clone();
    let mut cov = Coverage {
        cloud: scope.cloud,
        account: Some(scope.account.clone()),
        region: scope.region.clone(),
        collector: task.collector().to_owned(),
        status: CoverageStatus::Complete,
        assets: 0,
        error: None,
        duration_ms: 0,
    };
    if !task.applies() {
        cov.status = CoverageStatus::NotEnabled;
        return (Vec::new(), cov);
    }
    let mut found = Vec::new();
    let drain = async {
        let mut stream = task.run();
        while let Some(item) = stream.next().await {
            match item {
                Ok(a) => found.push(a),
                Err(e) => return Some(e),
            }
        }
        None
    };
    // A panicking collector is a bug, but it must cost one coverage record, not the scan.
    let outcome = tokio::time::timeout(timeout, std::panic::AssertUnwindSafe(drain).catch_unwind()).await;
    match outcome {
        Err(_) => {
            cov.status = CoverageStatus::TimedOut;
            cov.error = Some(format!("did not finish within {}s", timeout.as_secs()));
        }
        Ok(Err(_panic)) => {
            cov.status = CoverageStatus::Failed;
            cov.error = Some("collector panicked (a bug: please report it)".into());
        }
        Ok(Ok(Some(e))) => {
            cov.status = e.coverage_status();
            cov.error = Some(e.message);
        }
        Ok(Ok(None)) => {
            // Listed in full, but some listed assets miss details: say which calls failed.
            let partial: Vec<&Asset> = found.iter().filter(|a| a.is_partial()).collect();
            if !partial.is_empty() {
                cov.status = CoverageStatus::Partial;
                cov.error = Some(partial_summary(&partial));
            }
        }
    }
    cov.assets = found.len() as u64;
    cov.duration_ms = started.elapsed().as_millis() as u64;
    (found, cov)
}
