//! Hostile input: each file under `tests/hostile/` (and a few made here:
//! FIFOs, a one-line JSON scenario, a missing file) with the outcome it
//! must have: an exit code, what stderr says and what it must never say.
//! Nothing may hang, panic or quote a file that is not YAML.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

struct Case {
    /// A file in `tests/hostile/`.
    file: &'static str,
    /// Exit code of `kubesim validate FILE`.
    code: i32,
    /// Substrings of stderr.
    says: &'static [&'static str],
    /// Substrings stderr must not have.
    never: &'static [&'static str],
}

const CASES: &[Case] = &[
    Case {
        file: "empty-key.yaml",
        code: 2,
        says: &["empty-key.yaml:11:7: workloads[0].spec[\"\"]: unknown field \"\": PodSpec has no such field"],
        never: &["panicked"],
    },
    Case {
        file: "dotted-key.yaml",
        code: 2,
        says: &["dotted-key.yaml:11:7: workloads[0].spec[\"spec.replicas\"]: unknown field \"spec.replicas\""],
        never: &["panicked"],
    },
    Case {
        file: "zero-device.yaml",
        code: 2,
        says: &["zero-device.yaml:6:13: manifests[0]: cannot read /dev/zero: not a regular file (a character device)"],
        never: &["panicked"],
    },
    Case {
        file: "password-file.yaml",
        code: 2,
        says: &["/etc/passwd:"],
        never: &["root:", "/bin/", "panicked"],
    },
    Case {
        file: "sample-1ns.yaml",
        code: 2,
        says: &["sample-1ns.yaml:4:17: sampleInterval: Invalid value: \"1ns\": sampleInterval must be at least 1ms"],
        never: &["panicked"],
    },
    Case {
        file: "profile-2ns.yaml",
        code: 2,
        says: &["profile-2ns.yaml:9:15: images.spiky.cpu.period: Invalid value: \"2ns\": a profile's period must be at least 1ms"],
        never: &["panicked"],
    },
    Case {
        file: "containers.yaml",
        code: 2,
        says: &[
            "containers.yaml:14:18: workloads[0].spec.containers[1].name: Duplicate value: \"app\"",
            "containers.yaml:15:18: workloads[0].spec.containers[2].name: Required value",
            "workloads[0].spec.containers[3].resources.requests[\"nvidia.com/gpu\"]: Invalid value: \"1\": must be equal to nvidia.com/gpu limit of 2",
        ],
        never: &["panicked"],
    },
    Case {
        file: "silent-mistakes.yaml",
        code: 0,
        says: &[
            "silent-mistakes.yaml:5:17: sampleInterval: sampleInterval 1m0s is longer than the scenario's duration 30s",
            "silent-mistakes.yaml:11:3: images[\"busy:1.O\"]: no container uses image \"busy:1.O\"",
            "did you mean `busy:1.0`?",
        ],
        never: &["panicked"],
    },
    Case {
        file: "reserved.yaml",
        code: 2,
        says: &["reserved.yaml:8:23: cluster.nodes[0].reserved.cpu: Invalid value: \"3\": the reservation of cpu is more than the capacity"],
        never: &["panicked"],
    },
    Case {
        file: "over-max-objects.yaml",
        code: 2,
        says: &["over-max-objects.yaml:12:17: workloads[0].spec.replicas: the scenario creates 2000001 or more objects (nodes, pods, Jobs, CronJobs) here, more than limits.maxObjects (1000)"],
        never: &["panicked"],
    },
    Case {
        file: "huge-pool.yaml",
        code: 2,
        says: &["huge-pool.yaml:7:14: cluster.nodes[0].count: the scenario creates 3000000 or more objects (nodes, pods, Jobs, CronJobs) here, more than limits.maxObjects (2000000)"],
        never: &["panicked"],
    },
];

/// Runs `kubesim ARGS` to its end; a run that would hang (a FIFO read) is
/// killed and reported rather than blocking the test suite. The bound is
/// a hang guard, not a measurement: a healthy run takes milliseconds.
fn kubesim(args: &[&str]) -> (i32, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_kubesim"))
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("kubesim starts");
    let start = Instant::now();
    loop {
        if child.try_wait().expect("wait").is_some() {
            break;
        }
        if start.elapsed() > Duration::from_secs(120) {
            let _ = child.kill();
            panic!("kubesim {args:?} hangs");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let out = child.wait_with_output().expect("output");
    let code = out.status.code().unwrap_or(-1);
    (code, String::from_utf8_lossy(&out.stderr).into_owned())
}

fn hostile_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/hostile")
}

#[test]
fn every_hostile_file_has_its_outcome() {
    let mut failures = Vec::new();
    for c in CASES {
        let path = hostile_dir().join(c.file);
        let (code, err) = kubesim(&["validate", path.to_str().expect("utf-8 path")]);
        if code != c.code {
            failures.push(format!(
                "{}: exit {code}, expected {}:\n{err}",
                c.file, c.code
            ));
        }
        for s in c.says {
            if !err.contains(s) {
                failures.push(format!("{}: stderr lacks {s:?}:\n{err}", c.file));
            }
        }
        for s in c.never {
            if err.contains(s) {
                failures.push(format!("{}: stderr has {s:?}:\n{err}", c.file));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn the_table_covers_every_hostile_file() {
    let mut files: Vec<String> = std::fs::read_dir(hostile_dir())
        .expect("tests/hostile")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    let mut listed: Vec<String> = CASES.iter().map(|c| c.file.to_string()).collect();
    listed.sort();
    assert_eq!(files, listed);
}

#[cfg(unix)]
fn mkfifo(path: &Path) {
    let ok = Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("mkfifo runs")
        .success();
    assert!(ok, "mkfifo {}", path.display());
}

#[cfg(unix)]
#[test]
fn fifos_are_refused_not_read() {
    let tmp = tempfile::tempdir().expect("tmp");
    let pipe = tmp.path().join("pipe.yaml");
    mkfifo(&pipe);
    // Named under manifests:
    let s = tmp.path().join("s.yaml");
    std::fs::write(
        &s,
        "name: f\nduration: 1m\ncluster: {nodes: [{name: n, capacity: {cpu: \"1\", memory: 1Gi}}]}\nmanifests: [pipe.yaml]\n",
    )
    .expect("write");
    let (code, err) = kubesim(&["validate", s.to_str().expect("utf-8")]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("not a regular file (a FIFO)"), "{err}");
    // As the scenario itself, and in a directory of scenarios.
    let (code, err) = kubesim(&["validate", pipe.to_str().expect("utf-8")]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("not a regular file (a FIFO)"), "{err}");
    // A directory scan passes the FIFO by (s.yaml still names it).
    let (code, err) = kubesim(&["validate", tmp.path().to_str().expect("utf-8")]);
    assert_eq!(code, 2, "{err}");
    assert_eq!(
        err.matches("not a regular file (a FIFO)").count(),
        1,
        "{err}"
    );
}

#[test]
fn a_missing_file_has_no_position() {
    let (code, err) = kubesim(&["validate", "/nonexistent/scenario.yaml"]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("/nonexistent/scenario.yaml: no such file or directory"),
        "{err}"
    );
    assert!(!err.contains(":0:0:"), "{err}");
}

#[test]
fn one_long_json_line_is_quoted_as_a_window() {
    let tmp = tempfile::tempdir().expect("tmp");
    let mut pods = Vec::new();
    for i in 0..4000 {
        let memory = if i == 3000 { "1Gj" } else { "64Mi" };
        pods.push(format!(
            r#"{{"apiVersion":"v1","kind":"Pod","metadata":{{"name":"p{i}"}},"spec":{{"containers":[{{"name":"c","image":"busy","resources":{{"limits":{{"memory":"{memory}"}}}}}}]}}}}"#
        ));
    }
    let text = format!(
        r#"{{"name":"json","duration":"1m","cluster":{{"nodes":[{{"name":"n","capacity":{{"cpu":"2","memory":"4Gi"}}}}]}},"workloads":[{}]}}"#,
        pods.join(",")
    );
    assert!(text.len() > 400_000);
    let s = tmp.path().join("s.json.yaml");
    std::fs::write(&s, &text).expect("write");
    let (code, err) = kubesim(&["validate", s.to_str().expect("utf-8")]);
    assert_eq!(code, 2, "{err}");
    let column = text.find("1Gj").expect("the bad value") + 1;
    assert!(column > 65_535);
    assert!(
        err.contains(&format!("s.json.yaml:1:{}: workloads[3000].spec.containers[0].resources.limits.memory: invalid quantity \"1Gj\"", column - 1)),
        "{err}"
    );
    assert!(err.len() < 5_000, "{} bytes of stderr", err.len());
    assert!(!err.contains("panicked"), "{err}");
}
