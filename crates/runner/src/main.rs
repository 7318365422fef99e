//! `kubesim`: run and validate scenario files.
//!
//! Exit codes: 0 success, 1 a run failed, 2 bad input (no output written).

#![forbid(unsafe_code)]

use clap::{Parser, Subcommand};
use kubesim_runner::{collect_scenario_files, load, run_all, RunConfig, Scenario, ScenarioError};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

/// A discrete-event simulator of a Kubernetes cluster.
#[derive(Parser)]
#[command(name = "kubesim", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run scenario files (or every *.yaml in given directories) and write CSV.
    Run {
        /// Scenario files or directories.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Output directory; each scenario writes OUT/<name>/.
        #[arg(long, default_value = "results")]
        out: PathBuf,
        /// Override every scenario's seed.
        #[arg(long)]
        seed: Option<u64>,
        /// Parallel runs (default: one per core).
        #[arg(short = 'j', long, default_value_t = 0)]
        jobs: usize,
    },
    /// Check scenario files without running them.
    Validate {
        #[arg(required = true)]
        paths: Vec<PathBuf>,
    },
}

fn main() -> ExitCode {
    // Error lines stay whole (file:line:col: path: message), so they can be
    // grepped in CI logs whatever the terminal width.
    let _ = miette::set_hook(Box::new(|_| {
        Box::new(miette::MietteHandlerOpts::new().wrap_lines(false).build())
    }));
    let cli = Cli::parse();
    match cli.command {
        Command::Run {
            paths,
            out,
            seed,
            jobs,
        } => run(&paths, out, seed, jobs),
        Command::Validate { paths } => match load_all(&paths) {
            Ok(scenarios) => {
                for s in &scenarios {
                    eprintln!("ok: {} ({})", s.file.display(), s.name);
                }
                ExitCode::SUCCESS
            }
            Err(code) => code,
        },
    }
}

/// Loads every scenario; on any error prints them all and returns exit code 2.
fn load_all(paths: &[PathBuf]) -> Result<Vec<Scenario>, ExitCode> {
    let files = collect_scenario_files(paths).map_err(|e| report(vec![e]))?;
    let mut scenarios = Vec::new();
    let mut errors = Vec::new();
    for f in &files {
        match load(f) {
            Ok(s) => scenarios.push(s),
            Err(mut e) => errors.append(&mut e),
        }
    }
    let mut names: Vec<(&str, &PathBuf)> = scenarios
        .iter()
        .map(|s| (s.name.as_str(), &s.file))
        .collect();
    names.sort();
    for w in names.windows(2) {
        if w[0].0 == w[1].0 {
            errors.push(kubesim_runner::scenario::file_error(
                w[1].1,
                format!(
                    "scenario name {:?} is also used by {}: output folders would collide",
                    w[0].0,
                    w[0].1.display()
                ),
            ));
        }
    }
    if files.is_empty() {
        eprintln!("error: no scenario files (*.yaml, *.yml) found");
        return Err(ExitCode::from(2));
    }
    if errors.is_empty() {
        Ok(scenarios)
    } else {
        Err(report(errors))
    }
}

fn report(errors: Vec<ScenarioError>) -> ExitCode {
    let n = errors.len();
    for e in errors {
        eprintln!("{:?}", miette::Report::new(e));
    }
    eprintln!("{n} error(s) in scenario files; nothing was written");
    ExitCode::from(2)
}

fn run(paths: &[PathBuf], out: PathBuf, seed: Option<u64>, jobs: usize) -> ExitCode {
    let scenarios = match load_all(paths) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let scenarios: Vec<Scenario> = match seed {
        Some(seed) => scenarios.into_iter().map(|s| s.with_seed(seed)).collect(),
        None => scenarios,
    };
    if let Err(e) = std::fs::create_dir_all(&out) {
        eprintln!(
            "error: cannot create output directory {}: {e}",
            out.display()
        );
        return ExitCode::from(1);
    }
    let start = Instant::now();
    let results = match run_all(&scenarios, &RunConfig { out_dir: out, jobs }) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(1);
        }
    };
    let mut failed = 0;
    for r in results {
        match r {
            Ok(rep) => eprintln!(
                "{}: seed {}, {} events, {} pods ({} pending) in {:.2?} → {}",
                rep.scenario,
                rep.seed,
                rep.summary.events,
                rep.summary.pods_created,
                rep.summary.pods_pending,
                rep.wall,
                rep.dir.display()
            ),
            Err(e) => {
                failed += 1;
                eprintln!("error: {e}");
            }
        }
    }
    eprintln!("{} scenario(s) in {:.2?}", scenarios.len(), start.elapsed());
    if failed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
