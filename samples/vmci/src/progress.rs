//! Progress of `up`, `down` and `reap`: one bar per VM on a terminal, plain
//! lines (`vmci: <vm>: <step>`) otherwise, so a CI log reads top to bottom.

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::sync::Mutex;

/// Where steps are reported; shared by the tasks of one command.
pub enum Progress {
    Bars {
        multi: MultiProgress,
        bars: Mutex<Vec<(String, ProgressBar)>>,
    },
    Lines,
    Quiet,
}

impl Progress {
    /// Bars when standard error is a terminal, lines otherwise; nothing
    /// with `quiet` (for `--json` users who parse standard error too).
    pub fn new(quiet: bool) -> Self {
        if quiet {
            Progress::Quiet
        } else if std::io::stderr().is_terminal() {
            Progress::Bars {
                multi: MultiProgress::with_draw_target(ProgressDrawTarget::stderr()),
                bars: Mutex::new(Vec::new()),
            }
        } else {
            Progress::Lines
        }
    }

    /// Reports that `vm` is at `step` (`cloning from debian-12-ci (task-12)`).
    pub fn step(&self, vm: &str, step: &str) {
        match self {
            Progress::Quiet => {}
            Progress::Lines => eprintln!("vmci: {vm}: {step}"),
            Progress::Bars { multi, bars } => {
                let mut bars = bars.lock().unwrap_or_else(|p| p.into_inner());
                let bar = match bars.iter().find(|(n, _)| n == vm) {
                    Some((_, b)) => b.clone(),
                    None => {
                        let b = multi.add(ProgressBar::new_spinner());
                        b.set_style(
                            ProgressStyle::with_template("{spinner} {prefix:40} {msg}")
                                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
                        );
                        b.set_prefix(vm.to_string());
                        b.enable_steady_tick(std::time::Duration::from_millis(120));
                        bars.push((vm.to_string(), b.clone()));
                        b
                    }
                };
                bar.set_message(step.to_string());
            }
        }
    }

    /// Reports that `vm` is done, with its last word (`ready 10.0.0.5`).
    pub fn done(&self, vm: &str, last: &str) {
        match self {
            Progress::Bars { bars, .. } => {
                let bars = bars.lock().unwrap_or_else(|p| p.into_inner());
                if let Some((_, b)) = bars.iter().find(|(n, _)| n == vm) {
                    b.finish_with_message(last.to_string());
                }
            }
            _ => self.step(vm, last),
        }
    }
}
