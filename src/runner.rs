//! Drives every provider's tasks with bounded concurrency and turns every outcome into data.
//!
//! Concurrency is bounded twice: globally (how many collectors run at once) and per scope
//! (how many run against one AWS account-region, Azure subscription or GCP project-location at
//! once), because the clouds' rate limits are kept per such key and a 500-account org should
//! spread its load, not hammer one. A task takes its scope's permit before a global slot, so a
//! slot is only ever held by a task that can run: one busy scope never idles the others.
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
    /// Collectors running at once against one scope: an AWS account-region, an Azure
    /// subscription, a GCP project-location (where the clouds keep their rate limits).
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
                coverage.push(
                    Coverage::new(cloud, None, None, "discovery", status).with_error(e.to_string()).took(started),
                );
            }
        }
    }

    progress.tasks_added(tasks.len() as u64);
    let global = opts.concurrency.max(1);
    let per_scope = opts.per_scope_concurrency.max(1);
    let mut limits: HashMap<&aimscope_core::Scope, Arc<Semaphore>> = HashMap::new();
    let jobs: Vec<_> = tasks
        .iter()
        .map(|t| {
            let sem = limits.entry(t.scope()).or_insert_with(|| Arc::new(Semaphore::new(per_scope))).clone();
            (t.as_ref(), sem)
        })
        .collect();
    let slots = Arc::new(Semaphore::new(global));

    let mut assets: BTreeMap<String, Asset> = BTreeMap::new();
    let mut done = vec![false; jobs.len()];
    let mut warned: std::collections::HashSet<(Cloud, Option<String>, Option<String>, CoverageStatus)> =
        Default::default();
    // Every task waits at once (a waiting future is a few bytes); tokio's semaphores are FIFO,
    // so the global slots go round the scopes in turn. Neither semaphore is ever closed, so
    // acquire cannot fail; `ok()` would mean no limit.
    let mut results: futures::stream::FuturesUnordered<_> = jobs
        .into_iter()
        .enumerate()
        .map(|(i, (task, sem))| {
            let slots = slots.clone();
            async move {
                let _scope = sem.acquire_owned().await.ok();
                let _slot = slots.acquire_owned().await.ok();
                (i, run_task(task, opts.collector_timeout).await)
            }
        })
        .collect();
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
    Coverage::new(cloud, account, region, collector, CoverageStatus::Interrupted)
        .with_error("the scan was stopped before this finished")
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
    let mut cov = scope.coverage(task.collector(), CoverageStatus::Complete);
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

#[cfg(test)]
mod tests {
    use super::*;
    use aimscope_core::{AssetKind, AssetStream, Discovery, Scope, Service};
    use std::sync::Mutex;

    /// A collector that takes 100 ms (tokio's paused clock) and logs when it started.
    struct Timed {
        scope: Scope,
        name: String,
        started: Arc<Mutex<Vec<(String, Duration)>>>,
        epoch: tokio::time::Instant,
    }

    impl Task for Timed {
        fn scope(&self) -> &Scope {
            &self.scope
        }
        fn collector(&self) -> &str {
            &self.name
        }
        fn applies(&self) -> bool {
            true
        }
        fn run(&self) -> AssetStream<'_> {
            Box::pin(async_stream::try_stream! {
                self.started.lock().expect("log").push((self.name.clone(), self.epoch.elapsed()));
                tokio::time::sleep(Duration::from_millis(100)).await;
                yield Asset::new(&self.name, Cloud::Aws, &self.scope.account, self.scope.region.clone(), AssetKind::Model, Service::Sagemaker, &self.name);
            })
        }
    }

    struct Fixed(Mutex<Option<Vec<Box<dyn Task>>>>);

    #[async_trait::async_trait]
    impl Provider for Fixed {
        fn cloud(&self) -> Cloud {
            Cloud::Aws
        }
        async fn discover(&self) -> Result<Discovery, ProviderError> {
            let tasks = self.0.lock().expect("tasks").take().unwrap_or_default();
            Ok(Discovery { tasks, coverage: vec![], credential_source: None })
        }
    }

    /// `(account, region, collector)` tasks, each 100 ms; returns when each started.
    async fn schedule(
        specs: &[(&str, &str, &str)],
        concurrency: usize,
        per_scope: usize,
    ) -> BTreeMap<String, Duration> {
        let started = Arc::new(Mutex::new(Vec::new()));
        let epoch = tokio::time::Instant::now();
        let tasks: Vec<Box<dyn Task>> = specs
            .iter()
            .map(|(account, region, name)| {
                Box::new(Timed {
                    scope: Scope { cloud: Cloud::Aws, account: (*account).into(), region: Some((*region).into()) },
                    name: (*name).into(),
                    started: started.clone(),
                    epoch,
                }) as Box<dyn Task>
            })
            .collect();
        let n = tasks.len();
        let providers: Vec<Box<dyn Provider>> = vec![Box::new(Fixed(Mutex::new(Some(tasks))))];
        let opts = RunnerOptions { concurrency, per_scope_concurrency: per_scope, ..RunnerOptions::default() };
        let out = run(&providers, &opts, &NoProgress).await;
        assert_eq!(out.assets.len(), n, "every task ran");
        started.lock().expect("log").iter().cloned().collect()
    }

    #[tokio::test(start_paused = true)]
    async fn a_busy_scope_never_holds_the_slots_another_scope_could_use() {
        // Account 1 comes first with four tasks; one may run there at a time. Two global slots:
        // account 2's task must start at once, not after account 1's queue.
        let at =
            schedule(&[("1", "r", "a1"), ("1", "r", "a2"), ("1", "r", "a3"), ("1", "r", "a4"), ("2", "r", "b1")], 2, 1)
                .await;
        assert_eq!(at["a1"], Duration::ZERO);
        assert_eq!(at["b1"], Duration::ZERO, "{at:?}");
        assert_eq!(at["a4"], Duration::from_millis(300), "account 1 runs one at a time: {at:?}");
    }

    #[tokio::test(start_paused = true)]
    async fn regions_of_one_account_are_separate_budgets_and_the_global_bound_holds() {
        // Rate limits are per account-region: two regions run side by side, each one at a time;
        // six scopes under a global bound of 4 never run more than 4 at once.
        let at = schedule(&[("1", "r1", "a"), ("1", "r1", "b"), ("1", "r2", "c")], 8, 1).await;
        assert_eq!((at["a"], at["c"]), (Duration::ZERO, Duration::ZERO), "{at:?}");
        assert_eq!(at["b"], Duration::from_millis(100), "{at:?}");
        let specs: Vec<(String, String)> = (0..6).map(|i| (format!("{i}"), format!("t{i}"))).collect();
        let specs: Vec<(&str, &str, &str)> = specs.iter().map(|(a, n)| (a.as_str(), "r", n.as_str())).collect();
        let at = schedule(&specs, 4, 4).await;
        assert_eq!(at.values().filter(|d| d.is_zero()).count(), 4, "{at:?}");
        assert_eq!(at.values().filter(|d| **d == Duration::from_millis(100)).count(), 2, "{at:?}");
    }
}
