//! The agent's history store: an embedded SQLite database (bundled, no server).
//!
//! Per asset it keeps first seen, last seen, removed at, a content hash and the latest document
//! (the baseline the next scan is compared with); per run its outcome, coverage and counts;
//! per asset a timeline of added / changed / removed / reappeared events; findings as they
//! open and resolve, and the set open now.
//! Every scan is recorded in one transaction, so a scan cut short (SIGTERM, crash, full disk)
//! leaves the store exactly as the last complete recording left it.

use std::path::Path;

use aimscope_core::{Asset, Inventory};
use anyhow::Context;
use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

use crate::analysis::delta::{self, Baseline, Delta, FindingKey};

/// Bumped when the tables change shape.
const SCHEMA: i64 = 1;

/// Times are stored in one fixed-width UTC form, so SQL compares them as text correctly.
fn stamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

#[derive(Debug)]
pub struct History {
    db: Connection,
}

/// How a run ended, as history, metrics and the agent's log name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RunOutcome {
    /// Every scope was seen and every sink took the result.
    Completed,
    /// Some scope was not seen (the inventory says which).
    Partial,
    /// The result did not reach a sink, or history could not be read.
    Failed,
    /// Stopped by a signal before it finished; history is unchanged.
    Interrupted,
}

impl RunOutcome {
    pub const ALL: [RunOutcome; 4] =
        [RunOutcome::Completed, RunOutcome::Partial, RunOutcome::Failed, RunOutcome::Interrupted];

    pub fn as_str(self) -> &'static str {
        match self {
            RunOutcome::Completed => "completed",
            RunOutcome::Partial => "partial",
            RunOutcome::Failed => "failed",
            RunOutcome::Interrupted => "interrupted",
        }
    }

    /// The outcome of a scan that reached history: complete or not.
    pub fn of(inv: &Inventory) -> RunOutcome {
        if inv.run.complete { RunOutcome::Completed } else { RunOutcome::Partial }
    }
}

impl rusqlite::types::FromSql for RunOutcome {
    fn column_result(v: rusqlite::types::ValueRef<'_>) -> rusqlite::types::FromSqlResult<Self> {
        let text = v.as_str()?;
        RunOutcome::ALL
            .into_iter()
            .find(|o| o.as_str() == text)
            .ok_or_else(|| rusqlite::types::FromSqlError::Other(format!("unknown run status `{text}`").into()))
    }
}

/// One recorded run.
#[derive(Debug, Clone, Serialize)]
pub struct RunRow {
    pub id: String,
    pub started_at: String,
    pub finished_at: Option<String>,
    /// Never `failed`: a run whose history could not be read is not recorded.
    pub status: RunOutcome,
    pub snapshot: bool,
    pub assets: i64,
    pub findings: i64,
    pub added: i64,
    pub changed: i64,
    pub removed: i64,
    pub gaps: i64,
}

/// One event of an asset's timeline.
#[derive(Debug, Clone, Serialize)]
pub struct Event {
    pub run_id: String,
    pub at: String,
    pub change: String,
    pub fields: Vec<String>,
}

/// An asset's row and timeline.
#[derive(Debug, Clone, Serialize)]
pub struct Timeline {
    pub id: String,
    pub first_seen: String,
    pub last_seen: String,
    pub removed_at: Option<String>,
    pub hash: String,
    pub events: Vec<Event>,
}

impl Timeline {
    /// For people: the asset's lifetime, then one line per event.
    pub fn to_text(&self) -> String {
        let mut out = format!(
            "{}\n  first seen {}  last seen {}{}\n",
            self.id,
            self.first_seen,
            self.last_seen,
            self.removed_at.as_deref().map(|r| format!("  removed {r}")).unwrap_or_default()
        );
        for e in &self.events {
            out.push_str(&format!("  {}  {:<10} run {}  {}\n", e.at, e.change, e.run_id, e.fields.join(", ")));
        }
        out
    }
}

/// For people: one line per run, newest first.
pub fn runs_table(runs: &[RunRow]) -> String {
    let mut out = format!(
        "{:<36}  {:<19}  {:<11}  {:>6}  {:>5}  {:>5}  {:>5}  {:>4}  snapshot\n",
        "run", "finished (UTC)", "status", "assets", "added", "chg", "rm", "gaps"
    );
    for r in runs {
        // `2026-01-01T10:00:00.000Z` → `2026-01-01 10:00:00`
        let finished: String = r.finished_at.as_deref().unwrap_or_default().chars().take(19).collect();
        out.push_str(&format!(
            "{:<36}  {:<19}  {:<11}  {:>6}  {:>5}  {:>5}  {:>5}  {:>4}  {}\n",
            r.id,
            finished.replace('T', " "),
            r.status.as_str(),
            r.assets,
            r.added,
            r.changed,
            r.removed,
            r.gaps,
            if r.snapshot { "yes" } else { "" }
        ));
    }
    out
}

impl History {
    pub fn open(path: &Path) -> anyhow::Result<History> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
        }
        let db = Connection::open(path).with_context(|| format!("cannot open history {}", path.display()))?;
        db.busy_timeout(std::time::Duration::from_secs(10))?;
        db.pragma_update(None, "journal_mode", "WAL")?;
        db.pragma_update(None, "synchronous", "NORMAL")?;
        db.execute_batch(
            "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
             CREATE TABLE IF NOT EXISTS runs (
                 seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE,
                 started_at TEXT NOT NULL, finished_at TEXT, status TEXT NOT NULL,
                 snapshot INTEGER NOT NULL DEFAULT 0, assets INTEGER NOT NULL DEFAULT 0,
                 findings INTEGER NOT NULL DEFAULT 0, added INTEGER NOT NULL DEFAULT 0,
                 changed INTEGER NOT NULL DEFAULT 0, removed INTEGER NOT NULL DEFAULT 0,
                 gaps INTEGER NOT NULL DEFAULT 0, coverage TEXT);
             CREATE TABLE IF NOT EXISTS assets (
                 id TEXT PRIMARY KEY, cloud TEXT NOT NULL, account TEXT NOT NULL, kind TEXT NOT NULL,
                 first_seen TEXT NOT NULL, last_seen TEXT NOT NULL, removed_at TEXT,
                 hash TEXT NOT NULL, doc TEXT NOT NULL);
             CREATE TABLE IF NOT EXISTS asset_events (
                 run_id TEXT NOT NULL, asset_id TEXT NOT NULL, at TEXT NOT NULL,
                 change TEXT NOT NULL, fields TEXT NOT NULL DEFAULT '[]');
             CREATE INDEX IF NOT EXISTS asset_events_by_asset ON asset_events (asset_id);
             CREATE TABLE IF NOT EXISTS finding_events (
                 run_id TEXT NOT NULL, at TEXT NOT NULL, change TEXT NOT NULL, rule_id TEXT NOT NULL,
                 asset_id TEXT NOT NULL, severity TEXT NOT NULL, message TEXT NOT NULL);
             CREATE TABLE IF NOT EXISTS open_findings (
                 rule_id TEXT NOT NULL, asset_id TEXT NOT NULL, severity TEXT NOT NULL,
                 message TEXT NOT NULL, first_seen TEXT NOT NULL, PRIMARY KEY (rule_id, asset_id));",
        )?;
        let version: Option<String> =
            db.query_row("SELECT value FROM meta WHERE key = 'schema'", [], |r| r.get(0)).optional()?;
        match version.map(|v| v.parse::<i64>()) {
            None => {
                db.execute("INSERT INTO meta (key, value) VALUES ('schema', ?1)", [SCHEMA.to_string()])?;
            }
            Some(Ok(SCHEMA)) => {}
            Some(v) => anyhow::bail!(
                "history {} has schema {v:?}; this aimscope reads schema {SCHEMA} (use a new history path)",
                path.display()
            ),
        }
        Ok(History { db })
    }

    /// What the next scan is compared with: live assets, open findings, the last recorded run.
    pub fn baseline(&self) -> anyhow::Result<Baseline> {
        let run_id: Option<String> = self
            .db
            .query_row("SELECT id FROM runs WHERE status != 'interrupted' ORDER BY seq DESC LIMIT 1", [], |r| r.get(0))
            .optional()?;
        let mut base = Baseline { run_id, ..Default::default() };
        let mut stmt = self.db.prepare("SELECT id, doc FROM assets WHERE removed_at IS NULL")?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
        for row in rows {
            let (id, doc) = row?;
            let mut asset: Asset = serde_json::from_str(&doc)
                .with_context(|| format!("history: asset {id} has an unreadable document"))?;
            asset.upgrade();
            base.assets.insert(id, asset);
        }
        let mut stmt = self.db.prepare("SELECT rule_id, asset_id FROM open_findings")?;
        for k in stmt.query_map([], |r| Ok(FindingKey { rule_id: r.get(0)?, asset_id: r.get(1)? }))? {
            base.findings.insert(k?);
        }
        Ok(base)
    }

    /// When the last full snapshot was delivered.
    pub fn last_snapshot(&self) -> anyhow::Result<Option<DateTime<Utc>>> {
        let at: Option<String> = self
            .db
            .query_row("SELECT finished_at FROM runs WHERE snapshot = 1 ORDER BY seq DESC LIMIT 1", [], |r| r.get(0))
            .optional()?;
        Ok(at.and_then(|s| DateTime::parse_from_rfc3339(&s).ok()).map(|t| t.with_timezone(&Utc)))
    }

    /// Records a finished scan and its delta in one transaction.
    pub fn record(&mut self, inv: &Inventory, delta: &Delta, snapshot: bool) -> anyhow::Result<()> {
        let at = stamp(inv.run.finished_at);
        let tx = self.db.transaction()?;
        let gaps = inv.gaps().count() as i64;
        tx.execute(
            "INSERT INTO runs (id, started_at, finished_at, status, snapshot, assets, findings, added, changed, removed, gaps, coverage)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
            params![
                inv.run.id,
                stamp(inv.run.started_at),
                at,
                RunOutcome::of(inv).as_str(),
                snapshot,
                inv.assets.len() as i64,
                inv.findings.len() as i64,
                delta.added.len() as i64,
                delta.changed.len() as i64,
                delta.removed.len() as i64,
                gaps,
                serde_json::to_string(&inv.coverage)?,
            ],
        )?;
        {
            let mut event = tx.prepare(
                "INSERT INTO asset_events (run_id, asset_id, at, change, fields) VALUES (?1, ?2, ?3, ?4, ?5)",
            )?;
            let mut upsert = tx.prepare(
                "INSERT INTO assets (id, cloud, account, kind, first_seen, last_seen, removed_at, hash, doc)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?5, NULL, ?6, ?7)
                 ON CONFLICT (id) DO UPDATE SET last_seen = ?5, removed_at = NULL, hash = ?6, doc = ?7,
                     cloud = ?2, account = ?3, kind = ?4",
            )?;
            let mut seen = tx.prepare("UPDATE assets SET last_seen = ?2 WHERE id = ?1")?;
            let mut was_removed = tx.prepare("SELECT removed_at IS NOT NULL FROM assets WHERE id = ?1")?;
            let added: std::collections::HashSet<&str> = delta.added.iter().map(|a| a.id.as_str()).collect();
            let changed: std::collections::HashMap<&str, &Vec<String>> =
                delta.changed.iter().map(|c| (c.id.as_str(), &c.fields)).collect();
            for a in &inv.assets {
                let id = a.id.as_str();
                if added.contains(id) || changed.contains_key(id) {
                    let kind = if added.contains(id) {
                        let back: Option<bool> = was_removed.query_row([id], |r| r.get(0)).optional()?;
                        if back == Some(true) { "reappeared" } else { "added" }
                    } else {
                        "changed"
                    };
                    let fields = changed.get(id).map(serde_json::to_string).transpose()?;
                    upsert.execute(params![
                        id,
                        a.cloud.as_str(),
                        a.account,
                        a.kind.as_str(),
                        at,
                        delta::content_hash(a),
                        serde_json::to_string(a)?,
                    ])?;
                    event.execute(params![inv.run.id, id, at, kind, fields.unwrap_or_else(|| "[]".into())])?;
                } else {
                    seen.execute(params![id, at])?;
                }
            }
            let mut remove = tx.prepare("UPDATE assets SET removed_at = ?2 WHERE id = ?1")?;
            for r in &delta.removed {
                remove.execute(params![r.id, at])?;
                event.execute(params![inv.run.id, r.id, at, "removed", "[]"])?;
            }
            // Findings are kept as they open and resolve (the run row counts them all), so a
            // large estate's unchanged findings do not grow the file every cycle.
            let mut finding = tx.prepare(
                "INSERT INTO finding_events (run_id, at, change, rule_id, asset_id, severity, message)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?;
            let mut open = tx.prepare(
                "INSERT INTO open_findings (rule_id, asset_id, severity, message, first_seen) VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT DO NOTHING",
            )?;
            for f in &delta.new_findings {
                let severity = f.severity.as_str();
                finding.execute(params![inv.run.id, at, "new", f.rule_id, f.asset_id, severity, f.message])?;
                open.execute(params![f.rule_id, f.asset_id, severity, f.message, at])?;
            }
            let mut resolve = tx.prepare(
                "DELETE FROM open_findings WHERE rule_id = ?1 AND asset_id = ?2 RETURNING severity, message",
            )?;
            for k in &delta.resolved_findings {
                let gone: Option<(String, String)> =
                    resolve.query_row(params![k.rule_id, k.asset_id], |r| Ok((r.get(0)?, r.get(1)?))).optional()?;
                let (severity, message) = gone.unwrap_or_default();
                finding.execute(params![inv.run.id, at, "resolved", k.rule_id, k.asset_id, severity, message])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Records a scan that was stopped before it finished: the run is listed, nothing else
    /// changes.
    pub fn record_interrupted(&self, run_id: &str, started_at: DateTime<Utc>) -> anyhow::Result<()> {
        self.db.execute(
            "INSERT INTO runs (id, started_at, finished_at, status) VALUES (?1, ?2, ?3, ?4)",
            params![run_id, stamp(started_at), stamp(Utc::now()), RunOutcome::Interrupted.as_str()],
        )?;
        Ok(())
    }

    /// Forgets runs, their findings and asset events older than `before`; asset rows (first
    /// seen, last seen, removed at) stay, so lifetimes survive retention. Returns runs dropped.
    pub fn prune(&mut self, before: DateTime<Utc>) -> anyhow::Result<usize> {
        let cut = stamp(before);
        let tx = self.db.transaction()?;
        tx.execute("DELETE FROM finding_events WHERE at < ?1", [&cut])?;
        tx.execute("DELETE FROM asset_events WHERE at < ?1", [&cut])?;
        let runs = tx.execute("DELETE FROM runs WHERE COALESCE(finished_at, started_at) < ?1", [&cut])?;
        tx.commit()?;
        Ok(runs)
    }

    /// The newest runs first.
    pub fn runs(&self, limit: usize) -> anyhow::Result<Vec<RunRow>> {
        let mut stmt = self.db.prepare(
            "SELECT id, started_at, finished_at, status, snapshot, assets, findings, added, changed, removed, gaps
             FROM runs ORDER BY seq DESC LIMIT ?1",
        )?;
        let rows = stmt.query_map([limit as i64], |r| {
            Ok(RunRow {
                id: r.get(0)?,
                started_at: r.get(1)?,
                finished_at: r.get(2)?,
                status: r.get(3)?,
                snapshot: r.get(4)?,
                assets: r.get(5)?,
                findings: r.get(6)?,
                added: r.get(7)?,
                changed: r.get(8)?,
                removed: r.get(9)?,
                gaps: r.get(10)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// What the scope report needs from the history: the version `inv` supersedes with what
    /// changed since, and each asset's first-seen / last-changed times. When `inv` itself is
    /// the latest recorded run, its own recorded counts are the change; otherwise it is
    /// compared with the recorded state.
    pub fn report_view(
        &self,
        inv: &Inventory,
    ) -> anyhow::Result<(Option<crate::report::Previous>, crate::report::Timelines)> {
        let runs: Vec<RunRow> = self.runs(50)?.into_iter().filter(|r| r.status != RunOutcome::Interrupted).collect();
        let previous = match runs.iter().position(|r| r.id == inv.run.id) {
            Some(k) => runs.get(k + 1).map(|p| crate::report::Previous {
                run_id: p.id.clone(),
                at: p.finished_at.clone(),
                added: runs[k].added.max(0) as u64,
                changed: runs[k].changed.max(0) as u64,
                removed: runs[k].removed.max(0) as u64,
                unseen: 0,
            }),
            None => match runs.first() {
                Some(p) => {
                    let d = crate::analysis::delta::compute(&self.baseline()?, inv);
                    Some(crate::report::Previous {
                        run_id: p.id.clone(),
                        at: p.finished_at.clone(),
                        added: d.added.len() as u64,
                        changed: d.changed.len() as u64,
                        removed: d.removed.len() as u64,
                        unseen: d.unseen.len() as u64,
                    })
                }
                None => None,
            },
        };
        let mut timelines = crate::report::Timelines::new();
        let mut stmt = self.db.prepare(
            "SELECT a.id, a.first_seen, COALESCE((SELECT MAX(e.at) FROM asset_events e WHERE e.asset_id = a.id AND e.change IN ('added', 'changed', 'reappeared')), a.first_seen) FROM assets a",
        )?;
        let rows =
            stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?)))?;
        for row in rows {
            let (id, first, changed) = row?;
            timelines.insert(id, (first, changed));
        }
        Ok((previous, timelines))
    }

    /// One asset's row and its events, oldest first.
    pub fn timeline(&self, id: &str) -> anyhow::Result<Option<Timeline>> {
        let row = self
            .db
            .query_row("SELECT first_seen, last_seen, removed_at, hash FROM assets WHERE id = ?1", [id], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, Option<String>>(2)?, r.get(3)?))
            })
            .optional()?;
        let Some((first_seen, last_seen, removed_at, hash)) = row else { return Ok(None) };
        let mut stmt = self
            .db
            .prepare("SELECT run_id, at, change, fields FROM asset_events WHERE asset_id = ?1 ORDER BY rowid")?;
        let events = stmt
            .query_map([id], |r| {
                let fields: String = r.get(3)?;
                Ok(Event {
                    run_id: r.get(0)?,
                    at: r.get(1)?,
                    change: r.get(2)?,
                    fields: serde_json::from_str(&fields).unwrap_or_default(),
                })
            })?
            .collect::<Result<_, _>>()?;
        Ok(Some(Timeline { id: id.to_owned(), first_seen, last_seen, removed_at, hash, events }))
    }
}

#[cfg(test)]
mod tests {
    use aimscope_core::{AssetKind, Cloud, Coverage, CoverageStatus, Service, ToolInfo};

    use super::*;

    fn inv(run: &str, assets: Vec<Asset>, denied: Option<&str>) -> Inventory {
        let mut coverage = vec![Coverage {
            cloud: Cloud::Aws,
            account: Some("1".into()),
            region: None,
            collector: "sagemaker.models".into(),
            status: CoverageStatus::Complete,
            assets: 0,
            error: None,
            duration_ms: 0,
        }];
        if let Some(acct) = denied {
            coverage.push(Coverage {
                account: Some(acct.into()),
                status: CoverageStatus::Denied,
                ..coverage[0].clone()
            });
        }
        Inventory::new(
            ToolInfo { name: "t".into(), version: "0".into() },
            run,
            Utc::now(),
            vec![Cloud::Aws],
            assets,
            coverage,
        )
    }

    fn model(id: &str, account: &str) -> Asset {
        Asset::new(id, Cloud::Aws, account, None, AssetKind::Model, Service::Sagemaker, id)
    }

    #[test]
    fn report_view_names_the_superseded_run_and_what_changed() -> anyhow::Result<()> {
        let dir = tempfile::tempdir()?;
        let mut h = History::open(&dir.path().join("h.db"))?;
        let one = inv("r1", vec![model("a", "1"), model("b", "2")], None);
        assert_eq!(h.report_view(&one)?.0, None, "nothing recorded: nothing superseded");
        let d = delta::compute(&h.baseline()?, &one);
        h.record(&one, &d, true)?;
        let mut a2 = model("a", "1");
        a2.tags.insert("owner".into(), "x".into());
        let two = inv("r2", vec![a2, model("c", "1")], Some("2"));

        // Not yet recorded: compared with the recorded state (b unseen, not removed).
        let (prev, timelines) = h.report_view(&two)?;
        let prev = prev.expect("supersedes r1");
        assert_eq!((prev.run_id.as_str(), prev.added, prev.changed, prev.removed, prev.unseen), ("r1", 1, 1, 0, 1));
        assert!(timelines.contains_key("a") && !timelines.contains_key("c"));

        // Recorded (the agent's case): the run's own counts, and the run before it.
        let d = delta::compute(&h.baseline()?, &two);
        h.record(&two, &d, false)?;
        let (prev, timelines) = h.report_view(&two)?;
        let prev = prev.expect("supersedes r1");
        assert_eq!((prev.run_id.as_str(), prev.added, prev.changed, prev.removed), ("r1", 1, 1, 0));
        let (first, changed) = timelines.get("a").expect("a's timeline");
        assert!(first <= changed, "first seen {first}, last changed {changed}");
        Ok(())
    }

    #[test]
    fn three_runs_keep_first_seen_and_never_remove_what_was_not_seen() -> anyhow::Result<()> {
        let dir = tempfile::tempdir()?;
        let mut h = History::open(&dir.path().join("h.db"))?;
        let mut one = inv("r1", vec![model("a", "1"), model("b", "2")], None);
        one.findings = vec![aimscope_core::Finding {
            rule_id: "R".into(),
            severity: aimscope_core::Severity::Medium,
            asset_id: "b".into(),
            message: "m".into(),
            evidence: Default::default(),
            controls: vec![],
        }];
        let d = delta::compute(&h.baseline()?, &one);
        assert_eq!(d.added.len(), 2);
        h.record(&one, &d, true)?;

        // Account 2 denied: b is unseen, not removed; a changed.
        let mut a2 = model("a", "1");
        a2.tags.insert("owner".into(), "x".into());
        let two = inv("r2", vec![a2], Some("2"));
        let d = delta::compute(&h.baseline()?, &two);
        assert_eq!((d.added.len(), d.changed.len(), d.removed.len(), d.unseen.len()), (0, 1, 0, 1));
        h.record(&two, &d, false)?;
        assert!(h.timeline("b")?.is_some_and(|t| t.removed_at.is_none()));
        assert_eq!(h.baseline()?.findings.len(), 1, "b was not seen: its finding stays open");

        // Account 2 seen again without b: now it is removed.
        let three = inv("r3", vec![model("a", "1")], None);
        let three = Inventory {
            coverage: [
                three.coverage.clone(),
                vec![Coverage { account: Some("2".into()), ..three.coverage[0].clone() }],
            ]
            .concat(),
            ..three
        };
        let d = delta::compute(&h.baseline()?, &three);
        assert_eq!(d.removed.len(), 1);
        h.record(&three, &d, false)?;
        let t = h.timeline("b")?.expect("b");
        assert!(t.removed_at.is_some());
        assert_eq!(t.events.iter().map(|e| e.change.as_str()).collect::<Vec<_>>(), ["added", "removed"]);
        let a = h.timeline("a")?.expect("a");
        assert_eq!(a.events[1].fields, ["tags.owner"]);
        assert_eq!(h.runs(10)?.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(), ["r3", "r2", "r1"]);
        let table = runs_table(&h.runs(10)?);
        assert_eq!(table.lines().count(), 4, "{table}");
        assert!(table.lines().nth(2).is_some_and(|l| l.starts_with("r2 ") && l.contains("partial")), "{table}");
        let text = t.to_text();
        assert!(text.starts_with("b\n") && text.contains(" removed ") && text.contains("added"), "{text}");
        assert_eq!(h.baseline()?.assets.len(), 1);
        assert!(h.baseline()?.findings.is_empty(), "resolved once b was seen gone");

        // Retention drops old runs and events but keeps every asset's lifetime.
        assert_eq!(h.prune(Utc::now() + chrono::Duration::seconds(1))?, 3);
        assert!(h.runs(10)?.is_empty());
        let b = h.timeline("b")?.expect("b is still known");
        assert!(b.events.is_empty() && b.removed_at.is_some());
        Ok(())
    }
}
