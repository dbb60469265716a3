//! Progress bar on stderr. Hidden when stderr is not a terminal or with `--no-progress`.

use std::io::Write;
use std::sync::Mutex;

use aimscope_core::{Cloud, Coverage};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::runner::Progress;

/// The bar on screen, if any: log lines are written around it, not through it, so a warning
/// during a scan does not leave a stale copy of the bar behind on the terminal.
static ACTIVE: Mutex<Option<ProgressBar>> = Mutex::new(None);

/// The logger's stderr: suspends the visible bar for each line.
#[derive(Debug, Clone, Copy, Default)]
pub struct LogWriter;

impl Write for LogWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let active = ACTIVE.lock().ok().and_then(|g| g.clone());
        match active {
            Some(bar) => bar.suspend(|| std::io::stderr().write_all(buf)).map(|()| buf.len()),
            None => std::io::stderr().write(buf),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        std::io::stderr().flush()
    }
}

#[derive(Debug)]
pub struct Bar {
    bar: ProgressBar,
}

impl Bar {
    pub fn new(visible: bool) -> Bar {
        let target = if visible { ProgressDrawTarget::stderr() } else { ProgressDrawTarget::hidden() };
        let bar = ProgressBar::with_draw_target(Some(0), target);
        // No bar until there are collectors to count: an empty one would draw as full.
        if let Ok(style) = ProgressStyle::with_template("{spinner} [{elapsed_precise}] {msg}") {
            bar.set_style(style);
        }
        bar.set_message("discovering scopes");
        if visible {
            // The spinner and clock move while a slow call is in flight: the scan is not stuck.
            bar.enable_steady_tick(std::time::Duration::from_millis(120));
            if let Ok(mut a) = ACTIVE.lock() {
                *a = Some(bar.clone());
            }
        }
        Bar { bar }
    }
}

impl Progress for Bar {
    fn provider_started(&self, cloud: Cloud) {
        self.bar.set_message(format!("discovering {cloud} scopes"));
    }
    fn tasks_added(&self, n: u64) {
        if self.bar.length() == Some(0)
            && let Ok(style) =
                ProgressStyle::with_template("{spinner} [{elapsed_precise}] {bar:30} {pos}/{len} collectors {msg}")
        {
            self.bar.set_style(style);
        }
        self.bar.inc_length(n);
        self.bar.set_message("");
    }
    fn task_finished(&self, c: &Coverage) {
        self.bar.set_message(format!("{} {}", c.account.as_deref().unwrap_or(""), c.collector));
        self.bar.inc(1);
    }
    fn finish(&self) {
        if let Ok(mut a) = ACTIVE.lock() {
            *a = None;
        }
        self.bar.finish_and_clear();
    }
}
