//! Running scenarios: each in its own simulation, several in parallel on a
//! rayon pool, each writing its own output folder.
//!
//! A run writes into a temporary folder and moves it to `OUT/<name>/` only
//! when every file is complete (see [`crate::output::folder`]); a run that
//! fails leaves nothing behind, and kubesim never replaces a folder it did
//! not write. Results come back in input order whatever the thread count,
//! and a run's files depend only on the scenario and its seed.

use crate::output::folder::{FolderError, Staging};
use crate::output::{write_table, CsvSink};
use crate::progress::{Progress, Slot};
use crate::scenario::Scenario;
use kubesim_scheduler::{RunSummary, SimError, Simulation};
use rayon::prelude::*;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The most worker threads `-j` may ask for; more only costs memory.
pub const MAX_JOBS: usize = 256;

/// Options of `kubesim run`.
#[derive(Debug, Clone, Default)]
pub struct RunConfig {
    /// `--out`: each scenario writes `OUT/<name>/`.
    pub out_dir: PathBuf,
    /// Worker threads (`-j`); 0 = one per core. At most [`MAX_JOBS`].
    pub jobs: usize,
    /// Where runs report how far they got (one slot per scenario, in
    /// input order).
    pub progress: Option<Arc<Progress>>,
}

/// Why a run failed.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// The run hit a limit.
    #[error("scenario {scenario}: {source}")]
    Limit {
        /// Scenario name.
        scenario: String,
        /// Which limit.
        #[source]
        source: kubesim_core::LimitExceeded,
    },
    /// Writing a file failed.
    #[error("scenario {scenario}: writing {}: {source}", dir.display())]
    Output {
        /// Scenario name.
        scenario: String,
        /// The folder.
        dir: PathBuf,
        /// What failed.
        #[source]
        source: csv::Error,
    },
    /// The output folder could not be used.
    #[error("scenario {scenario}: {source}")]
    Folder {
        /// Scenario name.
        scenario: String,
        /// Why.
        #[source]
        source: FolderError,
    },
    /// The thread pool did not start.
    #[error("cannot start {0} worker threads: {1}")]
    Pool(usize, String),
}

impl RunError {
    /// Whether the user must change something first (exit code 2).
    pub fn is_refusal(&self) -> bool {
        matches!(self, RunError::Folder { source, .. } if source.is_refusal())
    }
}

/// A finished run.
#[derive(Debug, Clone)]
pub struct RunReport {
    /// Scenario name.
    pub scenario: String,
    /// Its seed.
    pub seed: u64,
    /// Where its files are.
    pub dir: PathBuf,
    /// Its summary row.
    pub summary: RunSummary,
    /// Wall-clock time it took.
    pub wall: Duration,
}

/// Runs `scenarios` with `cfg.jobs` threads; results in input order.
pub fn run_all(
    scenarios: &[Scenario],
    cfg: &RunConfig,
) -> Result<Vec<Result<RunReport, RunError>>, RunError> {
    let jobs = cfg.jobs.min(MAX_JOBS);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(jobs)
        .build()
        .map_err(|e| RunError::Pool(jobs, e.to_string()))?;
    Ok(pool.install(|| {
        scenarios
            .par_iter()
            .enumerate()
            .map(|(i, s)| {
                let slot = cfg.progress.as_ref().and_then(|p| p.slot(i));
                run_with(s, &cfg.out_dir, slot)
            })
            .collect()
    }))
}

/// Runs one scenario into `out_dir/<name>/`.
pub fn run_one(scenario: &Scenario, out_dir: &Path) -> Result<RunReport, RunError> {
    run_with(scenario, out_dir, None)
}

fn run_with(
    scenario: &Scenario,
    out_dir: &Path,
    slot: Option<Arc<Slot>>,
) -> Result<RunReport, RunError> {
    let start = Instant::now();
    if let Some(s) = &slot {
        s.start();
    }
    let result = stage_and_run(scenario, out_dir, slot.clone());
    if let Some(s) = &slot {
        s.finish();
    }
    let (summary, dir) = result?;
    Ok(RunReport {
        scenario: scenario.name.clone(),
        seed: scenario.seed(),
        dir,
        summary,
        wall: start.elapsed(),
    })
}

fn stage_and_run(
    scenario: &Scenario,
    out_dir: &Path,
    slot: Option<Arc<Slot>>,
) -> Result<(RunSummary, PathBuf), RunError> {
    let folder = |source| RunError::Folder {
        scenario: scenario.name.clone(),
        source,
    };
    let staging = Staging::begin(out_dir, &scenario.name).map_err(folder)?;
    // On any error below, dropping `staging` removes the temporary folder.
    let summary = simulate_into(scenario, staging.dir(), slot)?;
    let dir = staging.commit().map_err(folder)?;
    Ok((summary, dir))
}

fn simulate_into(
    scenario: &Scenario,
    dir: &Path,
    slot: Option<Arc<Slot>>,
) -> Result<RunSummary, RunError> {
    let name = &scenario.name;
    let out_err = |source| RunError::Output {
        scenario: name.clone(),
        dir: dir.to_path_buf(),
        source,
    };
    let mut sim = Simulation::new(scenario.input.clone()).map_err(|source| RunError::Limit {
        scenario: name.clone(),
        source,
    })?;
    let mut sink = CsvSink::create(dir).map_err(out_err)?;
    if let Some(slot) = slot {
        sink = sink.with_progress(slot);
    }
    let summary = sim.run(&mut sink).map_err(|e| match e {
        SimError::Limit(source) => RunError::Limit {
            scenario: name.clone(),
            source,
        },
        SimError::Record(source) => out_err(source),
    })?;
    sink.finish().map_err(out_err)?;
    write_table(&dir.join("pods.csv"), &sim.pod_records()).map_err(out_err)?;
    write_table(&dir.join("containers.csv"), &sim.container_records()).map_err(out_err)?;
    write_table(&dir.join("summary.csv"), std::slice::from_ref(&summary)).map_err(out_err)?;
    write_table(&dir.join("rollouts.csv"), &sim.release_records()).map_err(out_err)?;
    Ok(summary)
}
