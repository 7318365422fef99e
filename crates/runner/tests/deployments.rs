//! Rollouts end to end through `kubesim run`: a scenario file with
//! `setImage`, `scale`, `pause`, `resume` and `rollback` on its timeline,
//! checked in the CSV files it writes.

use std::path::Path;
use std::process::Command;

const SCENARIO: &str = r#"
name: rollouts
seed: 3
duration: 10m
sampleInterval: 10s
cluster:
  nodes:
    - name: n
      count: 2
      capacity: {cpu: "16", memory: 64Gi, pods: 110}
  controllerManager: {syncDelay: 100ms}
metrics: {containers: false, nodes: false, deployments: true}
workloads:
  - apiVersion: apps/v1
    kind: Deployment
    metadata: {name: web}
    spec:
      replicas: 4
      minReadySeconds: 5
      strategy: {rollingUpdate: {maxSurge: 1, maxUnavailable: 0}}
      selector: {matchLabels: {app: web}}
      template:
        metadata: {labels: {app: web}}
        spec:
          containers:
            - name: app
              image: web:1
              resources: {requests: {cpu: 100m, memory: 64Mi}}
              readinessProbe: {httpGet: {path: /, port: 80}, periodSeconds: 2}
  - apiVersion: apps/v1
    kind: Deployment
    metadata: {name: batch}
    spec:
      replicas: 2
      strategy: {type: Recreate}
      selector: {matchLabels: {app: batch}}
      template:
        metadata: {labels: {app: batch}}
        spec:
          containers:
            - name: worker
              image: web:1
              resources: {requests: {cpu: 100m, memory: 64Mi}}
images:
  web:1: {startup: 3s, shutdown: 5s}
  web:2: {startup: 3s, shutdown: 5s}
timeline:
  - {at: 1m, action: setImage, target: deployment/web, image: web:2}
  - {at: 3m, action: scale, target: deployment/web, replicas: 6}
  - {at: 4m, action: pause, target: deployment/web}
  - {at: 4m10s, action: setImage, target: deployment/web, container: app, image: web:1}
  - {at: 5m, action: resume, target: deployment/web}
  - {at: 7m, action: rollback, target: deployment/web, toRevision: 2}
  - {at: 1m, action: setImage, target: deployment/batch, container: worker, image: web:2}
"#;

fn run(dir: &Path) -> std::path::PathBuf {
    let file = dir.join("rollouts.yaml");
    std::fs::write(&file, SCENARIO).expect("write");
    let out = dir.join("out");
    let o = Command::new(env!("CARGO_BIN_EXE_kubesim"))
        .args([
            "run",
            file.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ])
        .output()
        .expect("kubesim runs");
    assert!(
        o.status.success(),
        "kubesim failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    out.join("rollouts")
}

fn rows(path: &Path) -> Vec<Vec<String>> {
    std::fs::read_to_string(path)
        .expect("read csv")
        .lines()
        .skip(1)
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect()
}

/// `metrics.csv` value of `object`/`metric` at `t` seconds.
fn metric(m: &[Vec<String>], t: &str, object: &str, name: &str) -> Option<f64> {
    m.iter()
        .find(|r| r[0] == t && r[1] == object && r[2] == name)
        .map(|r| r[3].parse().unwrap())
}

#[test]
fn timeline_rollouts_reach_the_csv_files() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = run(tmp.path());
    let events = rows(&dir.join("events.csv"));
    let scaling: Vec<(f64, &str, &str)> = events
        .iter()
        .filter(|e| e[2] == "ScalingReplicaSet")
        .map(|e| (e[0].parse().unwrap(), e[3].as_str(), e[4].as_str()))
        .collect();
    // The first sync comes syncDelay after creation.
    assert_eq!(scaling[0].0, 0.1);
    // setImage at 1m: a second ReplicaSet, one surge pod at a time.
    let web_rs: Vec<&str> = scaling
        .iter()
        .filter(|s| s.1 == "deployment/web" && s.2.contains("from 0 to"))
        .map(|s| s.2)
        .collect();
    assert!(web_rs.len() >= 2, "{scaling:?}");
    assert!(web_rs[1].ends_with("from 0 to 1"), "{web_rs:?}");
    // Paused at 4m: the setImage at 4m10s makes no ReplicaSet until the
    // resume at 5m.
    assert!(!scaling
        .iter()
        .any(|s| s.0 > 240.0 && s.0 < 300.0 && s.1 == "deployment/web"));
    // Recreate: batch's old pods are scaled down at 1m, the new
    // ReplicaSet only once they are gone (5 s shutdown + syncDelays).
    let batch: Vec<(f64, &str)> = scaling
        .iter()
        .filter(|s| s.1 == "deployment/batch")
        .map(|s| (s.0, s.2))
        .collect();
    assert_eq!(batch.len(), 3, "{batch:?}");
    assert!(
        batch[1].1.contains("from 2 to 0") && batch[1].0 == 60.1,
        "{batch:?}"
    );
    assert!(batch[2].1.contains("from 0 to 2"), "{batch:?}");
    assert!(batch[2].0 > 65.0, "{batch:?}");

    let m = rows(&dir.join("metrics.csv"));
    // Between rollouts every revision's pods are all available.
    assert_eq!(
        metric(&m, "170.000", "deployment/web", "available_replicas"),
        Some(4.0)
    );
    assert_eq!(
        metric(&m, "170.000", "deployment/web/rev-2", "replicas"),
        Some(4.0)
    );
    assert_eq!(
        metric(&m, "170.000", "deployment/web/rev-1", "replicas"),
        Some(0.0)
    );
    // Scaled to 6 at 3m.
    assert_eq!(
        metric(&m, "230.000", "deployment/web", "replicas"),
        Some(6.0)
    );
    // Resumed at 5m: the template is web:1 again, so revision 1's
    // ReplicaSet is the new one (`FindNewReplicaSet`) and becomes revision
    // 3; the rollback at 7m to revision 2 (web:2) reuses that ReplicaSet,
    // which becomes revision 4.
    assert_eq!(
        metric(&m, "410.000", "deployment/web/rev-3", "available_replicas"),
        Some(6.0)
    );
    let last = "600.000";
    assert_eq!(
        metric(&m, last, "deployment/web/rev-4", "available_replicas"),
        Some(6.0)
    );
    assert_eq!(
        metric(&m, last, "deployment/web", "updated_replicas"),
        Some(6.0)
    );
    assert_eq!(metric(&m, last, "deployment/web/rev-2", "replicas"), None);

    // One release per template change; the pause holds the second one
    // until the resume; the rollback to revision 2 rolls web:2's
    // ReplicaSet back up (a full rollout: it had no pods left). Each of
    // web's first two releases completed and was then followed by a
    // change back to an earlier template (setImage web:1 at 250 s, the
    // rollback at 420 s): both are rolled-back, detected at that change.
    let releases = std::fs::read_to_string(dir.join("rollouts.csv")).unwrap();
    assert_eq!(
        releases,
        "object,from_revision,to_revision,strategy,started_s,finished_s,outcome,peak_pods,\
         extra_pod_seconds,min_available,seconds_below_desired,requests_total,requests_failed,\
         requests_served_by_new,errors_from_new,slo_violation_seconds,time_to_detect_s,\
         time_to_recover_s\n\
         deployment/batch,1,2,Recreate,60.000,65.600,completed,2,0,0,5.400,0,0,0,0,,,\n\
         deployment/web,1,2,RollingUpdate,60.000,96.300,rolled-back,6,51.1,4,0.000,0,0,0,0,,190.000,\n\
         deployment/web,2,3,RollingUpdate,250.000,354.300,rolled-back,8,79.1,6,0.000,0,0,0,0,,170.000,\n\
         deployment/web,3,4,RollingUpdate,420.000,474.300,completed,8,79.1,6,0.000,0,0,0,0,,,\n"
    );

    let pods = rows(&dir.join("pods.csv"));
    let header = std::fs::read_to_string(dir.join("pods.csv")).unwrap();
    assert!(header.starts_with("pod,"));
    assert!(pods
        .iter()
        .all(|p| p[1] == "deployment/web" || p[1] == "deployment/batch"));
}

/// `kubesim run scenarios/rolling-update.yaml` writes its one release:
/// 10 replicas, maxSurge 25% (3) and maxUnavailable 25% (2): 13 pods at
/// most, 8 available at least; two waves of 20 s (the new pods' startup)
/// with 3 pods above 10 each — 120 extra pod-seconds — and 40 s below
/// the desired 10 available.
#[test]
fn rolling_update_scenario_writes_its_release() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let scenario =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios/rolling-update.yaml");
    let out = tmp.path().join("out");
    let o = Command::new(env!("CARGO_BIN_EXE_kubesim"))
        .args([
            "run",
            scenario.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ])
        .output()
        .expect("kubesim runs");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let releases = rows(&out.join("rolling-update/rollouts.csv"));
    assert_eq!(
        releases,
        vec![
            "deployment/web,1,2,RollingUpdate,300.000,340.000,completed,13,120,8,40.000,0,0,0,0,,,"
                .split(',')
                .map(str::to_string)
                .collect::<Vec<_>>()
        ]
    );
}
