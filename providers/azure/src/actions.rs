//! Counts every Resource Manager operation the scanner calls, for the run record.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

#[derive(Debug, Clone, Default)]
pub struct CallLog(Arc<Mutex<BTreeMap<String, u64>>>);

impl CallLog {
    pub fn record(&self, op: &str) {
        if let Ok(mut m) = self.0.lock() {
            *m.entry(op.to_owned()).or_default() += 1;
        }
    }

    pub fn snapshot(&self) -> BTreeMap<String, u64> {
        self.0.lock().map(|m| m.clone()).unwrap_or_default()
    }
}
