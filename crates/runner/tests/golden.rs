//! Golden CSV snapshots of every example scenario in `scenarios/`.
//!
//! Each scenario is run at its own seed and every output file is compared
//! with the snapshot under `tests/snapshots/`. A change in behaviour shows
//! up as a reviewable diff (`cargo insta review`); accept it only when the
//! new numbers are right.
//!
//! A file larger than [`FULL_SNAPSHOT_MAX_BYTES`] is kept as a digest
//! instead (line and byte counts, an FNV-1a hash of the whole file, and its
//! first and last lines), so a week of CronJob events does not bloat the
//! repository while any change to it still fails the test.

use kubesim_runner::{collect_scenario_files, load, run_one};
use std::path::PathBuf;

const FILES: [&str; 8] = [
    "summary.csv",
    "pods.csv",
    "containers.csv",
    "events.csv",
    "metrics.csv",
    "oom.csv",
    "evictions.csv",
    "rollouts.csv",
];

/// Files up to this size are snapshotted whole.
const FULL_SNAPSHOT_MAX_BYTES: usize = 256 * 1024;
/// Lines kept from each end of a digested file.
const DIGEST_EDGE_LINES: usize = 25;

/// The snapshot text of one output file.
fn snapshot_text(content: String) -> String {
    if content.len() <= FULL_SNAPSHOT_MAX_BYTES {
        return content;
    }
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for b in content.bytes() {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    let lines: Vec<&str> = content.lines().collect();
    let head = &lines[..DIGEST_EDGE_LINES.min(lines.len())];
    let tail = &lines[lines.len().saturating_sub(DIGEST_EDGE_LINES)..];
    format!(
        "digest: {} lines, {} bytes, fnv1a64 {hash:016x}\n--- first {} lines\n{}\n--- last {} lines\n{}\n",
        lines.len(),
        content.len(),
        head.len(),
        head.join("\n"),
        tail.len(),
        tail.join("\n"),
    )
}

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
                snapshot_text(content)
            );
        }
    }
}
