//! Containers that exit on their own, through the shared `NodeHarness`:
//! exit after a fixed time with a code, random exits from each
//! container's own stream, and what `restartPolicy` (pod-level, and
//! sidecars) does with each exit code — crash-loop back-off, `Completed`,
//! `Error`, and the pod's phase (`getPhase`).

use kubesim_core::harness::NodeHarness;
use kubesim_core::{
    Container, ContainerState, CpuProfile, ExitBehavior, ImageBehavior, KubeletConfig, Node,
    NodeId, ObjectMeta, Pod, PodId, PodPhase, PodSpec, ResourceList, RestartPolicy, SimTime,
};

fn secs(s: u64) -> SimTime {
    SimTime::from_secs(s)
}

fn exits(after: Option<u64>, rate: Option<f64>, code: i32) -> ImageBehavior {
    ImageBehavior {
        cpu: CpuProfile::constant(0.1),
        exit: Some(ExitBehavior {
            after: after.map(secs),
            rate_per_hour: rate,
            code,
        }),
        ..Default::default()
    }
}

fn harness(images: Vec<(&str, ImageBehavior)>) -> (NodeHarness, NodeId) {
    let mut h = NodeHarness::new(KubeletConfig::default(), images);
    h.kubelet.set_seed(7);
    let cap = ResourceList {
        milli_cpu: 64_000,
        memory: 256 << 30,
        pods: 5000,
        scalar: vec![],
    };
    let n = h.add_node(Node::new(
        ObjectMeta::named("n"),
        cap,
        ResourceList::default(),
    ));
    (h, n)
}

fn pod(name: &str, image: &str, restart: RestartPolicy) -> Pod {
    Pod {
        metadata: ObjectMeta::named(name),
        spec: PodSpec {
            containers: vec![Container {
                name: "app".into(),
                image: image.into(),
                ..Default::default()
            }],
            restart_policy: restart,
            ..Default::default()
        },
        ..Default::default()
    }
}

fn run(h: &mut NodeHarness, n: NodeId, p: Pod) -> PodId {
    let id = h.add_pod(p);
    h.bind(id, n);
    id
}

/// Exit 1 after 30 s under `Always`: restarted at once, then after 10, 20,
/// 40 s… (kubelet's back-off), each delayed restart announced by
/// `BackOff`; the last exit is `Error`, code 1.
#[test]
fn failing_container_crash_loops_with_back_off() {
    let (mut h, n) = harness(vec![("crash", exits(Some(30), None, 1))]);
    let p = run(&mut h, n, pod("p", "crash", RestartPolicy::Always));
    h.run_until(secs(300));
    // Starts: 0, 30 (immediate), 70 (+10), 120 (+20), 190 (+40), 300 (+80).
    let starts: Vec<SimTime> = h
        .events
        .iter()
        .filter(|e| e.reason == "Started")
        .map(|e| e.time)
        .collect();
    assert_eq!(
        starts,
        [0, 30, 70, 120, 190, 300].map(secs),
        "run 30 s, wait the back-off, run again"
    );
    let backoffs = h.events.iter().filter(|e| e.reason == "BackOff").count();
    assert_eq!(backoffs, 4);
    let st = h.status(p, 0);
    assert_eq!(st.restart_count, 5);
    let t = st.last_termination.expect("exited");
    assert_eq!((t.reason, t.exit_code), ("Error", 1));
    assert_eq!(h.pod(p).phase(), PodPhase::Running);
}

/// The exit code decides under `OnFailure`: 0 completes the pod, non-zero
/// restarts the container.
#[test]
fn on_failure_restarts_only_failures() {
    let (mut h, n) = harness(vec![
        ("ok", exits(Some(10), None, 0)),
        ("bad", exits(Some(10), None, 2)),
    ]);
    let ok = run(&mut h, n, pod("ok", "ok", RestartPolicy::OnFailure));
    let bad = run(&mut h, n, pod("bad", "bad", RestartPolicy::OnFailure));
    h.run_until(secs(100));
    assert_eq!(h.pod(ok).phase(), PodPhase::Succeeded);
    assert_eq!(h.pod(ok).pod().status.reason, "Completed");
    assert_eq!(h.status(ok, 0).restart_count, 0);
    assert_eq!(h.pod(bad).phase(), PodPhase::Running);
    assert!(h.status(bad, 0).restart_count >= 3);
}

/// Under `Never` a non-zero exit fails the pod.
#[test]
fn never_fails_on_a_non_zero_exit() {
    let (mut h, n) = harness(vec![("bad", exits(Some(5), None, 3))]);
    let p = run(&mut h, n, pod("p", "bad", RestartPolicy::Never));
    h.run_until(secs(60));
    assert_eq!(h.pod(p).phase(), PodPhase::Failed);
    assert_eq!(h.pod(p).pod().status.reason, "Error");
    assert_eq!(h.status(p, 0).state, ContainerState::Terminated);
    assert_eq!(h.pod(p).times().finished, Some(secs(5)));
}

/// Random exits at 2 per hour: each container draws from its own stream,
/// so the times differ between containers, repeat for the same seed, and
/// average about half an hour.
#[test]
fn random_exits_follow_the_rate_and_repeat_with_the_seed() {
    let first_exits = |seed: u64| {
        let (mut h, n) = harness(vec![("flaky", exits(None, Some(2.0), 137))]);
        h.kubelet.set_seed(seed);
        let pods: Vec<PodId> = (0..2000)
            .map(|i| {
                run(
                    &mut h,
                    n,
                    pod(&format!("p{i}"), "flaky", RestartPolicy::Never),
                )
            })
            .collect();
        h.run_until(secs(100 * 3600));
        pods.iter()
            .map(|&p| h.pod(p).times().finished.expect("exited").as_secs_f64())
            .collect::<Vec<f64>>()
    };
    let a = first_exits(7);
    let mean = a.iter().sum::<f64>() / a.len() as f64;
    assert!((mean - 1800.0).abs() < 1800.0 * 0.08, "mean {mean} s");
    assert_ne!(a[0], a[1], "each container has its own stream");
    assert_eq!(a, first_exits(7), "same seed, same times");
    assert_ne!(a, first_exits(8));
}

fn slow_stop(pre_stop_time: u64, shutdown: u64) -> ImageBehavior {
    ImageBehavior {
        cpu: CpuProfile::constant(0.5),
        pre_stop_time: secs(pre_stop_time),
        shutdown: secs(shutdown),
        ..Default::default()
    }
}

/// Deletion with a `sleep` preStop of 5 s and a 10 s shutdown: the
/// container stops 15 s later with exit 0; until then the pod is not
/// Ready, restarts nothing and still holds its node's resources.
#[test]
fn graceful_termination_keeps_resources_until_gone() {
    let (mut h, n) = harness(vec![("web", slow_stop(0, 10))]);
    let mut p = pod("p", "web", RestartPolicy::Always);
    p.spec.containers[0].pre_stop = Some(kubesim_core::PreStopHook::Sleep(secs(5)));
    p.spec.containers[0].resources.cpu_request_m = Some(kubesim_core::MilliCpu(500));
    let id = run(&mut h, n, p);
    h.run_until(secs(100));
    h.delete(id);
    assert!(h
        .events
        .iter()
        .any(|e| e.reason == "Killing" && e.time == secs(100)));
    assert!(!h.pod(id).is_ready());
    h.run_until(secs(114));
    assert_eq!(h.status(id, 0).state, ContainerState::Running);
    assert_eq!(h.kubelet.accounting().node(n).requested().milli_cpu, 500);
    h.run_until(secs(115));
    let e = h.pod(id);
    assert_eq!(e.times().finished, Some(secs(115)));
    assert_eq!(e.phase(), PodPhase::Succeeded);
    assert_eq!(e.pod().status.reason, "Deleted");
    assert_eq!(h.kubelet.accounting().node(n).requested().milli_cpu, 0);
    assert_eq!(h.status(id, 0).restart_count, 0);
}

/// A process that needs 45 s to shut down is killed at the end of the
/// 30 s grace period: exit 137, and the pod ends `Failed`. An `exec`
/// hook taking the image's 29 s `preStopTime` leaves the 2 s minimum.
#[test]
fn sigkill_at_the_end_of_the_grace_period() {
    let (mut h, n) = harness(vec![
        ("stubborn", slow_stop(0, 45)),
        ("hooked", slow_stop(29, 5)),
    ]);
    let a = run(&mut h, n, pod("a", "stubborn", RestartPolicy::Always));
    let mut hooked = pod("b", "hooked", RestartPolicy::Always);
    hooked.spec.containers[0].pre_stop = Some(kubesim_core::PreStopHook::Handler);
    let b = run(&mut h, n, hooked);
    h.run_until(secs(10));
    h.delete(a);
    h.delete(b);
    h.run_until(secs(100));
    assert_eq!(h.pod(a).times().finished, Some(secs(40)));
    assert_eq!(h.pod(a).phase(), PodPhase::Failed);
    let t = h.status(a, 0).last_termination.unwrap();
    assert_eq!((t.reason, t.exit_code), ("Error", 137));
    // 29 s hook + min(5 s shutdown, max(30 − 29, 2) = 2 s) → killed at 31 s.
    assert_eq!(h.pod(b).times().finished, Some(secs(41)));
    assert_eq!(h.status(b, 0).last_termination.unwrap().exit_code, 137);
}

fn slow_starter(startup_s: u64) -> ImageBehavior {
    ImageBehavior {
        startup: secs(startup_s),
        cpu: CpuProfile::constant(0.2),
        ..Default::default()
    }
}

fn probe(delay: i32, period: i32, failures: i32) -> Option<kubesim_core::Probe> {
    Some(kubesim_core::Probe {
        initial_delay_s: delay,
        period_s: period,
        failure_threshold: failures,
        ..Default::default()
    })
}

/// An app that takes 60 s to answer, under a liveness probe with a 10 s
/// initial delay, every 10 s, 3 failures: the tick at 10 s is not yet more
/// than the delay after the start, so probes at 20, 30, 40 s fail, the
/// container is killed at 40 s ("failed liveness probe, will be
/// restarted") and restarts — for ever. Kill and restart happen in one
/// kubelet sync that sees the exit *before* the kill (`doBackOff`), so the
/// first five restarts are immediate and the back-off (80, 160, 300 s)
/// only then shows. Without a readiness probe it even counts as Ready
/// whenever it runs.
#[test]
fn liveness_without_enough_delay_restarts_a_slow_starter_for_ever() {
    let (mut h, n) = harness(vec![("slow", slow_starter(60))]);
    let mut p = pod("p", "slow", RestartPolicy::Always);
    p.spec.containers[0].liveness_probe = probe(10, 10, 3);
    let id = run(&mut h, n, p);
    h.run_until(secs(600));
    let kills: Vec<SimTime> = h
        .events
        .iter()
        .filter(|e| e.reason == "Killing")
        .map(|e| e.time)
        .collect();
    let want: Vec<SimTime> = [40, 80, 120, 160, 200, 240, 360, 560]
        .into_iter()
        .map(secs)
        .collect();
    assert_eq!(kills, want);
    assert!(h.events.iter().any(|e| e.reason == "Killing"
        && e.message == "Container app failed liveness probe, will be restarted"));
    assert!(h
        .events
        .iter()
        .any(|e| e.reason == "Unhealthy" && e.message.starts_with("Liveness probe failed")));
    assert!(kills.len() >= 4, "kills: {kills:?}");
    assert!(h.status(id, 0).restart_count >= 4);
    assert_eq!(
        h.pod(id).times().ready,
        Some(secs(0)),
        "ready while running"
    );
    assert!(h.events.iter().any(|e| e.reason == "BackOff"));
}

/// A startup probe that runs out of failures kills the container, like a
/// liveness probe: every 10 s, 2 failures, an app that needs 60 s — the
/// tick at its start finds no container, those at 10 and 20 s fail: killed
/// at 20 s ("failed startup probe, will be restarted"), again and again,
/// never started.
#[test]
fn a_startup_probe_with_too_few_failures_kills_the_slow_starter() {
    let (mut h, n) = harness(vec![("slow", slow_starter(60))]);
    let mut p = pod("p", "slow", RestartPolicy::Always);
    p.spec.containers[0].startup_probe = probe(0, 10, 2);
    let id = run(&mut h, n, p);
    h.run_until(secs(600));
    let kills: Vec<SimTime> = h
        .events
        .iter()
        .filter(|e| e.reason == "Killing")
        .map(|e| e.time)
        .collect();
    assert_eq!(kills.first(), Some(&secs(20)));
    assert!(h.events.iter().any(|e| e.reason == "Killing"
        && e.message == "Container app failed startup probe, will be restarted"));
    assert!(kills.len() >= 4, "kills: {kills:?}");
    assert_eq!(h.pod(id).times().ready, None);
}

/// The fix: a startup probe (every 10 s, up to 30 failures = 300 s) holds
/// liveness and readiness back until the app answers; it is started at the
/// first tick after 60 s and never killed.
#[test]
fn a_startup_probe_protects_the_slow_starter() {
    let (mut h, n) = harness(vec![("slow", slow_starter(60))]);
    let mut p = pod("p", "slow", RestartPolicy::Always);
    p.spec.containers[0].startup_probe = probe(0, 10, 30);
    p.spec.containers[0].liveness_probe = probe(10, 10, 3);
    p.spec.containers[0].readiness_probe = probe(0, 5, 3);
    let id = run(&mut h, n, p);
    h.run_until(secs(3600));
    assert!(!h.events.iter().any(|e| e.reason == "Killing"));
    assert_eq!(h.status(id, 0).restart_count, 0);
    // Started at the 60 s tick; readiness probes from then on: ready at
    // the first readiness tick, 60 s.
    assert_eq!(h.pod(id).times().ready, Some(secs(60)));
    assert!(h.pod(id).is_ready());
}

/// Readiness follows health: failing for a window makes the pod unready
/// after `failureThreshold` probes and ready again on the next success;
/// the container is never restarted.
#[test]
fn readiness_flips_with_health_windows() {
    let img = ImageBehavior {
        health: kubesim_core::Health {
            fail_windows: vec![(secs(300), secs(60))],
            ..Default::default()
        },
        ..slow_starter(0)
    };
    let (mut h, n) = harness(vec![("web", img)]);
    let mut p = pod("p", "web", RestartPolicy::Always);
    p.spec.containers[0].readiness_probe = probe(0, 10, 3);
    let id = run(&mut h, n, p);
    h.run_until(secs(299));
    assert!(h.pod(id).is_ready());
    // Failing ticks at 300, 310, 320 → unready at 320.
    h.run_until(secs(319));
    assert!(h.pod(id).is_ready());
    h.run_until(secs(320));
    assert!(!h.pod(id).is_ready());
    // Healthy again at 360: ready at the 360 tick.
    h.run_until(secs(360));
    assert!(h.pod(id).is_ready());
    assert_eq!(h.status(id, 0).restart_count, 0);
    let unhealthy = h.events.iter().filter(|e| e.reason == "Unhealthy").count();
    assert_eq!(unhealthy, 1, "one event for the failing streak");
}

/// Probes of 2,000 healthy pods cost no events at all: nothing changes.
#[test]
fn healthy_probes_cost_no_timers() {
    let (mut h, n) = harness(vec![("web", slow_starter(0))]);
    for i in 0..200 {
        let mut p = pod(&format!("p{i}"), "web", RestartPolicy::Always);
        p.spec.containers[0].liveness_probe = probe(0, 10, 3);
        p.spec.containers[0].readiness_probe = probe(0, 10, 3);
        run(&mut h, n, p);
    }
    h.run_until(secs(24 * 3600));
    // One readiness transition per pod (ready at the first tick), nothing
    // for liveness.
    // (The image has no tag, so each pod also asks the registry for it
    // once: `Always`. Those pulls are not probe timers.)
    let probe_timers = h
        .handled
        .iter()
        .filter(|(_, e)| e.container_kind().is_some())
        .count();
    assert!(probe_timers <= 200 + 10, "{probe_timers} timers");
}

fn pulled(pull_s: u64) -> ImageBehavior {
    ImageBehavior {
        pull_time: secs(pull_s),
        ..slow_starter(0)
    }
}

fn pull_harness(
    images: Vec<(&str, ImageBehavior)>,
    serialize: bool,
    registry: Option<u32>,
) -> (NodeHarness, Vec<NodeId>) {
    let cfg = KubeletConfig {
        registry_max_concurrent_pulls: registry,
        ..Default::default()
    };
    let mut h = NodeHarness::new(cfg, images);
    let nodes = (0..2)
        .map(|i| {
            let cap = ResourceList {
                milli_cpu: 64_000,
                memory: 256 << 30,
                pods: 500,
                scalar: vec![],
            };
            let mut n = Node::new(
                ObjectMeta::named(format!("n{i}")),
                cap,
                ResourceList::default(),
            );
            n.kubelet.serialize_image_pulls = serialize;
            h.add_node(n)
        })
        .collect();
    (h, nodes)
}

/// Two images of 20 s and 10 s on one node with serialized pulls: the
/// second waits for the first. `Pulled` reports the pull time and the
/// time including waiting, as kubelet words it.
#[test]
fn serialized_pulls_wait_for_each_other() {
    let (mut h, nodes) = pull_harness(vec![("a:1", pulled(20)), ("b:1", pulled(10))], true, None);
    let a = run(&mut h, nodes[0], pod("a", "a:1", RestartPolicy::Always));
    let b = run(&mut h, nodes[0], pod("b", "b:1", RestartPolicy::Always));
    h.run_until(secs(25));
    // Pending while its image is pulled; Running from its container's
    // start, which is the pod's start time.
    assert_eq!(h.pod(b).phase(), PodPhase::Pending);
    assert_eq!(h.pod(a).phase(), PodPhase::Running);
    h.run_until(secs(60));
    assert_eq!(h.status(a, 0).started_at, Some(secs(20)));
    assert_eq!(h.status(b, 0).started_at, Some(secs(30)));
    assert_eq!(h.pod(a).times().started, Some(secs(20)));
    assert_eq!(h.pod(b).times().started, Some(secs(30)));
    let pulled: Vec<&str> = h
        .events
        .iter()
        .filter(|e| e.reason == "Pulled")
        .map(|e| e.message.as_str())
        .collect();
    assert_eq!(
        pulled,
        [
            "Successfully pulled image \"a:1\" in 20s (20s including waiting). Image size: 0 bytes.",
            "Successfully pulled image \"b:1\" in 10s (30s including waiting). Image size: 0 bytes.",
        ]
    );
    assert_eq!(h.kubelet.image_pulls(), 2);
    // A second pod of the same image on the same node finds it present.
    let again = run(&mut h, nodes[0], pod("again", "a:1", RestartPolicy::Always));
    h.run_until(secs(61));
    assert_eq!(h.status(again, 0).started_at, Some(secs(60)));
    assert_eq!(h.kubelet.image_pulls(), 2);
}

/// Pods that need an image their node is downloading join the download;
/// behind the serializing puller each waits (`image_pulls_waiting`),
/// reports its own pull as taking no time, and counts as a registry
/// request of its own.
#[test]
fn joined_pulls_wait_and_count() {
    let (mut h, nodes) = pull_harness(vec![("a:1", pulled(20))], true, None);
    let first = run(&mut h, nodes[0], pod("first", "a:1", RestartPolicy::Always));
    let second = run(
        &mut h,
        nodes[0],
        pod("second", "a:1", RestartPolicy::Always),
    );
    assert_eq!(h.kubelet.image_pulls_waiting(), 1, "the joiner waits");
    h.run_until(secs(21));
    assert_eq!(h.kubelet.image_pulls_waiting(), 0);
    assert_eq!(h.kubelet.image_pulls(), 2, "two registry requests");
    assert_eq!(h.status(first, 0).started_at, Some(secs(20)));
    assert_eq!(h.status(second, 0).started_at, Some(secs(20)));
    let pulled: Vec<&str> = h
        .events
        .iter()
        .filter(|e| e.reason == "Pulled")
        .map(|e| e.message.as_str())
        .collect();
    assert_eq!(
        pulled,
        [
            "Successfully pulled image \"a:1\" in 20s (20s including waiting). Image size: 0 bytes.",
            "Successfully pulled image \"a:1\" in 0s (20s including waiting). Image size: 0 bytes.",
        ]
    );
}

/// A registry that serves one pull at a time makes nodes wait for each
/// other; `Always` pulls again at every restart (no time for an image
/// already there, but a registry request each time).
#[test]
fn registry_limit_and_always_policy() {
    let (mut h, nodes) = pull_harness(vec![("img:1", pulled(30))], false, Some(1));
    let p0 = run(&mut h, nodes[0], pod("p0", "img:1", RestartPolicy::Always));
    let p1 = run(&mut h, nodes[1], pod("p1", "img:1", RestartPolicy::Always));
    assert_eq!(h.kubelet.image_pulls_waiting(), 1);
    h.run_until(secs(100));
    assert_eq!(h.status(p0, 0).started_at, Some(secs(30)));
    assert_eq!(h.status(p1, 0).started_at, Some(secs(60)));
    assert_eq!(h.kubelet.image_pulls_waiting(), 0);
    // An image without a tag defaults to `Always`.
    let (mut h, nodes) = pull_harness(
        vec![("crash", {
            let mut i = exits(Some(5), None, 1);
            i.pull_time = secs(10);
            i
        })],
        true,
        None,
    );
    run(&mut h, nodes[0], pod("c", "crash", RestartPolicy::Always));
    h.run_until(secs(200));
    let pulls = h.kubelet.image_pulls();
    let starts = h.events.iter().filter(|e| e.reason == "Started").count() as u64;
    assert_eq!(pulls, starts, "one registry pull per start");
    assert!(starts >= 3);
}

/// `Never` with an absent image: `ErrImageNeverPull`, and the container
/// never starts.
#[test]
fn never_pull_of_an_absent_image() {
    let (mut h, nodes) = pull_harness(vec![("img:1", pulled(30))], true, None);
    let mut p = pod("p", "img:1", RestartPolicy::Always);
    p.spec.containers[0].image_pull_policy = Some(kubesim_core::PullPolicy::Never);
    let id = run(&mut h, nodes[0], p);
    h.run_until(secs(100));
    assert!(h.events.iter().any(|e| e.reason == "ErrImageNeverPull"
        && e.message == "Container image \"img:1\" is not present with pull policy of Never"));
    assert_eq!(h.status(id, 0).state, ContainerState::Waiting);
    assert_eq!(h.kubelet.image_pulls(), 0);
}
