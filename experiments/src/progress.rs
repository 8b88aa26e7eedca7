//! Progress: a bar on a terminal, plain lines otherwise.

use std::io::IsTerminal;
use std::time::Instant;

use indicatif::{ProgressBar, ProgressStyle};

pub struct Progress {
    bar: Option<ProgressBar>,
    plain: bool,
    name: String,
    total: u64,
    started: Instant,
    last_line: Instant,
    batch_size: usize,
    quiet: bool,
}

impl Progress {
    /// `plain` forces plain lines, for runs trained side by side.
    pub fn new(batch_size: usize, quiet: bool, plain: bool) -> Self {
        Self {
            bar: None,
            plain: plain || !std::io::stderr().is_terminal(),
            name: String::new(),
            total: 0,
            started: Instant::now(),
            last_line: Instant::now(),
            batch_size,
            quiet,
        }
    }

    pub fn start(&mut self, name: &str, total: u64) {
        self.name = name.to_string();
        self.total = total;
        self.started = Instant::now();
        self.last_line = Instant::now();
        if self.quiet || self.plain {
            return;
        }
        let bar = ProgressBar::new(total);
        bar.set_style(
            ProgressStyle::with_template("{prefix:>16} [{bar:30}] {pos}/{len} {msg} eta {eta}")
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
        );
        bar.set_prefix(name.to_string());
        self.bar = Some(bar);
    }

    fn rate(&self, step: u64) -> f64 {
        step as f64 * self.batch_size as f64 / self.started.elapsed().as_secs_f64().max(1e-9)
    }

    pub fn step(&mut self, step: u64, epoch: u64, lr: f64, loss: f64) {
        if self.quiet {
            return;
        }
        let msg = format!(
            "epoch {} loss {loss:.4} lr {lr:.3e} {:.0} img/s",
            epoch + 1,
            self.rate(step)
        );
        if let Some(bar) = &self.bar {
            bar.set_position(step);
            bar.set_message(msg);
        } else if self.last_line.elapsed().as_secs() >= 10 || step == self.total {
            self.last_line = Instant::now();
            let left = (self.total - step) as f64 * self.started.elapsed().as_secs_f64()
                / step.max(1) as f64;
            eprintln!(
                "{}: step {step}/{} {msg} eta {left:.0}s",
                self.name, self.total
            );
        }
    }

    pub fn epoch(&mut self, epoch: u64, val_loss: f64, accuracy: f64) {
        if !self.quiet {
            self.note(&format!(
                "{}: epoch {} validation loss {val_loss:.4} accuracy {:.2}%",
                self.name,
                epoch + 1,
                accuracy * 100.0
            ));
        }
    }

    pub fn note(&self, line: &str) {
        match &self.bar {
            Some(bar) => bar.println(line),
            None => eprintln!("{line}"),
        }
    }

    pub fn finish(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
    }
}
