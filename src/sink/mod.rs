//! Sinks: where a finished scan goes. Every sink is checked before the scan starts (so a
//! half-hour scan does not end in "cannot write"), then handed the finished inventory.

pub mod cyclonedx;
pub mod file;
pub mod report;
pub mod sarif;
pub mod servicenow;
pub mod spool;
pub mod webhook;

use aimscope_core::Inventory;

use crate::analysis::delta::Delta;
use async_trait::async_trait;

pub use file::FileSink;
pub use report::ReportSink;

#[async_trait]
pub trait Sink: Send + Sync {
    /// A short name for messages, e.g. `file:/var/lib/aimscope/inventory.json`.
    fn describe(&self) -> String;
    /// Fails when the sink cannot take output (directory missing or not writable, ...).
    async fn healthcheck(&self) -> anyhow::Result<()>;
    async fn write(&self, inventory: &Inventory) -> anyhow::Result<()>;
    /// Takes what changed since the last recorded scan (agent mode). Default: nothing to do.
    async fn write_delta(&self, _delta: &Delta, _inventory: &Inventory) -> anyhow::Result<()> {
        Ok(())
    }
    /// Whether the agent hands this sink the full inventory every cycle (a file that must show
    /// the current state; a CMDB feed that reconciles itself) rather than only on snapshots.
    fn full_every_cycle(&self) -> bool {
        false
    }
    /// Messages waiting for delivery (the webhook spool).
    fn backlog(&self) -> u64 {
        0
    }
    /// Tries once more to deliver what is waiting (at agent shutdown); returns what is left.
    async fn drain(&self) -> anyhow::Result<u64> {
        Ok(0)
    }
}
