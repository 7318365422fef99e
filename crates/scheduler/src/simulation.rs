//! The simulation: the event loop that ties the node model (core), the
//! scheduler and the controllers together.
//!
//! [`Simulation::new`] takes a validated [`SimulationInput`]; [`Simulation::run`]
//! drives the closed [`Event`] enum to the end of the scenario, streaming
//! Kubernetes events and metric samples to a [`Recorder`] (the runner writes
//! them as CSV; this crate does no I/O). Afterwards the final [`Cluster`]
//! holds every pod and container for the per-object tables, and
//! [`RunSummary`] the counts.
//!
//! Per instant, events fire in FIFO order; when simulated time is about to
//! advance, every node whose CPU picture changed is re-solved once
//! ([`Cluster::flush`]).

use crate::controllers::{Deployment, DeploymentController};
use crate::framework::{NodeInfo, PodInfo};
use crate::profile::SchedulerProfile;
use crate::queue::{SchedulingQueue, UNSCHEDULABLE_FLUSH_PERIOD};
use crate::scheduler::{ScheduleResult, Scheduler};
use kubesim_core::{
    entity_rng, Cluster, ClusterConfig, Effects, EventQueue, EventType, ImageBehavior, KubeEvent,
    LimitExceeded, Node, NodeEvent, NodeId, Notice, Pod, PodConditionType, PodId, PodPhase,
    RunLimits, SimTime,
};

/// Which metrics to sample.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MetricsConfig {
    pub nodes: bool,
    pub containers: bool,
    /// Write container metrics every this many samples (1 = every sample).
    pub container_every: u32,
}

impl Default for MetricsConfig {
    fn default() -> Self {
        MetricsConfig {
            nodes: true,
            containers: true,
            container_every: 1,
        }
    }
}

/// Settings of one run.
#[derive(Debug, Clone)]
pub struct SimulationConfig {
    pub seed: u64,
    pub duration: SimTime,
    pub sample_interval: SimTime,
    pub limits: RunLimits,
    pub metrics: MetricsConfig,
    pub cluster: ClusterConfig,
    pub profile: SchedulerProfile,
}

/// Something the scenario does at a point in simulated time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Set a Deployment's `spec.replicas`.
    Scale { deployment: String, replicas: i32 },
}

/// A timed action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimelineEntry {
    pub at: SimTime,
    pub action: Action,
}

/// Everything a run starts from (validated by the runner).
#[derive(Debug, Clone)]
pub struct SimulationInput {
    pub config: SimulationConfig,
    pub nodes: Vec<Node>,
    pub images: Vec<(String, ImageBehavior)>,
    /// Bare pods, created at time 0.
    pub pods: Vec<Pod>,
    pub deployments: Vec<Deployment>,
    pub timeline: Vec<TimelineEntry>,
}

/// The closed set of events.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    /// A node-model timer (container up, demand change, work done, restart).
    Node(NodeEvent),
    /// Run scheduling cycles for every pod in activeQ.
    ScheduleCycle,
    /// Move pods whose back-off ended to activeQ.
    BackoffFlush,
    /// Move pods unschedulable for over 5 minutes.
    UnschedulableFlush,
    /// The timeline action with this index.
    Timeline(u32),
    /// Sample metrics.
    Sample,
}

/// The object a metric row is about.
#[derive(Debug, Clone, Copy)]
pub enum MetricObject<'a> {
    Node(&'a str),
    Container { pod: &'a str, container: &'a str },
}

/// Where a run's streamed output goes.
pub trait Recorder {
    type Error;
    fn event(&mut self, event: &KubeEvent) -> Result<(), Self::Error>;
    fn metric(
        &mut self,
        time: SimTime,
        object: MetricObject<'_>,
        metric: &'static str,
        value: f64,
    ) -> Result<(), Self::Error>;
}

/// A recorder that keeps nothing (benchmarks, tests).
#[derive(Debug, Default)]
pub struct NullRecorder;

impl Recorder for NullRecorder {
    type Error = std::convert::Infallible;
    fn event(&mut self, _: &KubeEvent) -> Result<(), Self::Error> {
        Ok(())
    }
    fn metric(
        &mut self,
        _: SimTime,
        _: MetricObject<'_>,
        _: &'static str,
        _: f64,
    ) -> Result<(), Self::Error> {
        Ok(())
    }
}

/// Why a run stopped early.
#[derive(Debug, thiserror::Error)]
pub enum SimError<E> {
    #[error(transparent)]
    Limit(#[from] LimitExceeded),
    #[error("writing output failed")]
    Record(#[source] E),
}

/// Counts of a finished run.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RunSummary {
    pub sim_time: SimTime,
    /// Simulation events processed (timers, cycles, samples…).
    pub events: u64,
    /// Kubernetes events recorded (rows of events.csv).
    pub kube_events: u64,
    pub nodes: usize,
    pub pods_created: usize,
    pub pods_scheduled: usize,
    pub pods_pending: usize,
    pub pods_running: usize,
    pub pods_succeeded: usize,
    pub pods_failed: usize,
    pub pods_deleted: usize,
    pub scheduling_attempts: u64,
    pub failed_scheduling: u64,
    pub container_restarts: u64,
    pub cpu_used_core_s: f64,
    pub cpu_throttled_core_s: f64,
    pub cpu_starved_core_s: f64,
}

/// One run of a scenario.
pub struct Simulation {
    config: SimulationConfig,
    queue: EventQueue<Event>,
    cluster: Cluster,
    scheduler: Scheduler,
    sched_queue: SchedulingQueue,
    deployments: DeploymentController,
    timeline: Vec<TimelineEntry>,
    fx: Effects,
    notices: Vec<Notice>,
    kube_event_count: u64,
    now: SimTime,
    cycle_pending: bool,
    backoff_flush_at: Option<SimTime>,
    leftover_flush_pending: bool,
    samples: u64,
    last_node_cpu_s: Vec<f64>,
    last_container: Vec<Vec<[f64; 3]>>,
    last_container_sample: SimTime,
    scheduling_attempts: u64,
    failed_scheduling: u64,
}

impl Simulation {
    /// Builds the cluster at time 0. Fails if the input exceeds a limit.
    pub fn new(input: SimulationInput) -> Result<Self, LimitExceeded> {
        let config = input.config;
        let limits = &config.limits;
        if config.duration > limits.max_sim_time {
            return Err(LimitExceeded::SimTime {
                requested: config.duration,
                limit: limits.max_sim_time,
            });
        }
        let mut cluster = Cluster::new(config.cluster, input.images);
        let scheduler_rng = entity_rng(config.seed, "scheduler", &config.profile.scheduler_name);
        let mut scheduler = Scheduler::new(config.profile.clone(), scheduler_rng);
        for node in input.nodes {
            let mut info = NodeInfo::new(NodeId(0), node.name(), node.allocatable.clone());
            info.labels = node.metadata.labels.clone();
            info.taints = node.taints.clone();
            info.unschedulable = node.unschedulable;
            info.id = cluster.add_node(node, SimTime::ZERO);
            scheduler.add_node(info);
        }
        let mut sim = Simulation {
            last_node_cpu_s: vec![0.0; cluster.nodes.len()],
            queue: EventQueue::with_capacity(1024),
            cluster,
            scheduler,
            sched_queue: SchedulingQueue::default(),
            deployments: DeploymentController::default(),
            timeline: input.timeline,
            fx: Effects::default(),
            notices: Vec::new(),
            kube_event_count: 0,
            now: SimTime::ZERO,
            cycle_pending: false,
            backoff_flush_at: None,
            leftover_flush_pending: false,
            samples: 0,
            last_container: Vec::new(),
            last_container_sample: SimTime::ZERO,
            scheduling_attempts: 0,
            failed_scheduling: 0,
            config,
        };
        sim.check_objects()?;
        for pod in input.pods {
            let workload = format!("pod/{}", pod.metadata.name);
            let pid = sim.cluster.add_pod(pod, workload, SimTime::ZERO);
            sim.enqueue_new_pod(pid);
            sim.check_objects()?;
        }
        for d in input.deployments {
            let rng = entity_rng(sim.config.seed, "deployment", &d.metadata.name);
            let idx = sim.deployments.add(d, rng);
            sim.reconcile_deployment(idx);
            sim.check_objects()?;
        }
        for (i, t) in sim.timeline.iter().enumerate() {
            sim.queue.push(t.at, Event::Timeline(i as u32));
        }
        let interval = sim.config.sample_interval;
        if interval > SimTime::ZERO && interval <= sim.config.duration {
            sim.queue.push(interval, Event::Sample);
        }
        Ok(sim)
    }

    /// The node model (after [`run`](Self::run): the final state).
    pub fn cluster(&self) -> &Cluster {
        &self.cluster
    }

    /// The scheduler (its cache and profile).
    pub fn scheduler(&self) -> &Scheduler {
        &self.scheduler
    }

    fn check_objects(&self) -> Result<(), LimitExceeded> {
        let objects = (self.cluster.nodes.len() + self.cluster.pods.len()) as u64;
        if objects > self.config.limits.max_objects {
            return Err(LimitExceeded::Objects {
                limit: self.config.limits.max_objects,
                at: self.now,
            });
        }
        Ok(())
    }

    /// Runs to the scenario's end, streaming output to `rec`.
    pub fn run<R: Recorder>(&mut self, rec: &mut R) -> Result<RunSummary, SimError<R::Error>> {
        self.emit(rec)?;
        let end = self.config.duration;
        loop {
            // Before time moves on (or the queue runs dry), re-divide CPU on
            // every node that changed: that may schedule new timers.
            let next = self.queue.peek_time();
            if self.cluster.has_dirty() && next.is_none_or(|t| t > self.now) {
                self.cluster.flush(self.now, &mut self.fx);
                self.emit(rec)?;
                continue;
            }
            let Some(t) = next else { break };
            if t > end {
                break;
            }
            let Some((t, ev)) = self.queue.pop() else {
                break;
            };
            if self.queue.popped() > self.config.limits.max_events {
                return Err(LimitExceeded::Events {
                    limit: self.config.limits.max_events,
                    at: t,
                }
                .into());
            }
            self.now = t;
            self.handle(ev, rec)?;
            self.compact_queue();
            self.check_objects()?;
            self.emit(rec)?;
        }
        self.now = end;
        self.cluster.flush(end, &mut self.fx);
        self.emit(rec)?;
        self.cluster.accrue_all(end);
        Ok(self.summary())
    }

    /// Drops stale timers once they could make up half the queue, so the
    /// queue stays proportional to things that will actually change.
    fn compact_queue(&mut self) {
        let stale = self.cluster.stale_timers();
        if stale < 4096 || stale * 2 < self.queue.len() as u64 {
            return;
        }
        let cluster = &self.cluster;
        self.queue.retain(|t, e| match e {
            Event::Node(n) => !cluster.is_stale(t, n),
            _ => true,
        });
        self.cluster.reset_stale_timers();
    }

    fn handle<R: Recorder>(&mut self, ev: Event, rec: &mut R) -> Result<(), SimError<R::Error>> {
        match ev {
            Event::Node(e) => self.cluster.handle(self.now, e, &mut self.fx),
            Event::ScheduleCycle => self.schedule_cycle(),
            Event::BackoffFlush => {
                self.backoff_flush_at = None;
                let next = self.sched_queue.flush_backoff_completed(self.now);
                self.arm_backoff_flush(next);
                self.ensure_cycle();
            }
            Event::UnschedulableFlush => {
                self.leftover_flush_pending = false;
                let next = self.sched_queue.flush_unschedulable_leftover(self.now);
                self.arm_backoff_flush(next);
                self.ensure_cycle();
                self.arm_leftover_flush();
            }
            Event::Timeline(i) => self.apply(i as usize),
            Event::Sample => {
                self.sample(rec)?;
                let next = self.now + self.config.sample_interval;
                if next <= self.config.duration {
                    self.queue.push(next, Event::Sample);
                }
            }
        }
        Ok(())
    }

    /// Drains the effects buffer: timers onto the queue, events to the
    /// recorder, notices to the scheduler and controllers.
    fn emit<R: Recorder>(&mut self, rec: &mut R) -> Result<(), SimError<R::Error>> {
        loop {
            for (t, e) in self.fx.timers.drain(..) {
                self.queue.push(t, Event::Node(e));
            }
            self.kube_event_count += self.fx.events.len() as u64;
            for e in self.fx.events.drain(..) {
                rec.event(&e).map_err(SimError::Record)?;
            }
            if self.fx.notices.is_empty() {
                return Ok(());
            }
            // Handling a notice may produce more effects: take this batch
            // out (into a reused buffer) and go round again.
            std::mem::swap(&mut self.fx.notices, &mut self.notices);
            for i in 0..self.notices.len() {
                let n = self.notices[i];
                self.on_notice(n);
            }
            self.notices.clear();
        }
    }

    fn on_notice(&mut self, notice: Notice) {
        match notice {
            Notice::PodReady(_) => {}
            Notice::PodReleased { pod, node } => {
                let rt = self.cluster.pod(pod);
                let info = PodInfo::of_runtime(rt);
                self.scheduler.forget(&info, node);
                self.requeue_for_node(node);
                self.replace_if_owned(pod);
            }
        }
    }

    /// Queueing hint: unschedulable pods that now fit `node` move on.
    fn requeue_for_node(&mut self, node: NodeId) {
        if self.sched_queue.unschedulable_len() == 0 {
            return;
        }
        let candidates: Vec<PodId> = self.sched_queue.unschedulable_pods().collect();
        let mut movable = Vec::new();
        for pid in candidates {
            let rt = self.cluster.pod(pid);
            let info = PodInfo::of_runtime(rt);
            if self.scheduler.fits(&info, node) {
                movable.push(pid);
            }
        }
        let next = self
            .sched_queue
            .move_to_active_or_backoff(&movable, self.now);
        self.arm_backoff_flush(next);
        self.ensure_cycle();
    }

    fn replace_if_owned(&mut self, pod: PodId) {
        let workload = &self.cluster.pod(pod).workload;
        let Some(name) = workload.strip_prefix("deployment/") else {
            return;
        };
        if let Some(idx) = self.deployments.find(name) {
            self.deployments.pod_gone(idx, pod);
            self.reconcile_deployment(idx);
        }
    }

    fn reconcile_deployment(&mut self, idx: usize) {
        let out = self
            .deployments
            .reconcile(idx, &mut self.cluster, self.now, &mut self.fx.events);
        for pid in out.created {
            self.enqueue_new_pod(pid);
        }
        for pid in out.deleted {
            self.sched_queue.forget(pid);
            self.cluster.delete_pod(pid, self.now, &mut self.fx);
        }
    }

    /// A new pod goes to the scheduling queue — or, with `spec.nodeName`
    /// set, straight to that node's kubelet, as upstream bypasses the
    /// scheduler for such pods.
    fn enqueue_new_pod(&mut self, pid: PodId) {
        let p = self.cluster.pod(pid);
        if let Some(node_name) = p.pod.spec.node_name.clone() {
            if let Some(nid) = self.cluster.node_id(&node_name) {
                self.bind(pid, nid);
            }
            return;
        }
        let prio = p.pod.spec.priority;
        self.sched_queue.add(pid, prio, self.now);
        self.ensure_cycle();
    }

    fn ensure_cycle(&mut self) {
        if !self.cycle_pending && self.sched_queue.active_len() > 0 {
            self.cycle_pending = true;
            self.queue.push(self.now, Event::ScheduleCycle);
        }
    }

    fn arm_backoff_flush(&mut self, at: Option<SimTime>) {
        let Some(at) = at else { return };
        if self.backoff_flush_at.is_none_or(|t| at < t) {
            self.backoff_flush_at = Some(at);
            self.queue.push(at, Event::BackoffFlush);
        }
    }

    fn arm_leftover_flush(&mut self) {
        if !self.leftover_flush_pending && self.sched_queue.unschedulable_len() > 0 {
            self.leftover_flush_pending = true;
            self.queue.push(
                self.now + UNSCHEDULABLE_FLUSH_PERIOD,
                Event::UnschedulableFlush,
            );
        }
    }

    fn bind(&mut self, pid: PodId, nid: NodeId) {
        let rt = self.cluster.pod(pid);
        let info = PodInfo::of_runtime(rt);
        self.scheduler.assume(&info, nid);
        self.cluster.bind(pid, nid, self.now, &mut self.fx);
    }

    fn schedule_cycle(&mut self) {
        self.cycle_pending = false;
        while let Some(pid) = self.sched_queue.pop() {
            let rt = self.cluster.pod(pid);
            if rt.node.is_some() || rt.finished.is_some() {
                continue;
            }
            self.scheduling_attempts += 1;
            let info = PodInfo::of_runtime(rt);
            let pod_name = rt.name().to_string();
            let namespace = match rt.pod.metadata.namespace.as_str() {
                "" => "default".to_string(),
                ns => ns.to_string(),
            };
            match self.scheduler.schedule_one(&info) {
                ScheduleResult::Bound(nid) => {
                    let node_name = self.cluster.node(nid).name().to_string();
                    self.fx.events.push(KubeEvent {
                        time: self.now,
                        kind: EventType::Normal,
                        reason: "Scheduled",
                        object: format!("pod/{pod_name}"),
                        message: format!(
                            "Successfully assigned {namespace}/{pod_name} to {node_name}"
                        ),
                    });
                    self.bind(pid, nid);
                }
                ScheduleResult::Unschedulable(msg) => {
                    self.failed_scheduling += 1;
                    let prio = self.cluster.pod(pid).pod.spec.priority;
                    self.sched_queue.add_unschedulable(pid, prio, self.now);
                    self.fx.events.push(KubeEvent {
                        time: self.now,
                        kind: EventType::Warning,
                        reason: "FailedScheduling",
                        object: format!("pod/{pod_name}"),
                        message: msg,
                    });
                    self.cluster.pods[pid.index()].pod.status.set_condition(
                        PodConditionType::PodScheduled,
                        false,
                        self.now,
                        "Unschedulable",
                    );
                    self.arm_leftover_flush();
                }
            }
        }
    }

    fn apply(&mut self, i: usize) {
        match self.timeline[i].action.clone() {
            Action::Scale {
                deployment,
                replicas,
            } => {
                // Validated by the runner: the deployment exists.
                if let Some(idx) = self.deployments.find(&deployment) {
                    self.deployments.scale(idx, replicas);
                    self.reconcile_deployment(idx);
                }
            }
        }
    }

    fn sample<R: Recorder>(&mut self, rec: &mut R) -> Result<(), SimError<R::Error>> {
        let now = self.now;
        self.cluster.accrue_all(now);
        self.samples += 1;
        let interval_s = self.config.sample_interval.as_secs_f64();
        let m = self.config.metrics;
        let err = SimError::Record;
        if m.nodes {
            for (i, n) in self.cluster.nodes.iter().enumerate() {
                let obj = MetricObject::Node(n.name());
                let used = (n.used_cpu_s - self.last_node_cpu_s[i]) / interval_s;
                self.last_node_cpu_s[i] = n.used_cpu_s;
                rec.metric(now, obj, "cpu_usage_cores", used).map_err(err)?;
                rec.metric(
                    now,
                    obj,
                    "cpu_requested_cores",
                    n.requested.milli_cpu as f64 / 1000.0,
                )
                .map_err(err)?;
                rec.metric(
                    now,
                    obj,
                    "memory_usage_bytes",
                    n.memory_usage_bytes(&self.cluster.pods) as f64,
                )
                .map_err(err)?;
                rec.metric(
                    now,
                    obj,
                    "memory_requested_bytes",
                    n.requested.memory as f64,
                )
                .map_err(err)?;
                rec.metric(now, obj, "pods", n.requested.pods as f64)
                    .map_err(err)?;
            }
        }
        let every = u64::from(m.container_every.max(1));
        if m.containers && self.samples.is_multiple_of(every) {
            self.sample_containers(rec)?;
        }
        Ok(())
    }

    fn sample_containers<R: Recorder>(&mut self, rec: &mut R) -> Result<(), SimError<R::Error>> {
        let now = self.now;
        let since = self.last_container_sample;
        let span_s = (now - since).as_secs_f64();
        self.last_container_sample = now;
        if self.last_container.len() < self.cluster.pods.len() {
            self.last_container
                .resize(self.cluster.pods.len(), Vec::new());
        }
        for (pi, p) in self.cluster.pods.iter().enumerate() {
            if p.node.is_none() || p.finished.is_some_and(|f| f <= since) {
                continue;
            }
            let last = &mut self.last_container[pi];
            if last.len() < p.containers.len() {
                last.resize(p.containers.len(), [0.0; 3]);
            }
            for (c, prev) in p.containers.iter().zip(last.iter_mut()) {
                let obj = MetricObject::Container {
                    pod: p.name(),
                    container: &c.name,
                };
                let now_vals = [c.used_cpu_s, c.throttled_cpu_s, c.starved_cpu_s];
                let rate = |k: usize| (now_vals[k] - prev[k]) / span_s;
                rec.metric(now, obj, "cpu_usage_cores", rate(0))
                    .map_err(SimError::Record)?;
                rec.metric(now, obj, "cpu_throttled_cores", rate(1))
                    .map_err(SimError::Record)?;
                rec.metric(now, obj, "cpu_starved_cores", rate(2))
                    .map_err(SimError::Record)?;
                rec.metric(now, obj, "memory_usage_bytes", c.memory_bytes as f64)
                    .map_err(SimError::Record)?;
                *prev = now_vals;
            }
        }
        Ok(())
    }

    fn summary(&self) -> RunSummary {
        let mut s = RunSummary {
            sim_time: self.now,
            events: self.queue.popped(),
            kube_events: self.kube_event_count,
            nodes: self.cluster.nodes.len(),
            pods_created: self.cluster.pods.len(),
            scheduling_attempts: self.scheduling_attempts,
            failed_scheduling: self.failed_scheduling,
            ..Default::default()
        };
        for p in &self.cluster.pods {
            if p.scheduled.is_some() {
                s.pods_scheduled += 1;
            }
            let deleted = p.pod.metadata.deletion_timestamp.is_some();
            if deleted {
                s.pods_deleted += 1;
            }
            match p.phase() {
                PodPhase::Pending if p.node.is_none() && !deleted => s.pods_pending += 1,
                PodPhase::Running => s.pods_running += 1,
                PodPhase::Succeeded => s.pods_succeeded += 1,
                PodPhase::Failed => s.pods_failed += 1,
                PodPhase::Pending => {}
            }
            for c in &p.containers {
                s.container_restarts += u64::from(c.restarts);
                s.cpu_used_core_s += c.used_cpu_s;
                s.cpu_throttled_core_s += c.throttled_cpu_s;
                s.cpu_starved_core_s += c.starved_cpu_s;
            }
        }
        s
    }
}
