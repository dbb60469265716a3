//! Progress bar on stderr. Hidden when stderr is not a terminal or with `--no-progress`.

use aimscope_core::{Cloud, Coverage};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::runner::Progress;

#[derive(Debug)]
pub struct Bar {
    bar: ProgressBar,
}

impl Bar {
    pub fn new(visible: bool) -> Bar {
        let target = if visible { ProgressDrawTarget::stderr() } else { ProgressDrawTarget::hidden() };
        let bar = ProgressBar::with_draw_target(Some(0), target);
        if let Ok(style) =
            ProgressStyle::with_template("{spinner} [{elapsed_precise}] {bar:30} {pos}/{len} collectors {msg}")
        {
            bar.set_style(style);
        }
        bar.set_message("discovering scopes");
        Bar { bar }
    }
}

impl Progress for Bar {
    fn provider_started(&self, cloud: Cloud) {
        self.bar.set_message(format!("discovering {cloud} scopes"));
    }
    fn tasks_added(&self, n: u64) {
        self.bar.inc_length(n);
        self.bar.set_message("");
    }
    fn task_finished(&self, c: &Coverage) {
        self.bar.set_message(format!("{} {}", c.account.as_deref().unwrap_or(""), c.collector));
        self.bar.inc(1);
    }
    fn finish(&self) {
        self.bar.finish_and_clear();
    }
}
