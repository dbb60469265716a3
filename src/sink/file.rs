//! The file sink: JSON document, JSON Lines, or CSV, written atomically (a temp file in the
//! target directory, fsync, rename), so a crash never leaves a half-written inventory.

use std::io::Write;
use std::path::{Path, PathBuf};

use aimscope_core::Inventory;
use anyhow::Context;
use async_trait::async_trait;
use serde::Serialize;

use super::Sink;
use crate::config::Format;

#[derive(Debug, Clone)]
pub struct FileSink {
    /// `None` writes to stdout.
    pub path: Option<PathBuf>,
    pub format: Format,
    /// Create the directory if missing (`--out-dir`); a plain `--out` into a missing directory
    /// is more likely a typo, so it stays an error.
    pub create_dir: bool,
    /// Where the agent's deltas go (JSON, whatever the inventory's format): beside the file
    /// ([`FileSink::delta_beside`]), or for an output directory once, from one of its sinks.
    pub delta: Option<PathBuf>,
}

impl FileSink {
    /// `inventory.json` → `inventory.delta.json` in the same directory.
    pub fn delta_beside(path: &Path) -> PathBuf {
        let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "inventory".into());
        parent_dir(path).join(format!("{stem}.delta.json"))
    }

    /// Writes `bytes` to the sink's target: atomically to a file, straight through to stdout.
    pub fn write_bytes(&self, bytes: &[u8]) -> anyhow::Result<()> {
        match &self.path {
            None => {
                let mut out = std::io::stdout().lock();
                out.write_all(bytes)?;
                out.flush()?;
                Ok(())
            }
            Some(path) => write_atomic(path, bytes),
        }
    }
}

#[async_trait]
impl Sink for FileSink {
    fn describe(&self) -> String {
        match &self.path {
            Some(p) => format!("file:{}", p.display()),
            None => "stdout".into(),
        }
    }

    async fn healthcheck(&self) -> anyhow::Result<()> {
        let Some(path) = &self.path else {
            return Ok(());
        };
        let dir = parent_dir(path);
        if self.create_dir {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create output directory {}", dir.display()))?;
        }
        // Creating (and dropping) a temp file proves the rename target's directory is writable.
        tempfile::NamedTempFile::new_in(dir)
            .with_context(|| format!("output directory {} is not writable", dir.display()))?;
        Ok(())
    }

    async fn write(&self, inventory: &Inventory) -> anyhow::Result<()> {
        let mut buf = Vec::with_capacity(64 * 1024);
        render(inventory, self.format, &mut buf)?;
        self.write_bytes(&buf)
    }

    async fn write_delta(&self, delta: &crate::analysis::delta::Delta, _inventory: &Inventory) -> anyhow::Result<()> {
        let Some(target) = &self.delta else { return Ok(()) };
        write_atomic(target, &serde_json::to_vec_pretty(delta)?)
    }

    fn full_every_cycle(&self) -> bool {
        true
    }
}

fn parent_dir(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// Writes `bytes` to `path` via a synced temp file in the same directory and a rename.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    // A symlink is followed: the file it points at is replaced, the link stays.
    let target = match std::fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => {
            std::fs::canonicalize(path).with_context(|| format!("cannot follow the symlink {}", path.display()))?
        }
        _ => path.to_owned(),
    };
    let existing = std::fs::metadata(&target).ok();
    if let Some(m) = &existing
        && !m.is_file()
    {
        // A FIFO, a character device (`/dev/stdout`, `/dev/null`) or a socket: written straight
        // through. Renaming a temp file over it would replace it with a regular file.
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .open(&target)
            .with_context(|| format!("cannot open {}", target.display()))?;
        f.write_all(bytes).with_context(|| format!("cannot write {}", target.display()))?;
        f.flush().with_context(|| format!("cannot write {}", target.display()))?;
        return Ok(());
    }
    let dir = parent_dir(&target);
    let mut tmp = tempfile::NamedTempFile::new_in(dir)
        .with_context(|| format!("cannot create a temporary file in {}", dir.display()))?;
    tmp.write_all(bytes)?;
    // An existing file keeps its mode; a new one is private (0600: an inventory maps an estate).
    if let Some(m) = &existing {
        tmp.as_file()
            .set_permissions(m.permissions())
            .with_context(|| format!("cannot keep the mode of {}", target.display()))?;
    }
    tmp.as_file().sync_all()?;
    tmp.persist(&target).with_context(|| format!("cannot write {}", target.display()))?;
    Ok(())
}

#[cfg(all(test, unix))]
mod write_tests {
    use std::os::unix::fs::{FileTypeExt, PermissionsExt};

    use super::write_atomic;

    #[test]
    fn a_symlink_is_followed_and_the_mode_kept() {
        let dir = tempfile::tempdir().expect("tempdir");
        let real = dir.path().join("real.json");
        std::fs::write(&real, b"old").expect("write");
        std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o644)).expect("chmod");
        let link = dir.path().join("link.json");
        std::os::unix::fs::symlink(&real, &link).expect("symlink");
        write_atomic(&link, b"new").expect("write through the link");
        assert!(std::fs::symlink_metadata(&link).expect("meta").file_type().is_symlink(), "the link stays a link");
        assert_eq!(std::fs::read(&real).expect("read"), b"new");
        assert_eq!(std::fs::metadata(&real).expect("meta").permissions().mode() & 0o777, 0o644);
        let names: Vec<_> = std::fs::read_dir(dir.path()).expect("ls").flatten().map(|e| e.file_name()).collect();
        assert_eq!(names.len(), 2, "no temporary file left: {names:?}");
    }

    #[test]
    fn a_new_file_is_private_and_a_device_stays_a_device() {
        let dir = tempfile::tempdir().expect("tempdir");
        let new = dir.path().join("inv.json");
        write_atomic(&new, b"{}").expect("write");
        assert_eq!(std::fs::metadata(&new).expect("meta").permissions().mode() & 0o777, 0o600);
        write_atomic(std::path::Path::new("/dev/null"), b"{}").expect("write to /dev/null");
        assert!(std::fs::metadata("/dev/null").expect("meta").file_type().is_char_device());
    }

    #[test]
    fn a_fifo_is_written_through() {
        let dir = tempfile::tempdir().expect("tempdir");
        let fifo = dir.path().join("out.fifo");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        if !made.is_ok_and(|s| s.success()) {
            eprintln!("mkfifo unavailable; skipped");
            return;
        }
        let reader = {
            let fifo = fifo.clone();
            std::thread::spawn(move || std::fs::read(&fifo).unwrap_or_default())
        };
        write_atomic(&fifo, b"through the pipe").expect("write to the FIFO");
        assert_eq!(reader.join().unwrap_or_default(), b"through the pipe");
        assert!(std::fs::metadata(&fifo).expect("meta").file_type().is_fifo(), "still a FIFO");
    }
}

/// A JSON Lines record: `{"type": "asset", ...fields}`.
#[derive(Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum Record<'a> {
    Run {
        schema_version: &'a str,
        tool: &'a aimscope_core::ToolInfo,
        run: &'a aimscope_core::RunInfo,
    },
    Asset(&'a aimscope_core::Asset),
    Relation {
        from: &'a str,
        kind: aimscope_core::RelationKind,
        target: &'a str,
        #[serde(skip_serializing_if = "Option::is_none")]
        reference: Option<&'a str>,
    },
    Finding(&'a aimscope_core::Finding),
    Coverage(&'a aimscope_core::Coverage),
}

/// Renders the inventory in `format`.
pub fn render(inv: &Inventory, format: Format, out: &mut Vec<u8>) -> anyhow::Result<()> {
    match format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut *out, inv)?;
            out.push(b'\n');
        }
        Format::Cyclonedx => out.extend(super::cyclonedx::render(inv)?),
        Format::Sarif => out.extend(super::sarif::render(inv)?),
        Format::Servicenow => out.extend(super::servicenow::render(inv)?),
        // The scope document needs the configuration; it has its own sink.
        Format::Html | Format::Markdown => anyhow::bail!("the report formats are written by the report sink"),
        Format::Jsonl => {
            let mut line = |r: Record| -> anyhow::Result<()> {
                serde_json::to_writer(&mut *out, &r)?;
                out.push(b'\n');
                Ok(())
            };
            line(Record::Run { schema_version: &inv.schema_version, tool: &inv.tool, run: &inv.run })?;
            for a in &inv.assets {
                line(Record::Asset(a))?;
            }
            for a in &inv.assets {
                for r in &a.relations {
                    line(Record::Relation {
                        from: &a.id,
                        kind: r.kind,
                        target: &r.target,
                        reference: r.reference.as_deref(),
                    })?;
                }
            }
            for f in &inv.findings {
                line(Record::Finding(f))?;
            }
            for c in &inv.coverage {
                line(Record::Coverage(c))?;
            }
        }
        Format::Csv => {
            let mut w = csv::Writer::from_writer(&mut *out);
            w.write_record([
                "id",
                "cloud",
                "account",
                "region",
                "kind",
                "service",
                "name",
                "status",
                "raw_status",
                "created_at",
                "owner",
                "declared_classification",
                "effective_classification",
                "lifecycle_stage",
                "relations",
                "tags",
                "details",
            ])?;
            for a in &inv.assets {
                let relations: Vec<String> =
                    a.relations.iter().map(|r| format!("{}:{}", r.kind.as_str(), r.target)).collect();
                let tags: Vec<String> = a.tags.iter().map(|(k, v)| format!("{k}={v}")).collect();
                let details = if a.is_partial() { "partial" } else { "" };
                let row = [
                    a.id.as_str(),
                    a.cloud.as_str(),
                    &a.account,
                    a.region.as_deref().unwrap_or(""),
                    a.kind.as_str(),
                    a.service.as_str(),
                    &a.name,
                    a.status.as_str(),
                    a.raw_status.as_deref().unwrap_or(""),
                    &a.created_at.map(|t| t.to_rfc3339()).unwrap_or_default(),
                    a.owner.as_deref().unwrap_or(""),
                    a.declared_classification.as_deref().unwrap_or(""),
                    a.effective_classification.as_ref().map(|c| c.level.as_str()).unwrap_or(""),
                    a.lifecycle_stage.map_or("", |s| s.as_str()),
                    &relations.join(";"),
                    &tags.join(";"),
                    details,
                ];
                w.write_record(row.iter().map(|c| neutralise(c).into_owned()))?;
            }
            w.flush()?;
        }
    }
    Ok(())
}

/// A CSV cell that a spreadsheet will not run as a formula (OWASP "CSV injection"): a cell that
/// starts with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading `'`. Tag values
/// and names are written by whoever can tag a cloud resource, not by the auditor.
pub fn neutralise(cell: &str) -> std::borrow::Cow<'_, str> {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        std::borrow::Cow::Owned(format!("'{cell}"))
    } else {
        std::borrow::Cow::Borrowed(cell)
    }
}

#[cfg(test)]
mod csv_tests {
    use super::neutralise;

    #[test]
    fn formula_cells_are_neutralised() {
        for bad in ["=HYPERLINK(\"http://x\")", "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx"] {
            assert!(neutralise(bad).starts_with('\''), "{bad}");
        }
        for fine in ["claims-v3", "arn:aws:s3:::b", "owner=team", ""] {
            assert_eq!(neutralise(fine), fine);
        }
    }
}
