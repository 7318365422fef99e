//! Every validation rule of the scenario loader, as one table: a scenario
//! (and its manifest files), the message expected, where (the `«` marker
//! stands right before the offending key or value; it is removed before
//! loading) and the field path.

use kubesim_runner::{load, ScenarioError};
use std::path::Path;

/// One rule.
struct Row {
    /// The scenario file (may hold a `«`).
    scenario: &'static str,
    /// Other files, by name (one of them may hold the `«`).
    files: &'static [(&'static str, &'static str)],
    /// A substring of the message.
    message: &'static str,
    /// The field path.
    path: &'static str,
    /// A warning, not an error.
    warning: bool,
}

macro_rules! head {
    () => {
        "name: t\nduration: 10m\n"
    };
}
macro_rules! cluster {
    () => {
        "cluster:\n  nodes:\n    - name: n\n      capacity: {cpu: \"4\", memory: 8Gi}\n"
    };
}
/// A cluster whose one pool has the extra keys `$k` (6 spaces).
macro_rules! pool {
    ($k:expr) => {
        concat!(
            head!(),
            "cluster:\n  nodes:\n    - name: n\n      capacity: {cpu: \"4\", memory: 8Gi}\n",
            $k
        )
    };
}
macro_rules! images {
    () => {
        "images:\n  img: {cpu: \"1\"}\n"
    };
}
/// A scenario with `$w` under `workloads:` (each line indented by the caller).
macro_rules! with_workloads {
    ($w:expr) => {
        concat!(head!(), cluster!(), images!(), "workloads:\n", $w)
    };
}
/// A scenario with Service `web` and a `traffic:` section of `$t`.
macro_rules! traffic {
    ($t:expr) => {
        concat!(
            with_workloads!("  - apiVersion: v1\n    kind: Service\n    metadata: {name: web}\n    spec: {selector: {app: web}}\n"),
            "traffic:\n",
            $t
        )
    };
}
/// A pod whose spec is `$spec` (indented under `spec:` by 6 spaces).
macro_rules! pod {
    ($spec:expr) => {
        with_workloads!(concat!(
            "  - apiVersion: v1\n    kind: Pod\n    metadata: {name: p}\n    spec:\n",
            $spec
        ))
    };
}
/// A pod with one container whose extra fields are `$c` (8 spaces).
macro_rules! container {
    ($c:expr) => {
        pod!(concat!(
            "      containers:\n        - name: c\n          image: img\n",
            $c
        ))
    };
}
/// A Deployment whose spec is `$spec` (6 spaces).
macro_rules! deployment {
    ($spec:expr) => {
        with_workloads!(concat!(
            "  - apiVersion: apps/v1\n    kind: Deployment\n    metadata: {name: d}\n    spec:\n",
            $spec
        ))
    };
}
macro_rules! dep_template {
    () => {
        "      template:\n        metadata: {labels: {app: d}}\n        spec:\n          containers: [{name: c, image: img}]\n"
    };
}
/// A Job whose spec is `$spec` (6 spaces).
macro_rules! job {
    ($spec:expr) => {
        with_workloads!(concat!(
            "  - apiVersion: batch/v1\n    kind: Job\n    metadata: {name: j}\n    spec:\n",
            $spec
        ))
    };
}
macro_rules! job_template {
    () => {
        "      template:\n        spec:\n          restartPolicy: Never\n          containers: [{name: c, image: img}]\n"
    };
}
/// A CronJob whose spec is `$spec` (6 spaces).
macro_rules! cron_job {
    ($spec:expr) => {
        with_workloads!(concat!(
            "  - apiVersion: batch/v1\n    kind: CronJob\n    metadata: {name: cj}\n    spec:\n",
            $spec
        ))
    };
}
/// A CronJob's `jobTemplate` (6 spaces).
macro_rules! cron_template {
    () => {
        "      jobTemplate:\n        spec:\n          template:\n            spec:\n              restartPolicy: Never\n              containers: [{name: c, image: img}]\n"
    };
}
/// A cluster of one pool `n` of two nodes, `n-1` and `n-2`, and a
/// timeline of `$t` (each entry a line).
macro_rules! node_timeline {
    ($t:expr) => {
        concat!(
            head!(),
            "cluster:\n  nodes:\n    - name: n\n      count: 2\n      capacity: {cpu: \"4\", memory: 8Gi}\n",
            "timeline:\n",
            $t
        )
    };
}

/// An Argo Rollout `r` whose strategy is `$strategy` (8 spaces, under
/// `strategy:`), with Services `web` and `web-preview`.
macro_rules! rollout {
    ($strategy:expr) => {
        rollout_with!($strategy, "")
    };
}
/// As `rollout!`, with more workloads `$more` (2 spaces) and a timeline.
macro_rules! rollout_with {
    ($strategy:expr, $more:expr) => {
        with_workloads!(concat!(
            "  - apiVersion: argoproj.io/v1alpha1\n    kind: Rollout\n    metadata: {name: r}\n    spec:\n",
            "      selector: {matchLabels: {app: r}}\n",
            "      template:\n        metadata: {labels: {app: r}}\n        spec:\n          containers: [{name: c, image: img}]\n",
            "      strategy:\n",
            $strategy,
            "  - {apiVersion: v1, kind: Service, metadata: {name: web}, spec: {selector: {app: r}}}\n",
            "  - {apiVersion: v1, kind: Service, metadata: {name: web-preview}, spec: {selector: {app: r}}}\n",
            $more
        ))
    };
}
/// An AnalysisTemplate `t` whose one metric has the extra lines `$m`
/// (10 spaces).
macro_rules! template {
    ($m:expr) => {
        concat!(
            "  - apiVersion: argoproj.io/v1alpha1\n    kind: AnalysisTemplate\n    metadata: {name: t}\n    spec:\n",
            "      metrics:\n        - name: m\n",
            $m
        )
    };
}

const fn err(scenario: &'static str, message: &'static str, path: &'static str) -> Row {
    Row {
        scenario,
        files: &[],
        message,
        path,
        warning: false,
    }
}

const fn warn(scenario: &'static str, message: &'static str, path: &'static str) -> Row {
    Row {
        scenario,
        files: &[],
        message,
        path,
        warning: true,
    }
}

const fn with_files(
    scenario: &'static str,
    files: &'static [(&'static str, &'static str)],
    message: &'static str,
    path: &'static str,
) -> Row {
    Row {
        scenario,
        files,
        message,
        path,
        warning: false,
    }
}

const ROWS: &[Row] = &[
    // ---- YAML ----
    err(concat!(head!(), cluster!(), "«duration: 5m\n"), "mapping key \"duration\" already defined at line 2", "duration"),
    err(concat!(head!(), cluster!(), "images: {a: [1, 2«}\n"), "invalid YAML", ""),
    err(concat!(head!(), cluster!(), "x: &a [«*a]\n"), "invalid YAML", ""),
    // ---- kubesim's own sections: unknown, missing, wrong type ----
    err(concat!(head!(), cluster!(), "«sampleIntreval: 5s\n"), "unknown field \"sampleIntreval\"", "sampleIntreval"),
    err(concat!(head!(), cluster!(), "«\"\": 1\n"), "unknown field \"\"", "[\"\"]"),
    err(concat!(head!(), cluster!(), "«cluster.nodes: 1\n"), "unknown field \"cluster.nodes\"", "[\"cluster.nodes\"]"),
    err(concat!("«name: t\n", cluster!()), "Required value", "duration"),
    err(concat!(head!(), "seed: «many\n", cluster!()), "expected a whole number, found \"many\"", "seed"),
    err(concat!(head!(), "seed: «-1\n", cluster!()), "must not be negative", "seed"),
    // ---- settings ----
    err(concat!("name: t\nduration: «10\n", cluster!()), "invalid duration \"10\": missing unit", "duration"),
    err(concat!("name: t\nduration: «0s\n", cluster!()), "duration must be positive", "duration"),
    err(concat!("name: t\nduration: «800h\n", cluster!()), "exceeds limits.maxSimTime", "duration"),
    err(concat!(head!(), "sampleInterval: «1ns\n", cluster!()), "sampleInterval must be at least 1ms", "sampleInterval"),
    err(concat!("name: «My_Scenario\nduration: 1m\n", cluster!()), "Invalid value: \"My_Scenario\": a lowercase RFC 1123 subdomain", "name"),
    err(concat!(head!(), cluster!(), "metrics: {containerInterval: «15s}\n"), "must be a positive multiple of sampleInterval", "metrics.containerInterval"),
    err(concat!(head!(), cluster!(), "limits: {maxObjects: «5000000000}\n"), "kubesim holds at most 4294967294 objects", "limits.maxObjects"),
    warn(concat!("name: t\nduration: 5s\nsampleInterval: «10s\n", cluster!()), "no metrics will be sampled", "sampleInterval"),
    // ---- cluster.nodes ----
    err(concat!(head!(), "cluster:\n  nodes: «[]\n"), "a cluster needs at least one node pool", "cluster.nodes"),
    err(concat!(head!(), "cluster:\n  nodes:\n    - name: n\n      «capacity: {memory: 8Gi}\n"), "Required value: capacity.cpu is required", "cluster.nodes[0].capacity.cpu"),
    err(concat!(head!(), "cluster:\n  nodes:\n    - name: n\n      capacity: {cpu: \"4\", memory: 8Gi, «gpu: 1}\n"), "unknown resource \"gpu\"", "cluster.nodes[0].capacity.gpu"),
    err(concat!(head!(), "cluster:\n  nodes:\n    - name: n\n      capacity: {cpu: «4x, memory: 8Gi}\n"), "invalid quantity \"4x\"", "cluster.nodes[0].capacity.cpu"),
    err(concat!(head!(), "cluster:\n  nodes:\n    - name: n\n      capacity: {cpu: «-4, memory: 8Gi}\n"), "must be greater than or equal to 0", "cluster.nodes[0].capacity.cpu"),
    err(concat!(head!(), "cluster:\n  nodes:\n    - name: n\n      capacity: {cpu: \"4\", memory: «2Ei}\n"), "kubesim models memory quantities up to 1Pi", "cluster.nodes[0].capacity.memory"),
    err(concat!(head!(), "cluster:\n  nodes:\n    - name: n\n      capacity: {cpu: «2e15, memory: 8Gi}\n"), "kubesim models cpu quantities up to", "cluster.nodes[0].capacity.cpu"),
    err(concat!(head!(), "cluster:\n  nodes:\n    - name: n\n      count: «0\n      capacity: {cpu: \"4\", memory: 8Gi}\n"), "count must be at least 1", "cluster.nodes[0].count"),
    err(concat!(head!(), "cluster:\n  nodes:\n    - name: n\n      count: «3000000\n      capacity: {cpu: \"4\", memory: 8Gi}\n"), "more than limits.maxObjects (2000000)", "cluster.nodes[0].count"),
    err(concat!(head!(), "cluster:\n  nodes:\n    - name: n\n      capacity: {cpu: \"4\", memory: 8Gi}\n      reserved: {cpu: «\"5\"}\n"), "the reservation of cpu is more than the capacity", "cluster.nodes[0].reserved.cpu"),
    err(concat!(head!(), "cluster:\n  nodes:\n    - name: a\n      count: 2\n      capacity: {cpu: \"4\", memory: 8Gi}\n    - name: «a-2\n      capacity: {cpu: \"4\", memory: 8Gi}\n"), "Duplicate value: node \"a-2\"", "cluster.nodes[1].name"),
    err(concat!(head!(), "cluster:\n  nodes:\n    - name: «aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n      count: 10\n      capacity: {cpu: \"4\", memory: 8Gi}\n"), "is longer than 63 characters", "cluster.nodes[0].name"),
    err(concat!(head!(), "cluster:\n  nodes:\n    - name: n\n      capacity: {cpu: \"4\", memory: 8Gi}\n      taints: [{key: k, effect: «NoSchedul}]\n"), "Unsupported value: \"NoSchedul\": supported values: \"NoSchedule\"", "cluster.nodes[0].taints[0].effect"),
    err(concat!(head!(), "cluster:\n  nodes:\n    - name: n\n      capacity: {cpu: \"4\", memory: 8Gi}\n      taints: [{key: «-k, effect: NoSchedule}]\n"), "Invalid value: \"-k\"", "cluster.nodes[0].taints[0].key"),
    err(concat!(head!(), "cluster:\n  nodes:\n    - name: n\n      capacity: {cpu: \"4\", memory: 8Gi}\n      taints: [{key: k, effect: NoSchedule}, «{key: k, effect: NoSchedule}]\n"), "taints must be unique by key and effect pair", "cluster.nodes[0].taints[1]"),
    err(concat!(head!(), "cluster:\n  nodes:\n    - name: n\n      capacity: {cpu: \"4\", memory: 8Gi}\n      labels: {zone: «-a}\n"), "Invalid value: \"-a\": a valid label must be", "cluster.nodes[0].labels.zone"),
    // ---- cluster.nodes[].kubelet, systemUsage ----
    err(pool!("      kubelet: {evictionHard: {«memory.availble: 100Mi}}\n"), "unsupported eviction signal memory.availble", "cluster.nodes[0].kubelet.evictionHard[\"memory.availble\"]"),
    warn(pool!("      kubelet: {evictionHard: {«nodefs.available: 10%, memory.available: 100Mi}}\n"), "kubesim models only the memory.available eviction signal: nodefs.available is accepted and ignored", "cluster.nodes[0].kubelet.evictionHard[\"nodefs.available\"]"),
    err(pool!("      kubelet: {evictionHard: {memory.available: «150%}}\n"), "eviction percentage threshold memory.available must be <= 100%: 150%", "cluster.nodes[0].kubelet.evictionHard[\"memory.available\"]"),
    err(pool!("      kubelet: {evictionHard: {memory.available: «-5%}}\n"), "eviction percentage threshold memory.available must be >= 0%: -5%", "cluster.nodes[0].kubelet.evictionHard[\"memory.available\"]"),
    err(pool!("      kubelet: {evictionHard: {memory.available: «abc%}}\n"), "strconv.ParseFloat: parsing \"abc\": invalid syntax", "cluster.nodes[0].kubelet.evictionHard[\"memory.available\"]"),
    err(pool!("      kubelet: {evictionHard: {memory.available: «\"0\"}}\n"), "eviction threshold memory.available must be positive: 0", "cluster.nodes[0].kubelet.evictionHard[\"memory.available\"]"),
    err(pool!("      kubelet: {evictionHard: {memory.available: «1Gj}}\n"), "invalid quantity \"1Gj\"", "cluster.nodes[0].kubelet.evictionHard[\"memory.available\"]"),
    err(pool!("      kubelet: {evictionSoft: {memory.available: «1Gi}}\n"), "grace period must be specified for the soft eviction threshold memory.available", "cluster.nodes[0].kubelet.evictionSoft[\"memory.available\"]"),
    err(pool!("      kubelet: {evictionSoft: {pid.available: «10%}}\n"), "grace period must be specified for the soft eviction threshold pid.available", "cluster.nodes[0].kubelet.evictionSoft[\"pid.available\"]"),
    err(pool!("      kubelet:\n        evictionSoft: {memory.available: 1Gi}\n        evictionSoftGracePeriod: {memory.available: «1min}\n"), "invalid duration \"1min\"", "cluster.nodes[0].kubelet.evictionSoftGracePeriod[\"memory.available\"]"),
    err(pool!("      kubelet:\n        evictionSoft: {memory.available: 1Gi}\n        evictionSoftGracePeriod: {memory.available: 1m, «memory: 1m}\n"), "unsupported eviction signal memory", "cluster.nodes[0].kubelet.evictionSoftGracePeriod.memory"),
    err(pool!("      kubelet: {evictionPressureTransitionPeriod: «5}\n"), "invalid duration \"5\"", "cluster.nodes[0].kubelet.evictionPressureTransitionPeriod"),
    err(pool!("      kubelet: {evictionMaxPodGracePeriod: «-1}\n"), "evictionMaxPodGracePeriod is a number of seconds", "cluster.nodes[0].kubelet.evictionMaxPodGracePeriod"),
    err(pool!("      kubelet: {housekeepingInterval: «0s}\n"), "housekeepingInterval must be at least 1ms", "cluster.nodes[0].kubelet.housekeepingInterval"),
    err(pool!("      kubelet: {maxParallelImagePulls: «0}\n"), "invalid configuration: maxParallelImagePulls 0 must be a positive number", "cluster.nodes[0].kubelet.maxParallelImagePulls"),
    err(pool!("      kubelet: {serializeImagePulls: true, maxParallelImagePulls: «3}\n"), "invalid configuration: maxParallelImagePulls cannot be larger than 1 unless SerializeImagePulls (--serialize-image-pulls) is set to false", "cluster.nodes[0].kubelet.maxParallelImagePulls"),
    err(pool!("      kubelet: {serializeImagePulls: «maybe}\n"), "expected true or false", "cluster.nodes[0].kubelet.serializeImagePulls"),
    err(pool!("      kubelet: {«evictionHrd: {}}\n"), "unknown field \"evictionHrd\"", "cluster.nodes[0].kubelet.evictionHrd"),
    err(pool!("      reserved: {memory: «8Gi}\n"), "the reservation of memory (reserved 8Gi + evictionHard memory.available 100Mi) is more than the capacity (\"8Gi\")", "cluster.nodes[0].reserved.memory"),
    err(pool!("      reserved: {memory: 5Gi}\n      kubelet: {evictionHard: {memory.available: «50%}}\n"), "the reservation of memory (reserved 5Gi + evictionHard memory.available 50%) is more than the capacity", "cluster.nodes[0].kubelet.evictionHard[\"memory.available\"]"),
    err(concat!(head!(), "cluster:\n  nodes:\n    - name: n\n      capacity: {cpu: \"4\", memory: «64Mi}\n"), "the reservation of memory (reserved 0 + evictionHard memory.available 100Mi) is more than the capacity (\"64Mi\")", "cluster.nodes[0].capacity.memory"),
    err(pool!("      systemUsage: {memory: «9Gi}\n"), "the system uses more memory than the node has (\"8Gi\")", "cluster.nodes[0].systemUsage.memory"),
    err(pool!("      systemUsage: {memory: «lots}\n"), "invalid quantity \"lots\"", "cluster.nodes[0].systemUsage.memory"),
    err(pool!("      systemUsage: {«cpu: 1}\n"), "unknown field \"cpu\"", "cluster.nodes[0].systemUsage.cpu"),
    // ---- cluster.registry, cluster.controllerManager ----
    err(concat!(head!(), cluster!(), "  registry: {maxConcurrentPulls: «0}\n"), "Invalid value: 0: maxConcurrentPulls must be at least 1", "cluster.registry.maxConcurrentPulls"),
    err(concat!(head!(), cluster!(), "  controllerManager: {nodeMonitorPeriod: «0s}\n"), "nodeMonitorPeriod must be at least 1ms", "cluster.controllerManager.nodeMonitorPeriod"),
    err(concat!(head!(), cluster!(), "  controllerManager: {nodeMonitorGracePeriod: «40}\n"), "invalid duration \"40\"", "cluster.controllerManager.nodeMonitorGracePeriod"),
    err(concat!(head!(), cluster!(), "  controllerManager: {nodeEvictionRate: «-1}\n"), "Invalid value: -1: nodeEvictionRate is nodes per second", "cluster.controllerManager.nodeEvictionRate"),
    err(concat!(head!(), cluster!(), "  controllerManager: {secondaryNodeEvictionRate: «.nan}\n"), "secondaryNodeEvictionRate is nodes per second", "cluster.controllerManager.secondaryNodeEvictionRate"),
    err(concat!(head!(), cluster!(), "  controllerManager: {largeClusterSizeThreshold: «-1}\n"), "largeClusterSizeThreshold is a number of nodes", "cluster.controllerManager.largeClusterSizeThreshold"),
    err(concat!(head!(), cluster!(), "  controllerManager: {unhealthyZoneThreshold: «0}\n"), "Invalid value: 0: unhealthyZoneThreshold is a share of a zone's nodes, in (0, 1]", "cluster.controllerManager.unhealthyZoneThreshold"),
    err(concat!(head!(), cluster!(), "  controllerManager: {unhealthyZoneThreshold: «1.5}\n"), "Invalid value: 1.5: unhealthyZoneThreshold is a share", "cluster.controllerManager.unhealthyZoneThreshold"),
    err(concat!(head!(), cluster!(), "  controllerManager: {syncDelay: «soon}\n"), "invalid duration \"soon\"", "cluster.controllerManager.syncDelay"),
    // ---- cluster.scheduler, cluster.cgroup ----
    err(concat!(head!(), cluster!(), "  scheduler: {scoringStrategy: «MostAlocated}\n"), "Unsupported value: \"MostAlocated\"", "cluster.scheduler.scoringStrategy"),
    err(concat!(head!(), cluster!(), "  scheduler: {resources: [{name: cpu, weight: «0}]}\n"), "resource weight must be in the range 1-100", "cluster.scheduler.resources[0].weight"),
    err(concat!(head!(), cluster!(), "  scheduler: {scoringStrategy: RequestedToCapacityRatio, shape: [{utilization: «101, score: 1}]}\n"), "utilization must be in the range 0-100", "cluster.scheduler.shape[0].utilization"),
    err(concat!(head!(), cluster!(), "  scheduler: {scoringStrategy: RequestedToCapacityRatio, shape: [{utilization: 1, score: «11}]}\n"), "score must be in the range 0-10", "cluster.scheduler.shape[0].score"),
    err(concat!(head!(), cluster!(), "  scheduler: {percentageOfNodesToScore: «101}\n"), "not in valid range [0-100]", "cluster.scheduler.percentageOfNodesToScore"),
    err(concat!(head!(), cluster!(), "  scheduler: {weights: {NodeAffinity: «-1}}\n"), "a score plugin's weight must be in the range", "cluster.scheduler.weights.NodeAffinity"),
    err(concat!(head!(), cluster!(), "  cgroup: {version: «v3}\n"), "Unsupported value: \"v3\": supported values: \"v1\", \"v2\"", "cluster.cgroup.version"),
    // ---- images ----
    err(concat!(head!(), cluster!(), "images:\n  img: {startup: «5}\n"), "invalid duration \"5\"", "images.img.startup"),
    err(concat!(head!(), cluster!(), "images:\n  img: {cpu: «lots}\n"), "invalid quantity \"lots\"", "images.img.cpu"),
    err(concat!(head!(), cluster!(), "images:\n  img: {cpuSeconds: «-5}\n"), "cpuSeconds must be a positive number", "images.img.cpuSeconds"),
    err(concat!(head!(), cluster!(), "images:\n  img: {cpuSeconds: «5}\n"), "finite work needs CPU", "images.img.cpuSeconds"),
    err(concat!(head!(), cluster!(), "images:\n  img:\n    cpu:\n      points: [{at: «1s, cores: \"1\"}]\n"), "the first point must be at 0s", "images.img.cpu.points[0].at"),
    err(concat!(head!(), cluster!(), "images:\n  img:\n    cpu:\n      points: [{at: 0s, cores: \"1\"}, {at: «0s, cores: \"2\"}]\n"), "strictly increasing time order", "images.img.cpu.points[1].at"),
    err(concat!(head!(), cluster!(), "images:\n  img:\n    cpu:\n      period: «1m\n      points: [{at: 0s, cores: \"1\"}, {at: 2m, cores: \"2\"}]\n"), "period must be longer than the last point's time", "images.img.cpu.period"),
    err(concat!(head!(), cluster!(), "images:\n  img:\n    cpu:\n      period: «2ns\n      points: [{at: 0s, cores: \"1\"}]\n"), "a profile's period must be at least 1ms", "images.img.cpu.period"),
    err(concat!(head!(), cluster!(), "images:\n  img:\n    cpu:\n      resolution: «0s\n      points: [{at: 0s, cores: \"1\"}]\n"), "a profile's resolution must be at least 1ms", "images.img.cpu.resolution"),
    err(concat!(head!(), cluster!(), "images:\n  img:\n    cpu:\n      «pionts: []\n"), "unknown field \"pionts\"", "images.img.cpu.pionts"),
    err(concat!(head!(), cluster!(), "images:\n  img:\n    cpu:\n      interpolation: «cubic\n      points: [{at: 0s, cores: \"1\"}]\n"), "Unsupported value: \"cubic\"", "images.img.cpu.interpolation"),
    // ---- images: memory, exits, health, pulls, stop times ----
    err(concat!(head!(), cluster!(), "images:\n  img:\n    memory: {start: 100Mi, growth: «20Mi/day}\n"), "growth must be QUANTITY/UNIT with UNIT one of s, min, h", "images.img.memory.growth"),
    err(concat!(head!(), cluster!(), "images:\n  img:\n    memory: {start: 100Mi, growth: «20Mj/min}\n"), "invalid quantity \"20Mj\"", "images.img.memory.growth"),
    err(concat!(head!(), cluster!(), "images:\n  img:\n    memory: {start: 1Gi, growth: 1Mi/s, max: «100Mi}\n"), "max must be greater than or equal to start (1Gi)", "images.img.memory.max"),
    err(concat!(head!(), cluster!(), "images:\n  img:\n    «memory: {start: 100Mi}\n"), "Required value: a memory profile is a leak (start, growth, max) or points", "images.img.memory.growth"),
    err(concat!(head!(), cluster!(), "images:\n  img:\n    memory: {«start: 1Mi, points: [{at: 0s, bytes: 1Mi}]}\n"), "Forbidden: start describes a leak", "images.img.memory.start"),
    err(concat!(head!(), cluster!(), "images:\n  img:\n    memory: {growth: 1Mi/s, «period: 1m}\n"), "Forbidden: period needs points", "images.img.memory.period"),
    err(concat!(head!(), cluster!(), "images:\n  img:\n    memory: {«grwth: 1Mi/s}\n"), "unknown field \"grwth\"", "images.img.memory.grwth"),
    err(concat!(head!(), cluster!(), "images:\n  img:\n    memory: {points: «[]}\n"), "a memory profile needs at least one point", "images.img.memory.points"),
    err(concat!(head!(), cluster!(), "images:\n  img:\n    memory: {points: [{at: «1s, bytes: 1Mi}]}\n"), "the first point must be at 0s", "images.img.memory.points[0].at"),
    err(concat!(head!(), cluster!(), "images:\n  img:\n    memory: {points: [{at: 0s, bytes: 1Mi}, {at: «0s, bytes: 2Mi}]}\n"), "strictly increasing time order", "images.img.memory.points[1].at"),
    err(concat!(head!(), cluster!(), "images:\n  img:\n    memory: {period: «1m, points: [{at: 0s, bytes: 1Mi}, {at: 1m, bytes: 2Mi}]}\n"), "period must be longer than the last point's time", "images.img.memory.period"),
    err(concat!(head!(), cluster!(), "images:\n  img:\n    memory: {points: [{at: 0s, bytes: «1Gj}]}\n"), "invalid quantity \"1Gj\"", "images.img.memory.points[0].bytes"),
    err(concat!(head!(), cluster!(), "images:\n  img:\n    memory: {interpolation: «cubic, points: [{at: 0s, bytes: 1Mi}]}\n"), "Unsupported value: \"cubic\"", "images.img.memory.interpolation"),
    err(concat!(head!(), cluster!(), "images:\n  img:\n    memory: «-1Gi\n"), "must be greater than or equal to 0", "images.img.memory"),
    err(concat!(head!(), cluster!(), "images:\n  img:\n    «startupBurst: {bytes: 1Gi}\n"), "Required value", "images.img.startupBurst.for"),
    err(concat!(head!(), cluster!(), "images:\n  img:\n    startupBurst: {bytes: 1Gi, for: «20}\n"), "invalid duration \"20\"", "images.img.startupBurst.for"),
    err(concat!(head!(), cluster!(), "images:\n  img:\n    exit: {after: 30s, «ratePerHour: 1}\n"), "Forbidden: exit takes after or ratePerHour, not both", "images.img.exit.ratePerHour"),
    err(concat!(head!(), cluster!(), "images:\n  img:\n    exit: «{code: 1}\n"), "Required value: exit needs after (a duration) or ratePerHour", "images.img.exit"),
    err(concat!(head!(), cluster!(), "images:\n  img:\n    exit: {after: 1s, code: «300}\n"), "Invalid value: 300: an exit code is 0-255", "images.img.exit.code"),
    err(concat!(head!(), cluster!(), "images:\n  img:\n    exit: {ratePerHour: «0}\n"), "Invalid value: 0: ratePerHour must be a positive number", "images.img.exit.ratePerHour"),
    err(concat!(head!(), cluster!(), "images:\n  img:\n    exit: {«aftr: 1s}\n"), "unknown field \"aftr\"", "images.img.exit.aftr"),
    err(concat!(head!(), cluster!(), "images:\n  img:\n    health: {failAfter: «soon}\n"), "invalid duration \"soon\"", "images.img.health.failAfter"),
    err(concat!(head!(), cluster!(), "images:\n  img:\n    health: {failWindows: [{at: 5m, for: «0s}]}\n"), "a window must last longer than 0s", "images.img.health.failWindows[0].for"),
    err(concat!(head!(), cluster!(), "images:\n  img:\n    health: {never: «sometimes}\n"), "expected true or false", "images.img.health.never"),
    err(concat!(head!(), cluster!(), "images:\n  img: {probeLatency: «1}\n"), "invalid duration \"1\"", "images.img.probeLatency"),
    err(concat!(head!(), cluster!(), "images:\n  img: {pullTime: «-5s}\n"), "invalid duration \"-5s\"", "images.img.pullTime"),
    err(concat!(head!(), cluster!(), "images:\n  img: {size: «2Ei}\n"), "kubesim models byte quantities up to 1Pi", "images.img.size"),
    err(concat!(head!(), cluster!(), "images:\n  img: {preStopTime: «5x}\n"), "invalid duration \"5x\"", "images.img.preStopTime"),
    err(concat!(head!(), cluster!(), "images:\n  img: {shutdown: «forever}\n"), "invalid duration \"forever\"", "images.img.shutdown"),
    warn(concat!(head!(), cluster!(), "images:\n  img: {cpu: \"1\"}\n  «imgg: {cpu: \"1\"}\nworkloads:\n  - {apiVersion: v1, kind: Pod, metadata: {name: p}, spec: {containers: [{name: c, image: img}]}}\n"), "no container uses image \"imgg\"", "images.imgg"),
    // ---- timeline ----
    err(concat!(head!(), cluster!(), "timeline:\n  - {at: 1m, action: «scael, target: deployment/d, replicas: 1}\n"), "Unsupported value: \"scael\"", "timeline[0].action"),
    err(concat!(head!(), cluster!(), "timeline:\n  - {at: 1m, action: scale, target: «d, replicas: 1}\n"), "scale needs a target of the form deployment/NAME", "timeline[0].target"),
    err(concat!(head!(), cluster!(), "timeline:\n  - {at: 1m, action: scale, target: «deployment/web, replicas: 1}\n"), "no Deployment named \"web\"", "timeline[0].target"),
    err(concat!(head!(), cluster!(), "timeline:\n  - {at: «20m, action: scale, target: deployment/web, replicas: 1}\n"), "is after the scenario's duration", "timeline[0].at"),
    // ---- kinds ----
    err(with_workloads!("  - apiVersion: apps/v1\n    kind: «Deploymnet\n    metadata: {name: d}\n"), "no matches for kind \"Deploymnet\" in version \"apps/v1\"", "workloads[0].kind"),
    err(with_workloads!("  - apiVersion: «extensions/v1beta1\n    kind: Deployment\n    metadata: {name: d}\n"), "no matches for kind \"Deployment\" in version \"extensions/v1beta1\"", "workloads[0].apiVersion"),
    err(with_workloads!("  - apiVersion: «app/v1\n    kind: Foo\n    metadata: {name: d}\n"), "no matches for kind \"Foo\" in version \"app/v1\"", "workloads[0].apiVersion"),
    err(with_workloads!("  - apiVersion: apps/v1\n    kind: «StatefulSet\n    metadata: {name: s}\n"), "kind StatefulSet (apps/v1) is not modelled yet", "workloads[0].kind"),
    err(with_workloads!("  - apiVersion: apps/v1\n    kind: «DaemonSet\n    metadata: {name: ds}\n"), "kind DaemonSet (apps/v1) is not modelled yet: this release models Pod, Deployment, Job, CronJob, Service and PriorityClass", "workloads[0].kind"),
    err(with_workloads!("  - apiVersion: v1\n    kind: «Node\n    metadata: {name: n}\n"), "Node objects are not read from manifests", "workloads[0].kind"),
    // ---- Services ----
    err(with_workloads!("  - apiVersion: v1\n    kind: Service\n    metadata: {name: «1web}\n    spec: {selector: {app: web}}\n"), "a DNS-1035 label must consist of lower case alphanumeric characters", "workloads[0].metadata.name"),
    err(with_workloads!("  - apiVersion: v1\n    kind: Service\n    metadata: {name: web}\n    spec: {selector: {app: «-bad-}}\n"), "Invalid value: \"-bad-\"", "workloads[0].spec.selector.app"),
    err(with_workloads!("  - apiVersion: v1\n    kind: Service\n    metadata: {name: web}\n    spec: {selector: {app: web}, «portz: []}\n"), "unknown field", "workloads[0].spec.portz"),
    err(with_workloads!("  - apiVersion: v1\n    kind: Service\n    metadata: {name: web}\n  - apiVersion: v1\n    kind: Service\n    metadata: {name: «web}\n"), "Duplicate value: services \"web\" already exists in namespace \"default\"", "workloads[1].metadata.name"),
    err(concat!(head!(), "cluster:\n  nodes: [{name: n, capacity: {cpu: \"4\", memory: 8Gi}}]\n  controllerManager: {endpointsDelay: «soon}\n"), "", "cluster.controllerManager.endpointsDelay"),
    // ---- Traffic ----
    err(traffic!("  - {service: «api, rate: 10}\n"), "Not found: Service \"api\" is not in the scenario (Services: web)", "traffic[0].service"),
    err(traffic!("  - {service: web, rate: «-5}\n"), "rate (requests per second) must be a number from 0 to", "traffic[0].rate"),
    err(traffic!("  - {service: web, rate: «fast}\n"), "rate must be requests per second (a number) or a profile", "traffic[0].rate"),
    err(traffic!("  - {service: web, rate: {points: [{at: 0s, rps: «.nan}]}}\n"), "rps must be a number from 0 to", "traffic[0].rate.points[0].rps"),
    err(traffic!("  - {service: web, rate: {points: [{at: 10s, rps: 1}, {at: «5s, rps: 2}]}}\n"), "points must be in strictly increasing time order", "traffic[0].rate.points[1].at"),
    err(traffic!("  - {service: web, rate: {points: [{at: 0s, rps: 1}, {at: 1h, rps: 2}], period: «30m}}\n"), "period must be longer than the last point's time", "traffic[0].rate.period"),
    err(traffic!("  - {service: web, rate: 1}\n  - {service: «web, rate: 2}\n"), "Duplicate value: \"web\": one traffic entry per Service", "traffic[1].service"),
    err(traffic!("  - {service: web, rate: 1, retries: «-1}\n"), "retries must be from 0 to 10", "traffic[0].retries"),
    err(traffic!("  - {service: web, rate: 1, timeout: «0s}\n"), "a timeout must be above 0s", "traffic[0].timeout"),
    err(traffic!("  - {service: web, rate: 1, slo: {errorRate: «2}}\n"), "errorRate must be a number from 0 to 1", "traffic[0].slo.errorRate"),
    err(traffic!("  - {service: web, rate: 1, slo: {latency: «soon}}\n"), "", "traffic[0].slo.latency"),
    err(concat!(head!(), cluster!(), "images:\n  img: {serve: {errorRate: «1.5}}\n"), "errorRate must be a number from 0 to 1", "images.img.serve.errorRate"),
    err(concat!(head!(), cluster!(), "images:\n  img: {serve: {cpuSeconds: «-0.01}}\n"), "cpuSeconds per request must be a number from 0", "images.img.serve.cpuSeconds"),
    err(concat!(head!(), cluster!(), "images:\n  img: {serve: {«cpuSecond: 0.01}}\n"), "unknown field", "images.img.serve.cpuSecond"),
    err(with_workloads!("  - «kind: Pod\n    metadata: {name: p}\n"), "Required value: apiVersion not set", "workloads[0].apiVersion"),
    err(with_workloads!("  - «just a string\n"), "expected a Kubernetes object", "workloads[0]"),
    err(with_workloads!("  - apiVersion: v1\n    kind: ConfigMap\n    metadata: {name: c}\n    «datta: {a: b}\n"), "unknown field \"datta\": ConfigMap has no such field", "workloads[0].datta"),
    err(with_workloads!("  - apiVersion: rbac.authorization.k8s.io/v1\n    kind: ClusterRole\n    metadata: {name: r}\n    rules: [{«verb: [get]}]\n"), "unknown field \"verb\": PolicyRule has no such field", "workloads[0].rules[0].verb"),
    err(with_workloads!("  - apiVersion: v1\n    kind: List\n    «itms: []\n"), "unknown field \"itms\": List has no such field", "workloads[0].itms"),
    err(with_workloads!("  - apiVersion: v1\n    kind: List\n    items:\n      - apiVersion: v1\n        kind: «List\n"), "a List inside a List is not supported", "workloads[0].items[0].kind"),
    err(with_workloads!("  - apiVersion: v1\n    kind: List\n    items:\n      - apiVersion: v1\n        kind: Pod\n        metadata: {name: p}\n        «spc: {}\n"), "unknown field \"spc\": Pod has no such field", "workloads[0].items[0].spc"),
    warn(with_workloads!("  - apiVersion: cert-manager.io/v1\n    kind: «Certificate\n    metadata: {name: c}\n"), "skipped 1 custom resource of kind Certificate (cert-manager.io/v1)", "workloads[0].kind"),
    // ---- strict fields, everywhere ----
    err(container!("          livenessProbe:\n            «initialDelaySecond: 5\n            httpGet: {path: /, port: 80}\n"), "unknown field \"initialDelaySecond\": Probe has no such field", "workloads[0].spec.containers[0].livenessProbe.initialDelaySecond"),
    err(container!("          ports: [{«containerPor: 80}]\n"), "unknown field \"containerPor\": ContainerPort has no such field", "workloads[0].spec.containers[0].ports[0].containerPor"),
    err(deployment!(concat!("      selector: {matchLabels: {app: d}}\n      strategy: {rollingUpdate: {«maxSurg: 1}}\n", dep_template!())), "unknown field \"maxSurg\": RollingUpdateDeployment has no such field", "workloads[0].spec.strategy.rollingUpdate.maxSurg"),
    err(container!("          «resource: {}\n"), "unknown field \"resource\"", "workloads[0].spec.containers[0].resource"),
    err(deployment!(concat!("      «spec.replicas: 5\n      selector: {matchLabels: {app: d}}\n", dep_template!())), "unknown field \"spec.replicas\"", "workloads[0].spec[\"spec.replicas\"]"),
    err(pod!("      «\"\": 1\n      containers: [{name: c, image: img}]\n"), "unknown field \"\": PodSpec has no such field", "workloads[0].spec[\"\"]"),
    err(with_workloads!("  - apiVersion: v1\n    kind: Pod\n    metadata: {name: p, labels: {v: «1.0}}\n    spec: {containers: [{name: c, image: img}]}\n"), "invalid type: got \"number\", expected \"string\"", "workloads[0].metadata.labels.v"),
    err(container!("          env: [{name: A, value: «yes}]\n"), "invalid type for EnvVar.value: got \"boolean\", expected \"string\"", "workloads[0].spec.containers[0].env[0].value"),
    err(deployment!(concat!("      replicas: «\"3\"\n      selector: {matchLabels: {app: d}}\n", dep_template!())), "invalid type for DeploymentSpec.replicas: got \"string\", expected \"integer\"", "workloads[0].spec.replicas"),
    err(deployment!(concat!("      replicas: «3000000000\n      selector: {matchLabels: {app: d}}\n", dep_template!())), "does not fit in an int32", "workloads[0].spec.replicas"),
    err(pod!("      containers: [{name: c, image: img}]\n      «containers: []\n"), "mapping key \"containers\" already defined", "workloads[0].spec.containers"),
    // ---- probes and lifecycle hooks ----
    err(container!("          livenessProbe: «{periodSeconds: 5}\n"), "Required value: must specify a handler type", "workloads[0].spec.containers[0].livenessProbe"),
    err(container!("          readinessProbe: {exec: {command: [x]}, «tcpSocket: {port: 80}}\n"), "Forbidden: may not specify more than 1 handler type", "workloads[0].spec.containers[0].readinessProbe.tcpSocket"),
    err(container!("          livenessProbe: {exec: {command: [x]}, periodSeconds: «-1}\n"), "Invalid value: -1: must be greater than or equal to 0", "workloads[0].spec.containers[0].livenessProbe.periodSeconds"),
    err(container!("          livenessProbe: {exec: {command: [x]}, successThreshold: «2}\n"), "Invalid value: 2: must be 1", "workloads[0].spec.containers[0].livenessProbe.successThreshold"),
    err(container!("          startupProbe: {tcpSocket: {port: 80}, successThreshold: «3}\n"), "Invalid value: 3: must be 1", "workloads[0].spec.containers[0].startupProbe.successThreshold"),
    err(container!("          readinessProbe: {tcpSocket: {port: 80}, terminationGracePeriodSeconds: «5}\n"), "must not be set for readinessProbes", "workloads[0].spec.containers[0].readinessProbe.terminationGracePeriodSeconds"),
    err(container!("          livenessProbe: {tcpSocket: {port: 80}, terminationGracePeriodSeconds: «0}\n"), "Invalid value: 0: must be greater than 0", "workloads[0].spec.containers[0].livenessProbe.terminationGracePeriodSeconds"),
    err(container!("          livenessProbe: {«exec: {}}\n"), "Required value", "workloads[0].spec.containers[0].livenessProbe.exec.command"),
    err(container!("          livenessProbe: {httpGet: {path: /, port: «0}}\n"), "Invalid value: 0: must be between 1 and 65535, inclusive", "workloads[0].spec.containers[0].livenessProbe.httpGet.port"),
    err(container!("          livenessProbe: {httpGet: {path: /, port: «http_port}}\n"), "must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)", "workloads[0].spec.containers[0].livenessProbe.httpGet.port"),
    err(container!("          livenessProbe: {httpGet: {path: /, port: 80, scheme: «FTP}}\n"), "Unsupported value: \"FTP\": supported values: \"HTTP\", \"HTTPS\"", "workloads[0].spec.containers[0].livenessProbe.httpGet.scheme"),
    err(container!("          readinessProbe: {grpc: {port: «70000}}\n"), "Invalid value: 70000: must be between 1 and 65535, inclusive", "workloads[0].spec.containers[0].readinessProbe.grpc.port"),
    err(pod!("      initContainers:\n        - name: i\n          image: img\n          «livenessProbe: {exec: {command: [x]}}\n      containers: [{name: c, image: img}]\n"), "Forbidden: may not be set for init containers without restartPolicy=Always", "workloads[0].spec.initContainers[0].livenessProbe"),
    err(pod!("      initContainers:\n        - name: i\n          image: img\n          «lifecycle: {preStop: {sleep: {seconds: 1}}}\n      containers: [{name: c, image: img}]\n"), "may not be set for init containers without restartPolicy=Always", "workloads[0].spec.initContainers[0].lifecycle"),
    err(container!("          lifecycle: {preStop: «{}}\n"), "Required value: must specify a handler type", "workloads[0].spec.containers[0].lifecycle.preStop"),
    err(container!("          lifecycle: {preStop: {exec: {command: [x]}, «sleep: {seconds: 1}}}\n"), "Forbidden: may not specify more than 1 handler type", "workloads[0].spec.containers[0].lifecycle.preStop.sleep"),
    err(container!("          lifecycle: {preStop: {sleep: «{seconds: 40}}}\n"), "Invalid value: 40: must be non-negative and less than terminationGracePeriodSeconds (30)", "workloads[0].spec.containers[0].lifecycle.preStop.sleep"),
    err(deployment!("      selector: {matchLabels: {app: d}}\n      template:\n        metadata: {labels: {app: d}}\n        spec:\n          terminationGracePeriodSeconds: 5\n          containers:\n            - name: c\n              image: img\n              lifecycle: {preStop: {sleep: «{seconds: 10}}}\n"), "must be non-negative and less than terminationGracePeriodSeconds (5)", "workloads[0].spec.template.spec.containers[0].lifecycle.preStop.sleep"),
    err(container!("          lifecycle: {postStart: {tcpSocket: {port: «-1}}}\n"), "Invalid value: -1: must be between 1 and 65535, inclusive", "workloads[0].spec.containers[0].lifecycle.postStart.tcpSocket.port"),
    err(pod!("      terminationGracePeriodSeconds: «-1\n      containers: [{name: c, image: img}]\n"), "Invalid value: -1: must be greater than or equal to 0", "workloads[0].spec.terminationGracePeriodSeconds"),
    // ---- enum-like fields ----
    err(deployment!(concat!("      selector: {matchLabels: {app: d}}\n      strategy: {type: «Rolling}\n", dep_template!())), "Unsupported value: \"Rolling\": supported values: \"Recreate\", \"RollingUpdate\"", "workloads[0].spec.strategy.type"),
    err(deployment!(concat!("      selector: {matchLabels: {app: d}}\n      strategy: {type: Recreate, «rollingUpdate: {maxSurge: 1}}\n", dep_template!())), "may not be specified when strategy `type` is 'Recreate'", "workloads[0].spec.strategy.rollingUpdate"),
    // `ValidateRollingUpdateDeployment`, `ValidateDeploymentSpec`.
    err(deployment!(concat!("      selector: {matchLabels: {app: d}}\n      strategy: {rollingUpdate: {maxSurge: 0, maxUnavailable: «0}}\n", dep_template!())), "Invalid value: 0: may not be 0 when `maxSurge` is 0", "workloads[0].spec.strategy.rollingUpdate.maxUnavailable"),
    err(deployment!(concat!("      selector: {matchLabels: {app: d}}\n      strategy: {rollingUpdate: {maxUnavailable: «150%}}\n", dep_template!())), "must not be greater than 100%", "workloads[0].spec.strategy.rollingUpdate.maxUnavailable"),
    err(deployment!(concat!("      selector: {matchLabels: {app: d}}\n      strategy: {rollingUpdate: {maxSurge: «lots}}\n", dep_template!())), "a valid percent string must be a numeric string followed by an ending '%'", "workloads[0].spec.strategy.rollingUpdate.maxSurge"),
    err(deployment!(concat!("      selector: {matchLabels: {app: d}}\n      strategy: {rollingUpdate: {maxSurge: «-1}}\n", dep_template!())), "Invalid value: -1: must be greater than or equal to 0", "workloads[0].spec.strategy.rollingUpdate.maxSurge"),
    err(deployment!(concat!("      selector: {matchLabels: {app: d}}\n      minReadySeconds: 30\n      progressDeadlineSeconds: «30\n", dep_template!())), "Invalid value: 30: must be greater than minReadySeconds", "workloads[0].spec.progressDeadlineSeconds"),
    err(pod!("      restartPolicy: «Sometimes\n      containers: [{name: c, image: img}]\n"), "Unsupported value: \"Sometimes\"", "workloads[0].spec.restartPolicy"),
    err(pod!("      dnsPolicy: «ClusterFirstt\n      containers: [{name: c, image: img}]\n"), "Unsupported value: \"ClusterFirstt\"", "workloads[0].spec.dnsPolicy"),
    err(pod!("      preemptionPolicy: «Sometimes\n      containers: [{name: c, image: img}]\n"), "Unsupported value: \"Sometimes\"", "workloads[0].spec.preemptionPolicy"),
    err(container!("          imagePullPolicy: «IfNotPresnt\n"), "Unsupported value: \"IfNotPresnt\"", "workloads[0].spec.containers[0].imagePullPolicy"),
    err(container!("          terminationMessagePolicy: «Files\n"), "Unsupported value: \"Files\"", "workloads[0].spec.containers[0].terminationMessagePolicy"),
    err(container!("          ports: [{containerPort: 80, protocol: «HTTP}]\n"), "Unsupported value: \"HTTP\"", "workloads[0].spec.containers[0].ports[0].protocol"),
    err(container!("          ports: [{containerPort: «0}]\n"), "must be between 1 and 65535, inclusive", "workloads[0].spec.containers[0].ports[0].containerPort"),
    err(container!("          resizePolicy: [{resourceName: cpu, restartPolicy: «Restart}]\n"), "Unsupported value: \"Restart\"", "workloads[0].spec.containers[0].resizePolicy[0].restartPolicy"),
    err(pod!("      tolerations: [{key: k, operator: «Equals}]\n      containers: [{name: c, image: img}]\n"), "Unsupported value: \"Equals\"", "workloads[0].spec.tolerations[0].operator"),
    err(pod!("      tolerations: [{key: k, effect: «NoSchedul}]\n      containers: [{name: c, image: img}]\n"), "Unsupported value: \"NoSchedul\"", "workloads[0].spec.tolerations[0].effect"),
    err(pod!("      tolerations: [{key: k, operator: Exists, value: «v}]\n      containers: [{name: c, image: img}]\n"), "value must be empty when `operator` is 'Exists'", "workloads[0].spec.tolerations[0].value"),
    err(pod!("      tolerations: [{key: k, effect: «NoSchedule, tolerationSeconds: 5}]\n      containers: [{name: c, image: img}]\n"), "effect must be 'NoExecute' when `tolerationSeconds` is set", "workloads[0].spec.tolerations[0].effect"),
    err(pod!("      tolerations: [{operator: «Equal}]\n      containers: [{name: c, image: img}]\n"), "operator must be Exists when `key` is empty", "workloads[0].spec.tolerations[0].operator"),
    err(pod!("      topologySpreadConstraints: [{maxSkew: 1, topologyKey: zone, whenUnsatisfiable: «Never}]\n      containers: [{name: c, image: img}]\n"), "Unsupported value: \"Never\"", "workloads[0].spec.topologySpreadConstraints[0].whenUnsatisfiable"),
    // ---- node affinity ----
    err(pod!("      affinity: {nodeAffinity: {requiredDuringSchedulingIgnoredDuringExecution: {nodeSelectorTerms: [{matchExpressions: [{key: z, operator: «Inn, values: [a]}]}]}}}\n      containers: [{name: c, image: img}]\n"), "Unsupported value: \"Inn\"", "workloads[0].spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].operator"),
    err(pod!("      affinity: {nodeAffinity: {requiredDuringSchedulingIgnoredDuringExecution: {nodeSelectorTerms: [{matchExpressions: [{key: z, operator: In, values: «[]}]}]}}}\n      containers: [{name: c, image: img}]\n"), "must be specified when `operator` is 'In' or 'NotIn'", "workloads[0].spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].values"),
    err(pod!("      affinity: {nodeAffinity: {requiredDuringSchedulingIgnoredDuringExecution: {nodeSelectorTerms: [{matchExpressions: [{key: z, operator: Gt, values: [«a]}]}]}}}\n      containers: [{name: c, image: img}]\n"), "Invalid value: \"a\": must be an integer", "workloads[0].spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].values[0]"),
    err(pod!("      affinity: {nodeAffinity: {preferredDuringSchedulingIgnoredDuringExecution: [{weight: «0, preference: {}}]}}\n      containers: [{name: c, image: img}]\n"), "must be in the range 1-100", "workloads[0].spec.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight"),
    err(pod!("      affinity: {nodeAffinity: {requiredDuringSchedulingIgnoredDuringExecution: {nodeSelectorTerms: [{matchFields: [{key: «metadata.labels, operator: In, values: [a]}]}]}}}\n      containers: [{name: c, image: img}]\n"), "not a valid field selector key", "workloads[0].spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchFields[0].key"),
    err(pod!("      affinity: {podAntiAffinity: {requiredDuringSchedulingIgnoredDuringExecution: [{topologyKey: z, labelSelector: {matchExpressions: [{key: app, operator: «Exist}]}}]}}\n      containers: [{name: c, image: img}]\n"), "Unsupported value: \"Exist\"", "workloads[0].spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].labelSelector.matchExpressions[0].operator"),
    // ---- metadata ----
    err(with_workloads!("  - apiVersion: v1\n    kind: Pod\n    «metadata: {labels: {a: b}}\n    spec: {containers: [{name: c, image: img}]}\n"), "Required value: name or generateName is required", "workloads[0].metadata.name"),
    err(with_workloads!("  - apiVersion: v1\n    kind: Pod\n    metadata: {name: «Web}\n    spec: {containers: [{name: c, image: img}]}\n"), "Invalid value: \"Web\": a lowercase RFC 1123 subdomain", "workloads[0].metadata.name"),
    err(with_workloads!("  - apiVersion: v1\n    kind: Pod\n    metadata: {name: p, namespace: «team.a}\n    spec: {containers: [{name: c, image: img}]}\n"), "Invalid value: \"team.a\": a lowercase RFC 1123 label", "workloads[0].metadata.namespace"),
    err(with_workloads!("  - apiVersion: v1\n    kind: Pod\n    metadata: {name: p, labels: {«-app: web}}\n    spec: {containers: [{name: c, image: img}]}\n"), "Invalid value: \"-app\"", "workloads[0].metadata.labels.-app"),
    err(with_workloads!("  - apiVersion: v1\n    kind: Pod\n    metadata: {name: p, annotations: {«a/b/c: x}}\n    spec: {containers: [{name: c, image: img}]}\n"), "Invalid value: \"a/b/c\"", "workloads[0].metadata.annotations.a/b/c"),
    err(with_workloads!("  - apiVersion: v1\n    kind: Pod\n    metadata: {name: p}\n    spec: {containers: [{name: c, image: img}]}\n  - apiVersion: v1\n    kind: Pod\n    metadata: {name: «p}\n    spec: {containers: [{name: c, image: img}]}\n"), "Duplicate value: pods \"p\" already exists in namespace \"default\"", "workloads[1].metadata.name"),
    // ---- pod spec and containers ----
    err(pod!("      containers: «[]\n"), "Required value", "workloads[0].spec.containers"),
    err(pod!("      containers: [{name: «\"\", image: img}]\n"), "Required value", "workloads[0].spec.containers[0].name"),
    err(pod!("      containers: [{name: c, image: img}, {name: «c, image: img}]\n"), "Duplicate value: \"c\"", "workloads[0].spec.containers[1].name"),
    err(pod!("      initContainers: [{name: c, image: img}]\n      containers: [{name: «c, image: img}]\n"), "Duplicate value: \"c\"", "workloads[0].spec.containers[0].name"),
    err(pod!("      containers: [{name: «C_1, image: img}]\n"), "a lowercase RFC 1123 label", "workloads[0].spec.containers[0].name"),
    err(pod!("      containers: [«{name: c}]\n"), "Required value", "workloads[0].spec.containers[0].image"),
    err(pod!("      terminationGracePeriodSeconds: «-1\n      containers: [{name: c, image: img}]\n"), "must be greater than or equal to 0", "workloads[0].spec.terminationGracePeriodSeconds"),
    err(pod!("      initContainers: [{name: i, image: img, restartPolicy: «OnFailure}]\n      containers: [{name: c, image: img}]\n"), "Unsupported value: \"OnFailure\": supported values: \"Always\"", "workloads[0].spec.initContainers[0].restartPolicy"),
    err(pod!("      containers: [{name: c, image: img, restartPolicy: «Always}]\n"), "may not be set for non-init containers", "workloads[0].spec.containers[0].restartPolicy"),
    // ---- resources ----
    err(container!("          resources: {requests: {cpu: «2}, limits: {cpu: 1}}\n"), "Invalid value: \"2\": must be less than or equal to cpu limit of 1", "workloads[0].spec.containers[0].resources.requests.cpu"),
    err(container!("          resources: {requests: {nvidia.com/gpu: «1}, limits: {nvidia.com/gpu: 2}}\n"), "must be equal to nvidia.com/gpu limit of 2", "workloads[0].spec.containers[0].resources.requests[\"nvidia.com/gpu\"]"),
    err(container!("          «resources: {requests: {nvidia.com/gpu: 1}}\n"), "Limit must be set for non overcommitable resources", "workloads[0].spec.containers[0].resources.limits[\"nvidia.com/gpu\"]"),
    err(container!("          resources: {limits: {nvidia.com/gpu: «500m}}\n"), "must be an integer", "workloads[0].spec.containers[0].resources.limits[\"nvidia.com/gpu\"]"),
    err(container!("          resources: {requests: {«pods: 1}}\n"), "must be a standard resource for containers", "workloads[0].spec.containers[0].resources.requests.pods"),
    err(container!("          resources: {limits: {memory: «1Gj}}\n"), "invalid quantity \"1Gj\"", "workloads[0].spec.containers[0].resources.limits.memory"),
    // ---- Deployments and selectors ----
    err(deployment!(concat!("      selector: {matchLabels: {app: x}}\n", "      template:\n        metadata: {labels: «{app: d}}\n        spec:\n          containers: [{name: c, image: img}]\n")), "`selector` does not match template `labels`", "workloads[0].spec.template.metadata.labels"),
    err(deployment!(concat!("      selector: «{}\n", dep_template!())), "empty selector is invalid for deployment", "workloads[0].spec.selector"),
    err(deployment!(concat!("      selector: {matchExpressions: [{key: app, operator: «Inside, values: [d]}]}\n", dep_template!())), "Unsupported value: \"Inside\"", "workloads[0].spec.selector.matchExpressions[0].operator"),
    err(deployment!(concat!("      selector: {matchExpressions: [{key: app, operator: In, values: «[]}]}\n", dep_template!())), "must be specified when `operator` is 'In' or 'NotIn'", "workloads[0].spec.selector.matchExpressions[0].values"),
    err(deployment!(concat!("      selector: {matchExpressions: [{key: app, operator: Exists, values: «[d]}]}\n", dep_template!())), "may not be specified when `operator` is 'Exists' or 'DoesNotExist'", "workloads[0].spec.selector.matchExpressions[0].values"),
    err(deployment!(concat!("      selector: {matchExpressions: [{key: app, operator: NotIn, values: [d]}]}\n      template:\n        metadata: {labels: «{app: d}}\n        spec:\n          containers: [{name: c, image: img}]\n")), "`selector` does not match template `labels`", "workloads[0].spec.template.metadata.labels"),
    err(deployment!(concat!("      replicas: «-1\n      selector: {matchLabels: {app: d}}\n", dep_template!())), "must be greater than or equal to 0", "workloads[0].spec.replicas"),
    err(deployment!("      selector: {matchLabels: {app: d}}\n      template:\n        metadata: {labels: {app: d}}\n        spec:\n          restartPolicy: «Never\n          containers: [{name: c, image: img}]\n"), "Unsupported value: \"Never\": supported values: \"Always\"", "workloads[0].spec.template.spec.restartPolicy"),
    err(deployment!(concat!("      replicas: «2000000\n      selector: {matchLabels: {app: d}}\n", dep_template!())), "more than limits.maxObjects", "workloads[0].spec.replicas"),
    // ---- priority ----
    err(pod!("      priority: «100\n      containers: [{name: c, image: img}]\n"), "the integer value of priority (100) must not be provided in pod spec", "workloads[0].spec.priority"),
    err(pod!("      priorityClassName: «high\n      containers: [{name: c, image: img}]\n"), "no PriorityClass with name high was found", "workloads[0].spec.priorityClassName"),
    err(with_workloads!("  - {apiVersion: scheduling.k8s.io/v1, kind: PriorityClass, metadata: {name: high}, value: 10}\n  - apiVersion: v1\n    kind: Pod\n    metadata: {name: p}\n    spec:\n      priorityClassName: high\n      priority: «5\n      containers: [{name: c, image: img}]\n"), "priority admission controller computed 10", "workloads[1].spec.priority"),
    err(with_workloads!("  - {apiVersion: scheduling.k8s.io/v1, kind: PriorityClass, metadata: {name: huge}, value: «2000000000}\n"), "maximum allowed value of a user defined priority is 1000000000", "workloads[0].value"),
    err(with_workloads!("  - {apiVersion: scheduling.k8s.io/v1, kind: PriorityClass, metadata: {name: «system-mine}, value: 1}\n"), "reserved for system use only", "workloads[0].metadata.name"),
    err(with_workloads!("  - {apiVersion: scheduling.k8s.io/v1, kind: PriorityClass, metadata: {name: a}, value: 1, globalDefault: true}\n  - {apiVersion: scheduling.k8s.io/v1, kind: PriorityClass, metadata: {name: b}, value: 2, globalDefault: «true}\n"), "PriorityClass b is a global default, and so is a", "workloads[1].globalDefault"),
    err(with_workloads!("  - {apiVersion: scheduling.k8s.io/v1, kind: PriorityClass, metadata: {name: a}, value: 1}\n  - {apiVersion: scheduling.k8s.io/v1, kind: PriorityClass, metadata: {name: «a}, value: 2}\n"), "priorityclasses.scheduling.k8s.io \"a\" already exists", "workloads[1].metadata.name"),
    err(with_workloads!("  - «{apiVersion: scheduling.k8s.io/v1, kind: PriorityClass, metadata: {name: a}}\n"), "Required value", "workloads[0].value"),
    err(with_workloads!("  - {apiVersion: scheduling.k8s.io/v1, kind: PriorityClass, metadata: {name: a}, value: 1, preemptionPolicy: «Always}\n"), "Unsupported value: \"Always\"", "workloads[0].preemptionPolicy"),
    // ---- namespaces and the timeline ----
    err(concat!(
        head!(), cluster!(), images!(),
        "workloads:\n",
        "  - {apiVersion: apps/v1, kind: Deployment, metadata: {name: d, namespace: a}, spec: {selector: {matchLabels: {app: d}}, template: {metadata: {labels: {app: d}}, spec: {containers: [{name: c, image: img}]}}}}\n",
        "  - {apiVersion: apps/v1, kind: Deployment, metadata: {name: d, namespace: b}, spec: {selector: {matchLabels: {app: d}}, template: {metadata: {labels: {app: d}}, spec: {containers: [{name: c, image: img}]}}}}\n",
        "timeline:\n  - {at: 1m, action: scale, target: «deployment/d, replicas: 2}\n"
    ), "ambiguous target: Deployments named \"d\" exist in namespaces a, b", "timeline[0].target"),
    err(concat!(
        head!(), cluster!(), images!(),
        "workloads:\n",
        "  - {apiVersion: apps/v1, kind: Deployment, metadata: {name: d, namespace: a}, spec: {selector: {matchLabels: {app: d}}, template: {metadata: {labels: {app: d}}, spec: {containers: [{name: c, image: img}]}}}}\n",
        "timeline:\n  - {at: 1m, action: scale, target: «deployment/b/d, replicas: 2}\n"
    ), "no Deployment named \"d\" in namespace \"b\"", "timeline[0].target"),
    err(concat!(
        head!(), cluster!(), images!(),
        "workloads:\n",
        "  - {apiVersion: apps/v1, kind: Deployment, metadata: {name: d}, spec: {selector: {matchLabels: {app: d}}, template: {metadata: {labels: {app: d}}, spec: {containers: [{name: c, image: img}]}}}}\n",
        "timeline:\n  - {at: 1m, action: scale, target: deployment/d, replicas: «-2}\n"
    ), "must be greater than or equal to 0", "timeline[0].replicas"),
    err(concat!(
        head!(), cluster!(), images!(),
        "workloads:\n",
        "  - {apiVersion: apps/v1, kind: Deployment, metadata: {name: d}, spec: {selector: {matchLabels: {app: d}}, template: {metadata: {labels: {app: d}}, spec: {containers: [{name: c, image: img}]}}}}\n",
        "timeline:\n  - {at: 1m, action: scale, target: deployment/d, replicas: «3000000000}\n"
    ), "replicas is an int32", "timeline[0].replicas"),
    err(concat!(
        head!(), cluster!(), images!(),
        "workloads:\n",
        "  - {apiVersion: apps/v1, kind: Deployment, metadata: {name: d}, spec: {selector: {matchLabels: {app: d}}, template: {metadata: {labels: {app: d}}, spec: {containers: [{name: c, image: img}]}}}}\n",
        "timeline:\n  - «{at: 1m, action: scale, target: deployment/d}\n"
    ), "scale needs replicas", "timeline[0].replicas"),
    err(concat!(
        head!(), cluster!(), images!(),
        "workloads:\n",
        "  - {apiVersion: apps/v1, kind: Deployment, metadata: {name: d}, spec: {selector: {matchLabels: {app: d}}, template: {metadata: {labels: {app: d}}, spec: {containers: [{name: c, image: img}]}}}}\n",
        "timeline:\n  - {at: 1m, action: setImage, target: «deployment/web, image: img2}\n"
    ), "no Deployment named \"web\" in this scenario", "timeline[0].target"),
    err(concat!(
        head!(), cluster!(), images!(),
        "workloads:\n",
        "  - {apiVersion: apps/v1, kind: Deployment, metadata: {name: d}, spec: {selector: {matchLabels: {app: d}}, template: {metadata: {labels: {app: d}}, spec: {containers: [{name: c, image: img}]}}}}\n",
        "timeline:\n  - {at: 1m, action: setImage, target: «d, image: img2}\n"
    ), "setImage needs a target of the form deployment/NAME", "timeline[0].target"),
    err(concat!(
        head!(), cluster!(), images!(),
        "workloads:\n",
        "  - {apiVersion: apps/v1, kind: Deployment, metadata: {name: d}, spec: {selector: {matchLabels: {app: d}}, template: {metadata: {labels: {app: d}}, spec: {containers: [{name: c, image: img}]}}}}\n",
        "timeline:\n  - «{at: 1m, action: setImage, target: deployment/d}\n"
    ), "Required value: setImage needs image", "timeline[0].image"),
    err(concat!(
        head!(), cluster!(), images!(),
        "workloads:\n",
        "  - {apiVersion: apps/v1, kind: Deployment, metadata: {name: d}, spec: {selector: {matchLabels: {app: d}}, template: {metadata: {labels: {app: d}}, spec: {containers: [{name: c, image: img}]}}}}\n",
        "timeline:\n  - {at: 1m, action: setImage, target: deployment/d, container: «app, image: img2}\n"
    ), "Deployment \"d\" has no container named \"app\"", "timeline[0].container"),
    err(concat!(
        head!(), cluster!(), images!(),
        "workloads:\n",
        "  - {apiVersion: apps/v1, kind: Deployment, metadata: {name: d}, spec: {selector: {matchLabels: {app: d}}, template: {metadata: {labels: {app: d}}, spec: {containers: [{name: c, image: img}, {name: side, image: img}]}}}}\n",
        "timeline:\n  - «{at: 1m, action: setImage, target: deployment/d, image: img2}\n"
    ), "has 2 containers: name the one to change with container", "timeline[0].container"),
    err(concat!(
        head!(), cluster!(), images!(),
        "workloads:\n",
        "  - {apiVersion: apps/v1, kind: Deployment, metadata: {name: d}, spec: {selector: {matchLabels: {app: d}}, template: {metadata: {labels: {app: d}}, spec: {containers: [{name: c, image: img}]}}}}\n",
        "timeline:\n  - {at: 1m, action: rollback, target: deployment/d, toRevision: «0}\n"
    ), "toRevision is a revision, 1 or more", "timeline[0].toRevision"),
    err(concat!(
        head!(), cluster!(), images!(),
        "workloads:\n",
        "  - {apiVersion: apps/v1, kind: Deployment, metadata: {name: d}, spec: {selector: {matchLabels: {app: d}}, template: {metadata: {labels: {app: d}}, spec: {containers: [{name: c, image: img}]}}}}\n",
        "timeline:\n  - {at: 1m, action: pause, target: deployment/d, «image: img2}\n"
    ), "Forbidden: image may only be set with action setImage, not pause", "timeline[0].image"),
    err(concat!(
        head!(), cluster!(), images!(),
        "workloads:\n",
        "  - {apiVersion: apps/v1, kind: Deployment, metadata: {name: d}, spec: {selector: {matchLabels: {app: d}}, template: {metadata: {labels: {app: d}}, spec: {containers: [{name: c, image: img}]}}}}\n",
        "timeline:\n  - {at: 1m, action: scale, target: deployment/d, replicas: 2, «toRevision: 1}\n"
    ), "Forbidden: toRevision may only be set with action rollback, not scale", "timeline[0].toRevision"),
    err(concat!(
        head!(), cluster!(), images!(),
        "workloads:\n",
        "  - {apiVersion: apps/v1, kind: Deployment, metadata: {name: d}, spec: {selector: {matchLabels: {app: d}}, template: {metadata: {labels: {app: d}}, spec: {containers: [{name: c, image: img}]}}}}\n",
        "timeline:\n  - {at: 1m, action: resume, target: «deployment/e}\n"
    ), "no Deployment named \"e\" in this scenario", "timeline[0].target"),
    err(concat!(
        head!(), cluster!(), images!(),
        "limits: {maxObjects: 100}\n",
        "workloads:\n",
        "  - {apiVersion: apps/v1, kind: Deployment, metadata: {name: d}, spec: {replicas: 10, selector: {matchLabels: {app: d}}, template: {metadata: {labels: {app: d}}, spec: {containers: [{name: c, image: img}]}}}}\n",
        "timeline:\n  - {at: 1m, action: scale, target: deployment/d, replicas: 50}\n  - {at: 2m, action: scale, target: deployment/d, replicas: «500}\n"
    ), "more than limits.maxObjects (100)", "timeline[1].replicas"),
    // ---- Jobs ----
    err(job!("      template:\n        «spec:\n          containers: [{name: c, image: img}]\n"), "Required value: valid values: \"OnFailure\", \"Never\"", "workloads[0].spec.template.spec.restartPolicy"),
    err(job!("      template:\n        spec:\n          restartPolicy: «Always\n          containers: [{name: c, image: img}]\n"), "Required value: valid values: \"OnFailure\", \"Never\"", "workloads[0].spec.template.spec.restartPolicy"),
    err(job!(concat!("      parallelism: «-1\n", job_template!())), "Invalid value: -1: must be greater than or equal to 0", "workloads[0].spec.parallelism"),
    err(job!(concat!("      completions: «-2\n", job_template!())), "Invalid value: -2: must be greater than or equal to 0", "workloads[0].spec.completions"),
    err(job!(concat!("      backoffLimit: «-1\n", job_template!())), "Invalid value: -1: must be greater than or equal to 0", "workloads[0].spec.backoffLimit"),
    err(job!(concat!("      activeDeadlineSeconds: «-5\n", job_template!())), "Invalid value: -5: must be greater than or equal to 0", "workloads[0].spec.activeDeadlineSeconds"),
    err(job!(concat!("      ttlSecondsAfterFinished: «-1\n", job_template!())), "Invalid value: -1: must be greater than or equal to 0", "workloads[0].spec.ttlSecondsAfterFinished"),
    err(job!(concat!("      completions: 2\n      completionMode: «Indexed\n", job_template!())), "Forbidden: not modelled yet: Indexed Jobs", "workloads[0].spec.completionMode"),
    err(job!(concat!("      completionMode: «Indexd\n", job_template!())), "Unsupported value: \"Indexd\": supported values: \"NonIndexed\", \"Indexed\"", "workloads[0].spec.completionMode"),
    err(job!(concat!("      podFailurePolicy: «{rules: [{action: Ignore, onPodConditions: [{type: DisruptionTarget}]}]}\n", job_template!())), "Forbidden: not modelled yet: podFailurePolicy", "workloads[0].spec.podFailurePolicy"),
    err(job!(concat!("      successPolicy: «{rules: [{succeededCount: 1}]}\n", job_template!())), "Invalid value: requires indexed completion mode", "workloads[0].spec.successPolicy"),
    err(job!(concat!("      backoffLimitPerIndex: «1\n", job_template!())), "Invalid value: 1: requires indexed completion mode", "workloads[0].spec.backoffLimitPerIndex"),
    err(with_workloads!(concat!("  - apiVersion: batch/v1\n    kind: Job\n    metadata: {name: j}\n    «spec:\n      maxFailedIndexes: 1\n", job_template!())), "Required value: when maxFailedIndexes is specified", "workloads[0].spec.backoffLimitPerIndex"),
    err(job!(concat!("      suspend: «true\n", job_template!())), "Forbidden: not modelled yet: suspended Jobs", "workloads[0].spec.suspend"),
    err(job!(concat!("      manualSelector: «true\n      selector: {matchLabels: {app: j}}\n", job_template!())), "Forbidden: not modelled yet: manualSelector", "workloads[0].spec.manualSelector"),
    err(job!(concat!("      selector: «{matchLabels: {app: j}}\n", job_template!())), "Invalid value: `selector` not auto-generated", "workloads[0].spec.selector"),
    err(job!(concat!("      podReplacementPolicy: «Failed\n", job_template!())), "Forbidden: not modelled yet: podReplacementPolicy Failed", "workloads[0].spec.podReplacementPolicy"),
    err(job!(concat!("      podReplacementPolicy: «Never\n", job_template!())), "Unsupported value: \"Never\": supported values: \"Failed\", \"TerminatingOrFailed\"", "workloads[0].spec.podReplacementPolicy"),
    err(job!(concat!("      managedBy: «example.com/queue\n", job_template!())), "Forbidden: not modelled yet: a Job managed by \"example.com/queue\"", "workloads[0].spec.managedBy"),
    err(with_workloads!("  - «{apiVersion: batch/v1, kind: Job, metadata: {name: j}}\n"), "Required value", "workloads[0].spec"),
    err(job!("      template:\n        spec:\n          restartPolicy: Never\n          priorityClassName: «hi\n          containers: [{name: c, image: img}]\n"), "no PriorityClass with name hi was found", "workloads[0].spec.template.spec.priorityClassName"),
    err(with_workloads!(concat!(
        "  - {apiVersion: batch/v1, kind: Job, metadata: {name: j}, spec: {template: {spec: {restartPolicy: Never, containers: [{name: c, image: img}]}}}}\n",
        "  - {apiVersion: batch/v1, kind: Job, metadata: {name: «j}, spec: {template: {spec: {restartPolicy: Never, containers: [{name: c, image: img}]}}}}\n",
    )), "Duplicate value: jobs.batch \"j\" already exists in namespace \"default\"", "workloads[1].metadata.name"),
    err(concat!(head!(), cluster!(), images!(), "limits: {maxObjects: 100}\nworkloads:\n",
        "  - {apiVersion: batch/v1, kind: Job, metadata: {name: j}, spec: {completions: «200, template: {spec: {restartPolicy: Never, containers: [{name: c, image: img}]}}}}\n",
    ), "more than limits.maxObjects (100): Job j makes up to 206 pods", "workloads[0].spec.completions"),
    err(concat!(head!(), cluster!(), images!(), "limits: {maxObjects: 100}\nworkloads:\n",
        "  - {apiVersion: batch/v1, kind: Job, metadata: {name: j}, spec: {backoffLimit: «1000, template: {spec: {restartPolicy: Never, containers: [{name: c, image: img}]}}}}\n",
    ), "more than limits.maxObjects (100): Job j makes up to 1001 pods", "workloads[0].spec.backoffLimit"),
    err(with_workloads!(concat!("  - apiVersion: batch/v1\n    kind: Job\n    metadata: {name: «aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa}\n    spec:\n", job_template!())), "must be no more than 63 characters (the job-name label", "workloads[0].metadata.name"),
    // ---- CronJobs ----
    err(with_workloads!(concat!("  - apiVersion: batch/v1\n    kind: CronJob\n    metadata: {name: «aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa}\n    spec:\n      schedule: \"@hourly\"\n", cron_template!())), "must be no more than 52 characters", "workloads[0].metadata.name"),
    err(cron_job!(concat!("      schedule: «\"* * * *\"\n", cron_template!())), "Invalid value: \"* * * *\": expected exactly 5 fields, found 4: [* * * *]", "workloads[0].spec.schedule"),
    err(cron_job!(concat!("      schedule: «\"0 24 * * *\"\n", cron_template!())), "end of range (24) above maximum (23): 24", "workloads[0].spec.schedule"),
    err(cron_job!(concat!("      schedule: «\"\"\n", cron_template!())), "Required value", "workloads[0].spec.schedule"),
    err(cron_job!(concat!("      schedule: «\"TZ=UTC 0 * * * *\"\n", cron_template!())), "cannot use TZ or CRON_TZ in schedule, use timeZone field instead", "workloads[0].spec.schedule"),
    err(cron_job!(concat!("      schedule: \"@daily\"\n      timeZone: «Europe/Rome\n", cron_template!())), "Invalid value: \"Europe/Rome\": unknown time zone Europe/Rome", "workloads[0].spec.timeZone"),
    err(cron_job!(concat!("      schedule: \"@daily\"\n      timeZone: «\"\"\n", cron_template!())), "timeZone must be nil or non-empty string", "workloads[0].spec.timeZone"),
    err(cron_job!(concat!("      schedule: \"@daily\"\n      startingDeadlineSeconds: «-1\n", cron_template!())), "Invalid value: -1: must be greater than or equal to 0", "workloads[0].spec.startingDeadlineSeconds"),
    err(cron_job!(concat!("      schedule: \"@daily\"\n      successfulJobsHistoryLimit: «-1\n", cron_template!())), "Invalid value: -1: must be greater than or equal to 0", "workloads[0].spec.successfulJobsHistoryLimit"),
    err(cron_job!(concat!("      schedule: \"@daily\"\n      failedJobsHistoryLimit: «-3\n", cron_template!())), "Invalid value: -3: must be greater than or equal to 0", "workloads[0].spec.failedJobsHistoryLimit"),
    err(cron_job!(concat!("      schedule: \"@daily\"\n      concurrencyPolicy: «Forbidden\n", cron_template!())), "Unsupported value: \"Forbidden\": supported values: \"Allow\", \"Forbid\", \"Replace\"", "workloads[0].spec.concurrencyPolicy"),
    err(cron_job!("      schedule: \"@daily\"\n      jobTemplate:\n        spec:\n          selector: «{matchLabels: {app: x}}\n          template:\n            spec:\n              restartPolicy: Never\n              containers: [{name: c, image: img}]\n"), "Invalid value: `selector` will be auto-generated", "workloads[0].spec.jobTemplate.spec.selector"),
    err(cron_job!("      schedule: \"@daily\"\n      jobTemplate:\n        spec:\n          manualSelector: «true\n          template:\n            spec:\n              restartPolicy: Never\n              containers: [{name: c, image: img}]\n"), "Unsupported value: true: supported values: \"nil\", \"false\"", "workloads[0].spec.jobTemplate.spec.manualSelector"),
    err(cron_job!("      schedule: \"@daily\"\n      jobTemplate:\n        spec:\n          suspend: «true\n          template:\n            spec:\n              restartPolicy: Never\n              containers: [{name: c, image: img}]\n"), "Forbidden: not modelled yet: suspended Jobs", "workloads[0].spec.jobTemplate.spec.suspend"),
    err(cron_job!("      schedule: \"@daily\"\n      jobTemplate:\n        spec:\n          backoffLimit: «-1\n          template:\n            spec:\n              restartPolicy: Never\n              containers: [{name: c, image: img}]\n"), "Invalid value: -1: must be greater than or equal to 0", "workloads[0].spec.jobTemplate.spec.backoffLimit"),
    err(cron_job!("      schedule: \"@daily\"\n      jobTemplate:\n        spec:\n          template:\n            «spec:\n              containers: [{name: c, image: img}]\n"), "Required value: valid values: \"OnFailure\", \"Never\"", "workloads[0].spec.jobTemplate.spec.template.spec.restartPolicy"),
    err(cron_job!("      schedule: \"@daily\"\n      jobTemplate:\n        metadata: {labels: {a: «-x}}\n        spec:\n          template:\n            spec:\n              restartPolicy: Never\n              containers: [{name: c, image: img}]\n"), "Invalid value: \"-x\"", "workloads[0].spec.jobTemplate.metadata.labels.a"),
    err(cron_job!("      schedule: \"@daily\"\n      jobTemplate:\n        spec:\n          template:\n            spec:\n              restartPolicy: Never\n              containers: [{name: c, image: «\"\"}]\n"), "Required value", "workloads[0].spec.jobTemplate.spec.template.spec.containers[0].image"),
    err(cron_job!("      schedule: \"@daily\"\n      jobTemplate:\n        spec:\n          template:\n            spec:\n              restartPolicy: Never\n              priorityClassName: «hi\n              containers: [{name: c, image: img}]\n"), "no PriorityClass with name hi was found", "workloads[0].spec.jobTemplate.spec.template.spec.priorityClassName"),
    err(with_workloads!(concat!(
        "  - {apiVersion: batch/v1, kind: CronJob, metadata: {name: c, namespace: x}, spec: {schedule: \"@daily\", jobTemplate: {spec: {template: {spec: {restartPolicy: Never, containers: [{name: c, image: img}]}}}}}}\n",
        "  - {apiVersion: batch/v1, kind: CronJob, metadata: {name: «c, namespace: x}, spec: {schedule: \"@daily\", jobTemplate: {spec: {template: {spec: {restartPolicy: Never, containers: [{name: c, image: img}]}}}}}}\n",
    )), "Duplicate value: cronjobs.batch \"c\" already exists in namespace \"x\"", "workloads[1].metadata.name"),
    err(concat!(head!(), cluster!(), images!(), "limits: {maxObjects: 50}\nworkloads:\n",
        "  - {apiVersion: batch/v1, kind: CronJob, metadata: {name: c}, spec: {schedule: «\"* * * * *\", jobTemplate: {spec: {template: {spec: {restartPolicy: Never, containers: [{name: c, image: img}]}}}}}}\n",
    ), "more than limits.maxObjects (50): schedule \"* * * * *\" starts", "workloads[0].spec.schedule"),
    // ---- startTime ----
    err(concat!(head!(), "startTime: «2026-01-05\n", cluster!()), "Invalid value: \"2026-01-05\": not an RFC 3339 date-time", "startTime"),
    err(concat!(head!(), "startTime: «2026-02-30T00:00:00Z\n", cluster!()), "day out of range", "startTime"),
    err(concat!(head!(), "startTime: «1969-12-31T23:59:59Z\n", cluster!()), "must not be before 1970-01-01T00:00:00Z", "startTime"),
    err(concat!(head!(), "startTime: «2026-01-05T00:00:00.5Z\n", cluster!()), "fractions of a second are not supported", "startTime"),
    // ---- timeline: nodes ----
    err(node_timeline!("  - {at: 1m, action: nodeDown, target: «node/n-3}\n"), "no node named \"n-3\" in this scenario", "timeline[0].target"),
    err(node_timeline!("  - {at: 1m, action: drain, target: «n-1}\n"), "drain needs a target of the form node/NAME", "timeline[0].target"),
    err(node_timeline!("  - {at: 1m, action: nodeUp, target: «node/n-1}\n"), "node \"n-1\" is not down at 1m0s: nodeUp needs an earlier nodeDown", "timeline[0].target"),
    err(node_timeline!("  - {at: 2m, action: nodeDown, target: «node/n-1, mode: partition}\n  - {at: 1m, action: nodeDown, target: node/n-1}\n"), "node \"n-1\" is already down at 2m0s (timeline[1] took it down at 1m0s)", "timeline[0].target"),
    err(node_timeline!("  - {at: 1m, action: removeNode, target: node/n-2}\n  - {at: 1m, action: cordon, target: «node/n-2}\n"), "node \"n-2\" was removed at 1m0s (timeline[0])", "timeline[1].target"),
    err(node_timeline!("  - {at: 1m, action: nodeUp, target: «node/n-2}\n  - {at: 1m, action: nodeDown, target: node/n-2}\n"), "node \"n-2\" is not down at 1m0s", "timeline[0].target"),
    err(node_timeline!("  - {at: 1m, action: cordon, target: node/n-1, «mode: crash}\n"), "Forbidden: mode may only be set with action nodeDown, not cordon", "timeline[0].mode"),
    err(node_timeline!("  - {at: 1m, action: nodeDown, target: node/n-1, «count: 2}\n"), "Forbidden: count may only be set with action addNodes, not nodeDown", "timeline[0].count"),
    err(node_timeline!("  - {at: 1m, action: uncordon, target: node/n-1, «replicas: 2}\n"), "Forbidden: replicas may only be set with action scale, not uncordon", "timeline[0].replicas"),
    err(node_timeline!("  - {at: 1m, action: nodeDown, target: node/n-1, mode: «reboot}\n"), "Unsupported value: \"reboot\": supported values: \"crash\", \"partition\"", "timeline[0].mode"),
    err(node_timeline!("  - {at: 1m, action: «nodedown, target: node/n-1}\n"), "Unsupported value: \"nodedown\": supported values: \"scale\", \"setImage\"", "timeline[0].action"),
    err(node_timeline!("  - {at: 1m, action: addNodes, target: «pool/m, count: 1}\n"), "no node pool named \"m\" in cluster.nodes", "timeline[0].target"),
    err(node_timeline!("  - {at: 1m, action: addNodes, target: «node/n-1, count: 1}\n"), "addNodes needs a target of the form pool/NAME", "timeline[0].target"),
    err(node_timeline!("  - «{at: 1m, action: addNodes, target: pool/n}\n"), "Required value: addNodes needs count", "timeline[0].count"),
    err(node_timeline!("  - {at: 1m, action: addNodes, target: pool/n, count: «0}\n"), "Invalid value: 0: count must be at least 1", "timeline[0].count"),
    err(node_timeline!("  - {at: 1m, action: cordon, target: «node/n-3}\n  - {at: 2m, action: addNodes, target: pool/n, count: 1}\n"), "node \"n-3\" does not exist yet at 1m0s: timeline[1] adds it at 2m0s", "timeline[0].target"),
    err(concat!(head!(), "cluster:\n  nodes:\n    - name: n\n      capacity: {cpu: \"4\", memory: 8Gi}\n    - name: n-3\n      capacity: {cpu: \"4\", memory: 8Gi}\n",
        "timeline:\n  - {at: 1m, action: addNodes, target: pool/n, count: «2}\n"),
        "Duplicate value: node \"n-3\", which this entry adds to pool \"n\", is also the node of pool \"n-3\"", "timeline[0].count"),
    err(concat!(head!(), "cluster:\n  nodes:\n    - name: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n      count: 9\n      capacity: {cpu: \"4\", memory: 8Gi}\n",
        "timeline:\n  - {at: 1m, action: addNodes, target: pool/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa, count: «1}\n"),
        "is longer than 63 characters", "timeline[0].count"),
    err(concat!(head!(), cluster!(), "limits: {maxObjects: 10}\ntimeline:\n  - {at: 1m, action: addNodes, target: pool/n, count: «10}\n"), "more than limits.maxObjects (10)", "timeline[0].count"),
    err(concat!(head!(), cluster!(), "timeline:\n  - {at: 1m, action: addNodes, target: pool/n, count: «9223372036854775807}\n  - {at: 2m, action: addNodes, target: pool/n, count: 9223372036854775807}\n  - {at: 3m, action: addNodes, target: pool/n, count: 9223372036854775807}\n  - {at: 4m, action: drain, target: node/n-18446744073709551615}\n"), "more than limits.maxObjects (2000000)", "timeline[0].count"),
    // ---- estimates ----
    err(concat!("name: t\nduration: 720h\nsampleInterval: «1ms\n", cluster!()), "metric rows", "sampleInterval"),
    err(concat!(
        head!(), cluster!(),
        "images:\n  img:\n    cpu:\n      period: «2ms\n      points: [{at: 0s, cores: \"1\"}, {at: 1ms, cores: \"2\"}]\n",
        "limits: {maxEvents: 100000}\n",
        "workloads:\n  - {apiVersion: v1, kind: Pod, metadata: {name: p}, spec: {containers: [{name: c, image: img}]}}\n"
    ), "more than limits.maxEvents (100000)", "images.img.cpu.period"),
    err(concat!(
        head!(), cluster!(),
        "images:\n  img:\n    memory:\n      period: «2ms\n      points: [{at: 0s, bytes: 1Mi}, {at: 1ms, bytes: 2Mi}]\n",
        "limits: {maxEvents: 100000}\n",
        "workloads:\n  - {apiVersion: v1, kind: Pod, metadata: {name: p}, spec: {containers: [{name: c, image: img}]}}\n"
    ), "more than limits.maxEvents (100000)", "images.img.memory.period"),
    err(concat!(
        "name: t\nduration: 720h\n", cluster!(),
        "images:\n  img:\n    exit: «{after: 1s}\n",
        "limits: {maxEvents: 100000}\n",
        "workloads:\n  - {apiVersion: apps/v1, kind: Deployment, metadata: {name: d}, spec: {replicas: 100, selector: {matchLabels: {app: d}}, template: {metadata: {labels: {app: d}}, spec: {containers: [{name: c, image: img}]}}}}\n"
    ), "memory profile pieces and restarts", "images.img.exit"),
    // ---- manifests ----
    with_files(concat!(head!(), cluster!(), "manifests: [«missing.yaml]\n"), &[], "cannot read", "manifests[0]"),
    with_files(concat!(head!(), cluster!(), images!(), "manifests: [app.yaml]\n"), &[("app.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nspec: {containers: [{name: c, image: img}]}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: b}\nspec:\n  containers:\n    - name: c\n      image: img\n      resources: {limits: {memory: «1Gj}}\n")], "invalid quantity \"1Gj\"", "spec.containers[0].resources.limits.memory"),
    with_files(concat!(head!(), cluster!(), images!(), "manifests: [dir]\n"), &[("dir/b.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: «a}\nspec: {containers: [{name: c, image: img}]}\n"), ("dir/a.yml", "apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nspec: {containers: [{name: c, image: img}]}\n")], "Duplicate value: pods \"a\"", "metadata.name"),
    with_files(concat!(head!(), cluster!(), images!(), "manifests: [app.yaml]\n"), &[("app.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nspec:\n  containers: [{name: c, image: img}]\n  «nodeSelectr: {}\n")], "unknown field \"nodeSelectr\": PodSpec has no such field", "spec.nodeSelectr"),
    // ---- Argo Rollouts ----
    err(rollout!("        canary:\n          steps:\n            - «setWeigth: 10\n"), "unknown field \"setWeigth\"", "workloads[0].spec.strategy.canary.steps[0].setWeigth"),
    err(rollout!("        canary:\n          steps:\n            - setWeight: «120\n"), "must be between 0 and 100", "workloads[0].spec.strategy.canary.steps[0].setWeight"),
    err(rollout!("        canary:\n          steps:\n            - «{setWeight: 10, pause: {}}\n"), "a step has exactly one of", "workloads[0].spec.strategy.canary.steps[0]"),
    err(rollout!("        canary:\n          steps:\n            - pause: {duration: «soon}\n"), "", "workloads[0].spec.strategy.canary.steps[0].pause.duration"),
    err(rollout!("        canary:\n          stableService: «nope\n"), "service \"nope\" not found in namespace \"default\"", "workloads[0].spec.strategy.canary.stableService"),
    err(rollout!("        canary:\n          canaryService: web\n          trafficRouting: «{nginx: {stableIngress: web}}\n"), "trafficRouting needs canary.stableService", "workloads[0].spec.strategy.canary.trafficRouting"),
    err(rollout!("        canary:\n          steps:\n            - analysis: {templates: [{templateName: «missing}]}\n"), "AnalysisTemplate \"missing\" not found", "workloads[0].spec.strategy.canary.steps[0].analysis.templates[0].templateName"),
    err(rollout!("        «blueGreen: {previewService: web-preview}\n"), "blueGreen needs activeService", "workloads[0].spec.strategy.blueGreen.activeService"),
    err(rollout!("        blueGreen: {activeService: «gone}\n"), "service \"gone\" not found", "workloads[0].spec.strategy.blueGreen.activeService"),
    err(rollout!("        blueGreen: {activeService: web, previewReplicaCount: «-1}\n"), "must be greater than or equal to 0", "workloads[0].spec.strategy.blueGreen.previewReplicaCount"),
    err(with_workloads!("  - apiVersion: argoproj.io/v1alpha1\n    kind: Rollout\n    metadata: {name: r}\n    spec:\n      workloadRef: «{apiVersion: apps/v1, kind: Deployment, name: d}\n      strategy: {canary: {}}\n"), "workloadRef is not supported", "workloads[0].spec.workloadRef"),
    err(with_workloads!("  - apiVersion: argoproj.io/v1alpha1\n    kind: Rollout\n    metadata: {name: r}\n    spec:\n      selector: {matchLabels: {app: r}}\n      template:\n        metadata: {labels: {app: r}}\n        spec:\n          containers: [{name: c, image: img}]\n      strategy: «{}\n"), "exactly one of strategy.canary and strategy.blueGreen", "workloads[0].spec.strategy"),
    err(rollout_with!("        canary: {}\n", template!("          provider: «{prometheus: {query: up}}\n")), "add a kubesim provider", "workloads[3].spec.metrics[0].provider"),
    err(rollout_with!("        canary: {}\n", template!("          provider: {kubesim: {metric: «errors, service: web}}\n")), "Unsupported value: \"errors\"", "workloads[3].spec.metrics[0].provider.kubesim.metric"),
    err(rollout_with!("        canary: {}\n", template!("          provider: {kubesim: {metric: error_rate, service: «nope}}\n")), "service \"nope\" not found", "workloads[3].spec.metrics[0].provider.kubesim.service"),
    err(rollout_with!("        canary: {}\n", template!("          provider: {kubesim: {metric: error_rate, service: web, revision: «new}}\n")), "Unsupported value: \"new\"", "workloads[3].spec.metrics[0].provider.kubesim.revision"),
    err(rollout_with!("        canary: {}\n", template!("          successCondition: «result <\n          provider: {kubesim: {metric: error_rate, service: web}}\n")), "Invalid value: \"result <\"", "workloads[3].spec.metrics[0].successCondition"),
    err(rollout_with!("        canary: {}\n", template!("          interval: «often\n          provider: {kubesim: {metric: error_rate, service: web}}\n")), "", "workloads[3].spec.metrics[0].interval"),
    err(rollout_with!("        canary: {}\n", "timeline:\n  - {at: 1m, action: setImage, target: «rollout/x, image: img}\n"), "no Rollout named \"x\" in this scenario", "timeline[0].target"),
    err(rollout_with!("        canary: {}\n", "  - {apiVersion: apps/v1, kind: Deployment, metadata: {name: d}, spec: {selector: {matchLabels: {app: d}}, template: {metadata: {labels: {app: d}}, spec: {containers: [{name: c, image: img}]}}}}\ntimeline:\n  - {at: 1m, action: promote, target: «deployment/d}\n"), "promote is an Argo Rollouts action", "timeline[0].target"),
    err(rollout_with!("        canary: {}\n", "timeline:\n  - {at: 1m, action: abort, target: rollout/r, «full: true}\n"), "full may only be set with action promote", "timeline[0].full"),
];
/// 1-based line and column (characters) of byte `at` in `text`.
fn position(text: &str, at: usize) -> (usize, usize) {
    let before = &text[..at];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
    (line, col)
}

fn check(i: usize, row: &Row) -> Result<(), String> {
    check_text(
        i,
        row.scenario,
        row.files,
        row.message,
        row.path,
        row.warning,
    )
}

fn check_text(
    i: usize,
    scenario: &str,
    files: &[(&str, &str)],
    message: &str,
    path: &str,
    warning: bool,
) -> Result<(), String> {
    let row = Row {
        scenario: "",
        files: &[],
        message: "",
        path: "",
        warning,
    };
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let mut expected_at = None;
    let mut write = |name: &str, text: &str| -> Result<std::path::PathBuf, String> {
        let p = dir.path().join(name);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).map_err(|e| e.to_string())?;
        }
        let clean = match text.find('«') {
            Some(at) => {
                expected_at = Some((p.clone(), position(text, at)));
                text.replacen('«', "", 1)
            }
            None => text.to_string(),
        };
        std::fs::write(&p, clean).map_err(|e| e.to_string())?;
        Ok(p)
    };
    let scenario = write("s.yaml", scenario)?;
    for (name, text) in files {
        write(name, text)?;
    }
    let (file, (line, column)) = expected_at.ok_or(format!("row {i}: no « marker"))?;
    let found: Vec<ScenarioError> = match load(&scenario) {
        Ok(s) if row.warning => s.warnings,
        Ok(_) => return Err(format!("row {i}: loaded, expected {message:?}")),
        Err(errors) if row.warning => {
            return Err(format!(
                "row {i}: expected a warning, got errors: {}",
                list(&errors)
            ))
        }
        Err(errors) => errors,
    };
    let hit = found.iter().find(|e| e.message.contains(message));
    let Some(e) = hit else {
        return Err(format!("row {i}: no {message:?} among: {}", list(&found)));
    };
    let want = (file.as_path(), line, column, path);
    let got = (e.file.as_path(), e.line, e.column, e.path.as_str());
    if want != got {
        return Err(format!(
            "row {i} ({message:?}): expected {want:?}, got {got:?}: {e}"
        ));
    }
    if !row.warning && !Path::new(&e.file).exists() {
        return Err(format!("row {i}: error names a file that does not exist"));
    }
    Ok(())
}

fn list(errors: &[ScenarioError]) -> String {
    errors
        .iter()
        .map(|e| format!("\n  {e}"))
        .collect::<String>()
}

#[test]
fn every_rule_reports_its_message_position_and_path() {
    let failures: Vec<String> = ROWS
        .iter()
        .enumerate()
        .filter_map(|(i, r)| check(i, r).err())
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} rows failed:\n{}",
        failures.len(),
        ROWS.len(),
        failures.join("\n")
    );
}

#[test]
fn the_rows_are_distinct() {
    let mut seen = std::collections::BTreeSet::new();
    for r in ROWS {
        assert!(
            seen.insert((r.scenario, r.message)),
            "duplicate row {:?}",
            r.message
        );
    }
}

/// Rules about sizes, on generated scenarios.
#[test]
fn limits_on_things_that_grow() {
    let base = concat!(head!(), cluster!(), images!());
    let mut rows: Vec<(String, &str, &str)> = Vec::new();
    // Containers per pod (ModelLimits::MAX_CONTAINERS_PER_POD).
    let mut s = format!("{base}workloads:\n  - apiVersion: v1\n    kind: Pod\n    metadata: {{name: p}}\n    spec:\n      «containers:\n");
    for i in 0..257 {
        s.push_str(&format!("        - {{name: c{i}, image: img}}\n"));
    }
    rows.push((
        s,
        "Too many: 257: a pod may have at most 256 containers",
        "workloads[0].spec.containers",
    ));
    // Points in a profile (ModelLimits::MAX_PROFILE_POINTS).
    let mut s = format!(
        "{}{}images:\n  img:\n    cpu:\n      «points:\n",
        head!(),
        cluster!()
    );
    for i in 0..100_001 {
        s.push_str(&format!("        - {{at: {i}s, cores: \"1\"}}\n"));
    }
    rows.push((
        s,
        "must have at most 100000 points",
        "images.img.cpu.points",
    ));
    // The same for memory profiles.
    let mut s = format!(
        "{}{}images:\n  img:\n    memory:\n      «points:\n",
        head!(),
        cluster!()
    );
    for i in 0..100_001 {
        s.push_str(&format!("        - {{at: {i}s, bytes: 1Mi}}\n"));
    }
    rows.push((
        s,
        "must have at most 100000 points",
        "images.img.memory.points",
    ));
    // Timeline entries (ModelLimits::MAX_TIMELINE_ENTRIES).
    let mut s = format!("{base}«timeline:\n");
    for _ in 0..100_001 {
        s.push_str("  - {at: 1m, action: scale, target: deployment/d, replicas: 1}\n");
    }
    rows.push((s, "a timeline may have at most 100000 entries", "timeline"));
    // Bare pods against maxObjects: the pod that goes over.
    let mut s = format!("{base}limits: {{maxObjects: 3}}\nworkloads:\n");
    for i in 0..3 {
        let mark = if i == 2 { "«" } else { "" };
        s.push_str(&format!("  - {{apiVersion: v1, kind: Pod, metadata: {{name: {mark}p{i}}}, spec: {{containers: [{{name: c, image: img}}]}}}}\n"));
    }
    rows.push((
        s,
        "more than limits.maxObjects (3)",
        "workloads[2].metadata.name",
    ));
    // Nesting depth.
    let s = format!(
        "{base}x: {}«{}\n",
        "[".repeat(127),
        "[".repeat(3) + &"]".repeat(130)
    );
    rows.push((s, "nest deeper than 128 levels", ""));
    // Aliases that expand without end ("billion laughs").
    let mut s = format!("{base}a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..9 {
        let p = i - 1;
        // Counting a0…a6 (about 1.2·10^7 nodes), the document passes 10^8
        // nodes at the eighth alias of a7.
        let items: Vec<String> = (0..10)
            .map(|k| {
                if i == 7 && k == 7 {
                    format!("«*a{p}")
                } else {
                    format!("*a{p}")
                }
            })
            .collect();
        s.push_str(&format!("a{i}: &a{i} [{}]\n", items.join(", ")));
    }
    rows.push((s, "expands to more than 100000000 YAML nodes", ""));
    let failures: Vec<String> = rows
        .iter()
        .enumerate()
        .filter_map(|(i, (text, message, path))| {
            check_text(i, text, &[], message, path, false).err()
        })
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
