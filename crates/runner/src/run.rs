//! Running scenarios: each in its own simulation, several in parallel on a
//! rayon pool, each writing its own output folder.
//!
//! A run writes into `OUT/.NAME.tmp/` and renames it to `OUT/NAME/` only
//! when every file is complete; a run that fails leaves nothing behind.
//! Results come back in input order whatever the thread count, and a run's
//! files depend only on the scenario and its seed.

use crate::output::{write_table, CsvSink};
use crate::scenario::Scenario;
use kubesim_scheduler::{RunSummary, SimError, Simulation};
use rayon::prelude::*;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Options of `kubesim run`.
#[derive(Debug, Clone)]
pub struct RunConfig {
    pub out_dir: PathBuf,
    /// Worker threads (`-j`); 0 = one per core.
    pub jobs: usize,
}

/// Why a run failed.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("scenario {scenario}: {source}")]
    Limit {
        scenario: String,
        #[source]
        source: kubesim_core::LimitExceeded,
    },
    #[error("scenario {scenario}: writing {}: {source}", dir.display())]
    Output {
        scenario: String,
        dir: PathBuf,
        #[source]
        source: csv::Error,
    },
    #[error("scenario {scenario}: {}: {source}", dir.display())]
    Io {
        scenario: String,
        dir: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot start {0} worker threads: {1}")]
    Pool(usize, String),
}

/// A finished run.
#[derive(Debug, Clone)]
pub struct RunReport {
    pub scenario: String,
    pub seed: u64,
    pub dir: PathBuf,
    pub summary: RunSummary,
    pub wall: Duration,
}

/// Runs `scenarios` with `cfg.jobs` threads; results in input order.
pub fn run_all(
    scenarios: &[Scenario],
    cfg: &RunConfig,
) -> Result<Vec<Result<RunReport, RunError>>, RunError> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(cfg.jobs)
        .build()
        .map_err(|e| RunError::Pool(cfg.jobs, e.to_string()))?;
    Ok(pool.install(|| {
        scenarios
            .par_iter()
            .map(|s| run_one(s, &cfg.out_dir))
            .collect()
    }))
}

/// Runs one scenario into `out_dir/<name>/`.
pub fn run_one(scenario: &Scenario, out_dir: &Path) -> Result<RunReport, RunError> {
    let start = Instant::now();
    let name = scenario.name.clone();
    let final_dir = out_dir.join(&name);
    let tmp_dir = out_dir.join(format!(".{name}.tmp"));
    let io_err = |dir: &Path, source| RunError::Io {
        scenario: name.clone(),
        dir: dir.to_path_buf(),
        source,
    };
    if tmp_dir.exists() {
        std::fs::remove_dir_all(&tmp_dir).map_err(|e| io_err(&tmp_dir, e))?;
    }
    std::fs::create_dir_all(&tmp_dir).map_err(|e| io_err(&tmp_dir, e))?;
    let result = simulate_into(scenario, &tmp_dir);
    let summary = match result {
        Ok(s) => s,
        Err(e) => {
            // Leave nothing half-written behind.
            let _ = std::fs::remove_dir_all(&tmp_dir);
            return Err(e);
        }
    };
    if final_dir.exists() {
        std::fs::remove_dir_all(&final_dir).map_err(|e| io_err(&final_dir, e))?;
    }
    std::fs::rename(&tmp_dir, &final_dir).map_err(|e| io_err(&final_dir, e))?;
    Ok(RunReport {
        scenario: name,
        seed: scenario.seed(),
        dir: final_dir,
        summary,
        wall: start.elapsed(),
    })
}

fn simulate_into(scenario: &Scenario, dir: &Path) -> Result<RunSummary, RunError> {
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
    Ok(summary)
}
