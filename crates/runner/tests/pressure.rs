//! Pods under pressure, from the scenario file: every key of images, pod
//! specs and the cluster section reaches the model, and runs show what
//! they cause — a leaking image OOM-killed, a failing liveness probe
//! restarting its container, a node evicting under memory pressure.

use kubesim_core::{
    EvictionSignal, EvictionThreshold, ExitBehavior, Health, Interpolation, MemoryShape,
    PreStopHook, Probe, PullPolicy, RestartPolicy, SimTime, StartupBurst, ThresholdValue,
};
use kubesim_runner::{load_text, run_one, Scenario};

const MI: i64 = 1 << 20;
const GI: i64 = 1 << 30;

fn s(secs: u64) -> SimTime {
    SimTime::from_secs(secs)
}

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

const EVERY_KEY: &str = r#"
name: every-key
duration: 10m
cluster:
  nodes:
    - name: big
      capacity: {cpu: "8", memory: 16Gi}
      reserved: {memory: 1Gi}
      systemUsage: {memory: 600Mi}
      kubelet:
        evictionHard: {memory.available: 5%, nodefs.available: 10%}
        evictionSoft: {memory.available: 2Gi}
        evictionSoftGracePeriod: {memory.available: 1m30s}
        evictionPressureTransitionPeriod: 2m
        evictionMaxPodGracePeriod: 20
        housekeepingInterval: 5s
        maxParallelImagePulls: 3
    - name: plain
      capacity: {cpu: "4", memory: 8Gi}
      kubelet:
        evictionHard: {}
        serializeImagePulls: false
  registry: {maxConcurrentPulls: 4}
  controllerManager:
    nodeMonitorPeriod: 2s
    nodeMonitorGracePeriod: 20s
    nodeEvictionRate: 0.5
    secondaryNodeEvictionRate: 0
    largeClusterSizeThreshold: 10
    unhealthyZoneThreshold: 1
images:
  leak:1:
    memory: {start: 200Mi, growth: 20Mi/min, max: 2Gi}
    startupBurst: {bytes: 1Gi, for: 20s}
    exit: {after: 30s, code: 1}
    health: {failAfter: 10m}
    probeLatency: 200ms
    pullTime: 20s
    size: 300Mi
    preStopTime: 3s
    shutdown: 4s
  wave:1:
    memory:
      points: [{at: 0s, bytes: 300Mi}, {at: 5m, bytes: 1Gi}]
      interpolation: linear
      period: 30m
    exit: {ratePerHour: 0.5, code: 137}
    health:
      failWindows: [{at: 5m, for: 1m}, {at: 20m, for: 30s}]
  dead:1:
    health: {never: true}
workloads:
  - apiVersion: v1
    kind: Pod
    metadata: {name: p}
    spec:
      terminationGracePeriodSeconds: 45
      initContainers:
        - name: side
          image: dead:1
          restartPolicy: Always
          startupProbe: {exec: {command: [ok]}, failureThreshold: 30, periodSeconds: 0}
      containers:
        - name: app
          image: leak:1
          imagePullPolicy: Always
          livenessProbe:
            httpGet: {path: /healthz, port: http}
            initialDelaySeconds: 5
            periodSeconds: 7
            timeoutSeconds: 2
            failureThreshold: 4
          readinessProbe: {tcpSocket: {port: 8080}, successThreshold: 2}
          lifecycle: {preStop: {sleep: {seconds: 10}}}
        - name: other
          image: wave:1
          readinessProbe: {grpc: {port: 9000}}
          lifecycle: {preStop: {httpGet: {path: /quit, port: 8080}}}
  - apiVersion: apps/v1
    kind: Deployment
    metadata: {name: d}
    spec:
      selector: {matchLabels: {app: d}}
      template:
        metadata: {labels: {app: d}}
        spec:
          containers:
            - name: c
              image: wave:1
              imagePullPolicy: Never
              startupProbe: {tcpSocket: {port: 80}}
              lifecycle: {preStop: {exec: {command: [drain]}}}
"#;

#[test]
fn every_key_reaches_the_model() {
    let sc = load(EVERY_KEY);
    let input = &sc.input;
    // The warning for the signal kubesim does not model.
    assert!(
        sc.warnings.iter().any(|w| w
            .message
            .contains("nodefs.available is accepted and ignored")),
        "{:?}",
        sc.warnings
    );

    // images
    let image = |name: &str| {
        &input
            .images
            .iter()
            .find(|(n, _)| n == name)
            .expect("image")
            .1
    };
    let leak = image("leak:1");
    assert_eq!(
        leak.memory.shape,
        MemoryShape::Leak {
            start: 200 * MI,
            growth_bytes: 20 * MI,
            per: s(60),
            max: Some(2 * GI),
        }
    );
    assert_eq!(
        leak.memory.startup_burst,
        Some(StartupBurst {
            bytes: GI,
            duration: s(20)
        })
    );
    assert_eq!(
        leak.exit,
        Some(ExitBehavior {
            after: Some(s(30)),
            rate_per_hour: None,
            code: 1
        })
    );
    assert_eq!(
        leak.health,
        Health {
            fail_after: Some(s(600)),
            fail_windows: vec![],
            never: false
        }
    );
    assert_eq!(leak.probe_latency, SimTime::from_millis(200));
    assert_eq!(leak.pull_time, s(20));
    assert_eq!(leak.size_bytes, 300 * MI);
    assert_eq!(leak.pre_stop_time, s(3));
    assert_eq!(leak.shutdown, s(4));
    let wave = image("wave:1");
    assert_eq!(
        wave.memory.shape,
        MemoryShape::Points {
            points: vec![(s(0), 300 * MI), (s(300), GI)],
            interpolation: Interpolation::Linear,
            period: Some(s(1800)),
        }
    );
    assert_eq!(wave.memory.startup_burst, None);
    assert_eq!(
        wave.exit,
        Some(ExitBehavior {
            after: None,
            rate_per_hour: Some(0.5),
            code: 137
        })
    );
    assert_eq!(
        wave.health.fail_windows,
        vec![(s(300), s(60)), (s(1200), s(30))]
    );
    assert!(image("dead:1").health.never);

    // pod specs
    let pod = &input.pods[0];
    assert_eq!(pod.spec.termination_grace_period_s, 45);
    let side = &pod.spec.init_containers[0];
    assert_eq!(side.restart_policy, Some(RestartPolicy::Always));
    assert_eq!(
        side.startup_probe,
        Some(Probe {
            failure_threshold: 30,
            ..Probe::default()
        })
    );
    let app = &pod.spec.containers[0];
    assert_eq!(app.image_pull_policy, Some(PullPolicy::Always));
    assert_eq!(
        app.liveness_probe,
        Some(Probe {
            initial_delay_s: 5,
            period_s: 7,
            timeout_s: 2,
            success_threshold: 1,
            failure_threshold: 4,
        })
    );
    assert_eq!(
        app.readiness_probe,
        Some(Probe {
            success_threshold: 2,
            ..Probe::default()
        })
    );
    assert_eq!(app.startup_probe, None);
    assert_eq!(app.pre_stop, Some(PreStopHook::Sleep(s(10))));
    let other = &pod.spec.containers[1];
    assert_eq!(
        other.image_pull_policy, None,
        "defaulted from the tag by the core"
    );
    assert_eq!(other.readiness_probe, Some(Probe::default()));
    assert_eq!(other.pre_stop, Some(PreStopHook::Handler));
    let c = &input.deployments[0].template.spec.containers[0];
    assert_eq!(c.image_pull_policy, Some(PullPolicy::Never));
    assert_eq!(c.startup_probe, Some(Probe::default()));
    assert_eq!(c.pre_stop, Some(PreStopHook::Handler));
    assert_eq!(
        input.deployments[0]
            .template
            .spec
            .termination_grace_period_s,
        30
    );

    // nodes
    let big = &input.nodes[0];
    let k = &big.kubelet;
    assert_eq!(k.eviction_hard.len(), 1, "nodefs.available is not modelled");
    assert_eq!(k.eviction_hard[0].signal, EvictionSignal::MemoryAvailable);
    let ThresholdValue::Percent(p) = k.eviction_hard[0].value else {
        panic!("a percentage: {:?}", k.eviction_hard[0]);
    };
    // kubelet's float32 share of 5 %.
    assert_eq!(p / 100.0, f64::from(5.0f32 / 100.0));
    assert_eq!(
        k.eviction_soft,
        vec![EvictionThreshold {
            signal: EvictionSignal::MemoryAvailable,
            value: ThresholdValue::Bytes(2 * GI),
            grace_period: Some(s(90)),
        }]
    );
    assert_eq!(k.eviction_pressure_transition_period, s(120));
    assert_eq!(k.eviction_max_pod_grace_period_s, 20);
    assert_eq!(k.housekeeping_interval, s(5));
    // maxParallelImagePulls > 1 defaults serializeImagePulls to false.
    assert!(!k.serialize_image_pulls);
    assert_eq!(k.max_parallel_image_pulls, Some(3));
    assert_eq!(big.system_memory_bytes, 600 * MI);
    // Allocatable: capacity − reserved − 5 % of capacity (truncated).
    let five_pct = (16.0 * GI as f64 * f64::from(5.0f32 / 100.0)) as i64;
    assert_eq!(big.allocatable.memory, 15 * GI - five_pct);
    let plain = &input.nodes[1];
    assert!(plain.kubelet.eviction_hard.is_empty(), "`{{}}` disables it");
    assert_eq!(plain.allocatable.memory, 8 * GI);
    assert!(!plain.kubelet.serialize_image_pulls);
    assert_eq!(plain.kubelet.max_parallel_image_pulls, None);
    assert_eq!(plain.system_memory_bytes, 0);

    // the cluster
    let cfg = &input.config;
    assert_eq!(cfg.kubelet.registry_max_concurrent_pulls, Some(4));
    let cm = &cfg.controller_manager;
    assert_eq!(cm.node_monitor_period, s(2));
    assert_eq!(cm.node_monitor_grace_period, s(20));
    assert_eq!(cm.node_eviction_rate, 0.5);
    assert_eq!(cm.secondary_node_eviction_rate, 0.0);
    assert_eq!(cm.large_cluster_size_threshold, 10);
    assert_eq!(cm.unhealthy_zone_threshold, 1.0);
}

#[test]
fn defaults_without_the_keys() {
    let sc = load(
        "name: d\nduration: 1m\ncluster:\n  nodes:\n    - name: n\n      capacity: {cpu: \"1\", memory: 1Gi}\n",
    );
    let n = &sc.input.nodes[0];
    assert_eq!(n.kubelet, kubesim_core::KubeletConfiguration::default());
    assert_eq!(n.allocatable.memory, GI - 100 * MI);
    assert_eq!(sc.input.config.kubelet.registry_max_concurrent_pulls, None);
    assert_eq!(
        sc.input.config.controller_manager,
        kubesim_scheduler::controllers::ControllerManagerConfig::default()
    );
}

/// Runs `text` and returns the output folder's files by name.
fn run(text: &str) -> std::collections::BTreeMap<&'static str, String> {
    let sc = load(text);
    let out = tempfile::tempdir().expect("temp dir");
    let report = run_one(&sc, out.path()).unwrap_or_else(|e| panic!("run failed: {e}"));
    [
        "containers.csv",
        "oom.csv",
        "events.csv",
        "evictions.csv",
        "pods.csv",
    ]
    .into_iter()
    .map(|f| {
        let text = std::fs::read_to_string(report.dir.join(f)).expect("output file");
        (f, text)
    })
    .collect()
}

/// The rows of a CSV as maps from column to cell.
fn rows(csv: &str) -> Vec<std::collections::BTreeMap<String, String>> {
    let mut r = csv::Reader::from_reader(csv.as_bytes());
    let header: Vec<String> = r
        .headers()
        .expect("header")
        .iter()
        .map(str::to_string)
        .collect();
    r.records()
        .map(|rec| {
            header
                .iter()
                .cloned()
                .zip(rec.expect("record").iter().map(str::to_string))
                .collect()
        })
        .collect()
}

#[test]
fn a_leaking_image_is_oom_killed() {
    let out = run(r#"
name: leak
duration: 30m
cluster:
  nodes:
    - name: n
      capacity: {cpu: "2", memory: 8Gi}
images:
  leaky:1.0:
    memory: {start: 100Mi, growth: 100Mi/min}
workloads:
  - apiVersion: v1
    kind: Pod
    metadata: {name: p}
    spec:
      containers:
        - name: app
          image: leaky:1.0
          resources: {limits: {memory: 512Mi}}
"#);
    let containers = rows(&out["containers.csv"]);
    let app = &containers[0];
    assert_eq!(app["container"], "app");
    assert_eq!(app["last_exit_reason"], "OOMKilled", "{app:?}");
    assert_eq!(app["last_exit_code"], "137");
    let restarts: u32 = app["restarts"].parse().expect("a count");
    assert!(restarts >= 2, "restarted after each kill: {app:?}");
    let oom = rows(&out["oom.csv"]);
    assert!(!oom.is_empty());
    // 100Mi + 100Mi/min passes 512Mi a little after 4m07s.
    let first = &oom[0];
    assert_eq!(first["scope"], "container");
    assert_eq!(first["pod"], "p");
    assert_eq!(first["container"], "app");
    assert_eq!(first["victim"], "true");
    let t: f64 = first["time_s"].parse().expect("a time");
    assert!((247.0..248.0).contains(&t), "{first:?}");
    let bytes: i64 = first["memory_bytes"].parse().expect("bytes");
    assert!(bytes > 512 * MI && bytes < 513 * MI, "{first:?}");
    assert!(out["events.csv"].contains("BackOff"));
}

#[test]
fn a_failing_liveness_probe_restarts_its_container() {
    let out = run(r#"
name: probes
duration: 10m
cluster:
  nodes:
    - name: n
      capacity: {cpu: "2", memory: 8Gi}
images:
  web:1.0: {startup: 5s, health: {failAfter: 2m}}
workloads:
  - apiVersion: v1
    kind: Pod
    metadata: {name: web}
    spec:
      containers:
        - name: app
          image: web:1.0
          livenessProbe:
            httpGet: {path: /healthz, port: 8080}
            periodSeconds: 10
            failureThreshold: 3
"#);
    let events = rows(&out["events.csv"]);
    let t = |e: &std::collections::BTreeMap<String, String>| -> f64 {
        e["time_s"].parse().expect("a time")
    };
    let killing = events
        .iter()
        .find(|e| e["reason"] == "Killing")
        .expect("a Killing event");
    assert!(
        killing["message"].contains("Container app failed liveness probe, will be restarted"),
        "{killing:?}"
    );
    // Healthy from 5 s to 2 minutes; the probes at 120 s, 130 s and 140 s
    // fail, the third kills.
    assert_eq!(t(killing), 140.0);
    let unhealthy = events
        .iter()
        .find(|e| e["reason"] == "Unhealthy" && t(e) >= 120.0)
        .expect("an Unhealthy event once the health fails");
    assert_eq!(unhealthy["type"], "Warning");
    assert!(unhealthy["message"].starts_with("Liveness probe failed"));
    assert_eq!(t(unhealthy), 120.0);
    let containers = rows(&out["containers.csv"]);
    let restarts: u32 = containers[0]["restarts"].parse().expect("a count");
    assert!(restarts >= 1, "{:?}", containers[0]);
}

#[test]
fn memory_pressure_evicts_with_the_nodes_thresholds() {
    let out = run(r#"
name: pressure
duration: 20m
cluster:
  nodes:
    - name: n
      capacity: {cpu: "4", memory: 4Gi}
      systemUsage: {memory: 1Gi}
      kubelet:
        evictionHard: {memory.available: 500Mi}
        housekeepingInterval: 5s
images:
  grow:1: {memory: {start: 100Mi, growth: 200Mi/min, max: 3Gi}}
  flat:1: {memory: 200Mi}
workloads:
  - apiVersion: v1
    kind: Pod
    metadata: {name: grower}
    spec:
      containers: [{name: c, image: grow:1, resources: {requests: {memory: 100Mi}}}]
  - apiVersion: v1
    kind: Pod
    metadata: {name: steady}
    spec:
      containers: [{name: c, image: flat:1, resources: {requests: {memory: 200Mi}}}]
"#);
    let ev = rows(&out["evictions.csv"]);
    assert!(!ev.is_empty(), "{}", out["events.csv"]);
    let evicted: Vec<_> = ev.iter().filter(|r| r["evicted"] == "true").collect();
    assert_eq!(evicted[0]["pod"], "grower", "usage above request first");
    assert_eq!(evicted[0]["threshold_bytes"], (500 * MI).to_string());
    let pods = rows(&out["pods.csv"]);
    let grower = pods.iter().find(|p| p["pod"] == "grower").expect("pod");
    assert_eq!(grower["reason"], "Evicted");
    // 4Gi − 1Gi system − 200Mi − grower < 500Mi: grower passes 2372Mi at
    // about 11m22s; a check at one of the next 5 s ticks evicts it.
    let t: f64 = evicted[0]["time_s"].parse().expect("a time");
    assert!((681.0..700.0).contains(&t), "{:?}", evicted[0]);
}
