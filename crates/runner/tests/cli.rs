//! End-to-end tests of the `kubesim` binary: exit codes, error messages,
//! atomic output and byte-identical results at any thread count.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn kubesim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kubesim"))
        .args(args)
        .output()
        .expect("kubesim runs")
}

fn scenarios_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../scenarios")
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).expect("write scenario");
    p
}

fn read_tree(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("read dir") {
            let p = e.expect("entry").path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p.strip_prefix(dir).expect("inside").display().to_string();
                out.push((rel, std::fs::read(&p).expect("read file")));
            }
        }
    }
    out.sort();
    out
}

const VALID: &str = r#"
name: tiny
duration: 1m
cluster:
  nodes:
    - name: n
      capacity: {cpu: "2", memory: 4Gi}
workloads:
  - apiVersion: v1
    kind: Pod
    metadata: {name: p}
    spec:
      containers:
        - name: c
          image: busy
          resources: {requests: {cpu: 500m}}
images:
  busy: {cpu: "1", memory: 64Mi}
"#;

#[test]
fn same_output_at_any_thread_count() {
    let a = tempfile::tempdir().expect("tmp");
    let b = tempfile::tempdir().expect("tmp");
    let dir = scenarios_dir();
    let dir = dir.to_str().expect("utf-8 path");
    for (out, jobs) in [(a.path(), "1"), (b.path(), "2")] {
        let o = kubesim(&[
            "run",
            dir,
            "--out",
            out.to_str().expect("utf-8"),
            "-j",
            jobs,
        ]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    let (ta, tb) = (read_tree(a.path()), read_tree(b.path()));
    assert!(
        ta.len() >= 25,
        "every scenario wrote five files: {:?}",
        ta.iter().map(|t| &t.0).collect::<Vec<_>>()
    );
    assert_eq!(ta, tb, "output differs between -j 1 and -j 2");
}

#[test]
fn seed_flag_overrides_the_scenario_seed() {
    let tmp = tempfile::tempdir().expect("tmp");
    let f = write(tmp.path(), "tiny.yaml", VALID);
    let out = tmp.path().join("out");
    let o = kubesim(&[
        "run",
        f.to_str().expect("utf-8"),
        "--out",
        out.to_str().expect("utf-8"),
        "--seed",
        "42",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let summary = std::fs::read_to_string(out.join("tiny/summary.csv")).expect("summary");
    assert!(
        summary.lines().nth(1).expect("row").starts_with("tiny,42,"),
        "{summary}"
    );
    assert!(String::from_utf8_lossy(&o.stderr).contains("tiny: seed 42"));
}

#[test]
fn bad_quantity_is_reported_with_position_and_path() {
    let tmp = tempfile::tempdir().expect("tmp");
    let f = write(
        tmp.path(),
        "bad.yaml",
        &VALID.replace("cpu: 500m", "cpu: 5OOm"),
    );
    let out = tmp.path().join("out");
    let o = kubesim(&[
        "run",
        f.to_str().expect("utf-8"),
        "--out",
        out.to_str().expect("utf-8"),
    ]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("bad.yaml:16:39: "), "{err}");
    assert!(
        err.contains("workloads[0].spec.containers[0].resources.requests.cpu"),
        "{err}"
    );
    assert!(err.contains("invalid quantity \"5OOm\""), "{err}");
    assert!(
        !out.join("tiny").exists(),
        "no output for a scenario that fails validation"
    );
}

#[test]
fn unknown_key_gets_did_you_mean() {
    let tmp = tempfile::tempdir().expect("tmp");
    let f = write(
        tmp.path(),
        "typo.yaml",
        &VALID.replace("duration: 1m", "duration: 1m\nsampleIntreval: 5s"),
    );
    let o = kubesim(&["validate", f.to_str().expect("utf-8")]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("typo.yaml:4:1: "), "{err}");
    assert!(
        err.contains("sampleIntreval: unknown field \"sampleIntreval\""),
        "{err}"
    );
    assert!(err.contains("did you mean `sampleInterval`?"), "{err}");
}

#[test]
fn unknown_timeline_target_and_bad_duration() {
    let tmp = tempfile::tempdir().expect("tmp");
    let text = format!(
        "{VALID}timeline:\n  - {{at: 90, action: scale, target: deployment/web, replicas: 2}}\n"
    );
    let f = write(tmp.path(), "tl.yaml", &text);
    let o = kubesim(&["validate", f.to_str().expect("utf-8")]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("timeline[0].at: invalid duration \"90\": missing unit"),
        "{err}"
    );
    assert!(
        err.contains("timeline[0].target: no Deployment named \"web\""),
        "{err}"
    );
}

#[test]
fn malformed_yaml_is_an_error_not_a_panic() {
    let tmp = tempfile::tempdir().expect("tmp");
    let f = write(
        tmp.path(),
        "broken.yaml",
        "name: x\nduration: [1m\ncluster: {",
    );
    let o = kubesim(&["validate", f.to_str().expect("utf-8")]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("broken.yaml:"));
}

#[test]
fn real_manifest_fields_are_accepted_and_manifest_files_load() {
    let tmp = tempfile::tempdir().expect("tmp");
    write(
        tmp.path(),
        "app.yaml",
        r#"apiVersion: v1
kind: Service
metadata: {name: web}
spec: {ports: [{port: 80}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
        - name: web
          image: nginx:1.27
          ports: [{containerPort: 80}]
          env: [{name: A, value: b}]
          readinessProbe: {httpGet: {path: /, port: 80}}
          resources: {requests: {cpu: 100m, memory: 64Mi, ephemeral-storage: 1Gi}}
"#,
    );
    let f = write(
        tmp.path(),
        "s.yaml",
        &format!("{VALID}manifests: [app.yaml]\n"),
    );
    let out = tmp.path().join("out");
    let o = kubesim(&[
        "run",
        f.to_str().expect("utf-8"),
        "--out",
        out.to_str().expect("utf-8"),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let pods = std::fs::read_to_string(out.join("tiny/pods.csv")).expect("pods.csv");
    assert_eq!(
        pods.lines()
            .filter(|l| l.contains("deployment/web"))
            .count(),
        2,
        "{pods}"
    );
}

#[test]
fn bad_manifest_file_reports_its_own_line() {
    let tmp = tempfile::tempdir().expect("tmp");
    write(
        tmp.path(),
        "app.yaml",
        "apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nspec: {containers: [{name: c}]}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: b}\nspec:\n  containers:\n    - name: c\n      resources: {limits: {memory: 1Gj}}\n",
    );
    let f = write(
        tmp.path(),
        "s.yaml",
        &format!("{VALID}manifests: [app.yaml]\n"),
    );
    let o = kubesim(&["validate", f.to_str().expect("utf-8")]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("app.yaml:12:"), "{err}");
    assert!(err.contains("invalid quantity \"1Gj\""), "{err}");
}

#[test]
fn event_limit_fails_the_run_and_leaves_no_output() {
    let tmp = tempfile::tempdir().expect("tmp");
    let f = write(
        tmp.path(),
        "lim.yaml",
        // Above the estimate (6 samples), below what the run takes (8).
        &format!("{VALID}limits: {{maxEvents: 7}}\n"),
    );
    let out = tmp.path().join("out");
    let o = kubesim(&[
        "run",
        f.to_str().expect("utf-8"),
        "--out",
        out.to_str().expect("utf-8"),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("event limit exceeded"));
    assert!(!out.join("tiny").exists());
    assert!(!out.join(".tiny.tmp").exists());
}

#[test]
fn misspelt_kubernetes_field_is_rejected_like_kubectl_strict_validation() {
    let tmp = tempfile::tempdir().expect("tmp");
    let f = write(
        tmp.path(),
        "strict.yaml",
        &VALID.replace("          resources:", "          resource:"),
    );
    let o = kubesim(&["validate", f.to_str().expect("utf-8")]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("strict.yaml:16:11: workloads[0].spec.containers[0].resource: unknown field \"resource\""), "{err}");
    assert!(err.contains("did you mean `resources`?"), "{err}");
}

#[test]
fn unquoted_cpu_numbers_comment_documents_and_manifest_files_in_a_directory() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path().join("case");
    std::fs::create_dir(&dir).expect("mkdir");
    write(
        &dir,
        "app.yaml",
        "# generated\n---\n# only a comment\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: b}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: extra}\nspec:\n  nodeSelector: {kubernetes.io/os: linux}\n  containers: [{name: c, image: busy}]\n",
    );
    let text = VALID
        .replace(
            "busy: {cpu: \"1\", memory: 64Mi}",
            "busy: {cpu: 1.5, memory: 64Mi}",
        )
        .replace("name: tiny", "name: case");
    write(
        &dir,
        "scenario.yaml",
        &format!("{text}manifests: [app.yaml]\n"),
    );
    let out = tmp.path().join("out");
    let o = kubesim(&[
        "run",
        dir.to_str().expect("utf-8"),
        "--out",
        out.to_str().expect("utf-8"),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let pods = std::fs::read_to_string(out.join("case/pods.csv")).expect("pods.csv");
    assert!(
        pods.contains("extra,pod/extra,n,"),
        "the manifest's pod is scheduled (os label): {pods}"
    );
    assert!(
        !out.join("app").exists(),
        "app.yaml is a manifest, not a scenario"
    );
}

#[test]
fn scenario_name_must_be_a_safe_folder_name() {
    let tmp = tempfile::tempdir().expect("tmp");
    let f = write(
        tmp.path(),
        "n.yaml",
        &VALID.replace("name: tiny", "name: ../escape"),
    );
    let o = kubesim(&["validate", f.to_str().expect("utf-8")]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains(
        "n.yaml:2:7: name: Invalid value: \"../escape\": a lowercase RFC 1123 subdomain"
    ));
}
