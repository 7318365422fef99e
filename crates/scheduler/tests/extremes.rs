//! Extreme quantities and times through the whole engine: requests that
//! would overflow when summed, nodes at the largest quantities kubesim
//! accepts, startup times and durations near the end of time. Nothing may
//! panic (the test profile checks integer overflow), every metric is
//! finite and non-negative, sample times only move forward, lifecycle
//! times are in order, and no node holds more than it has.

use kubesim_core::{
    pod_requests, Bytes, Container, CpuProfile, ImageBehavior, MilliCpu, Node, ObjectMeta, Pod,
    PodSpec, ResourceList, ResourceRequirements, RestartPolicy, RunLimits, SimTime,
    MAX_QUANTITY_BYTES, MAX_QUANTITY_MILLI_CPU,
};
use kubesim_scheduler::{
    EventRecord, MetricRecord, MetricsConfig, RecordSink, Simulation, SimulationConfig,
    SimulationInput,
};
use proptest::prelude::*;
use proptest::sample::select;

fn quantity_m() -> impl Strategy<Value = i64> {
    prop_oneof![
        select(vec![0, 1, 100, 4000, MAX_QUANTITY_MILLI_CPU]),
        Just(i64::MAX / 2),
        Just(i64::MAX),
        0i64..=MAX_QUANTITY_MILLI_CPU,
    ]
}

fn quantity_bytes() -> impl Strategy<Value = i64> {
    prop_oneof![
        select(vec![0, 1, 1 << 30, MAX_QUANTITY_BYTES]),
        Just(i64::MAX / 2),
        Just(i64::MAX),
        0i64..=MAX_QUANTITY_BYTES,
    ]
}

fn time() -> impl Strategy<Value = SimTime> {
    prop_oneof![
        Just(SimTime::ZERO),
        Just(SimTime::from_secs(1)),
        Just(SimTime(u64::MAX / 2)),
        Just(SimTime(u64::MAX - 1)),
        Just(SimTime::MAX),
        (0u64..=u64::MAX).prop_map(SimTime),
    ]
}

fn container(i: usize, cpu: i64, mem: i64, limit: bool) -> Container {
    Container {
        name: format!("c{i}"),
        image: if i.is_multiple_of(2) { "slow" } else { "work" }.into(),
        resources: ResourceRequirements {
            cpu_request_m: Some(MilliCpu(cpu)),
            memory_request_bytes: Some(Bytes(mem)),
            cpu_limit_m: limit.then_some(MilliCpu(cpu)),
            memory_limit_bytes: limit.then_some(Bytes(mem)),
            ..Default::default()
        },
        restart_policy: None,
        ..Default::default()
    }
}

prop_compose! {
    fn arb_input()(
        nodes in proptest::collection::vec((quantity_m(), quantity_bytes()), 1..=3),
        pods in proptest::collection::vec(
            (proptest::collection::vec((quantity_m(), quantity_bytes(), any::<bool>()), 1..=3), any::<bool>()),
            1..=6,
        ),
        startup in time(),
        work in prop_oneof![Just(1e-9), Just(1.0), Just(1e300), Just(f64::MAX)],
        cores in prop_oneof![Just(0.001), Just(1.0), Just(1e12)],
        duration in prop_oneof![
            Just(SimTime::from_secs(60)),
            Just(SimTime(u64::MAX / 2)),
            Just(SimTime(u64::MAX - 1)),
        ],
        sample in prop_oneof![Just(SimTime::from_secs(1)), Just(SimTime(u64::MAX / 3)), Just(SimTime(u64::MAX - 2))],
        period in time(),
    ) -> SimulationInput {
        let nodes = nodes
            .into_iter()
            .enumerate()
            .map(|(i, (cpu, mem))| {
                let cap = ResourceList {
                    milli_cpu: cpu.min(MAX_QUANTITY_MILLI_CPU),
                    memory: mem.min(MAX_QUANTITY_BYTES),
                    pods: 110,
                    scalar: Vec::new(),
                };
                Node::new(ObjectMeta::named(format!("n{i}")), cap, ResourceList::default())
            })
            .collect();
        let pods = pods
            .into_iter()
            .enumerate()
            .map(|(i, (cs, always))| Pod {
                metadata: ObjectMeta::named(format!("p{i}")),
                spec: PodSpec {
                    containers: cs
                        .into_iter()
                        .enumerate()
                        .map(|(k, (cpu, mem, lim))| container(k, cpu, mem, lim))
                        .collect(),
                    restart_policy: if always { RestartPolicy::Always } else { RestartPolicy::Never },
                    ..Default::default()
                },
                status: Default::default(),
            })
            .collect();
        let profile = CpuProfile {
            points: vec![(SimTime::ZERO, cores), (SimTime(period.0 / 2), cores / 2.0)],
            period: Some(period).filter(|p| p.0 > 1),
            ..CpuProfile::constant(cores)
        };
        let images = vec![
            (
                "slow".to_string(),
                ImageBehavior { startup, cpu: profile.clone(), memory: kubesim_core::MemoryProfile::constant(i64::MAX), cpu_seconds: None, exit: None, ..Default::default() },
            ),
            (
                "work".to_string(),
                ImageBehavior { startup: SimTime::ZERO, cpu: profile, memory: kubesim_core::MemoryProfile::constant(1), cpu_seconds: Some(work), exit: None, ..Default::default() },
            ),
        ];
        SimulationInput {
            argo: Default::default(),
            config: SimulationConfig {
                scenario: "extremes".into(),
                seed: 1,
                duration,
                sample_interval: sample,
                limits: RunLimits {
                    max_sim_time: SimTime::MAX,
                    max_events: 20_000,
                    max_objects: 1_000,
                },
                metrics: MetricsConfig::default(),
                kubelet: Default::default(),
                profile: Default::default(),
                controller_manager: Default::default(),
                check_invariants: true,
                clock_origin_unix_s: 0,
            },
            nodes,
            images,
            pods,
            deployments: Vec::new(),
            jobs: Vec::new(),
            cron_jobs: Vec::new(),
            services: Vec::new(),
            traffic: Vec::new(),
            timeline: Vec::new(),
        }
    }
}

#[derive(Default)]
struct Check {
    last_sample: SimTime,
    last_event: SimTime,
    bad: Option<String>,
}

impl RecordSink for Check {
    type Error = String;
    fn event(&mut self, r: &EventRecord<'_>) -> Result<(), String> {
        if r.event.time < self.last_event {
            return Err(format!(
                "event at {} after {}",
                r.event.time, self.last_event
            ));
        }
        self.last_event = r.event.time;
        Ok(())
    }
    fn metric(&mut self, r: &MetricRecord<'_>) -> Result<(), String> {
        if r.time < self.last_sample {
            return Err(format!("sample at {} after {}", r.time, self.last_sample));
        }
        self.last_sample = r.time;
        if !(r.value.is_finite() && r.value >= -1e-6) {
            self.bad
                .get_or_insert(format!("{} {} = {}", r.object, r.metric, r.value));
        }
        Ok(())
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn extreme_quantities_and_times(input in arb_input()) {
        let nodes = input.nodes.clone();
        let mut sim = Simulation::new(input).map_err(|e| TestCaseError::fail(format!("new: {e}")))?;
        let mut check = Check::default();
        match sim.run(&mut check) {
            Ok(_) => {}
            // Hitting the event limit is a fine outcome for these inputs.
            Err(kubesim_scheduler::SimError::Limit(_)) => {}
            Err(e) => return Err(TestCaseError::fail(format!("{e:?}"))),
        }
        prop_assert!(check.bad.is_none(), "{:?}", check.bad);
        let store = sim.store();
        for (_, p) in store.pods() {
            let t = p.times();
            let seq: Vec<SimTime> = [Some(t.created), t.scheduled, t.started, t.ready]
                .into_iter()
                .flatten()
                .collect();
            prop_assert!(seq.windows(2).all(|w| w[0] <= w[1]), "{}: {t:?}", p.name());
        }
        for (nid, node) in store.nodes() {
            let mut sum = ResourceList::default();
            for (_, p) in store.pods() {
                if p.node() == Some(nid) && p.is_active_on_node() {
                    sum.add(&pod_requests(&p.pod().spec));
                }
            }
            let a = &nodes[nid.index()].allocatable;
            prop_assert!(sum.milli_cpu >= 0 && sum.milli_cpu <= a.milli_cpu, "{}: cpu {} of {}", node.name(), sum.milli_cpu, a.milli_cpu);
            prop_assert!(sum.memory >= 0 && sum.memory <= a.memory, "{}: memory {} of {}", node.name(), sum.memory, a.memory);
        }
    }
}
