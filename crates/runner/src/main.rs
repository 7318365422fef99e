//! `kubesim`: run and validate scenario files.
//!
//! Exit codes: 0 success; 1 a run failed (a limit, an I/O error, another
//! kubesim writing the same output); 2 bad input or an output folder
//! kubesim will not touch (nothing was written); 130 interrupted.

#![forbid(unsafe_code)]

use clap::{Parser, Subcommand};
use kubesim_runner::output::folder;
use kubesim_runner::progress::{Progress, Reporter};
use kubesim_runner::{
    collect_scenario_files, load, run_all, say, RunConfig, Scenario, ScenarioError, MAX_JOBS,
};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

/// A discrete-event simulator of a Kubernetes cluster.
///
/// kubesim runs scenario files — nodes, your Kubernetes manifests, how each
/// container image behaves, a timeline of actions — through models of
/// kube-scheduler, the controllers, kubelet and the Linux kernel's CPU
/// scheduler, and writes what happened as CSV: pods, containers, Kubernetes
/// events, metrics and a summary per scenario. Same scenario and seed, same
/// bytes.
#[derive(Parser)]
#[command(name = "kubesim", version, about, long_about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run scenario files (or every scenario *.yaml in given directories)
    /// and write CSV to OUT/<scenario name>/.
    Run {
        /// Scenario files or directories.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Output directory; each scenario writes OUT/<name>/ (replacing
        /// only an earlier kubesim output).
        #[arg(long, default_value = "results")]
        out: PathBuf,
        /// Override every scenario's seed.
        #[arg(long)]
        seed: Option<u64>,
        /// Parallel runs (default: one per core; at most 256).
        #[arg(short = 'j', long, default_value_t = 0)]
        jobs: usize,
        /// Print nothing but errors.
        #[arg(short, long)]
        quiet: bool,
    },
    /// Check scenario files without running them.
    Validate {
        /// Scenario files or directories.
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
            quiet,
        } => run(&paths, out, seed, jobs, quiet),
        Command::Validate { paths } => match load_all(&paths) {
            Ok(scenarios) => {
                for s in &scenarios {
                    warn(s);
                    say(format_args!(
                        "ok: {} ({}): {}",
                        s.file.display(),
                        s.name,
                        s.objects
                    ));
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
        say(format_args!(
            "error: no scenario files (*.yaml, *.yml) found"
        ));
        return Err(ExitCode::from(2));
    }
    if errors.is_empty() {
        Ok(scenarios)
    } else {
        Err(report(errors))
    }
}

/// Prints a scenario's warnings.
fn warn(s: &Scenario) {
    for w in &s.warnings {
        say(format_args!("{:?}", miette::Report::new(w.clone())));
    }
}

fn report(errors: Vec<ScenarioError>) -> ExitCode {
    let n = errors.len();
    for e in errors {
        say(format_args!("{:?}", miette::Report::new(e)));
    }
    say(format_args!(
        "{n} error(s) in scenario files; nothing was written"
    ));
    ExitCode::from(2)
}

fn run(paths: &[PathBuf], out: PathBuf, seed: Option<u64>, jobs: usize, quiet: bool) -> ExitCode {
    let scenarios = match load_all(paths) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let scenarios: Vec<Scenario> = match seed {
        Some(seed) => scenarios.into_iter().map(|s| s.with_seed(seed)).collect(),
        None => scenarios,
    };
    if jobs > MAX_JOBS {
        say(format_args!(
            "note: -j {jobs} is more than kubesim uses; running {MAX_JOBS} at a time"
        ));
    }
    if let Err(e) = folder::prepare_out_dir(&out) {
        say(format_args!("error: {e}"));
        return ExitCode::from(if e.is_refusal() { 2 } else { 1 });
    }
    // Refuse before running anything: a folder kubesim did not write is
    // never replaced.
    let refused: Vec<String> = scenarios
        .iter()
        .filter_map(|s| folder::check_destination(&out, &s.name).err())
        .map(|e| e.to_string())
        .collect();
    if !refused.is_empty() {
        for e in &refused {
            say(format_args!("error: {e}"));
        }
        say(format_args!("nothing was run"));
        return ExitCode::from(2);
    }
    folder::clean_leftovers(&out);
    folder::register_interrupt_cleanup();
    if !quiet {
        for s in &scenarios {
            warn(s);
            say(format_args!("{}: {}", s.name, s.objects));
        }
    }
    let progress = Arc::new(Progress::new(
        scenarios
            .iter()
            .map(|s| (s.name.clone(), s.input.config.duration.as_nanos())),
    ));
    let start = Instant::now();
    let cfg = RunConfig {
        out_dir: out,
        jobs,
        progress: Some(progress.clone()),
    };
    let reporter = Reporter::start(progress, quiet);
    let results = run_all(&scenarios, &cfg);
    drop(reporter);
    let results = match results {
        Ok(r) => r,
        Err(e) => {
            say(format_args!("error: {e}"));
            return ExitCode::from(1);
        }
    };
    let mut code = ExitCode::SUCCESS;
    for r in results {
        match r {
            Ok(rep) if !quiet => say(format_args!(
                "{}: seed {}, {} events, {} pods ({} pending) in {:.2?} → {}",
                rep.scenario,
                rep.seed,
                rep.summary.events,
                rep.summary.pods_created,
                rep.summary.pods_pending,
                rep.wall,
                rep.dir.display()
            )),
            Ok(_) => {}
            Err(e) => {
                say(format_args!("error: {e}"));
                code = ExitCode::from(if e.is_refusal() { 2 } else { 1 });
            }
        }
    }
    if !quiet {
        say(format_args!(
            "{} scenario(s) in {:.2?}",
            scenarios.len(),
            start.elapsed()
        ));
    }
    code
}
