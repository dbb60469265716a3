//! The report sink: the AIMS scope document (HTML or Markdown) written after every scan, so a
//! scheduled agent keeps the auditor's copy current. With the agent's history it also says
//! which version it supersedes and what changed since.

use std::path::PathBuf;
use std::sync::Arc;

use aimscope_core::Inventory;
use async_trait::async_trait;

use super::Sink;
use super::file::FileSink;
use crate::report::{ReportFormat, Settings};

#[derive(Debug, Clone)]
pub struct ReportSink {
    /// `None` writes to stdout.
    pub path: Option<PathBuf>,
    pub format: ReportFormat,
    pub settings: Arc<Settings>,
    /// The agent's history database: the superseded version and when each asset first appeared.
    pub history: Option<PathBuf>,
    /// Create the directory if missing (`--out-dir`).
    pub create_dir: bool,
}

impl ReportSink {
    /// The file sink with the same target, for the checks and writes they share.
    fn file(&self) -> FileSink {
        FileSink {
            path: self.path.clone(),
            format: crate::config::Format::Json,
            create_dir: self.create_dir,
            delta: None,
        }
    }
}

#[async_trait]
impl Sink for ReportSink {
    fn describe(&self) -> String {
        match &self.path {
            Some(p) => format!("report:{}", p.display()),
            None => "report:stdout".into(),
        }
    }

    async fn healthcheck(&self) -> anyhow::Result<()> {
        self.file().healthcheck().await
    }

    async fn write(&self, inventory: &Inventory) -> anyhow::Result<()> {
        // The document control names the inventory's SHA-256: the JSON document as the file
        // sink writes it, so an auditor can check the report against the inventory file.
        let mut json = Vec::with_capacity(64 * 1024);
        super::file::render(inventory, crate::config::Format::Json, &mut json)?;
        let sha = crate::report::sha256_hex(&json);
        let text = crate::report::render(inventory, &sha, &self.settings, self.history.as_deref(), self.format)?;
        self.file().write_bytes(text.as_bytes())
    }

    /// The agent rewrites the document every cycle: it must always describe the current scope.
    fn full_every_cycle(&self) -> bool {
        true
    }
}
