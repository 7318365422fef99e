//! # kubesim-runner
//!
//! The outside world of kubesim: scenario files in, CSV out. This is the
//! only crate that knows YAML, files, the command line, threads and CSV.
//!
//! - [`scenario`]: YAML → validated [`Scenario`] (errors carry file, line,
//!   column, field path and what was expected).
//! - [`run`]: scenarios → [`kubesim_scheduler::Simulation`] runs on a rayon
//!   pool, each into its own output folder, atomically.
//! - [`output`]: the CSV writers (`pods.csv`, `containers.csv`,
//!   `events.csv`, `metrics.csv`, `summary.csv`, `rollouts.csv`).
//!
//! Data flows one way: file → [`Scenario`] → `Simulation` → records → CSV.

#![forbid(unsafe_code)]
#![warn(missing_docs)]
// Scenario errors carry their source text for miette's snippets; they are
// built once per bad file, so their size does not matter.
#![allow(clippy::result_large_err)]

pub mod output;
pub mod progress;
pub mod run;
pub mod scenario;

pub use run::{run_all, run_one, RunConfig, RunError, RunReport, MAX_JOBS};
pub use scenario::{load, load_text, Scenario, ScenarioError, ScenarioErrors};

use std::path::{Path, PathBuf};

/// Writes one line to stderr. A closed stderr (`kubesim … 2>&1 | head -1`)
/// is not an error worth dying for: the line is dropped.
pub fn say(args: std::fmt::Arguments<'_>) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr().lock(), "{args}");
}

/// Expands the command line's paths: a directory stands for the `*.yaml`
/// and `*.yml` scenario files directly in it (not Kubernetes manifest
/// files), sorted by name.
pub fn collect_scenario_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, ScenarioError> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            let entries = std::fs::read_dir(p)
                .map_err(|e| scenario::file_error(p, format!("cannot read directory: {e}")))?;
            let mut files: Vec<PathBuf> = entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|f| f.is_file() && is_scenario_file(f) && !is_kubernetes_manifest(f))
                .collect();
            files.sort();
            out.extend(files);
        } else if p.exists() {
            out.push(p.clone());
        } else {
            return Err(scenario::file_error(p, "no such file or directory"));
        }
    }
    Ok(out)
}

/// A file of Kubernetes objects (top-level `apiVersion:` or `kind:`), such
/// as one a scenario names under `manifests:`, is not a scenario. Only the
/// first 64 KiB are looked at.
fn is_kubernetes_manifest(p: &Path) -> bool {
    use std::io::Read;
    let mut head = Vec::new();
    let read = std::fs::File::open(p).and_then(|f| f.take(64 << 10).read_to_end(&mut head));
    read.is_ok()
        && String::from_utf8_lossy(&head)
            .lines()
            .any(|l| l.starts_with("apiVersion:") || l.starts_with("kind:"))
}

fn is_scenario_file(p: &Path) -> bool {
    matches!(p.extension().and_then(|e| e.to_str()), Some("yaml" | "yml"))
}
