//! Progress on stderr while runs go: an `indicatif` bar when stderr is a
//! terminal, a plain line every few seconds otherwise (CI logs, Slurm
//! output files), nothing with `-q`.
//!
//! Runs report the simulated time they reached through their sink
//! ([`kubesim_scheduler::RecordSink::progress`]) into a [`Slot`] of atomics;
//! a reporter thread reads the slots. Nothing here touches the output
//! files, so progress never changes what a run writes.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicU8, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const WAITING: u8 = 0;
const RUNNING: u8 = 1;
const DONE: u8 = 2;

/// How one run is doing.
#[derive(Debug)]
pub struct Slot {
    name: String,
    duration_ns: u64,
    reached_ns: AtomicU64,
    state: AtomicU8,
}

impl Slot {
    /// Simulated time reached.
    pub fn reached(&self, ns: u64) {
        self.reached_ns.store(ns, Ordering::Relaxed);
    }
    /// The run started.
    pub fn start(&self) {
        self.state.store(RUNNING, Ordering::Relaxed);
    }
    /// The run ended (well or not).
    pub fn finish(&self) {
        self.reached_ns.store(self.duration_ns, Ordering::Relaxed);
        self.state.store(DONE, Ordering::Relaxed);
    }
    fn fraction(&self) -> f64 {
        if self.duration_ns == 0 {
            return 1.0;
        }
        (self.reached_ns.load(Ordering::Relaxed) as f64 / self.duration_ns as f64).min(1.0)
    }
}

/// The slots of every run of one `kubesim run`.
#[derive(Debug, Default)]
pub struct Progress {
    slots: Vec<Arc<Slot>>,
}

impl Progress {
    /// One slot per `(name, simulated duration in ns)`.
    pub fn new(runs: impl IntoIterator<Item = (String, u64)>) -> Self {
        Progress {
            slots: runs
                .into_iter()
                .map(|(name, duration_ns)| {
                    Arc::new(Slot {
                        name,
                        duration_ns,
                        reached_ns: AtomicU64::new(0),
                        state: AtomicU8::new(WAITING),
                    })
                })
                .collect(),
        }
    }

    /// Run `i`'s slot.
    pub fn slot(&self, i: usize) -> Option<Arc<Slot>> {
        self.slots.get(i).cloned()
    }

    fn done(&self) -> usize {
        self.slots
            .iter()
            .filter(|s| s.state.load(Ordering::Relaxed) == DONE)
            .count()
    }

    fn overall(&self) -> f64 {
        if self.slots.is_empty() {
            return 1.0;
        }
        self.slots.iter().map(|s| s.fraction()).sum::<f64>() / self.slots.len() as f64
    }

    /// A one-line summary: done count and the runs in progress.
    pub fn line(&self) -> String {
        let running: Vec<String> = self
            .slots
            .iter()
            .filter(|s| s.state.load(Ordering::Relaxed) == RUNNING)
            .take(4)
            .map(|s| format!("{} {:.0}%", s.name, s.fraction() * 100.0))
            .collect();
        let mut line = format!("{}/{} scenario(s) done", self.done(), self.slots.len());
        if !running.is_empty() {
            line.push_str("; running: ");
            line.push_str(&running.join(", "));
        }
        line
    }
}

/// Shows progress until dropped.
pub struct Reporter {
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Reporter {
    /// Starts the display thread (nothing is shown when `quiet`).
    pub fn start(progress: Arc<Progress>, quiet: bool) -> Reporter {
        let stop = Arc::new(AtomicBool::new(false));
        if quiet {
            return Reporter { stop, thread: None };
        }
        let flag = stop.clone();
        let thread = std::thread::spawn(move || {
            if std::io::stderr().is_terminal() {
                bar(&progress, &flag);
            } else {
                lines(&progress, &flag);
            }
        });
        Reporter {
            stop,
            thread: Some(thread),
        }
    }
}

impl Drop for Reporter {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn bar(progress: &Progress, stop: &AtomicBool) {
    let pb = indicatif::ProgressBar::new(1000);
    pb.set_style(
        indicatif::ProgressStyle::with_template("{bar:30} {elapsed_precise} {msg}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    while !stop.load(Ordering::Relaxed) {
        pb.set_position((progress.overall() * 1000.0) as u64);
        pb.set_message(progress.line());
        std::thread::sleep(Duration::from_millis(100));
    }
    pb.finish_and_clear();
}

fn lines(progress: &Progress, stop: &AtomicBool) {
    const EVERY: Duration = Duration::from_secs(5);
    let mut last = Instant::now();
    while !stop.load(Ordering::Relaxed) {
        std::thread::sleep(Duration::from_millis(100));
        if last.elapsed() >= EVERY {
            last = Instant::now();
            crate::say(format_args!("progress: {}", progress.line()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_counts_done_and_running() {
        let p = Progress::new([("a".to_string(), 100), ("b".to_string(), 200)]);
        let a = p.slot(0).unwrap();
        let b = p.slot(1).unwrap();
        a.start();
        a.finish();
        b.start();
        b.reached(50);
        assert_eq!(p.line(), "1/2 scenario(s) done; running: b 25%");
        assert!((p.overall() - 0.625).abs() < 1e-12);
    }
}
