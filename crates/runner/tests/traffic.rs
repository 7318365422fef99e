//! Request traffic from the scenario file: `traffic:` and
//! `images.IMAGE.serve` reach the model, and a run writes the
//! `service/NAME` and `service/NAME/rev-N` rows to metrics.csv and the
//! request totals at the end of summary.csv.

use kubesim_core::{Interpolation, SimTime};
use kubesim_runner::{load_text, run_one, Scenario};
use kubesim_scheduler::traffic::{RateProfile, Slo};

fn load(text: &str) -> Scenario {
    let dir = tempfile::tempdir().expect("temp dir");
    match load_text(&dir.path().join("s.yaml"), text) {
        Ok(s) => s,
        Err(errors) => panic!(
            "does not load:\n{}",
            errors
                .iter()
                .map(|e| e.to_string())
                .collect::<Vec<_>>()
                .join("\n")
        ),
    }
}

const RELEASE: &str = r#"
name: traffic-release
duration: 3m
sampleInterval: 10s
cluster:
  nodes:
    - name: n
      capacity: {cpu: "8", memory: 16Gi}
metrics: {containers: false, nodes: false}
workloads:
  - apiVersion: apps/v1
    kind: Deployment
    metadata: {name: web}
    spec:
      replicas: 3
      selector: {matchLabels: {app: web}}
      template:
        metadata: {labels: {app: web}}
        spec:
          containers:
            - name: app
              image: web:1
              resources: {requests: {cpu: 500m}, limits: {cpu: "1"}}
              readinessProbe: {httpGet: {path: /, port: 80}, periodSeconds: 1}
  - apiVersion: v1
    kind: Service
    metadata: {name: web}
    spec: {selector: {app: web}}
images:
  web:1:
    serve: {cpuSeconds: 0.004, latency: 10ms}
  web:2:
    startup: 3s
    serve: {cpuSeconds: 0.004, latency: 10ms, errorRate: 0.2}
traffic:
  - service: web
    rate: {points: [{at: 0s, rps: 100}, {at: 1m, rps: 300}], interpolation: linear, period: 2m}
    timeout: 5s
    retries: 1
    slo: {latency: 300ms, errorRate: 0.01}
timeline:
  - {at: 1m, action: setImage, target: deployment/web, image: web:2}
"#;

#[test]
fn traffic_keys_reach_the_model() {
    let sc = load(RELEASE);
    let t = &sc.input.traffic;
    assert_eq!(t.len(), 1);
    assert_eq!(t[0].service, "web");
    assert_eq!(t[0].timeout, SimTime::from_secs(5));
    assert_eq!(t[0].retries, 1);
    assert_eq!(
        t[0].slo,
        Some(Slo {
            latency: SimTime::from_millis(300),
            error_rate: 0.01
        })
    );
    let s = SimTime::from_secs;
    assert_eq!(
        t[0].rate,
        RateProfile::new(
            vec![(s(0), 100.0), (s(60), 300.0)],
            Interpolation::Linear,
            Some(s(120))
        )
    );
    let serve = |name: &str| {
        sc.input
            .images
            .iter()
            .find(|(n, _)| n == name)
            .and_then(|(_, b)| b.serve)
            .unwrap()
    };
    assert_eq!(serve("web:1").cpu_seconds, 0.004);
    assert_eq!(serve("web:1").latency, SimTime::from_millis(10));
    assert_eq!(serve("web:2").error_rate, 0.2);
    // Defaults.
    let sc = load(&RELEASE.replace(
        "    timeout: 5s\n    retries: 1\n    slo: {latency: 300ms, errorRate: 0.01}\n",
        "",
    ));
    assert_eq!(sc.input.traffic[0].timeout, SimTime::from_secs(30));
    assert_eq!(
        (sc.input.traffic[0].retries, sc.input.traffic[0].slo),
        (0, None)
    );
}

#[test]
fn a_run_writes_service_rows_and_request_totals() {
    let sc = load(RELEASE);
    let out = tempfile::tempdir().expect("temp dir");
    let report = run_one(&sc, out.path()).unwrap_or_else(|e| panic!("run failed: {e}"));
    let metrics = std::fs::read_to_string(report.dir.join("metrics.csv")).unwrap();
    let summary = std::fs::read_to_string(report.dir.join("summary.csv")).unwrap();
    let rows: Vec<Vec<&str>> = metrics
        .lines()
        .skip(1)
        .map(|l| l.split(',').collect())
        .collect();
    let sum = |object: &str, metric: &str| -> f64 {
        rows.iter()
            .filter(|r| r[1] == object && r[2] == metric)
            .map(|r| r[3].parse::<f64>().unwrap())
            .sum()
    };
    let count = |object: &str, metric: &str| {
        rows.iter()
            .filter(|r| r[1] == object && r[2] == metric)
            .count()
    };
    // One row per sample and metric for the Service.
    for metric in ["requests", "errors"] {
        assert_eq!(count("service/web", metric), 18, "{metric}");
    }
    for metric in [
        "latency_mean_s",
        "latency_p50_s",
        "latency_p95_s",
        "latency_p99_s",
    ] {
        assert!(count("service/web", metric) >= 17, "{metric}");
    }
    // Both revisions served requests; revision 2's errors are its 20 %.
    let (r1, r2) = (
        sum("service/web/rev-1", "requests"),
        sum("service/web/rev-2", "requests"),
    );
    assert!(r1 > 0.0 && r2 > 0.0, "{r1} {r2}");
    assert!(sum("service/web/rev-2", "errors") > 0.0);
    assert_eq!(sum("service/web/rev-1", "errors"), 0.0);
    let total = sum("service/web", "requests");
    // The rest arrived before any pod was Ready: no endpoint, no revision.
    assert!(
        r1 + r2 <= total && r1 + r2 > 0.98 * total,
        "{r1} + {r2} vs {total}"
    );
    // Summary: the two columns at the end, matching the rows.
    let mut lines = summary.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    assert_eq!(
        header[header.len() - 2..],
        ["requests_total", "requests_failed"]
    );
    let values: Vec<&str> = lines.next().unwrap().split(',').collect();
    let requests_total: f64 = values[values.len() - 2].parse().unwrap();
    let requests_failed: f64 = values[values.len() - 1].parse().unwrap();
    // Expected arrivals: 100→300 over a minute, back to 100 over the
    // next, up again in the third: 200/s on average for 3 minutes.
    assert!(
        (requests_total / 36_000.0 - 1.0).abs() < 0.05,
        "{requests_total}"
    );
    assert!(requests_total >= total);
    assert!(requests_failed > 0.0 && requests_failed < 0.2 * requests_total);
}
