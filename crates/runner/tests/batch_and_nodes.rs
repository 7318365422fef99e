//! Jobs, CronJobs, `startTime` and the node timeline actions, from a
//! scenario file to the engine's input — and end to end through a run:
//! a CronJob every minute (its Jobs' pods in `pods.csv`, their events),
//! and a node going down (`NodeNotReady`, `TaintManagerEviction`).

use kubesim_core::{ConcurrencyPolicy, NodeDownMode, RestartPolicy, TaintEffect};
use kubesim_runner::{load, load_text, run_one, Scenario};
use kubesim_scheduler::Action;
use std::path::Path;

fn scenario(text: &str) -> Scenario {
    load_text(Path::new("s.yaml"), text).unwrap_or_else(|e| {
        let list: Vec<String> = e.iter().map(|e| e.to_string()).collect();
        panic!("does not load:\n{}", list.join("\n"))
    })
}

const HEAD: &str = r#"
name: t
duration: 10m
cluster:
  nodes:
    - name: web
      count: 2
      capacity: {cpu: "4", memory: 8Gi}
      labels: {zone: a}
      taints: [{key: dedicated, value: web, effect: NoSchedule}]
    - name: solo
      capacity: {cpu: "2", memory: 4Gi}
      reserved: {cpu: 500m}
images:
  work: {cpu: "1", cpuSeconds: 30}
"#;

#[test]
fn a_job_reaches_the_engine() {
    let s = scenario(&format!(
        "{HEAD}{}",
        r#"workloads:
  - {apiVersion: scheduling.k8s.io/v1, kind: PriorityClass, metadata: {name: batch}, value: 100}
  - apiVersion: batch/v1
    kind: Job
    metadata: {name: report, namespace: jobs, labels: {team: a}}
    spec:
      completions: 5
      parallelism: 2
      backoffLimit: 3
      activeDeadlineSeconds: 600
      ttlSecondsAfterFinished: 60
      template:
        metadata: {labels: {app: report}}
        spec:
          restartPolicy: OnFailure
          priorityClassName: batch
          containers: [{name: c, image: work, resources: {requests: {cpu: 500m}}}]
  - apiVersion: batch/v1
    kind: Job
    metadata: {name: report}
    spec:
      template:
        spec:
          restartPolicy: Never
          containers: [{name: c, image: work}]
  - apiVersion: batch/v1
    kind: Job
    metadata: {name: queue}
    spec:
      parallelism: 3
      template:
        spec:
          restartPolicy: Never
          containers: [{name: c, image: work}]
"#
    ));
    let jobs = &s.input.jobs;
    assert_eq!(jobs.len(), 3);
    let j = &jobs[0];
    assert_eq!(
        (j.metadata.namespace.as_str(), j.metadata.name.as_str()),
        ("jobs", "report")
    );
    assert_eq!(j.metadata.labels.get("team").map(String::as_str), Some("a"));
    assert_eq!(
        (j.completions, j.parallelism, j.backoff_limit),
        (Some(5), 2, 3)
    );
    assert_eq!(j.active_deadline_s, Some(600));
    assert_eq!(j.ttl_seconds_after_finished, Some(60));
    assert_eq!(
        j.template.labels.get("app").map(String::as_str),
        Some("report")
    );
    assert_eq!(j.template.spec.restart_policy, RestartPolicy::OnFailure);
    // Priority admission on the pod template.
    assert_eq!(j.template.spec.priority, 100);
    assert_eq!(j.template.spec.priority_class_name, "batch");
    assert_eq!(j.template.spec.containers[0].image, "work");
    // SetDefaults_Job: one completion, parallelism 1, backoffLimit 6.
    let d = &jobs[1];
    assert_eq!(d.metadata.namespace, "default");
    assert_eq!(
        (d.completions, d.parallelism, d.backoff_limit),
        (Some(1), 1, 6)
    );
    assert_eq!(d.template.spec.restart_policy, RestartPolicy::Never);
    // A work queue: no completions.
    assert_eq!((jobs[2].completions, jobs[2].parallelism), (None, 3));
    assert_eq!(s.objects.modelled.get("Job"), Some(&3));
    assert!(s.objects.to_string().contains("3 Jobs"), "{}", s.objects);
}

#[test]
fn a_cron_job_reaches_the_engine() {
    let s = scenario(&format!(
        "startTime: 2026-01-05T00:00:00Z\n{HEAD}{}",
        r#"workloads:
  - apiVersion: batch/v1
    kind: CronJob
    metadata: {name: nightly, namespace: ops}
    spec:
      schedule: "30 2 * * 1-5"
      timeZone: Etc/GMT-2
      startingDeadlineSeconds: 200
      concurrencyPolicy: Forbid
      suspend: false
      successfulJobsHistoryLimit: 5
      failedJobsHistoryLimit: 0
      jobTemplate:
        metadata: {labels: {kind: nightly}, annotations: {owner: ops}}
        spec:
          backoffLimit: 1
          completions: 2
          template:
            spec:
              restartPolicy: Never
              containers: [{name: c, image: work}]
  - apiVersion: batch/v1
    kind: CronJob
    metadata: {name: tick}
    spec:
      schedule: "@every 90s"
      jobTemplate:
        spec:
          template:
            spec:
              restartPolicy: OnFailure
              containers: [{name: c, image: work}]
"#
    ));
    assert_eq!(s.input.config.clock_origin_unix_s, 1_767_571_200);
    let c = &s.input.cron_jobs[0];
    assert_eq!(
        (c.metadata.namespace.as_str(), c.metadata.name.as_str()),
        ("ops", "nightly")
    );
    assert_eq!(c.schedule.as_str(), "30 2 * * 1-5");
    assert_eq!(c.time_zone.as_ref().map(|z| z.name()), Some("Etc/GMT-2"));
    assert_eq!(c.offset_s(), 2 * 3600);
    assert_eq!(c.starting_deadline_s, Some(200));
    assert_eq!(c.concurrency_policy, ConcurrencyPolicy::Forbid);
    assert!(!c.suspend);
    assert_eq!(
        (c.successful_jobs_history_limit, c.failed_jobs_history_limit),
        (5, 0)
    );
    let t = &c.job_template;
    assert_eq!(t.labels.get("kind").map(String::as_str), Some("nightly"));
    assert_eq!(t.annotations.get("owner").map(String::as_str), Some("ops"));
    assert_eq!(
        (t.completions, t.parallelism, t.backoff_limit),
        (Some(2), None, Some(1))
    );
    assert_eq!(t.template.spec.restart_policy, RestartPolicy::Never);
    // SetDefaults_CronJob.
    let d = &s.input.cron_jobs[1];
    assert_eq!(d.concurrency_policy, ConcurrencyPolicy::Allow);
    assert_eq!(
        (d.successful_jobs_history_limit, d.failed_jobs_history_limit),
        (3, 1)
    );
    assert_eq!((d.time_zone.as_ref(), d.starting_deadline_s), (None, None));
    // The schedule: every 90 s from the origin.
    assert_eq!(d.schedule.next(1_767_571_200, 0), Some(1_767_571_200 + 90));
    assert_eq!(s.objects.modelled.get("CronJob"), Some(&2));
}

#[test]
fn the_clock_starts_at_the_epoch_by_default() {
    let s = scenario(HEAD);
    assert_eq!(s.input.config.clock_origin_unix_s, 0);
}

#[test]
fn kinds_share_names_and_namespaces_separate_them() {
    let s = scenario(&format!(
        "{HEAD}{}",
        r#"workloads:
  - {apiVersion: batch/v1, kind: Job, metadata: {name: x}, spec: {template: {spec: {restartPolicy: Never, containers: [{name: c, image: work}]}}}}
  - {apiVersion: batch/v1, kind: Job, metadata: {name: x, namespace: b}, spec: {template: {spec: {restartPolicy: Never, containers: [{name: c, image: work}]}}}}
  - {apiVersion: batch/v1, kind: CronJob, metadata: {name: x}, spec: {schedule: "@hourly", jobTemplate: {spec: {template: {spec: {restartPolicy: Never, containers: [{name: c, image: work}]}}}}}}
  - {apiVersion: apps/v1, kind: Deployment, metadata: {name: x}, spec: {selector: {matchLabels: {a: x}}, template: {metadata: {labels: {a: x}}, spec: {containers: [{name: c, image: work}]}}}}
  - {apiVersion: v1, kind: Pod, metadata: {name: x}, spec: {containers: [{name: c, image: work}]}}
"#
    ));
    assert_eq!(s.input.jobs.len(), 2);
    assert_eq!(s.input.cron_jobs.len(), 1);
    assert_eq!(s.input.deployments.len(), 1);
    assert_eq!(s.input.pods.len(), 1);
}

#[test]
fn every_node_action_reaches_the_engine() {
    let s = scenario(&format!(
        "{HEAD}{}",
        r#"timeline:
  - {at: 1m, action: nodeDown, target: node/web-1}
  - {at: 2m, action: nodeUp, target: node/web-1}
  - {at: 2m, action: nodeDown, target: node/web-1, mode: partition}
  - {at: 3m, action: cordon, target: node/solo}
  - {at: 4m, action: uncordon, target: node/solo}
  - {at: 5m, action: drain, target: node/web-2}
  - {at: 6m, action: removeNode, target: node/web-2}
  - {at: 7m, action: addNodes, target: pool/web, count: 2}
  - {at: 8m, action: addNodes, target: pool/solo, count: 1}
  - {at: 9m, action: addNodes, target: pool/web, count: 1}
  - {at: 9m, action: nodeDown, target: node/web-5}
  - {at: 9m, action: cordon, target: node/solo-2}
"#
    ));
    let acts: Vec<(u64, &Action)> = s
        .input
        .timeline
        .iter()
        .map(|e| (e.at.as_secs_f64() as u64, &e.action))
        .collect();
    let node = |n: &str| n.to_string();
    assert_eq!(
        acts[0],
        (
            60,
            &Action::NodeDown {
                node: node("web-1"),
                mode: NodeDownMode::Crash
            }
        )
    );
    assert_eq!(
        acts[1],
        (
            120,
            &Action::NodeUp {
                node: node("web-1")
            }
        )
    );
    assert_eq!(
        acts[2],
        (
            120,
            &Action::NodeDown {
                node: node("web-1"),
                mode: NodeDownMode::Partition
            }
        )
    );
    assert_eq!(acts[3], (180, &Action::Cordon { node: node("solo") }));
    assert_eq!(acts[4], (240, &Action::Uncordon { node: node("solo") }));
    assert_eq!(
        acts[5],
        (
            300,
            &Action::Drain {
                node: node("web-2")
            }
        )
    );
    assert_eq!(
        acts[6],
        (
            360,
            &Action::RemoveNode {
                node: node("web-2")
            }
        )
    );
    let added = |i: usize| match acts[i].1 {
        Action::AddNodes { nodes } => nodes,
        other => panic!("{other:?}"),
    };
    // Numbered after the pool's last node, across addNodes; a pool of
    // one node named `solo` grows with `solo-2`.
    let names = |i: usize| -> Vec<&str> { added(i).iter().map(|n| n.name()).collect() };
    assert_eq!(names(7), ["web-3", "web-4"]);
    assert_eq!(names(8), ["solo-2"]);
    assert_eq!(names(9), ["web-5"]);
    // Built like the pool's own nodes.
    let first = &s.input.nodes[0];
    for n in added(7).iter().chain(added(9)) {
        assert_eq!(n.capacity, first.capacity);
        assert_eq!(n.allocatable, first.allocatable);
        assert_eq!(n.taints, first.taints);
        assert_eq!(n.taints[0].effect, TaintEffect::NoSchedule);
        assert_eq!(n.metadata.labels.get("zone").map(String::as_str), Some("a"));
        assert_eq!(
            n.metadata
                .labels
                .get("kubernetes.io/hostname")
                .map(String::as_str),
            Some(n.name())
        );
    }
    let solo = &s.input.nodes[2];
    assert_eq!(solo.name(), "solo");
    assert_eq!(added(8)[0].reserved, solo.reserved);
    assert_eq!(added(8)[0].allocatable.milli_cpu, 1500);
    assert_eq!(
        acts[10],
        (
            540,
            &Action::NodeDown {
                node: node("web-5"),
                mode: NodeDownMode::Crash
            }
        )
    );
    assert_eq!(
        acts[11],
        (
            540,
            &Action::Cordon {
                node: node("solo-2")
            }
        )
    );
}

/// Reads `DIR/name` of a run.
fn read(dir: &Path, name: &str) -> String {
    std::fs::read_to_string(dir.join(name)).expect("output file")
}

#[test]
fn a_cron_job_every_minute_end_to_end() {
    let dir = tempfile::tempdir().expect("tmp");
    let file = dir.path().join("cron.yaml");
    std::fs::write(
        &file,
        r#"
name: cron-e2e
duration: 5m
startTime: 2026-01-05T00:00:00Z
cluster:
  nodes:
    - name: n
      count: 2
      capacity: {cpu: "4", memory: 8Gi}
images:
  work: {cpu: "1", cpuSeconds: 20}
workloads:
  - apiVersion: batch/v1
    kind: CronJob
    metadata: {name: tick}
    spec:
      schedule: "* * * * *"
      successfulJobsHistoryLimit: 1
      jobTemplate:
        spec:
          template:
            spec:
              restartPolicy: Never
              containers: [{name: c, image: work, resources: {requests: {cpu: 500m}}}]
"#,
    )
    .expect("write");
    let s = load(&file).expect("loads");
    let out = tempfile::tempdir().expect("tmp");
    let report = run_one(&s, out.path()).expect("runs");
    // 2026-01-05T00:01:00Z is minute 29459521 since the epoch: the Jobs
    // are tick-29459521 … tick-29459524, one a minute, 100 ms after it.
    let jobs: Vec<String> = (29_459_521..=29_459_524)
        .map(|m| format!("tick-{m}"))
        .collect();
    let pods = read(&report.dir, "pods.csv");
    let rows: Vec<Vec<&str>> = pods
        .lines()
        .skip(1)
        .map(|l| l.split(',').collect())
        .collect();
    assert_eq!(rows.len(), 4, "{pods}");
    for (row, job) in rows.iter().zip(&jobs) {
        assert!(row[0].starts_with(&format!("{job}-")), "{row:?}");
        assert_eq!(row[1], format!("cronjob/tick/{job}"));
        assert_eq!(row[10], "Succeeded", "{row:?}");
    }
    let created: Vec<&str> = rows.iter().map(|r| r[5]).collect();
    assert_eq!(created, ["60.100", "120.100", "180.100", "240.100"]);
    let events = read(&report.dir, "events.csv");
    for (k, job) in jobs.iter().enumerate() {
        let start = 60 * (k + 1);
        for line in [
            format!("{start}.100,Normal,SuccessfulCreate,cronjob/tick,Created job {job}"),
            format!("{}.100,Normal,Completed,job/{job},Job completed", start + 20),
            format!(
                "{}.100,Normal,SawCompletedJob,cronjob/tick,\"Saw completed job: {job}, condition: Complete\"",
                start + 20
            ),
        ] {
            assert!(events.contains(&line), "no {line:?} in\n{events}");
        }
        assert!(
            events.contains(&format!(",job/{job},Created pod: {job}-")),
            "{events}"
        );
    }
    // successfulJobsHistoryLimit 1: each finished Job deletes the one
    // before it.
    for (k, job) in jobs.iter().take(3).enumerate() {
        let line = format!(
            "{}.100,Normal,SuccessfulDelete,cronjob/tick,Deleted job {job}",
            60 * (k + 2) + 20
        );
        assert!(events.contains(&line), "no {line:?} in\n{events}");
    }
}

#[test]
fn a_node_down_end_to_end() {
    let dir = tempfile::tempdir().expect("tmp");
    let file = dir.path().join("down.yaml");
    std::fs::write(
        &file,
        r#"
name: down-e2e
duration: 10m
cluster:
  nodes:
    - name: n
      count: 2
      capacity: {cpu: "4", memory: 8Gi}
images:
  app: {cpu: 500m}
workloads:
  - apiVersion: v1
    kind: Pod
    metadata: {name: p}
    spec:
      nodeName: n-1
      containers: [{name: c, image: app}]
timeline:
  - {at: 1m, action: nodeDown, target: node/n-1}
"#,
    )
    .expect("write");
    let s = load(&file).expect("loads");
    let out = tempfile::tempdir().expect("tmp");
    let report = run_one(&s, out.path()).expect("runs");
    let events = read(&report.dir, "events.csv");
    let find = |reason: &str, object: &str| -> f64 {
        let line = events
            .lines()
            .find(|l| l.split(',').nth(2) == Some(reason) && l.split(',').nth(3) == Some(object))
            .unwrap_or_else(|| panic!("no {reason} for {object} in\n{events}"));
        line.split(',')
            .next()
            .and_then(|t| t.parse().ok())
            .expect("a time")
    };
    // The Lease stops at 60 s (last renewal at 60 s); the monitor pass
    // after 50 s of grace marks the node NotReady, then its pods.
    let not_ready = find("NodeNotReady", "node/n-1");
    assert!((110.0..=125.0).contains(&not_ready), "{not_ready}");
    assert!(events.contains("NodeNotReady,node/n-1,Node n-1 status is now: NodeNotReady"));
    assert_eq!(find("NodeNotReady", "pod/p"), not_ready);
    // The unreachable NoExecute taint; the pod's default toleration lasts
    // 300 s, then taint eviction deletes it.
    let evicted = find("TaintManagerEviction", "pod/p");
    assert!(
        evicted >= not_ready + 300.0 && evicted <= not_ready + 310.0,
        "{not_ready} → {evicted}"
    );
    assert!(events.contains("TaintManagerEviction,pod/p,Marking for deletion Pod default/p"));
    assert!(!events.contains("node/n-2,Node n-2 status is now: NodeNotReady"));
}

#[test]
fn unknown_nodes_and_pools_get_help() {
    let help = |timeline: &str| -> Vec<(String, Option<String>)> {
        match load_text(Path::new("s.yaml"), &format!("{HEAD}timeline:\n{timeline}")) {
            Ok(_) => panic!("loaded"),
            Err(e) => e.into_iter().map(|e| (e.message, e.help)).collect(),
        }
    };
    let got = help("  - {at: 1m, action: nodeDown, target: node/wbe-2}\n");
    assert_eq!(
        got[0].1.as_deref(),
        Some("did you mean `web-2`?"),
        "{got:?}"
    );
    let got = help("  - {at: 1m, action: nodeDown, target: node/web-7}\n");
    assert_eq!(
        got[0].1.as_deref(),
        Some("pool \"web\" has nodes web-1 … web-2"),
        "{got:?}"
    );
    let got = help(
        "  - {at: 1m, action: addNodes, target: pool/solo, count: 2}\n  - {at: 2m, action: drain, target: node/solo-4}\n",
    );
    assert_eq!(
        got[0].1.as_deref(),
        Some("pool \"solo\" has nodes \"solo\" and solo-2 … solo-3 (with those the timeline adds)"),
        "{got:?}"
    );
    let got = help("  - {at: 1m, action: addNodes, target: pool/wen, count: 1}\n");
    assert_eq!(got[0].0, "no node pool named \"wen\" in cluster.nodes");
    assert_eq!(got[0].1.as_deref(), Some("did you mean `web`?"), "{got:?}");
}
