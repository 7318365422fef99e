//! The `kubesim` binary against hostile output folders and process faults:
//! a folder it did not write, two runs writing the same output, SIGINT and
//! SIGTERM mid-run, leftovers of a killed run, very long scenario names, a
//! closed stderr, `--out` naming a file, and an absurd `-j`.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_kubesim"))
}

fn kubesim(args: &[&str]) -> Output {
    bin().args(args).output().expect("kubesim runs")
}

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

fn scenario(dir: &Path, name: &str, pods: usize, duration: &str) -> PathBuf {
    let text = format!(
        r#"
name: {name}
duration: {duration}
sampleInterval: 1s
cluster:
  nodes:
    - name: n
      count: 20
      capacity: {{cpu: "64", memory: 256Gi, pods: "500"}}
workloads:
  - apiVersion: apps/v1
    kind: Deployment
    metadata: {{name: web}}
    spec:
      replicas: {pods}
      selector: {{matchLabels: {{app: web}}}}
      template:
        metadata: {{labels: {{app: web}}}}
        spec:
          containers:
            - name: c
              image: busy
              resources: {{requests: {{cpu: 100m}}}}
images:
  busy: {{cpu: {{points: [{{at: 0s, cores: "0.1"}}, {{at: 1s, cores: "0.2"}}], period: 2s}}, memory: 64Mi}}
"#
    );
    let p = dir.join(format!("{}.yaml", &name[..name.len().min(40)]));
    std::fs::write(&p, text).expect("write scenario");
    p
}

fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .expect("read dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// Waits until `cond` holds (or panics after 60 s).
fn wait_for(what: &str, mut cond: impl FnMut() -> bool) {
    let start = Instant::now();
    while !cond() {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "timed out: {what}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn has_tmp(out: &Path) -> bool {
    names(out).iter().any(|n| n.starts_with(".kubesim-tmp-"))
}

fn signal(child: &Child, sig: &str) {
    let ok = Command::new("kill")
        .args([sig, &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(ok.success());
}

#[test]
fn a_folder_kubesim_did_not_write_is_never_replaced() {
    let dir = tempfile::tempdir().expect("tmp");
    let inputs = dir.path().join("inputs");
    std::fs::create_dir(&inputs).expect("mkdir");
    let f = scenario(&inputs, "inputs", 2, "10s");
    let o = kubesim(&["run", s(&f), "--out", s(dir.path())]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("was not written by kubesim"), "{err}");
    assert!(err.contains("choose another --out"), "{err}");
    assert!(f.is_file(), "the input folder is intact");
    // A kubesim output folder is replaced, run after run.
    let out = dir.path().join("out");
    for _ in 0..2 {
        let o = kubesim(&["run", s(&f), "--out", s(&out)]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    assert_eq!(names(&out), ["inputs"]);
}

#[test]
fn out_naming_a_file_is_bad_input() {
    let dir = tempfile::tempdir().expect("tmp");
    let f = scenario(dir.path(), "tiny", 1, "5s");
    let file = dir.path().join("results");
    std::fs::write(&file, "not a folder").expect("write");
    let o = kubesim(&["run", s(&f), "--out", s(&file)]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("is not a directory"));
}

#[test]
fn a_second_run_on_the_same_output_says_so_and_the_first_stays_whole() {
    let dir = tempfile::tempdir().expect("tmp");
    let f = scenario(dir.path(), "busy", 3000, "2h");
    let out = dir.path().join("out");
    let mut first = bin()
        .args(["run", s(&f), "--out", s(&out), "-q"])
        .spawn()
        .expect("spawn");
    wait_for("the first run to start writing", || {
        out.is_dir() && has_tmp(&out)
    });
    let second = kubesim(&["run", s(&f), "--out", s(&out), "-q"]);
    let err = String::from_utf8_lossy(&second.stderr);
    assert_eq!(second.status.code(), Some(1), "{err}");
    assert!(
        err.contains("being written by another kubesim run"),
        "{err}"
    );
    signal(&first, "-TERM");
    let status = first.wait().expect("wait");
    assert_eq!(status.code(), Some(130));
    assert!(!has_tmp(&out), "SIGTERM leaves no temporary folder");
}

#[test]
fn ctrl_c_removes_the_unfinished_output() {
    let dir = tempfile::tempdir().expect("tmp");
    let f = scenario(dir.path(), "long", 3000, "2h");
    let out = dir.path().join("out");
    let child = bin()
        .args(["run", s(&f), "--out", s(&out)])
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    wait_for("the run to start writing", || out.is_dir() && has_tmp(&out));
    signal(&child, "-INT");
    let o = child.wait_with_output().expect("wait");
    assert_eq!(o.status.code(), Some(130));
    assert!(String::from_utf8_lossy(&o.stderr).contains("interrupted"));
    assert!(names(&out).is_empty(), "left: {:?}", names(&out));
}

#[test]
fn leftovers_of_a_killed_run_are_cleaned_by_the_next_run() {
    let dir = tempfile::tempdir().expect("tmp");
    let f = scenario(dir.path(), "killed", 3000, "2h");
    let out = dir.path().join("out");
    let mut child = bin()
        .args(["run", s(&f), "--out", s(&out), "-q"])
        .spawn()
        .expect("spawn");
    wait_for("the run to start writing", || out.is_dir() && has_tmp(&out));
    child.kill().expect("SIGKILL");
    child.wait().expect("wait");
    assert!(has_tmp(&out), "SIGKILL cannot clean up");
    let small = scenario(dir.path(), "other", 1, "5s");
    let o = kubesim(&["run", s(&small), "--out", s(&out), "-q"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(names(&out), ["other"]);
}

#[test]
fn a_name_of_253_characters_fits() {
    let dir = tempfile::tempdir().expect("tmp");
    let name = "a".repeat(253);
    let f = scenario(dir.path(), &name, 1, "5s");
    let out = dir.path().join("out");
    let o = kubesim(&["run", s(&f), "--out", s(&out), "-q"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(names(&out), [name]);
}

#[test]
fn a_closed_stderr_is_not_a_panic() {
    let dir = tempfile::tempdir().expect("tmp");
    let f = dir.path().join("bad.yaml");
    std::fs::write(&f, "name: x\nduration: nope\ncluster: {nodes: []}\n").expect("write");
    let mut child = bin()
        .args(["validate", s(&f)])
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("spawn");
    drop(child.stderr.take());
    let status = child.wait().expect("wait");
    assert_eq!(status.code(), Some(2), "exit quietly with the usual code");
}

#[test]
fn huge_jobs_is_capped_and_said() {
    let dir = tempfile::tempdir().expect("tmp");
    let f = scenario(dir.path(), "tiny", 1, "5s");
    let out = dir.path().join("out");
    let start = Instant::now();
    let o = kubesim(&["run", s(&f), "--out", s(&out), "-j", "100000"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stderr).contains("running 256 at a time"));
    assert!(start.elapsed() < Duration::from_secs(30));
}
