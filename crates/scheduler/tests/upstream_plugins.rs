//! Upstream kube-scheduler plugin table tests, ported as data.
//!
//! Each table cites the upstream test function and file (kubernetes/kubernetes,
//! pkg/scheduler/framework/plugins/...). Rows are kept in upstream order;
//! rows that need features kubesim does not model (hugepages, ephemeral
//! storage, pod overhead, pod-level resources, ignored resources, DRA,
//! scheduler-enforced `addedAffinity`, argument validation) are skipped with
//! a note.
//!
//! Fixture semantics (see upstream pkg/scheduler/testing wrappers):
//! - `st.MakePod().Obj()` has no containers, so all requests are 0 and the
//!   non-zero scoring defaults (100m cpu / 200Mi memory, per container) do
//!   not apply. Here: `pod(vec![])`.
//! - `.Req(m)` appends one container with exactly the keys in `m`. Here: `c(&[..])`.
//! - `st.MakeNode().Capacity(m)` sets allocatable = `m` plus `pods: 32`.
//!   Quantities like `"cpu": "4000"` are cores upstream; scores depend only
//!   on ratios, so the numbers are used as millicores here, except where a
//!   non-zero default is involved (then the exact units are used).
//! - `makeNode(name, milliCPU, memory, ext)` (noderesources tests) sets
//!   allocatable without a `pods` entry.

use kubesim_core::{
    entity_rng, Bytes, Container, MilliCpu, NodeAffinity as PodNodeAffinity, NodeId,
    NodeSelectorOperator, NodeSelectorRequirement, NodeSelectorTerm, ObjectMeta, Pod, PodSpec,
    PreferredSchedulingTerm, ResourceList, ResourceRequirements, RestartPolicy, Taint, TaintEffect,
    Toleration, TolerationOperator,
};
use kubesim_scheduler::plugins::{
    balanced_resource_score, broken_linear, default_resources, least_requested_score,
    most_requested_score, requirement_matches, BalancedAllocation, NodeAffinity, NodeName,
    NodeResourcesFitFilter, NodeResourcesFitScore, NodeUnschedulable, ResourceSpec,
    ScoringStrategy, TaintToleration, UtilizationShapePoint, TAINT_NODE_UNSCHEDULABLE,
};
use kubesim_scheduler::{
    FilterPlugin, NodeInfo, PodInfo, ScheduleResult, Scheduler, SchedulerProfile, ScorePlugin,
};

// ---------------------------------------------------------------------------
// Fixtures
// ---------------------------------------------------------------------------

const XYZ: &str = "abc.com/xyz";
const FOO: &str = "intel.com/foo";
const BAR: &str = "intel.com/bar";
const GPU: &str = "nvidia.com/gpu";
const AAA: &str = "example.com/aaa";
const BBB: &str = "example.com/bbb";
const MI: i64 = 1024 * 1024;

/// One container whose requests are exactly `reqs` ("cpu" in millicores,
/// "memory" in bytes, any other name an extended resource). Like `.Req(m)`.
fn c(reqs: &[(&str, i64)]) -> Container {
    let mut r = ResourceRequirements::default();
    for &(name, v) in reqs {
        match name {
            "cpu" => r.cpu_request_m = Some(MilliCpu(v)),
            "memory" => r.memory_request_bytes = Some(Bytes(v)),
            _ => r.extended_requests.push((name.to_string(), v)),
        }
    }
    r.extended_requests.sort();
    Container {
        name: "c".into(),
        image: "img".into(),
        resources: r,
        restart_policy: None,
        ..Default::default()
    }
}

/// `c` as a restartable init container (sidecar).
fn sidecar(reqs: &[(&str, i64)]) -> Container {
    Container {
        restart_policy: Some(RestartPolicy::Always),
        ..c(reqs)
    }
}

fn pod(containers: Vec<Container>) -> Pod {
    pod_with_init(containers, vec![])
}

fn pod_with_init(containers: Vec<Container>, init_containers: Vec<Container>) -> Pod {
    Pod {
        metadata: ObjectMeta::named("p"),
        spec: PodSpec {
            containers,
            init_containers,
            ..Default::default()
        },
        ..Default::default()
    }
}

/// `st.MakePod().Obj()`: no containers at all.
fn empty_pod() -> Pod {
    pod(vec![])
}

/// A resource list: "cpu", "memory", "pods", anything else is a scalar.
fn res(list: &[(&str, i64)]) -> ResourceList {
    let mut r = ResourceList::default();
    for &(name, v) in list {
        match name {
            "cpu" => r.milli_cpu = v,
            "memory" => r.memory = v,
            "pods" => r.pods = v,
            _ => r.set_scalar(name, v),
        }
    }
    r
}

/// A node with `allocatable`, and `existing` pods already running on it.
fn node(i: u32, name: &str, allocatable: ResourceList, existing: &[Pod]) -> NodeInfo {
    let mut n = NodeInfo::new(NodeId(i), name, allocatable);
    for p in existing {
        n.add_pod(&PodInfo::new(p));
    }
    n
}

/// `st.MakeNode().Name(name).Capacity({cpu, memory, ext...})`: adds `pods: 32`.
fn cap_node(i: u32, name: &str, cap: &[(&str, i64)], existing: &[Pod]) -> NodeInfo {
    let mut a = res(cap);
    a.pods = 32;
    node(i, name, a, existing)
}

/// Two nodes `node1`/`node2` built with [`cap_node`].
fn cap_nodes2(n1: &[(&str, i64)], p1: &[Pod], n2: &[(&str, i64)], p2: &[Pod]) -> Vec<NodeInfo> {
    vec![cap_node(0, "node1", n1, p1), cap_node(1, "node2", n2, p2)]
}

/// Scores every node as upstream's tests do: Score per node, then
/// NormalizeScore over the list (a no-op for Fit and BalancedAllocation).
fn run_score(plugin: &dyn ScorePlugin, pod: &Pod, nodes: &[NodeInfo]) -> Vec<i64> {
    let info = PodInfo::new(pod);
    let mut s: Vec<i64> = nodes.iter().map(|n| plugin.score(&info, n)).collect();
    plugin.normalize(&mut s);
    s
}

/// Runs a filter and returns the reason strings (empty = fits).
fn run_filter(plugin: &dyn FilterPlugin, pod: &Pod, node: &NodeInfo) -> Vec<String> {
    let info = PodInfo::new(pod);
    let mut reasons = Vec::new();
    let ok = plugin.filter(&info, node, &mut reasons);
    assert_eq!(ok, reasons.is_empty(), "filter result and reasons disagree");
    reasons.iter().map(ToString::to_string).collect()
}

fn rs(list: &[(&str, i64)]) -> Vec<ResourceSpec> {
    list.iter().map(|&(n, w)| ResourceSpec::new(n, w)).collect()
}

/// `extendedResourceSet` = [cpu:1, memory:1, abc.com/xyz:1].
fn extended_resource_set() -> Vec<ResourceSpec> {
    rs(&[("cpu", 1), ("memory", 1), (XYZ, 1)])
}

/// `Req{cpu 1000, mem 2000}` + `Req{cpu 2000, mem 3000}`, used by many rows.
fn two_container_pod() -> Pod {
    pod(vec![
        c(&[("cpu", 1000), ("memory", 2000)]),
        c(&[("cpu", 2000), ("memory", 3000)]),
    ])
}

fn shape(points: &[(i64, i64)]) -> Vec<UtilizationShapePoint> {
    points
        .iter()
        .map(|&(utilization, score)| UtilizationShapePoint { utilization, score })
        .collect()
}

struct ScoreRow {
    name: &'static str,
    pod: Pod,
    nodes: Vec<NodeInfo>,
    resources: Vec<ResourceSpec>,
    want: Vec<i64>,
}

fn check_fit_scores(strategy: ScoringStrategy, rows: Vec<ScoreRow>) {
    for row in rows {
        let plugin = NodeResourcesFitScore::new(strategy.clone(), row.resources.clone());
        let got = run_score(&plugin, &row.pod, &row.nodes);
        assert_eq!(got, row.want, "{:?}: {}", strategy, row.name);
    }
}

// ---------------------------------------------------------------------------
// NodeResourcesFit scoring
// ---------------------------------------------------------------------------

// upstream: TestLeastAllocatedScoringStrategy
// (pkg/scheduler/framework/plugins/noderesources/least_allocated_test.go).
// Skipped: row 3 "Resources not set" (kubesim has no nil-resources error
// status), rows 11-13 (argument validation of weights -1, 0, 101: kubesim
// has no NewFit validation).
#[test]
fn least_allocated_scoring_strategy() {
    let rows = vec![
        ScoreRow {
            name: "1 nothing scheduled, nothing requested",
            pod: empty_pod(),
            nodes: cap_nodes2(
                &[("cpu", 4000), ("memory", 10000)],
                &[],
                &[("cpu", 4000), ("memory", 10000)],
                &[],
            ),
            resources: default_resources(),
            want: vec![100, 100],
        },
        ScoreRow {
            name: "2 nothing scheduled, resources requested, differently sized nodes",
            pod: two_container_pod(),
            nodes: cap_nodes2(
                &[("cpu", 4000), ("memory", 10000)],
                &[],
                &[("cpu", 6000), ("memory", 10000)],
                &[],
            ),
            resources: default_resources(),
            want: vec![37, 50],
        },
        ScoreRow {
            name: "4 no resources requested, pods scheduled",
            pod: empty_pod(),
            nodes: cap_nodes2(
                &[("cpu", 4000), ("memory", 10000)],
                &[empty_pod(), empty_pod()],
                &[("cpu", 4000), ("memory", 10000)],
                &[empty_pod(), empty_pod()],
            ),
            resources: default_resources(),
            want: vec![100, 100],
        },
        ScoreRow {
            name: "5 no resources requested, pods scheduled with resources",
            pod: empty_pod(),
            nodes: cap_nodes2(
                &[("cpu", 10000), ("memory", 20000)],
                &[
                    pod(vec![c(&[("cpu", 3000), ("memory", 0)])]),
                    pod(vec![c(&[("cpu", 3000), ("memory", 0)])]),
                ],
                &[("cpu", 10000), ("memory", 20000)],
                &[
                    pod(vec![c(&[("cpu", 3000), ("memory", 0)])]),
                    pod(vec![c(&[("cpu", 3000), ("memory", 5000)])]),
                ],
            ),
            resources: default_resources(),
            want: vec![70, 57],
        },
        ScoreRow {
            name: "6 resources requested, pods scheduled with resources",
            pod: two_container_pod(),
            nodes: cap_nodes2(
                &[("cpu", 10000), ("memory", 20000)],
                &[pod(vec![c(&[("cpu", 3000), ("memory", 0)])])],
                &[("cpu", 10000), ("memory", 20000)],
                &[pod(vec![c(&[("cpu", 3000), ("memory", 5000)])])],
            ),
            resources: default_resources(),
            want: vec![57, 45],
        },
        ScoreRow {
            name: "7 resources requested, pods scheduled with resources, differently sized nodes",
            pod: two_container_pod(),
            nodes: cap_nodes2(
                &[("cpu", 10000), ("memory", 20000)],
                &[pod(vec![c(&[("cpu", 3000), ("memory", 0)])])],
                &[("cpu", 10000), ("memory", 50000)],
                &[pod(vec![c(&[("cpu", 3000), ("memory", 5000)])])],
            ),
            resources: default_resources(),
            want: vec![57, 60],
        },
        ScoreRow {
            name: "8 requested resources exceed node capacity",
            pod: pod(vec![c(&[("cpu", 3000), ("memory", 0)])]),
            nodes: cap_nodes2(
                &[("cpu", 4000), ("memory", 10000)],
                &[pod(vec![c(&[("cpu", 3000), ("memory", 0)])])],
                &[("cpu", 4000), ("memory", 10000)],
                &[pod(vec![c(&[("cpu", 3000), ("memory", 5000)])])],
            ),
            resources: default_resources(),
            want: vec![50, 25],
        },
        ScoreRow {
            name: "9 zero node resources, pods scheduled with resources",
            pod: empty_pod(),
            nodes: cap_nodes2(
                &[],
                &[pod(vec![c(&[("cpu", 3000), ("memory", 0)])])],
                &[],
                &[pod(vec![c(&[("cpu", 3000), ("memory", 5000)])])],
            ),
            resources: default_resources(),
            want: vec![0, 0],
        },
        ScoreRow {
            name: "10 resources requested with different weight on CPU and memory",
            pod: two_container_pod(),
            nodes: cap_nodes2(
                &[("cpu", 4000), ("memory", 10000)],
                &[],
                &[("cpu", 6000), ("memory", 10000)],
                &[],
            ),
            resources: rs(&[("memory", 2), ("cpu", 1)]),
            want: vec![41, 50],
        },
        ScoreRow {
            name: "14 bypass extended resource if the pod does not request",
            pod: two_container_pod(),
            nodes: cap_nodes2(
                &[("cpu", 6000), ("memory", 10000)],
                &[],
                &[("cpu", 6000), ("memory", 10000), (XYZ, 4)],
                &[],
            ),
            resources: extended_resource_set(),
            want: vec![50, 50],
        },
        ScoreRow {
            name: "15 honor extended resource if the pod requests",
            pod: pod(vec![c(&[("cpu", 3000), ("memory", 5000), (XYZ, 2)])]),
            nodes: cap_nodes2(
                &[("cpu", 6000), ("memory", 10000), (XYZ, 4)],
                &[],
                &[("cpu", 6000), ("memory", 10000), (XYZ, 10)],
                &[],
            ),
            resources: extended_resource_set(),
            want: vec![50, 60],
        },
        ScoreRow {
            name: "16 if the node doesn't have a resource",
            pod: pod(vec![c(&[("cpu", 3000), ("memory", 4000)])]),
            nodes: cap_nodes2(
                &[("cpu", 6000), ("memory", 10000)],
                &[],
                &[("cpu", 6000), ("memory", 10000), (XYZ, 4)],
                &[],
            ),
            resources: rs(&[(XYZ, 2), ("cpu", 1), ("memory", 1)]),
            want: vec![55, 55],
        },
    ];
    check_fit_scores(ScoringStrategy::LeastAllocated, rows);
}

// upstream: TestMostAllocatedScoringStrategy
// (pkg/scheduler/framework/plugins/noderesources/most_allocated_test.go).
// Skipped: row 3 "Resources not set" (error status not modeled), rows 9-11
// (weight validation errors not modeled).
#[test]
fn most_allocated_scoring_strategy() {
    let rows = vec![
        ScoreRow {
            name: "1 nothing scheduled, nothing requested",
            pod: empty_pod(),
            nodes: cap_nodes2(
                &[("cpu", 4000), ("memory", 10000)],
                &[],
                &[("cpu", 4000), ("memory", 10000)],
                &[],
            ),
            resources: default_resources(),
            want: vec![0, 0],
        },
        ScoreRow {
            name: "2 nothing scheduled, resources requested, differently sized nodes",
            pod: two_container_pod(),
            nodes: cap_nodes2(
                &[("cpu", 4000), ("memory", 10000)],
                &[],
                &[("cpu", 6000), ("memory", 10000)],
                &[],
            ),
            resources: default_resources(),
            want: vec![62, 50],
        },
        ScoreRow {
            name: "4 no resources requested, pods scheduled with resources",
            pod: empty_pod(),
            nodes: cap_nodes2(
                &[("cpu", 10000), ("memory", 20000)],
                &[
                    pod(vec![c(&[("cpu", 3000), ("memory", 0)])]),
                    pod(vec![c(&[("cpu", 3000), ("memory", 0)])]),
                ],
                &[("cpu", 10000), ("memory", 20000)],
                &[
                    pod(vec![c(&[("cpu", 3000), ("memory", 0)])]),
                    pod(vec![c(&[("cpu", 3000), ("memory", 5000)])]),
                ],
            ),
            resources: default_resources(),
            want: vec![30, 42],
        },
        ScoreRow {
            name: "5 resources requested, pods scheduled with resources",
            pod: two_container_pod(),
            nodes: cap_nodes2(
                &[("cpu", 10000), ("memory", 20000)],
                &[pod(vec![c(&[("cpu", 3000), ("memory", 0)])])],
                &[("cpu", 10000), ("memory", 20000)],
                &[pod(vec![c(&[("cpu", 3000), ("memory", 5000)])])],
            ),
            resources: default_resources(),
            want: vec![42, 55],
        },
        ScoreRow {
            name: "6 resources requested equal node capacity",
            pod: pod(vec![
                c(&[("cpu", 2000), ("memory", 4000)]),
                c(&[("cpu", 3000), ("memory", 5000)]),
            ]),
            nodes: cap_nodes2(
                &[("cpu", 5000), ("memory", 10000)],
                &[],
                &[("cpu", 10000), ("memory", 9000)],
                &[],
            ),
            resources: default_resources(),
            want: vec![95, 75],
        },
        ScoreRow {
            name: "7 resources requested with more weight on CPU and memory",
            pod: two_container_pod(),
            nodes: cap_nodes2(
                &[("cpu", 4000), ("memory", 10000)],
                &[],
                &[("cpu", 6000), ("memory", 10000)],
                &[],
            ),
            resources: rs(&[("memory", 2), ("cpu", 1)]),
            want: vec![58, 50],
        },
        ScoreRow {
            // Exact units: cpu "250m", memory "1000Mi"; containers without
            // requests get the non-zero defaults (100m, 200Mi).
            name: "8 nonzero request",
            pod: pod(vec![c(&[])]),
            nodes: cap_nodes2(
                &[("cpu", 250), ("memory", 1000 * MI)],
                &[pod(vec![c(&[])]), pod(vec![c(&[])])],
                &[("cpu", 250), ("memory", 1000 * MI)],
                &[],
            ),
            resources: default_resources(),
            want: vec![80, 30],
        },
        ScoreRow {
            name: "12 bypass extended resource if the pod does not request",
            pod: two_container_pod(),
            nodes: cap_nodes2(
                &[("cpu", 6000), ("memory", 10000)],
                &[],
                &[("cpu", 6000), ("memory", 10000), (XYZ, 4)],
                &[],
            ),
            resources: extended_resource_set(),
            want: vec![50, 50],
        },
        ScoreRow {
            name: "13 honor extended resource if the pod requests",
            pod: pod(vec![c(&[("cpu", 3000), ("memory", 5000), (XYZ, 2)])]),
            nodes: cap_nodes2(
                &[("cpu", 6000), ("memory", 10000), (XYZ, 4)],
                &[],
                &[("cpu", 6000), ("memory", 10000), (XYZ, 10)],
                &[],
            ),
            resources: extended_resource_set(),
            want: vec![50, 40],
        },
        ScoreRow {
            name: "14 if the node doesn't have a resource",
            pod: pod(vec![c(&[("cpu", 3000), ("memory", 4000)])]),
            nodes: cap_nodes2(
                &[("cpu", 6000), ("memory", 10000)],
                &[],
                &[("cpu", 6000), ("memory", 10000), (XYZ, 4)],
                &[],
            ),
            resources: rs(&[(XYZ, 2), ("cpu", 1), ("memory", 1)]),
            want: vec![45, 45],
        },
    ];
    check_fit_scores(ScoringStrategy::MostAllocated, rows);
}

// upstream: TestRequestedToCapacityRatioScoringStrategy
// (pkg/scheduler/framework/plugins/noderesources/requested_to_capacity_ratio_test.go).
#[test]
fn requested_to_capacity_ratio_scoring_strategy() {
    let strategy = ScoringStrategy::RequestedToCapacityRatio {
        shape: shape(&[(0, 10), (100, 0)]),
    };
    let two_empty = || vec![empty_pod(), empty_pod()];
    let rows = vec![
        ScoreRow {
            name: "1 nothing scheduled, nothing requested",
            pod: empty_pod(),
            nodes: cap_nodes2(
                &[("cpu", 4000), ("memory", 10000)],
                &two_empty(),
                &[("cpu", 4000), ("memory", 10000)],
                &[],
            ),
            resources: default_resources(),
            want: vec![100, 100],
        },
        ScoreRow {
            name: "2 nothing scheduled, resources requested, differently sized nodes",
            pod: two_container_pod(),
            nodes: cap_nodes2(
                &[("cpu", 4000), ("memory", 10000)],
                &two_empty(),
                &[("cpu", 6000), ("memory", 10000)],
                &[],
            ),
            resources: default_resources(),
            want: vec![38, 50],
        },
        ScoreRow {
            name: "3 no resources requested, pods scheduled with resources",
            pod: empty_pod(),
            nodes: cap_nodes2(
                &[("cpu", 4000), ("memory", 10000)],
                &[pod(vec![c(&[("cpu", 3000), ("memory", 5000)])])],
                &[("cpu", 6000), ("memory", 10000)],
                &[pod(vec![c(&[("cpu", 3000), ("memory", 5000)])])],
            ),
            resources: default_resources(),
            want: vec![38, 50],
        },
    ];
    check_fit_scores(strategy, rows);
}

// upstream: TestFitScore (pkg/scheduler/framework/plugins/noderesources/fit_test.go),
// the non-DRA rows. kubesim's Fit score keeps no PreScore state, so the
// "if PreScore is not called" variants are the same computation as the
// rows listed here. Skipped: the two DRA extended-resource rows.
#[test]
fn fit_score() {
    let nodes = |n2_cpu: i64, p1: Pod, p2: Pod| {
        cap_nodes2(
            &[("cpu", 4000), ("memory", 10000)],
            &[p1],
            &[("cpu", n2_cpu), ("memory", 10000)],
            &[p2],
        )
    };
    let existing = || {
        (
            pod(vec![c(&[("cpu", 2000), ("memory", 4000)])]),
            pod(vec![c(&[("cpu", 1000), ("memory", 2000)])]),
        )
    };
    let with_sidecar = || {
        (
            pod_with_init(
                vec![c(&[("cpu", 1000), ("memory", 2000)])],
                vec![sidecar(&[("cpu", 1000), ("memory", 2000)])],
            ),
            pod(vec![c(&[("cpu", 1000), ("memory", 2000)])]),
        )
    };
    let big = || pod(vec![c(&[("cpu", 3000), ("memory", 5000)])]);
    let small = || pod(vec![c(&[("cpu", 1000), ("memory", 2000)])]);
    let rtcr = |pts: &[(i64, i64)]| ScoringStrategy::RequestedToCapacityRatio { shape: shape(pts) };

    // (name, strategy, pod, (existing on node1, existing on node2), node2 cpu, want)
    type Row = (
        &'static str,
        ScoringStrategy,
        Pod,
        (Pod, Pod),
        i64,
        [i64; 2],
    );
    let rows: Vec<Row> = vec![
        (
            "RequestedToCapacityRatio case1",
            rtcr(&[(0, 10), (100, 0)]),
            big(),
            existing(),
            6000,
            [10, 32],
        ),
        (
            "RequestedToCapacityRatio case2",
            rtcr(&[(0, 0), (100, 10)]),
            big(),
            existing(),
            6000,
            [95, 68],
        ),
        (
            "MostAllocated",
            ScoringStrategy::MostAllocated,
            small(),
            existing(),
            6000,
            [67, 36],
        ),
        (
            "LeastAllocated",
            ScoringStrategy::LeastAllocated,
            small(),
            existing(),
            6000,
            [32, 63],
        ),
        (
            "MostAllocated with sidecar container",
            ScoringStrategy::MostAllocated,
            small(),
            with_sidecar(),
            4000,
            [67, 45],
        ),
        (
            "LeastAllocated with sidecar container",
            ScoringStrategy::LeastAllocated,
            small(),
            with_sidecar(),
            4000,
            [32, 55],
        ),
    ];
    for (name, strategy, p, (p1, p2), n2_cpu, want) in rows {
        let plugin = NodeResourcesFitScore::new(strategy, default_resources());
        let got = run_score(&plugin, &p, &nodes(n2_cpu, p1, p2));
        assert_eq!(got, want, "{name}");
    }
}

// upstream: TestBrokenLinearFunction
// (pkg/scheduler/framework/plugins/helper/shape_score_test.go).
#[test]
fn broken_linear_function() {
    // (shape, [(p, expected)])
    type Case<'a> = (&'a [(i64, i64)], &'a [(i64, i64)]);
    let cases: &[Case] = &[
        (
            &[(10, 1), (90, 9)],
            &[
                (-10, 1),
                (0, 1),
                (9, 1),
                (10, 1),
                (15, 1),
                (19, 1),
                (20, 2),
                (89, 8),
                (90, 9),
                (99, 9),
                (100, 9),
                (110, 9),
            ],
        ),
        (
            &[(0, 2), (40, 10), (100, 0)],
            &[
                (-10, 2),
                (0, 2),
                (20, 6),
                (30, 8),
                (40, 10),
                (70, 5),
                (100, 0),
                (110, 0),
            ],
        ),
        (
            &[(0, 2), (40, 2), (100, 2)],
            &[
                (-10, 2),
                (0, 2),
                (20, 2),
                (30, 2),
                (40, 2),
                (70, 2),
                (100, 2),
                (110, 2),
            ],
        ),
    ];
    for (points, checks) in cases {
        let s = shape(points);
        for &(p, want) in *checks {
            assert_eq!(broken_linear(&s, p), want, "shape {points:?} at {p}");
        }
    }
}

/// `makeNode(name, 4000, 10000*1024*1024, ext)`: no pods entry.
fn bin_packing_node(i: u32, name: &str, ext: &[(&str, i64)], existing: &[Pod]) -> NodeInfo {
    let mut a = res(&[("cpu", 4000), ("memory", 10000 * MI)]);
    for &(n, v) in ext {
        a.set_scalar(n, v);
    }
    node(i, name, a, existing)
}

// upstream: TestResourceBinPackingSingleExtended
// (pkg/scheduler/framework/plugins/noderesources/requested_to_capacity_ratio_test.go).
// An existing pod without a node (row 2, 4) is not on any node, so it does
// not appear here.
#[test]
fn resource_bin_packing_single_extended() {
    let strategy = ScoringStrategy::RequestedToCapacityRatio {
        shape: shape(&[(0, 0), (100, 1)]),
    };
    let plugin = NodeResourcesFitScore::new(strategy, rs(&[(FOO, 1)]));
    let rows: Vec<(&str, Pod, Vec<Pod>, [i64; 2])> = vec![
        (
            "1 nothing scheduled, nothing requested",
            empty_pod(),
            vec![],
            [0, 0],
        ),
        (
            "2 resources requested, pods scheduled with less resources",
            pod(vec![c(&[(FOO, 2)])]),
            vec![],
            [2, 5],
        ),
        (
            "3 resources requested, pods scheduled with resources, on node with existing pod",
            pod(vec![c(&[(FOO, 2)])]),
            vec![pod(vec![c(&[(FOO, 2)])])],
            [2, 10],
        ),
        (
            "4 resources requested, pods scheduled with more resources",
            pod(vec![c(&[(FOO, 4)])]),
            vec![],
            [5, 10],
        ),
    ];
    for (name, p, on_node2, want) in rows {
        let nodes = vec![
            bin_packing_node(0, "node1", &[(FOO, 8)], &[]),
            bin_packing_node(1, "node2", &[(FOO, 4)], &on_node2),
        ];
        assert_eq!(run_score(&plugin, &p, &nodes), want, "{name}");
    }
}

// upstream: TestResourceBinPackingMultipleExtended
// (pkg/scheduler/framework/plugins/noderesources/requested_to_capacity_ratio_test.go).
#[test]
fn resource_bin_packing_multiple_extended() {
    let strategy = ScoringStrategy::RequestedToCapacityRatio {
        shape: shape(&[(0, 0), (100, 1)]),
    };
    let plugin = NodeResourcesFitScore::new(strategy, rs(&[(FOO, 3), (BAR, 5)]));
    let rows: Vec<(&str, Pod, Vec<Pod>, [i64; 2])> = vec![
        (
            "1 nothing scheduled, nothing requested",
            empty_pod(),
            vec![],
            [0, 0],
        ),
        (
            "2 resources requested, pods scheduled with less resources",
            pod(vec![c(&[(FOO, 2), (BAR, 2)])]),
            vec![],
            [4, 3],
        ),
        (
            "3 resources requested, pods scheduled with resources, on node with existing pod",
            pod(vec![c(&[(FOO, 2), (BAR, 2)])]),
            vec![pod(vec![c(&[(FOO, 4), (BAR, 2)])])],
            [4, 7],
        ),
        (
            "4 resources requested, pods scheduled with more resources",
            pod(vec![c(&[(FOO, 4), (BAR, 2)])]),
            vec![],
            [5, 5],
        ),
    ];
    for (name, p, on_node2, want) in rows {
        let nodes = vec![
            bin_packing_node(0, "node1", &[(FOO, 8), (BAR, 4)], &[]),
            bin_packing_node(1, "node2", &[(FOO, 4), (BAR, 8)], &on_node2),
        ];
        assert_eq!(run_score(&plugin, &p, &nodes), want, "{name}");
    }
}

// Scorer helpers: leastRequestedScore / mostRequestedScore edge cases
// (least_allocated.go, most_allocated.go).
#[test]
fn requested_score_helpers() {
    assert_eq!(least_requested_score(0, 0), 0);
    assert_eq!(least_requested_score(5, 4), 0);
    assert_eq!(least_requested_score(1, 4), 75);
    assert_eq!(most_requested_score(0, 0), 0);
    assert_eq!(most_requested_score(5, 4), 100);
    assert_eq!(most_requested_score(1, 3), 33);
}

// ---------------------------------------------------------------------------
// NodeResourcesBalancedAllocation
// ---------------------------------------------------------------------------

/// noderesources `makeNode(name, milliCPU, memory, ext)`: no pods entry.
fn nr_node(
    i: u32,
    name: &str,
    cpu: i64,
    mem: i64,
    ext: &[(&str, i64)],
    existing: &[Pod],
) -> NodeInfo {
    let mut a = res(&[("cpu", cpu), ("memory", mem)]);
    for &(n, v) in ext {
        a.set_scalar(n, v);
    }
    node(i, name, a, existing)
}

// upstream: TestNodeResourcesBalancedAllocation
// (pkg/scheduler/framework/plugins/noderesources/balanced_allocation_test.go),
// pre-1.36 formula (kubesim implements the ≤1.35 scorer). Skipped: the DRA
// extended-resource rows.
#[test]
fn node_resources_balanced_allocation() {
    // cpuAndMemory (NodeName node2), cpuOnly (node1), cpuAndMemoryAndGPU (node1).
    let cpu_and_memory = || {
        pod(vec![
            c(&[("cpu", 1000), ("memory", 2000)]),
            c(&[("cpu", 2000), ("memory", 3000)]),
        ])
    };
    let cpu_only = || {
        pod(vec![
            c(&[("cpu", 1000), ("memory", 0)]),
            c(&[("cpu", 2000), ("memory", 0)]),
        ])
    };
    let cpu_and_memory_and_gpu = || {
        pod(vec![
            c(&[("cpu", 1000), ("memory", 2000)]),
            c(&[("cpu", 2000), ("memory", 3000), (GPU, 3)]),
        ])
    };
    let r2 = default_resources;
    let r3 = || rs(&[("cpu", 1), ("memory", 1), (GPU, 1)]);

    // Row 1: a best-effort pod makes PreScore return Skip.
    {
        let plugin = BalancedAllocation { resources: r2() };
        let p = empty_pod();
        assert!(
            !plugin.pre_score(&PodInfo::new(&p)),
            "1 best-effort pod: PreScore Skip"
        );
        // Score without PreScore for a best-effort pod returns 0.
        let nodes = vec![
            nr_node(0, "node1", 4000, 10000, &[], &[]),
            nr_node(1, "node2", 4000, 10000, &[], &[]),
        ];
        assert_eq!(run_score(&plugin, &p, &nodes), vec![0, 0]);
    }

    struct Row {
        name: &'static str,
        pod: Pod,
        nodes: Vec<NodeInfo>,
        resources: Vec<ResourceSpec>,
        run_pre_score: bool,
        want: [i64; 2],
    }
    let existing = || (vec![cpu_only()], vec![cpu_and_memory()]);
    let rows = vec![
        Row {
            name: "2 nothing scheduled, resources requested, differently sized nodes",
            pod: cpu_and_memory(),
            nodes: vec![
                nr_node(0, "node1", 4000, 10000, &[], &[]),
                nr_node(1, "node2", 6000, 10000, &[], &[]),
            ],
            resources: r2(),
            run_pre_score: true,
            want: [87, 100],
        },
        Row {
            name: "3 resources requested, pods scheduled with resources",
            pod: cpu_and_memory(),
            nodes: {
                let (p1, p2) = existing();
                vec![
                    nr_node(0, "node1", 10000, 20000, &[], &p1),
                    nr_node(1, "node2", 10000, 20000, &[], &p2),
                ]
            },
            resources: r2(),
            run_pre_score: true,
            want: [82, 95],
        },
        Row {
            name: "4 resources requested, pods scheduled with resources, differently sized nodes",
            pod: cpu_and_memory(),
            nodes: {
                let (p1, p2) = existing();
                vec![
                    nr_node(0, "node1", 10000, 20000, &[], &p1),
                    nr_node(1, "node2", 10000, 50000, &[], &p2),
                ]
            },
            resources: r2(),
            run_pre_score: true,
            want: [82, 80],
        },
        Row {
            name: "5 requested resources at node capacity",
            pod: cpu_only(),
            nodes: {
                let (p1, p2) = existing();
                vec![
                    nr_node(0, "node1", 6000, 10000, &[], &p1),
                    nr_node(1, "node2", 6000, 10000, &[], &p2),
                ]
            },
            resources: r2(),
            run_pre_score: true,
            want: [50, 75],
        },
        Row {
            name: "6 include scalar resource on a node for balanced resource allocation",
            pod: pod(vec![c(&[("memory", 0), (GPU, 1)])]),
            nodes: vec![
                nr_node(
                    0,
                    "node1",
                    3500,
                    40000,
                    &[(GPU, 8)],
                    &[cpu_and_memory_and_gpu()],
                ),
                nr_node(1, "node2", 3500, 40000, &[(GPU, 8)], &[cpu_and_memory()]),
            ],
            resources: r3(),
            run_pre_score: true,
            want: [70, 65],
        },
        Row {
            name: "7 node without the scalar resource results to a higher score",
            pod: cpu_and_memory(),
            nodes: vec![
                nr_node(0, "node1", 3500, 40000, &[(GPU, 8)], &[]),
                nr_node(1, "node2", 3500, 40000, &[], &[]),
            ],
            resources: r3(),
            run_pre_score: true,
            want: [63, 63],
        },
        Row {
            name: "8 = row 3 when PreScore is not called",
            pod: cpu_and_memory(),
            nodes: {
                let (p1, p2) = existing();
                vec![
                    nr_node(0, "node1", 10000, 20000, &[], &p1),
                    nr_node(1, "node2", 10000, 20000, &[], &p2),
                ]
            },
            resources: r2(),
            run_pre_score: false,
            want: [82, 95],
        },
    ];
    for row in rows {
        let plugin = BalancedAllocation {
            resources: row.resources,
        };
        if row.run_pre_score {
            assert!(
                plugin.pre_score(&PodInfo::new(&row.pod)),
                "{}: PreScore",
                row.name
            );
        }
        assert_eq!(
            run_score(&plugin, &row.pod, &row.nodes),
            row.want,
            "{}",
            row.name
        );
    }
}

// balancedResourceScorer on raw fractions (balanced_allocation.go): two
// resources use |f0-f1|/2; zero-allocatable resources are skipped;
// fractions are capped at 1.
#[test]
fn balanced_resource_scorer() {
    assert_eq!(balanced_resource_score(&[3, 5], &[4, 10]), 87);
    assert_eq!(balanced_resource_score(&[6, 0], &[6, 10]), 50);
    assert_eq!(balanced_resource_score(&[12, 0], &[6, 10]), 50);
    assert_eq!(balanced_resource_score(&[3, 7], &[0, 10]), 100);
    assert_eq!(balanced_resource_score(&[], &[]), 100);
}

// ---------------------------------------------------------------------------
// NodeResourcesFit filter
// ---------------------------------------------------------------------------

/// A `newResourcePod` container: cpu and memory set explicitly (0s included).
fn rc(cpu: i64, mem: i64, ext: &[(&str, i64)]) -> Container {
    let mut v: Vec<(&str, i64)> = vec![("cpu", cpu), ("memory", mem)];
    v.extend_from_slice(ext);
    c(&v)
}

/// The TestEnoughRequests node: allocatable {cpu 10m, memory 20, pods 32,
/// example.com/aaa 5} (ephemeral-storage and hugepages are not modeled)
/// with one existing pod.
fn enough_node(existing: Pod) -> NodeInfo {
    node(
        0,
        "n",
        res(&[("cpu", 10), ("memory", 20), ("pods", 32), (AAA, 5)]),
        &[existing],
    )
}

// upstream: TestEnoughRequests (pkg/scheduler/framework/plugins/noderesources/fit_test.go).
// Compared: the reason list. Not compared: the Unschedulable vs
// UnschedulableAndUnresolvable code and InsufficientResource
// {requested, used, capacity} (kubesim's Reason carries only the name).
// Skipped rows: hugepages, ephemeral storage, ignored resources / groups,
// pod overhead, pod-level resources (not modeled).
#[test]
fn enough_requests() {
    let cpu = "Insufficient cpu";
    let mem = "Insufficient memory";
    let aaa = "Insufficient example.com/aaa";
    let bbb = "Insufficient example.com/bbb";
    let k8s_a = "Insufficient kubernetes.io/something";
    let k8s_b = "Insufficient subdomain.kubernetes.io/something";
    let rows: Vec<(&str, Pod, Pod, Vec<&str>)> = vec![
        (
            "no resources requested always fits",
            empty_pod(),
            pod(vec![rc(10, 20, &[])]),
            vec![],
        ),
        (
            "too many resources fails",
            pod(vec![rc(1, 1, &[])]),
            pod(vec![rc(10, 20, &[])]),
            vec![cpu, mem],
        ),
        (
            "too many resources fails due to init container cpu",
            pod_with_init(vec![rc(1, 1, &[])], vec![rc(3, 1, &[])]),
            pod(vec![rc(8, 19, &[])]),
            vec![cpu],
        ),
        (
            "too many resources fails due to highest init container cpu",
            pod_with_init(vec![rc(1, 1, &[])], vec![rc(3, 1, &[]), rc(2, 1, &[])]),
            pod(vec![rc(8, 19, &[])]),
            vec![cpu],
        ),
        (
            "too many resources fails due to init container memory",
            pod_with_init(vec![rc(1, 1, &[])], vec![rc(1, 3, &[])]),
            pod(vec![rc(9, 19, &[])]),
            vec![mem],
        ),
        (
            "too many resources fails due to highest init container memory",
            pod_with_init(vec![rc(1, 1, &[])], vec![rc(1, 3, &[]), rc(1, 2, &[])]),
            pod(vec![rc(9, 19, &[])]),
            vec![mem],
        ),
        (
            "init container fits because it's the max, not sum, of containers and init containers",
            pod_with_init(vec![rc(1, 1, &[])], vec![rc(1, 1, &[])]),
            pod(vec![rc(9, 19, &[])]),
            vec![],
        ),
        (
            "multiple init containers fit because it's the max, not sum, of containers and init containers",
            pod_with_init(vec![rc(1, 1, &[])], vec![rc(1, 1, &[]), rc(1, 1, &[])]),
            pod(vec![rc(9, 19, &[])]),
            vec![],
        ),
        (
            "both resources fit",
            pod(vec![rc(1, 1, &[])]),
            pod(vec![rc(5, 5, &[])]),
            vec![],
        ),
        (
            "one resource memory fits",
            pod(vec![rc(2, 1, &[])]),
            pod(vec![rc(9, 5, &[])]),
            vec![cpu],
        ),
        (
            "one resource cpu fits",
            pod(vec![rc(1, 2, &[])]),
            pod(vec![rc(5, 19, &[])]),
            vec![mem],
        ),
        (
            "equal edge case",
            pod(vec![rc(5, 1, &[])]),
            pod(vec![rc(5, 19, &[])]),
            vec![],
        ),
        (
            "equal edge case for init container",
            pod_with_init(vec![rc(4, 1, &[])], vec![rc(5, 1, &[])]),
            pod(vec![rc(5, 19, &[])]),
            vec![],
        ),
        (
            "extended resource fits",
            pod(vec![rc(0, 0, &[(AAA, 1)])]),
            pod(vec![rc(0, 0, &[])]),
            vec![],
        ),
        (
            "extended resource fits for init container",
            pod_with_init(vec![rc(0, 0, &[])], vec![rc(0, 0, &[(AAA, 1)])]),
            pod(vec![rc(0, 0, &[])]),
            vec![],
        ),
        (
            "extended resource capacity enforced",
            pod(vec![rc(1, 1, &[(AAA, 10)])]),
            pod(vec![rc(0, 0, &[(AAA, 0)])]),
            vec![aaa],
        ),
        (
            "extended resource capacity enforced for init container",
            pod_with_init(vec![rc(0, 0, &[])], vec![rc(1, 1, &[(AAA, 10)])]),
            pod(vec![rc(0, 0, &[(AAA, 0)])]),
            vec![aaa],
        ),
        (
            "extended resource allocatable enforced",
            pod(vec![rc(1, 1, &[(AAA, 1)])]),
            pod(vec![rc(0, 0, &[(AAA, 5)])]),
            vec![aaa],
        ),
        (
            "extended resource allocatable enforced for init container",
            pod_with_init(vec![rc(0, 0, &[])], vec![rc(1, 1, &[(AAA, 1)])]),
            pod(vec![rc(0, 0, &[(AAA, 5)])]),
            vec![aaa],
        ),
        (
            "extended resource allocatable enforced for multiple containers",
            pod(vec![rc(1, 1, &[(AAA, 3)]), rc(1, 1, &[(AAA, 3)])]),
            pod(vec![rc(0, 0, &[(AAA, 2)])]),
            vec![aaa],
        ),
        (
            "extended resource allocatable admits multiple init containers",
            pod_with_init(
                vec![rc(0, 0, &[])],
                vec![rc(1, 1, &[(AAA, 3)]), rc(1, 1, &[(AAA, 3)])],
            ),
            pod(vec![rc(0, 0, &[(AAA, 2)])]),
            vec![],
        ),
        (
            "extended resource allocatable enforced for multiple init containers",
            pod_with_init(
                vec![rc(0, 0, &[])],
                vec![rc(1, 1, &[(AAA, 6)]), rc(1, 1, &[(AAA, 3)])],
            ),
            pod(vec![rc(0, 0, &[(AAA, 2)])]),
            vec![aaa],
        ),
        (
            "extended resource allocatable enforced for unknown resource",
            pod(vec![rc(1, 1, &[(BBB, 1)])]),
            pod(vec![rc(0, 0, &[])]),
            vec![bbb],
        ),
        (
            "extended resource allocatable enforced for unknown resource for init container",
            pod_with_init(vec![rc(0, 0, &[])], vec![rc(1, 1, &[(BBB, 1)])]),
            pod(vec![rc(0, 0, &[])]),
            vec![bbb],
        ),
        (
            "kubernetes.io resource capacity enforced",
            pod(vec![rc(1, 1, &[("kubernetes.io/something", 10)])]),
            pod(vec![rc(0, 0, &[])]),
            vec![k8s_a],
        ),
        (
            "kubernetes.io resource capacity enforced for init container",
            pod_with_init(
                vec![rc(0, 0, &[])],
                vec![rc(1, 1, &[("subdomain.kubernetes.io/something", 10)])],
            ),
            pod(vec![rc(0, 0, &[])]),
            vec![k8s_b],
        ),
        (
            "skip checking extended resource request with quantity zero via resource groups",
            pod(vec![rc(1, 1, &[(AAA, 0)])]),
            pod(vec![rc(0, 0, &[(AAA, 6)])]),
            vec![],
        ),
    ];
    for (name, p, existing, want) in rows {
        let got = run_filter(&NodeResourcesFitFilter, &p, &enough_node(existing));
        assert_eq!(got, want, "{name}");
    }
}

// upstream: TestNotEnoughRequests (pkg/scheduler/framework/plugins/noderesources/fit_test.go).
// Node allocatable {cpu 10m, memory 20, pods 1} with one existing pod.
#[test]
fn not_enough_requests() {
    let rows: Vec<(&str, Pod, Pod)> = vec![
        (
            "even without specified resources predicate fails when there's no space for additional pod",
            empty_pod(),
            pod(vec![rc(10, 20, &[])]),
        ),
        (
            "even if both resources fit predicate fails when there's no space for additional pod",
            pod(vec![rc(1, 1, &[])]),
            pod(vec![rc(5, 5, &[])]),
        ),
        (
            "even for equal edge case predicate fails when there's no space for additional pod",
            pod(vec![rc(5, 1, &[])]),
            pod(vec![rc(5, 19, &[])]),
        ),
        (
            "even for equal edge case predicate fails when there's no space for additional pod due to init container",
            pod_with_init(vec![rc(5, 1, &[])], vec![rc(5, 1, &[])]),
            pod(vec![rc(5, 19, &[])]),
        ),
    ];
    for (name, p, existing) in rows {
        let n = node(
            0,
            "n",
            res(&[("cpu", 10), ("memory", 20), ("pods", 1)]),
            &[existing],
        );
        assert_eq!(
            run_filter(&NodeResourcesFitFilter, &p, &n),
            vec!["Too many pods"],
            "{name}"
        );
    }
}

// upstream: TestStorageRequests (pkg/scheduler/framework/plugins/noderesources/fit_test.go),
// the cpu/memory rows (the ephemeral-storage rows are not modeled).
#[test]
fn storage_requests_cpu_rows() {
    let rows: Vec<(&str, Pod, Pod, Vec<&str>)> = vec![
        (
            "due to container scratch disk",
            pod(vec![rc(1, 1, &[])]),
            pod(vec![rc(10, 10, &[])]),
            vec!["Insufficient cpu"],
        ),
        (
            "pod fit",
            pod(vec![rc(1, 1, &[])]),
            pod(vec![rc(2, 10, &[])]),
            vec![],
        ),
    ];
    for (name, p, existing, want) in rows {
        let got = run_filter(&NodeResourcesFitFilter, &p, &enough_node(existing));
        assert_eq!(got, want, "{name}");
    }
}

// upstream: TestRestartableInitContainers (pkg/scheduler/framework/plugins/noderesources/fit_test.go),
// the rows with the SidecarContainers feature enabled. Node allocatable
// {cpu 2m, memory 0, pods 1}, no existing pods.
#[test]
fn restartable_init_containers() {
    let sidecar_pod = |regular: &[(&str, i64)], side: &[(&str, i64)]| {
        pod_with_init(vec![c(regular)], vec![sidecar(side)])
    };
    let rows: Vec<(&str, Pod, Vec<&str>)> = vec![
        (
            "allow pod without restartable init containers",
            pod(vec![c(&[])]),
            vec![],
        ),
        (
            "allow pod with restartable init containers if sidecar containers is enabled",
            sidecar_pod(&[], &[]),
            vec![],
        ),
        (
            "allow pod if the total requested resources do not exceed the node's allocatable resources",
            sidecar_pod(&[("cpu", 1)], &[("cpu", 1)]),
            vec![],
        ),
        (
            "not allow pod if the total requested resources do exceed the node's allocatable resources",
            sidecar_pod(&[("cpu", 1)], &[("cpu", 2)]),
            vec!["Insufficient cpu"],
        ),
    ];
    for (name, p, want) in rows {
        let n = node(0, "n", res(&[("cpu", 2), ("memory", 0), ("pods", 1)]), &[]);
        assert_eq!(run_filter(&NodeResourcesFitFilter, &p, &n), want, "{name}");
    }
}

// ---------------------------------------------------------------------------
// TaintToleration
// ---------------------------------------------------------------------------

fn taint(key: &str, value: &str, effect: TaintEffect) -> Taint {
    Taint {
        key: key.into(),
        value: value.into(),
        effect,
    }
}

/// `v1.Toleration`; operator `""` is `Equal`, effect `None` is `""`.
fn tol(key: &str, op: TolerationOperator, value: &str, effect: Option<TaintEffect>) -> Toleration {
    Toleration {
        key: key.into(),
        operator: op,
        value: value.into(),
        effect,
        toleration_seconds: None,
    }
}

fn pod_with_tolerations(tolerations: Vec<Toleration>) -> Pod {
    let mut p = empty_pod();
    p.spec.tolerations = tolerations;
    p
}

fn node_with_taints(i: u32, name: &str, taints: Vec<Taint>) -> NodeInfo {
    let mut n = NodeInfo::new(NodeId(i), name, ResourceList::default());
    n.taints = taints;
    n
}

// upstream: TestTaintTolerationScore
// (pkg/scheduler/framework/plugins/tainttoleration/taint_toleration_test.go).
#[test]
fn taint_toleration_score() {
    use TaintEffect::{NoSchedule as NS, PreferNoSchedule as PNS};
    use TolerationOperator::Equal;
    // (name, pod tolerations, taints of each node, want)
    type Row = (&'static str, Vec<Toleration>, Vec<Vec<Taint>>, Vec<i64>);
    let rows: Vec<Row> = vec![
        (
            "node with taints tolerated by the pod, gets a higher score than those node with intolerable taints",
            vec![tol("foo", Equal, "bar", Some(PNS))],
            vec![vec![taint("foo", "bar", PNS)], vec![taint("foo", "blah", PNS)]],
            vec![100, 0],
        ),
        (
            "the nodes that all of their taints are tolerated by the pod, get the same score, no matter how many tolerable taints a node has",
            vec![
                tol("cpu-type", Equal, "arm64", Some(PNS)),
                tol("disk-type", Equal, "ssd", Some(PNS)),
            ],
            vec![
                vec![],
                vec![taint("cpu-type", "arm64", PNS)],
                vec![taint("cpu-type", "arm64", PNS), taint("disk-type", "ssd", PNS)],
            ],
            vec![100, 100, 100],
        ),
        (
            "the more intolerable taints a node has, the lower score it gets.",
            vec![tol("foo", Equal, "bar", Some(PNS))],
            vec![
                vec![],
                vec![taint("cpu-type", "arm64", PNS)],
                vec![taint("cpu-type", "arm64", PNS), taint("disk-type", "ssd", PNS)],
            ],
            vec![100, 50, 0],
        ),
        (
            "only taints and tolerations that have effect PreferNoSchedule are checked by taints-tolerations priority function",
            vec![
                tol("cpu-type", Equal, "arm64", Some(NS)),
                tol("disk-type", Equal, "ssd", Some(NS)),
            ],
            vec![
                vec![],
                vec![taint("cpu-type", "arm64", NS)],
                vec![taint("cpu-type", "arm64", PNS), taint("disk-type", "ssd", PNS)],
            ],
            vec![100, 100, 0],
        ),
        (
            "Default behaviour No taints and tolerations, lands on node with no taints",
            vec![],
            vec![vec![], vec![taint("cpu-type", "arm64", PNS)]],
            vec![100, 0],
        ),
    ];
    for (name, tols, node_taints, want) in rows {
        let p = pod_with_tolerations(tols);
        let nodes: Vec<NodeInfo> = node_taints
            .into_iter()
            .enumerate()
            .map(|(i, t)| node_with_taints(i as u32, &format!("node{i}"), t))
            .collect();
        assert_eq!(run_score(&TaintToleration, &p, &nodes), want, "{name}");
    }
}

// upstream: TestTaintTolerationFilter
// (pkg/scheduler/framework/plugins/tainttoleration/taint_toleration_test.go).
#[test]
fn taint_toleration_filter() {
    use TaintEffect::{NoSchedule as NS, PreferNoSchedule as PNS};
    use TolerationOperator::{Equal, Exists};
    // (name, pod tolerations, node taints, want reasons)
    type Row = (&'static str, Vec<Toleration>, Vec<Taint>, Vec<&'static str>);
    let rows: Vec<Row> = vec![
        (
            "A pod having no tolerations can't be scheduled onto a node with nonempty taints",
            vec![],
            vec![taint("dedicated", "user1", NS)],
            vec!["node(s) had untolerated taint {dedicated: user1}"],
        ),
        (
            "A pod which can be scheduled on a dedicated node assigned to user1 with effect NoSchedule",
            vec![tol("dedicated", Equal, "user1", Some(NS))],
            vec![taint("dedicated", "user1", NS)],
            vec![],
        ),
        (
            "A pod which can't be scheduled on a dedicated node assigned to user2 with effect NoSchedule",
            vec![tol("dedicated", Equal, "user2", Some(NS))],
            vec![taint("dedicated", "user1", NS)],
            vec!["node(s) had untolerated taint {dedicated: user1}"],
        ),
        (
            "A pod can be scheduled onto the node, with a toleration uses operator Exists that tolerates the taints on the node",
            vec![tol("foo", Exists, "", Some(NS))],
            vec![taint("foo", "bar", NS)],
            vec![],
        ),
        (
            "A pod has multiple tolerations, node has multiple taints, all the taints are tolerated, pod can be scheduled onto the node",
            vec![
                tol("dedicated", Equal, "user2", Some(NS)),
                tol("foo", Exists, "", Some(NS)),
            ],
            vec![taint("dedicated", "user2", NS), taint("foo", "bar", NS)],
            vec![],
        ),
        (
            "A pod has a toleration that keys and values match the taint on the node, but (non-empty) effect doesn't match, can't be scheduled onto the node",
            vec![tol("foo", Equal, "bar", Some(PNS))],
            vec![taint("foo", "bar", NS)],
            vec!["node(s) had untolerated taint {foo: bar}"],
        ),
        (
            "The pod has a toleration that keys and values match the taint on the node, the effect of toleration is empty, and the effect of taint is NoSchedule. Pod can be scheduled onto the node",
            vec![tol("foo", Equal, "bar", None)],
            vec![taint("foo", "bar", NS)],
            vec![],
        ),
        (
            "The pod has a toleration that key and value don't match the taint on the node, but the effect of taint on node is PreferNoSchedule. Pod can be scheduled onto the node",
            vec![tol("dedicated", Equal, "user2", Some(NS))],
            vec![taint("dedicated", "user1", PNS)],
            vec![],
        ),
        (
            "The pod has no toleration, but the effect of taint on node is PreferNoSchedule. Pod can be scheduled onto the node",
            vec![],
            vec![taint("dedicated", "user1", PNS)],
            vec![],
        ),
    ];
    for (name, tols, taints, want) in rows {
        let p = pod_with_tolerations(tols);
        let n = node_with_taints(0, "nodeA", taints);
        assert_eq!(run_filter(&TaintToleration, &p, &n), want, "{name}");
    }
}

// FindMatchingUntoleratedTaint reports the FIRST untolerated NoSchedule /
// NoExecute taint in node order, with an empty value printed as "{key: }".
#[test]
fn taint_toleration_filter_reports_first_untolerated_taint() {
    use TaintEffect::{NoExecute, NoSchedule, PreferNoSchedule};
    let n = node_with_taints(
        0,
        "n",
        vec![
            taint("soft", "x", PreferNoSchedule),
            taint("node-role.kubernetes.io/control-plane", "", NoSchedule),
            taint("evict", "y", NoExecute),
        ],
    );
    assert_eq!(
        run_filter(&TaintToleration, &empty_pod(), &n),
        vec!["node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }"]
    );
    let p = pod_with_tolerations(vec![tol(
        "node-role.kubernetes.io/control-plane",
        TolerationOperator::Exists,
        "",
        None,
    )]);
    assert_eq!(
        run_filter(&TaintToleration, &p, &n),
        vec!["node(s) had untolerated taint {evict: y}"]
    );
    let all = pod_with_tolerations(vec![tol("", TolerationOperator::Exists, "", None)]);
    assert!(run_filter(&TaintToleration, &all, &n).is_empty());
}

// ---------------------------------------------------------------------------
// NodeAffinity
// ---------------------------------------------------------------------------

fn expr(key: &str, operator: NodeSelectorOperator, values: &[&str]) -> NodeSelectorRequirement {
    NodeSelectorRequirement {
        key: key.into(),
        operator,
        values: values.iter().map(|v| v.to_string()).collect(),
    }
}

fn term(match_expressions: Vec<NodeSelectorRequirement>) -> NodeSelectorTerm {
    NodeSelectorTerm {
        match_expressions,
        match_fields: vec![],
    }
}

/// A term with `metadata.name In [names...]` field requirements (one per name)
/// plus `exprs`.
fn fields_term(names: &[&str], exprs: Vec<NodeSelectorRequirement>) -> NodeSelectorTerm {
    NodeSelectorTerm {
        match_expressions: exprs,
        match_fields: names
            .iter()
            .map(|n| expr("metadata.name", NodeSelectorOperator::In, &[n]))
            .collect(),
    }
}

fn labels(pairs: &[(&str, &str)]) -> kubesim_core::Labels {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// A pod with `nodeSelector` and (optionally) required node affinity terms.
fn affinity_pod(selector: &[(&str, &str)], required: Option<Vec<NodeSelectorTerm>>) -> Pod {
    let mut p = empty_pod();
    p.spec.node_selector = labels(selector);
    if let Some(terms) = required {
        p.spec.node_affinity = Some(PodNodeAffinity {
            required: Some(terms),
            preferred: vec![],
        });
    }
    p
}

fn labeled_node(i: u32, name: &str, l: &[(&str, &str)]) -> NodeInfo {
    let mut n = NodeInfo::new(NodeId(i), name, ResourceList::default());
    n.labels = labels(l);
    n
}

// upstream: TestNodeAffinity (pkg/scheduler/framework/plugins/nodeaffinity/node_affinity_test.go).
// Compared: the Filter verdict and reason. Not compared: PreFilter results
// (Skip, PreFilterResult node names, "pod affinity terms conflict"), which
// kubesim does not model. Skipped: the three addedAffinity rows
// (NodeAffinityArgs.AddedAffinity is not modeled).
#[test]
fn node_affinity_filter() {
    use NodeSelectorOperator::{Exists, Gt, In, NotIn};
    let fail = Some("node(s) didn't match Pod's node affinity/selector");
    // (name, pod, node name, node labels, want reason)
    type Row = (
        &'static str,
        Pod,
        &'static str,
        Vec<(&'static str, &'static str)>,
        Option<&'static str>,
    );
    let rows: Vec<Row> = vec![
        (
            "missing labels",
            affinity_pod(&[("foo", "bar")], None),
            "",
            vec![],
            fail,
        ),
        (
            "same labels",
            affinity_pod(&[("foo", "bar")], None),
            "",
            vec![("foo", "bar")],
            None,
        ),
        (
            "node labels are superset",
            affinity_pod(&[("foo", "bar")], None),
            "",
            vec![("foo", "bar"), ("baz", "blah")],
            None,
        ),
        (
            "node labels are subset",
            affinity_pod(&[("foo", "bar"), ("baz", "blah")], None),
            "",
            vec![("foo", "bar")],
            fail,
        ),
        (
            "Pod with matchExpressions using In operator that matches the existing node",
            affinity_pod(&[], Some(vec![term(vec![expr("foo", In, &["bar", "value2"])])])),
            "",
            vec![("foo", "bar")],
            None,
        ),
        (
            "Pod with matchExpressions using Gt operator that matches the existing node",
            affinity_pod(&[], Some(vec![term(vec![expr("kernel-version", Gt, &["0204"])])])),
            "",
            vec![("kernel-version", "0206")],
            None,
        ),
        (
            "Pod with matchExpressions using NotIn operator that matches the existing node",
            affinity_pod(&[], Some(vec![term(vec![expr("mem-type", NotIn, &["DDR", "DDR2"])])])),
            "",
            vec![("mem-type", "DDR3")],
            None,
        ),
        (
            "Pod with matchExpressions using Exists operator that matches the existing node",
            affinity_pod(&[], Some(vec![term(vec![expr("GPU", Exists, &[])])])),
            "",
            vec![("GPU", "NVIDIA-GRID-K1")],
            None,
        ),
        (
            "Pod with affinity that don't match node's labels won't schedule onto the node",
            affinity_pod(&[], Some(vec![term(vec![expr("foo", In, &["value1", "value2"])])])),
            "",
            vec![("foo", "bar")],
            fail,
        ),
        (
            "Pod with empty MatchExpressions is not a valid value will match no objects and won't schedule onto the node",
            affinity_pod(&[], Some(vec![term(vec![])])),
            "",
            vec![("foo", "bar")],
            fail,
        ),
        (
            "Pod with no Affinity will schedule onto a node",
            empty_pod(),
            "",
            vec![("foo", "bar")],
            None,
        ),
        (
            "Pod with Affinity but nil NodeSelector will schedule onto a node",
            {
                let mut p = empty_pod();
                p.spec.node_affinity = Some(PodNodeAffinity::default());
                p
            },
            "",
            vec![("foo", "bar")],
            None,
        ),
        (
            "Pod with multiple matchExpressions ANDed that matches the existing node",
            affinity_pod(
                &[],
                Some(vec![term(vec![
                    expr("GPU", Exists, &[]),
                    expr("GPU", NotIn, &["AMD", "INTER"]),
                ])]),
            ),
            "",
            vec![("GPU", "NVIDIA-GRID-K1")],
            None,
        ),
        (
            "Pod with multiple matchExpressions ANDed that doesn't match the existing node",
            affinity_pod(
                &[],
                Some(vec![term(vec![
                    expr("GPU", Exists, &[]),
                    expr("GPU", In, &["AMD", "INTER"]),
                ])]),
            ),
            "",
            vec![("GPU", "NVIDIA-GRID-K1")],
            fail,
        ),
        (
            "Pod with multiple NodeSelectorTerms ORed in affinity, matches the node's labels and will schedule onto the node",
            affinity_pod(
                &[],
                Some(vec![
                    term(vec![expr("foo", In, &["bar", "value2"])]),
                    term(vec![expr("diffkey", In, &["wrong", "value2"])]),
                ]),
            ),
            "",
            vec![("foo", "bar")],
            None,
        ),
        (
            "Pod with an Affinity and a PodSpec.NodeSelector both are satisfied, will schedule onto the node",
            affinity_pod(&[("foo", "bar")], Some(vec![term(vec![expr("foo", Exists, &[])])])),
            "",
            vec![("foo", "bar")],
            None,
        ),
        (
            "Pod with an Affinity matches node's labels but the PodSpec.NodeSelector is not satisfied, won't schedule onto the node",
            affinity_pod(&[("foo", "bar")], Some(vec![term(vec![expr("foo", Exists, &[])])])),
            "",
            vec![("foo", "barrrrrr")],
            fail,
        ),
        (
            "Pod with an invalid value in Affinity term won't be scheduled onto the node",
            affinity_pod(&[], Some(vec![term(vec![expr("foo", NotIn, &["invalid value: ___@#$%^"])])])),
            "",
            vec![("foo", "bar")],
            fail,
        ),
        (
            "Pod with matchFields using In operator that matches the existing node",
            affinity_pod(&[], Some(vec![fields_term(&["node1"], vec![])])),
            "node1",
            vec![],
            None,
        ),
        (
            "Pod with matchFields using In operator that does not match the existing node",
            affinity_pod(&[], Some(vec![fields_term(&["node1"], vec![])])),
            "node2",
            vec![],
            fail,
        ),
        (
            "Pod with two terms: matchFields does not match, but matchExpressions matches",
            affinity_pod(
                &[],
                Some(vec![
                    fields_term(&["node1"], vec![]),
                    term(vec![expr("foo", In, &["bar"])]),
                ]),
            ),
            "node2",
            vec![("foo", "bar")],
            None,
        ),
        (
            "Pod with one term: matchFields does not match, but matchExpressions matches",
            affinity_pod(
                &[],
                Some(vec![fields_term(&["node1"], vec![expr("foo", In, &["bar"])])]),
            ),
            "node2",
            vec![("foo", "bar")],
            fail,
        ),
        (
            "Pod with one term: both matchFields and matchExpressions match",
            affinity_pod(
                &[],
                Some(vec![fields_term(&["node1"], vec![expr("foo", In, &["bar"])])]),
            ),
            "node1",
            vec![("foo", "bar")],
            None,
        ),
        (
            "Pod with two terms: both matchFields and matchExpressions do not match",
            affinity_pod(
                &[],
                Some(vec![
                    fields_term(&["node1"], vec![]),
                    term(vec![expr("foo", In, &["not-match-to-bar"])]),
                ]),
            ),
            "node2",
            vec![("foo", "bar")],
            fail,
        ),
        (
            "Pod with two terms of node.Name affinity",
            affinity_pod(
                &[],
                Some(vec![fields_term(&["node1"], vec![]), fields_term(&["node2"], vec![])]),
            ),
            "node2",
            vec![],
            None,
        ),
        (
            "Pod with two conflicting mach field requirements",
            affinity_pod(&[], Some(vec![fields_term(&["node1", "node2"], vec![])])),
            "node2",
            vec![("foo", "bar")],
            fail,
        ),
        (
            "Matches node selector correctly even if PreFilter is not called",
            affinity_pod(&[("foo", "bar")], None),
            "",
            vec![("foo", "bar"), ("baz", "blah")],
            None,
        ),
        (
            "Matches node affinity correctly even if PreFilter is not called",
            affinity_pod(
                &[],
                Some(vec![term(vec![
                    expr("GPU", Exists, &[]),
                    expr("GPU", NotIn, &["AMD", "INTER"]),
                ])]),
            ),
            "",
            vec![("GPU", "NVIDIA-GRID-K1")],
            None,
        ),
    ];
    for (name, p, node_name, node_labels, want) in rows {
        let n = labeled_node(0, node_name, &node_labels);
        let want: Vec<&str> = want.into_iter().collect();
        assert_eq!(run_filter(&NodeAffinity, &p, &n), want, "{name}");
    }
}

// labels.Requirement.Matches semantics for node selector operators
// (staging/src/k8s.io/apimachinery/pkg/labels/selector.go).
#[test]
fn node_selector_operator_semantics() {
    use NodeSelectorOperator::{DoesNotExist, Exists, Gt, In, Lt, NotIn};
    let node = labels(&[("zone", "a"), ("kernel", "0206"), ("word", "abc")]);
    let rows: Vec<(NodeSelectorRequirement, bool)> = vec![
        // In: key present and value in the set.
        (expr("zone", In, &["a", "b"]), true),
        (expr("zone", In, &["b"]), false),
        (expr("missing", In, &["a"]), false),
        // NotIn: an absent key matches.
        (expr("zone", NotIn, &["b"]), true),
        (expr("zone", NotIn, &["a", "b"]), false),
        (expr("missing", NotIn, &["a"]), true),
        // Exists / DoesNotExist.
        (expr("zone", Exists, &[]), true),
        (expr("missing", Exists, &[]), false),
        (expr("zone", DoesNotExist, &[]), false),
        (expr("missing", DoesNotExist, &[]), true),
        // Gt / Lt: both sides parsed as int64 (leading zeros allowed);
        // strict comparison; a missing key or a non-integer is false.
        (expr("kernel", Gt, &["0204"]), true),
        (expr("kernel", Gt, &["206"]), false),
        (expr("kernel", Gt, &["207"]), false),
        (expr("kernel", Lt, &["207"]), true),
        (expr("kernel", Lt, &["206"]), false),
        (expr("kernel", Lt, &["-1"]), false),
        (expr("missing", Gt, &["1"]), false),
        (expr("missing", Lt, &["1"]), false),
        (expr("word", Gt, &["1"]), false),
        (expr("word", Lt, &["1"]), false),
        (expr("kernel", Gt, &["x"]), false),
        // Gt/Lt need exactly one value.
        (expr("kernel", Gt, &["1", "2"]), false),
        (expr("kernel", Lt, &[]), false),
    ];
    for (req, want) in rows {
        assert_eq!(requirement_matches(&req, &node), want, "{req:?}");
    }
}

fn preferred(weight: i32, exprs: Vec<NodeSelectorRequirement>) -> PreferredSchedulingTerm {
    PreferredSchedulingTerm {
        weight,
        preference: term(exprs),
    }
}

// upstream: TestNodeAffinityPriority (pkg/scheduler/framework/plugins/nodeaffinity/node_affinity_test.go).
// Skipped: "PreScore returns error when an incoming Pod has a broken
// affinity" (label-key validation is not modeled) and the two rows that
// need NodeAffinityArgs.AddedAffinity.
#[test]
fn node_affinity_priority() {
    use NodeSelectorOperator::In;
    let label1 = [("foo", "bar")];
    let label2 = [("key", "value")];
    let label3 = [("az", "az1")];
    let label4 = [("abc", "az11"), ("def", "az22")];
    let label5 = [("foo", "bar"), ("key", "value"), ("az", "az1")];
    let with_preferred = |terms: Vec<PreferredSchedulingTerm>| {
        let mut p = empty_pod();
        p.spec.node_affinity = Some(PodNodeAffinity {
            required: None,
            preferred: terms,
        });
        p
    };
    let affinity1 = || with_preferred(vec![preferred(2, vec![expr("foo", In, &["bar"])])]);
    let affinity2 = || {
        with_preferred(vec![
            preferred(2, vec![expr("foo", In, &["bar"])]),
            preferred(4, vec![expr("key", In, &["value"])]),
            preferred(
                5,
                vec![
                    expr("foo", In, &["bar"]),
                    expr("key", In, &["value"]),
                    expr("az", In, &["az1"]),
                ],
            ),
        ])
    };

    // "all nodes are same priority as NodeAffinity is nil" (PreScore not run)
    // and "Skip is returned in PreScore when NodeAffinity is nil".
    let none = empty_pod();
    assert!(!NodeAffinity.pre_score(&PodInfo::new(&none)));
    let nodes = vec![
        labeled_node(0, "node1", &label1),
        labeled_node(1, "node2", &label2),
        labeled_node(2, "node3", &label3),
    ];
    assert_eq!(run_score(&NodeAffinity, &none, &nodes), vec![0, 0, 0]);

    let rows: Vec<(&str, Pod, Vec<NodeInfo>, Vec<i64>)> = vec![
        (
            "no node matches preferred scheduling requirements in NodeAffinity of pod so all nodes' priority is zero",
            affinity1(),
            vec![
                labeled_node(0, "node1", &label4),
                labeled_node(1, "node2", &label2),
                labeled_node(2, "node3", &label3),
            ],
            vec![0, 0, 0],
        ),
        (
            "only node1 matches the preferred scheduling requirements of pod",
            affinity1(),
            vec![
                labeled_node(0, "node1", &label1),
                labeled_node(1, "node2", &label2),
                labeled_node(2, "node3", &label3),
            ],
            vec![100, 0, 0],
        ),
        (
            "all nodes matches the preferred scheduling requirements of pod but with different priorities",
            affinity2(),
            vec![
                labeled_node(0, "node1", &label1),
                labeled_node(1, "node5", &label5),
                labeled_node(2, "node2", &label2),
            ],
            vec![18, 100, 36],
        ),
    ];
    for (name, p, nodes, want) in rows {
        assert!(
            NodeAffinity.pre_score(&PodInfo::new(&p)),
            "{name}: PreScore"
        );
        assert_eq!(run_score(&NodeAffinity, &p, &nodes), want, "{name}");
    }
}

// ---------------------------------------------------------------------------
// NodeUnschedulable / NodeName
// ---------------------------------------------------------------------------

// upstream: TestNodeUnschedulable
// (pkg/scheduler/framework/plugins/nodeunschedulable/node_unschedulable_test.go).
#[test]
fn node_unschedulable_filter() {
    let rows: Vec<(&str, Pod, bool, Vec<&str>)> = vec![
        (
            "Does not schedule pod to unschedulable node (node.Spec.Unschedulable==true)",
            empty_pod(),
            true,
            vec!["node(s) were unschedulable"],
        ),
        ("Schedule pod to normal node", empty_pod(), false, vec![]),
        (
            "Schedule pod with toleration to unschedulable node (node.Spec.Unschedulable==true)",
            pod_with_tolerations(vec![tol(
                TAINT_NODE_UNSCHEDULABLE,
                TolerationOperator::Equal,
                "",
                Some(TaintEffect::NoSchedule),
            )]),
            true,
            vec![],
        ),
    ];
    for (name, p, unschedulable, want) in rows {
        let mut n = NodeInfo::new(NodeId(0), "n", ResourceList::default());
        n.unschedulable = unschedulable;
        assert_eq!(run_filter(&NodeUnschedulable, &p, &n), want, "{name}");
    }
}

// upstream: TestNodeName (pkg/scheduler/framework/plugins/nodename/node_name_test.go).
#[test]
fn node_name_filter() {
    let rows: Vec<(&str, Option<&str>, &str, Vec<&str>)> = vec![
        ("no host specified", None, "foo", vec![]),
        ("host matches", Some("foo"), "foo", vec![]),
        (
            "host doesn't match",
            Some("bar"),
            "foo",
            vec!["node(s) didn't match the requested node name"],
        ),
    ];
    for (name, pod_node, node_name, want) in rows {
        let mut p = empty_pod();
        p.spec.node_name = pod_node.map(str::to_string);
        let n = NodeInfo::new(NodeId(0), node_name, ResourceList::default());
        assert_eq!(run_filter(&NodeName, &p, &n), want, "{name}");
    }
}

// ---------------------------------------------------------------------------
// FitError message (pkg/scheduler/framework/types.go FitError.Error)
// ---------------------------------------------------------------------------

/// A schedulable node with `cpu` millicores, 8Gi, 110 pods.
fn sched_node(i: u32, cpu: i64, taints: Vec<Taint>) -> NodeInfo {
    let mut n = NodeInfo::new(
        NodeId(i),
        format!("node-{i}"),
        res(&[("cpu", cpu), ("memory", 8 << 30), ("pods", 110)]),
    );
    n.taints = taints;
    n
}

fn schedule(nodes: Vec<NodeInfo>, p: &Pod) -> ScheduleResult {
    let mut s = Scheduler::new(
        SchedulerProfile::default(),
        entity_rng(1, "scheduler", "default-scheduler"),
    );
    for n in nodes {
        s.add_node(n);
    }
    s.schedule_one(&PodInfo::new(p))
}

// The reason histogram is printed as "<count> <reason>" strings sorted as
// whole strings (sort.Strings), so "1 node(s)…" < "2 Insufficient…" and
// "10 …" < "2 …"; filters stop at the first rejecting plugin, so a node
// that is both tainted and too small counts only the taint.
#[test]
fn fit_error_message() {
    let db = || vec![taint("dedicated", "db", TaintEffect::NoSchedule)];
    let big = pod(vec![c(&[("cpu", 2000), ("memory", 1 << 30)])]);

    // 2 nodes with insufficient cpu, 1 tainted node (also too small).
    let nodes = vec![
        sched_node(0, 1000, vec![]),
        sched_node(1, 1000, db()),
        sched_node(2, 1000, vec![]),
    ];
    assert_eq!(
        schedule(nodes, &big),
        ScheduleResult::Unschedulable(
            "0/3 nodes are available: 1 node(s) had untolerated taint {dedicated: db}, 2 Insufficient cpu."
                .into()
        )
    );

    // "10 …" sorts before "2 …".
    let mut nodes: Vec<NodeInfo> = (0..10).map(|i| sched_node(i, 1000, vec![])).collect();
    nodes.push(sched_node(10, 4000, db()));
    nodes.push(sched_node(11, 4000, db()));
    assert_eq!(
        schedule(nodes, &big),
        ScheduleResult::Unschedulable(
            "0/12 nodes are available: 10 Insufficient cpu, 2 node(s) had untolerated taint {dedicated: db}."
                .into()
        )
    );

    // A multi-reason Fit status counts each reason; an unschedulable node
    // stops at NodeUnschedulable.
    let huge = pod(vec![c(&[("cpu", 2000), ("memory", 16 << 30)])]);
    let mut cordoned = sched_node(2, 1000, vec![]);
    cordoned.unschedulable = true;
    let nodes = vec![
        sched_node(0, 1000, vec![]),
        sched_node(1, 1000, vec![]),
        cordoned,
    ];
    assert_eq!(
        schedule(nodes, &huge),
        ScheduleResult::Unschedulable(
            "0/3 nodes are available: 1 node(s) were unschedulable, 2 Insufficient cpu, 2 Insufficient memory."
                .into()
        )
    );

    // Node affinity mismatch on a single node.
    let selective = affinity_pod(&[("disk", "ssd")], None);
    assert_eq!(
        schedule(vec![sched_node(0, 1000, vec![])], &selective),
        ScheduleResult::Unschedulable(
            "0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector.".into()
        )
    );
}
