//! Argo Rollouts end to end through `kubesim run`: a canary Rollout with
//! an analysis step on its kubesim provider (no traffic: the analysis
//! errs and the release aborts, then `retry` and a full `promote`), and
//! a blue-green Rollout promoted by the timeline — checked in the CSV
//! files they write.

use std::path::Path;
use std::process::Command;

const SCENARIO: &str = r#"
name: argo
seed: 5
duration: 8m
sampleInterval: 5s
cluster:
  nodes:
    - name: n
      count: 2
      capacity: {cpu: "16", memory: 64Gi, pods: 110}
metrics: {containers: false, nodes: false, deployments: true}
workloads:
  - apiVersion: argoproj.io/v1alpha1
    kind: AnalysisTemplate
    metadata: {name: errors}
    spec:
      args: [{name: svc}]
      metrics:
        - name: error-rate
          interval: 10s
          count: 3
          successCondition: result[0] < 0.05
          provider:
            kubesim: {metric: error_rate, service: "{{args.svc}}", revision: canary}
  - apiVersion: argoproj.io/v1alpha1
    kind: Rollout
    metadata: {name: shop}
    spec:
      replicas: 4
      selector: {matchLabels: {app: shop}}
      strategy:
        canary:
          canaryService: shop-canary
          stableService: shop
          steps:
            - setWeight: 25
            - analysis:
                templates: [{templateName: errors}]
                args: [{name: svc, value: shop}]
            - pause: {}
      template:
        metadata: {labels: {app: shop}}
        spec:
          containers:
            - name: app
              image: web:1
              resources: {requests: {cpu: 100m, memory: 64Mi}}
              readinessProbe: {httpGet: {path: /, port: 80}, periodSeconds: 2}
  - apiVersion: argoproj.io/v1alpha1
    kind: Rollout
    metadata: {name: bg}
    spec:
      replicas: 2
      selector: {matchLabels: {app: bg}}
      strategy:
        blueGreen:
          activeService: bg
          previewService: bg-preview
          autoPromotionEnabled: false
          scaleDownDelaySeconds: 20
      template:
        metadata: {labels: {app: bg}}
        spec:
          containers:
            - name: app
              image: web:1
              resources: {requests: {cpu: 100m, memory: 64Mi}}
              readinessProbe: {httpGet: {path: /, port: 80}, periodSeconds: 2}
  - {apiVersion: v1, kind: Service, metadata: {name: shop}, spec: {selector: {app: shop}}}
  - {apiVersion: v1, kind: Service, metadata: {name: shop-canary}, spec: {selector: {app: shop}}}
  - {apiVersion: v1, kind: Service, metadata: {name: bg}, spec: {selector: {app: bg}}}
  - {apiVersion: v1, kind: Service, metadata: {name: bg-preview}, spec: {selector: {app: bg}}}
images:
  web:1: {startup: 3s, shutdown: 2s}
  web:2: {startup: 3s, shutdown: 2s}
timeline:
  - {at: 1m, action: setImage, target: rollout/shop, image: web:2}
  - {at: 4m, action: retry, target: rollout/shop}
  - {at: 4m, action: promote, target: rollout/shop, full: true}
  - {at: 1m, action: setImage, target: rollout/bg, image: web:2}
  - {at: 3m, action: promote, target: rollout/bg}
"#;

fn run(dir: &Path) -> std::path::PathBuf {
    let file = dir.join("argo.yaml");
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
    out.join("argo")
}

fn value(metrics: &str, t: &str, object: &str, metric: &str) -> Option<f64> {
    metrics.lines().find_map(|l| {
        let f: Vec<&str> = l.split(',').collect();
        (f.len() == 4 && f[0] == t && f[1] == object && f[2] == metric)
            .then(|| f[3].parse().unwrap())
    })
}

fn events<'a>(text: &'a str, object: &str, reason: &str) -> Vec<&'a str> {
    text.lines()
        .filter(|l| l.contains(&format!(",{reason},{object},")))
        .collect()
}

#[test]
fn canary_analysis_aborts_then_retry_and_full_promotion_complete() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(dir.path());
    let metrics = std::fs::read_to_string(out.join("metrics.csv")).unwrap();
    let ev = std::fs::read_to_string(out.join("events.csv")).unwrap();
    // 25 % of 4: one canary pod beside the stable ones.
    assert_eq!(
        value(&metrics, "70.000", "rollout/shop/rev-2", "replicas"),
        Some(1.0)
    );
    // The analysis sees no requests: Error measurements, then the abort.
    let aborted = events(&ev, "rollout/shop", "RolloutAborted");
    assert_eq!(aborted.len(), 1, "{ev}");
    assert_eq!(events(&ev, "rollout/shop", "AnalysisRunError").len(), 1);
    assert_eq!(
        value(&metrics, "200.000", "rollout/shop/rev-2", "replicas"),
        Some(0.0)
    );
    assert_eq!(
        value(&metrics, "200.000", "rollout/shop/rev-1", "replicas"),
        Some(4.0)
    );
    // retry + promote --full at 4m: the new revision takes over.
    assert_eq!(
        events(&ev, "rollout/shop", "RolloutCompleted").len(),
        1,
        "{ev}"
    );
    assert_eq!(
        value(&metrics, "480.000", "rollout/shop/rev-2", "replicas"),
        Some(4.0)
    );
    assert_eq!(
        value(&metrics, "480.000", "rollout/shop/rev-1", "replicas"),
        Some(0.0)
    );
}

#[test]
fn blue_green_waits_for_promote_then_switches_and_scales_down_after_the_delay() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(dir.path());
    let metrics = std::fs::read_to_string(out.join("metrics.csv")).unwrap();
    let ev = std::fs::read_to_string(out.join("events.csv")).unwrap();
    assert_eq!(events(&ev, "rollout/bg", "RolloutPaused").len(), 1, "{ev}");
    // Both versions run until the promotion at 3m.
    assert_eq!(
        value(&metrics, "170.000", "rollout/bg", "replicas"),
        Some(4.0)
    );
    let switches: Vec<&str> = events(&ev, "rollout/bg", "SwitchService")
        .into_iter()
        .filter(|l| l.contains("service 'bg' from '"))
        .collect();
    assert_eq!(switches.len(), 2, "{switches:?}");
    assert!(switches[1].starts_with("180.000,"), "{switches:?}");
    // Old version kept 20 s, then scaled down.
    assert_eq!(
        value(&metrics, "195.000", "rollout/bg/rev-1", "replicas"),
        Some(2.0)
    );
    assert_eq!(
        value(&metrics, "240.000", "rollout/bg/rev-1", "replicas"),
        Some(0.0)
    );
    assert_eq!(events(&ev, "rollout/bg", "RolloutCompleted").len(), 1);
}
