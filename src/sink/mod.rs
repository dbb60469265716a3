//! Sinks: where a finished scan goes. Every sink is checked before the scan starts (so a
//! half-hour scan does not end in "cannot write"), then handed the finished inventory.

pub mod cyclonedx;
pub mod file;
pub mod sarif;
pub mod servicenow;
pub mod spool;
pub mod webhook;

use aimscope_core::Inventory;
use async_trait::async_trait;

pub use file::FileSink;

#[async_trait]
pub trait Sink: Send + Sync {
    /// A short name for messages, e.g. `file:/var/lib/aimscope/inventory.json`.
    fn describe(&self) -> String;
    /// Fails when the sink cannot take output (directory missing or not writable, ...).
    async fn healthcheck(&self) -> anyhow::Result<()>;
    async fn write(&self, inventory: &Inventory) -> anyhow::Result<()>;
}
