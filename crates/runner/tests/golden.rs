//! Golden CSV snapshots of every example scenario in `scenarios/`.
//!
//! Each scenario is run at its own seed and every output file is compared
//! with the snapshot under `tests/snapshots/`. A change in behaviour shows
//! up as a reviewable diff (`cargo insta review`); accept it only when the
//! new numbers are right.

use kubesim_runner::{collect_scenario_files, load, run_one};
use std::path::PathBuf;

const FILES: [&str; 7] = [
    "summary.csv",
    "pods.csv",
    "containers.csv",
    "events.csv",
    "metrics.csv",
    "oom.csv",
    "evictions.csv",
];

fn scenarios_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../scenarios")
}

#[test]
fn example_scenarios_match_snapshots() {
    let files = collect_scenario_files(&[scenarios_dir()]).expect("scenarios/ is readable");
    assert!(
        files.len() >= 5,
        "expected the example scenarios, found {files:?}"
    );
    let out = tempfile::tempdir().expect("temp dir");
    for file in files {
        let scenario =
            load(&file).unwrap_or_else(|e| panic!("{} does not validate: {e:?}", file.display()));
        let report = run_one(&scenario, out.path())
            .unwrap_or_else(|e| panic!("{} failed: {e}", scenario.name));
        for f in FILES {
            let content = std::fs::read_to_string(report.dir.join(f)).expect("output file exists");
            insta::assert_snapshot!(
                format!("{}__{}", scenario.name, f.replace('.', "_")),
                content
            );
        }
    }
}
