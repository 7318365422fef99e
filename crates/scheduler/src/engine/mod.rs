//! The engine: the event loop that drives the store, the kubelets,
//! placement and the controllers over simulated time.
//!
//! [`Simulation::new`] builds the run from a validated [`SimulationInput`];
//! [`Simulation::run`] pops [`Event`]s to the scenario's end, streaming
//! [`EventRecord`]s and [`MetricRecord`]s to a [`RecordSink`]; afterwards
//! [`Simulation::pod_records`], [`Simulation::container_records`],
//! [`Simulation::release_records`] (the release tracker, [`releases`])
//! and the returned [`SummaryRecord`] give the per-object tables.
//!
//! The protocol, per popped event:
//! 1. hand it to its subsystem (kubelet, placement, timeline, sampler);
//! 2. drain effects: kubelet timers onto the queue, Kubernetes events to
//!    the sink, then the store's notices to every component that reacts
//!    (placement, kubelet, controllers) — which may write to the store
//!    again, so this repeats until no notice is left;
//! 3. before simulated time moves on, re-solve every node whose CPU
//!    picture changed (once per node per instant);
//! 4. in debug builds (and whenever [`SimulationConfig::check_invariants`]
//!    is on), run the state checker — after every event while the store
//!    is small, every few events when it is large
//!    ([`CHECK_EVERY_EVENT_MAX`]).
//!
//! Invariant: the engine owns the queue and the clock and writes nothing
//! to objects itself beyond the timeline's user actions; every other write
//! is a component's, through the store.

mod event;
mod records;
mod releases;
mod sampler;
mod timeline;

pub use event::Event;
pub use records::{
    ContainerRecord, EventRecord, EvictionRecord, Field, MetricObject, MetricRecord, NullSink,
    OomRecord, PodRecord, Record, RecordSink, ReleaseOutcome, ReleaseRecord, SummaryRecord,
    PROGRESS_EVERY,
};
pub use releases::{Acc, ReleaseConfig, Releases, Slo, Workload};
pub use sampler::{MetricsConfig, Sampler, DEPLOYMENT_METRICS, REVISION_METRICS, ROLLOUT_METRICS};
pub use timeline::{Action, RolloutAct, TimelineEntry};

use crate::controllers::{
    ControllerManagerConfig, ControllerTimer, Controllers, CronJobController,
    NodeLifecycleController,
};
use crate::placement::{Placement, SchedulerProfile};
use crate::traffic::{Traffic, TrafficQuery, TrafficSpec};
use kubesim_core::{
    container_cgroup, entity_rng, AnalysisTemplate, CronJob, Deployment, Effects, EventQueue,
    ImageBehavior, Job, Kubelet, KubeletConfig, LimitExceeded, Node, Notice, Pod, PodPhase,
    Rollout, RunLimits, Service, SimTime, Store, StoreError,
};

/// Settings of one run.
#[derive(Debug, Clone)]
pub struct SimulationConfig {
    /// The scenario's name (for the summary).
    pub scenario: String,
    /// Run seed: every entity's random stream derives from it.
    pub seed: u64,
    /// Simulated time to run.
    pub duration: SimTime,
    /// Metric sample period.
    pub sample_interval: SimTime,
    /// Bounds of the run.
    pub limits: RunLimits,
    /// Which metrics to write.
    pub metrics: MetricsConfig,
    /// The kubelets' settings.
    pub kubelet: KubeletConfig,
    /// The scheduler's profile.
    pub profile: SchedulerProfile,
    /// The controller manager's node settings.
    pub controller_manager: ControllerManagerConfig,
    /// Run the state checker after every event (always on in debug builds).
    pub check_invariants: bool,
    /// The wall-clock instant of simulated time 0, in seconds since
    /// 1970-01-01T00:00:00Z (0: the epoch itself). CronJob schedules and
    /// the names of their Jobs follow this clock.
    pub clock_origin_unix_s: i64,
}

/// Everything a run starts from (validated by the runner).
#[derive(Debug, Clone)]
pub struct SimulationInput {
    /// Settings.
    pub config: SimulationConfig,
    /// Nodes, in order (ids follow).
    pub nodes: Vec<Node>,
    /// Image behaviours by image name.
    pub images: Vec<(String, ImageBehavior)>,
    /// Bare pods, created at time 0.
    pub pods: Vec<Pod>,
    /// Deployments, created at time 0.
    pub deployments: Vec<Deployment>,
    /// Jobs, created at time 0.
    pub jobs: Vec<Job>,
    /// CronJobs, created at time 0.
    pub cron_jobs: Vec<CronJob>,
    /// Services, created at time 0 (before any pod).
    pub services: Vec<Service>,
    /// Timed actions.
    pub timeline: Vec<TimelineEntry>,
    /// Request traffic, one entry per Service (`traffic:`).
    pub traffic: Vec<TrafficSpec>,
    /// Argo Rollouts and AnalysisTemplates, created at time 0.
    pub argo: ArgoInput,
}

/// The Argo Rollouts objects of a run.
#[derive(Debug, Clone, Default)]
pub struct ArgoInput {
    /// Rollouts, created at time 0 (after Deployments).
    pub rollouts: Vec<Rollout>,
    /// AnalysisTemplates, known to the Rollout controller.
    pub analysis_templates: Vec<AnalysisTemplate>,
}

/// Why a run stopped early.
#[derive(Debug, thiserror::Error)]
pub enum SimError<E> {
    /// A limit was hit.
    #[error(transparent)]
    Limit(#[from] LimitExceeded),
    /// The sink failed.
    #[error("writing output failed")]
    Record(#[source] E),
}

/// The counts of a finished run (the row of `summary.csv`).
pub type RunSummary = SummaryRecord;

/// One run of a scenario.
pub struct Simulation {
    config: SimulationConfig,
    queue: EventQueue<Event>,
    now: SimTime,
    store: Store,
    kubelet: Kubelet,
    placement: Placement,
    controllers: Controllers,
    sampler: Sampler,
    traffic: Traffic,
    releases: Releases,
    /// A stand-in for the traffic model that the release tracker reads
    /// (tests plug a stub in; without one, `traffic`).
    traffic_query: Option<Box<dyn TrafficQuery + Send>>,
    timeline: Vec<(SimTime, timeline::Resolved)>,
    fx: Effects,
    notices: Vec<Notice>,
    kube_event_count: u64,
    check: bool,
    /// Events since the state checker last ran.
    unchecked_events: u64,
}

/// The state checker runs after every event while the store holds fewer
/// than twice this many objects; beyond, after every
/// `objects / CHECK_EVERY_EVENT_MAX` events, so that its cost per event stays bounded (it walks every
/// object) — a week of CronJobs that keep their history would otherwise
/// spend hours checking finished pods. Every run is still checked at its
/// start and at its end.
pub const CHECK_EVERY_EVENT_MAX: u64 = 500;

fn store_err(e: StoreError, now: SimTime) -> LimitExceeded {
    match e {
        StoreError::Limit(l) => l,
        // The runner rejects duplicates and oversized pods; reaching
        // here is a bug in validation, reported as the nearest limit.
        _ => LimitExceeded::Objects { limit: 0, at: now },
    }
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
        let scheduler_rng = entity_rng(config.seed, "scheduler", &config.profile.scheduler_name);
        let mut sim = Simulation {
            queue: EventQueue::with_capacity(1024),
            now: SimTime::ZERO,
            store: Store::new(limits.max_objects),
            kubelet: {
                let mut k = Kubelet::new(config.kubelet, input.images);
                k.set_seed(config.seed);
                k
            },
            placement: Placement::new(config.profile.clone(), scheduler_rng),
            controllers: {
                let mut c = Controllers::default();
                c.seed = config.seed;
                c.node_lifecycle = NodeLifecycleController::new(config.controller_manager);
                c.cron_jobs = CronJobController::new(config.clock_origin_unix_s);
                c.sync_delay = config.controller_manager.sync_delay;
                c.endpoints.delay = config.controller_manager.endpoints_delay;
                c
            },
            sampler: Sampler::new(config.metrics, config.sample_interval),
            traffic: Traffic::default(),
            releases: Releases::default(),
            traffic_query: None,
            timeline: Vec::new(),
            fx: Effects::default(),
            notices: Vec::new(),
            kube_event_count: 0,
            check: config.check_invariants || cfg!(debug_assertions),
            unchecked_events: 0,
            config,
        };
        let zero = SimTime::ZERO;
        for node in input.nodes {
            let id = sim
                .store
                .add_node(node, zero)
                .map_err(|e| store_err(e, zero))?;
            sim.kubelet.add_node(&sim.store, id, zero);
        }
        sim.dispatch_notices()?;
        for s in input.services {
            sim.store
                .create_service(s, zero)
                .map_err(|e| store_err(e, zero))?;
            sim.dispatch_notices()?;
        }
        // Releases are judged by the SLOs of the Services with traffic.
        let slos = input
            .traffic
            .iter()
            .filter_map(|t| {
                let slo = t.slo?;
                let id = t.service_id(&sim.store)?;
                Some((id, releases::Slo::from(slo)))
            })
            .collect();
        sim.releases.configure(ReleaseConfig { slos });
        sim.traffic = Traffic::new(input.traffic, &sim.store, sim.config.seed);
        for pod in input.pods {
            sim.store
                .create_pod(pod, zero)
                .map_err(|e| store_err(e, zero))?;
            sim.dispatch_notices()?;
        }
        for d in input.deployments {
            let id = sim
                .store
                .create_deployment(d)
                .map_err(|e| store_err(e, zero))?;
            sim.releases.add(&sim.store, Workload::Deployment(id));
            let seed = sim.config.seed;
            sim.controllers
                .add_deployment(&mut sim.store, id, seed, zero, &mut sim.fx.events)?;
            sim.dispatch_notices()?;
        }
        sim.controllers
            .rollouts
            .set_templates(input.argo.analysis_templates);
        for r in input.argo.rollouts {
            let id = sim
                .store
                .create_rollout(r)
                .map_err(|e| store_err(e, zero))?;
            sim.releases.add(&sim.store, Workload::Rollout(id));
            let seed = sim.config.seed;
            sim.controllers
                .add_rollout(&mut sim.store, id, seed, zero, &mut sim.fx.events)?;
            sim.dispatch_notices()?;
        }
        for j in input.jobs {
            sim.store
                .create_job(j, zero)
                .map_err(|e| store_err(e, zero))?;
            sim.dispatch_notices()?;
        }
        let pending = timeline::pending_nodes(sim.store.node_count(), &input.timeline);
        for c in input.cron_jobs {
            sim.store
                .create_cron_job(c, zero)
                .map_err(|e| store_err(e, zero))?;
            sim.dispatch_notices()?;
        }
        for (i, t) in input.timeline.iter().enumerate() {
            // The runner bounds the timeline (ModelLimits); an index that
            // does not fit an event is refused, not truncated.
            let index = u32::try_from(i).map_err(|_| LimitExceeded::Objects {
                limit: u64::from(u32::MAX),
                at: zero,
            })?;
            sim.timeline
                .push((t.at, timeline::resolve(&sim.store, &pending, &t.action)));
            sim.queue.push(t.at, Event::Timeline(index));
        }
        let interval = sim.config.sample_interval;
        if interval > SimTime::ZERO && interval <= sim.config.duration {
            sim.queue.push(interval, Event::Sample);
        }
        sim.check_state(true);
        Ok(sim)
    }

    /// The objects (after [`run`](Self::run): the final state).
    pub fn store(&self) -> &Store {
        &self.store
    }
    /// The kubelets and their books.
    pub fn kubelet(&self) -> &Kubelet {
        &self.kubelet
    }
    /// The placement driver (scheduler, cache, queue).
    pub fn placement(&self) -> &Placement {
        &self.placement
    }
    /// The controllers.
    pub fn controllers(&self) -> &Controllers {
        &self.controllers
    }
    /// The request traffic (implements [`crate::traffic::TrafficQuery`]).
    pub fn traffic(&self) -> &Traffic {
        &self.traffic
    }

    /// Sets the Services' SLOs the release tracker judges releases by
    /// (before [`run`](Self::run)).
    pub fn set_release_config(&mut self, cfg: ReleaseConfig) {
        self.releases.configure(cfg);
    }

    /// Plugs in the traffic the release tracker reads (before
    /// [`run`](Self::run); without it, the run's own traffic model).
    pub fn set_traffic_query(&mut self, q: Box<dyn TrafficQuery + Send>) {
        self.traffic_query = Some(q);
    }

    /// `rollouts.csv`: one record per release, by start time then object
    /// (after [`run`](Self::run)).
    pub fn release_records(&self) -> Vec<ReleaseRecord> {
        self.releases.records()
    }

    /// Runs to the scenario's end, streaming records to `sink`.
    pub fn run<S: RecordSink>(&mut self, sink: &mut S) -> Result<RunSummary, SimError<S::Error>> {
        self.emit(sink)?;
        let end = self.config.duration;
        loop {
            // Before time moves on (or the queue runs dry), re-divide CPU on
            // every node that changed: that may schedule new timers.
            let next = self.queue.peek_time();
            let advancing = next.is_none_or(|t| t > self.now);
            if self.kubelet.has_dirty() && advancing {
                self.kubelet.flush(&self.store, self.now, &mut self.fx);
                self.traffic.note_flushed(self.kubelet.flushed_nodes());
                self.emit(sink)?;
                continue;
            }
            // Traffic learns what changed at this instant; new serving
            // demand sends the loop back to re-solve those nodes.
            if advancing && self.sync_traffic() {
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
            debug_assert!(t >= self.now, "time went backwards");
            self.now = t;
            if self.queue.popped().is_multiple_of(records::PROGRESS_EVERY) {
                sink.progress(t).map_err(SimError::Record)?;
            }
            self.handle(ev, sink)?;
            self.compact_queue();
            self.emit(sink)?;
            self.observe_releases();
            self.check_state(false);
        }
        self.now = end;
        self.kubelet.flush(&self.store, end, &mut self.fx);
        self.traffic.note_flushed(self.kubelet.flushed_nodes());
        self.emit(sink)?;
        self.sync_traffic();
        self.traffic.account_all(end);
        self.kubelet.accrue_all(end);
        let traffic = traffic_of(&self.traffic_query, &self.traffic);
        self.releases
            .finish(&self.store, &self.controllers, traffic, end);
        self.check_state(true);
        Ok(self.summary())
    }

    fn check_state(&mut self, always: bool) {
        if !self.check {
            return;
        }
        self.unchecked_events += 1;
        let stride = (self.store.object_count() / CHECK_EVERY_EVENT_MAX).max(1);
        if always || self.unchecked_events >= stride {
            self.unchecked_events = 0;
            if let Err(e) = self.check_invariants() {
                panic!("state invariant broken at t={}: {e}", self.now);
            }
        }
    }

    /// The state checker: the store's own invariants, the kubelet's books
    /// against the store, the scheduler's cache against the books, the
    /// controllers against the store, and no timer in the past.
    pub fn check_invariants(&self) -> Result<(), String> {
        self.store.check_invariants()?;
        self.kubelet.check_invariants(&self.store)?;
        self.placement
            .check_invariants(&self.store, self.kubelet.accounting())?;
        self.controllers.check_invariants(&self.store, self.now)?;
        self.traffic.check_invariants()?;
        self.releases.check_invariants()?;
        if let Some(t) = self.queue.peek_time() {
            if t < self.now {
                return Err(format!("a timer at {t} is in the past"));
            }
        }
        Ok(())
    }

    /// Drops stale timers once they could make up half the queue, so the
    /// queue stays proportional to things that will actually change.
    fn compact_queue(&mut self) {
        let stale = self.kubelet.stale_timers();
        if stale < 4096 || stale * 2 < self.queue.len() as u64 {
            return;
        }
        let kubelet = &self.kubelet;
        self.queue.retain(|_, e| match e {
            Event::Kubelet(k) => !kubelet.is_stale(k),
            _ => true,
        });
        self.kubelet.reset_stale_timers();
    }

    fn handle<S: RecordSink>(&mut self, ev: Event, sink: &mut S) -> Result<(), SimError<S::Error>> {
        match ev {
            Event::Kubelet(t) => self
                .kubelet
                .handle(&mut self.store, self.now, t, &mut self.fx),
            Event::Placement(t) => {
                self.placement.handle(t, self.now);
                if t == crate::placement::PlacementTimer::ScheduleCycle {
                    self.schedule_cycle()?;
                }
                self.drain_placement_timers();
            }
            Event::Controller(t) => {
                // An analysis' baseline and its measurements read the
                // totals up to this instant: the
                // model accounts lazily, so bring it up to now first (the
                // rates of the interval were set when time last moved).
                if matches!(
                    t,
                    ControllerTimer::AnalysisStart { .. }
                        | ControllerTimer::AnalysisMeasurement { .. }
                ) {
                    self.traffic.account_all(self.now);
                }
                self.controllers.handle(
                    &mut self.store,
                    t,
                    self.now,
                    &mut self.fx.events,
                    &self.traffic,
                )?;
                self.drain_controller_timers();
            }
            Event::Timeline(i) => {
                let action = std::mem::replace(
                    &mut self.timeline[i as usize].1,
                    timeline::Resolved::Missing,
                );
                timeline::apply(
                    &mut self.store,
                    &mut self.kubelet,
                    action,
                    self.now,
                    &mut self.fx,
                )?;
            }
            Event::Traffic(t) => self.traffic.on_timer(t, self.now),
            Event::Sample => {
                // A sample shows the state *after* everything that happens
                // at its instant: while other events of this instant wait,
                // it goes to the back of the line (FIFO at equal times).
                if self.queue.peek_time() == Some(self.now) {
                    self.queue.push(self.now, Event::Sample);
                    return Ok(());
                }
                self.kubelet.accrue_all(self.now);
                self.sampler
                    .sample(&self.store, &self.kubelet, self.now, sink)
                    .map_err(SimError::Record)?;
                // Close the traffic window: account every Service to now.
                self.sync_traffic();
                self.traffic.account_all(self.now);
                self.traffic
                    .sample(&self.store, self.now, sink)
                    .map_err(SimError::Record)?;
                self.releases
                    .on_sample(traffic_of(&self.traffic_query, &self.traffic), self.now);
                let next = self.now.saturating_add(self.config.sample_interval);
                if next <= self.config.duration {
                    self.queue.push(next, Event::Sample);
                }
            }
        }
        Ok(())
    }

    /// Every pod in activeQ gets a cycle; each binding is dispatched before
    /// the next pod, so its kubelet starts it in that order.
    fn schedule_cycle(&mut self) -> Result<(), LimitExceeded> {
        while self
            .placement
            .schedule_next(&mut self.store, self.now, &mut self.fx.events)
        {
            self.dispatch_notices()?;
        }
        Ok(())
    }

    /// Lets the traffic model catch up with this instant; true when it
    /// changed a serving container's demand (nodes to re-solve).
    fn sync_traffic(&mut self) -> bool {
        if self.traffic.is_empty() {
            return false;
        }
        let changed = self.traffic.sync(&self.store, &mut self.kubelet, self.now);
        for (t, e) in self.traffic.timers.drain(..) {
            self.queue.push(t, Event::Traffic(e));
        }
        // A pod that left the endpoints had its demand cleared too.
        changed || self.kubelet.has_dirty()
    }

    fn drain_controller_timers(&mut self) {
        for (t, e) in self.controllers.timers.drain(..) {
            self.queue.push(t, Event::Controller(e));
        }
    }

    fn drain_placement_timers(&mut self) {
        for (t, e) in self.placement.timers.drain(..) {
            self.queue.push(t, Event::Placement(e));
        }
    }

    /// Drains effects: kubelet timers onto the queue, events to the sink,
    /// notices to the components; repeats until nothing is left.
    fn emit<S: RecordSink>(&mut self, sink: &mut S) -> Result<(), SimError<S::Error>> {
        loop {
            for (t, e) in self.fx.timers.drain(..) {
                debug_assert!(t >= self.now, "timer {e:?} at {t} is in the past");
                self.queue.push(t, Event::Kubelet(e));
            }
            self.kube_event_count += self.fx.events.len() as u64;
            for e in self.fx.events.drain(..) {
                sink.event(&EventRecord { event: &e })
                    .map_err(SimError::Record)?;
            }
            for c in self.fx.oom.drain(..) {
                let (pid, ci) = self.store.container_pod(c.container);
                let p = self.store.pod(pid);
                sink.oom(&OomRecord {
                    time: c.time,
                    node: self.store.node(c.node).name(),
                    scope: c.scope.as_str(),
                    pod: &p.pod().metadata.qualified_name(),
                    container: &p.pod().spec.container(ci).name,
                    memory_bytes: c.memory_bytes,
                    oom_score_adj: c.oom_score_adj,
                    points: c.points,
                    victim: c.victim,
                })
                .map_err(SimError::Record)?;
            }
            for c in self.fx.evictions.drain(..) {
                let p = self.store.pod(c.pod);
                sink.eviction(&EvictionRecord {
                    time: c.time,
                    node: self.store.node(c.node).name(),
                    signal: "memory.available",
                    observed_bytes: c.observed_bytes,
                    threshold_bytes: c.threshold_bytes,
                    pod: &p.pod().metadata.qualified_name(),
                    qos_class: p.qos().as_str(),
                    priority: c.priority,
                    usage_bytes: c.usage_bytes,
                    request_bytes: c.request_bytes,
                    rank: c.rank,
                    evicted: c.evicted,
                })
                .map_err(SimError::Record)?;
            }
            if !self.store.has_notices() {
                return Ok(());
            }
            self.dispatch_notices_once()?;
        }
    }

    /// Dispatches notices until none is left (effects stay buffered).
    fn dispatch_notices(&mut self) -> Result<(), LimitExceeded> {
        while self.store.has_notices() {
            self.dispatch_notices_once()?;
        }
        Ok(())
    }

    /// Hands the queued batch of notices to every component, in the order
    /// they were written: placement first (its cache and queue), then the
    /// kubelet, then the controllers.
    fn dispatch_notices_once(&mut self) -> Result<(), LimitExceeded> {
        let mut batch = std::mem::take(&mut self.notices);
        self.store.take_notices(&mut batch);
        let now = self.now;
        for &n in &batch {
            // Before the controllers react: a template change is seen
            // with the revision the workload had before it.
            if matches!(
                n,
                Notice::DeploymentChanged(_)
                    | Notice::RolloutChanged(_)
                    | Notice::RolloutStatusChanged(_)
            ) {
                // A release may open or close here: its request totals
                // must be accounted up to this instant.
                self.traffic.account_all(now);
            }
            let traffic = traffic_of(&self.traffic_query, &self.traffic);
            self.releases
                .on_notice(&self.store, &self.controllers, traffic, n, now);
            self.placement.on_notice(&mut self.store, n, now);
            self.drain_placement_timers();
            self.kubelet
                .on_notice(&mut self.store, n, now, &mut self.fx);
            self.controllers
                .on_notice(&mut self.store, n, now, &mut self.fx.events)?;
            self.drain_controller_timers();
        }
        batch.clear();
        self.notices = batch;
        Ok(())
    }

    /// After an event: the release tracker integrates the counts of open
    /// releases (nothing to do while none is open).
    fn observe_releases(&mut self) {
        if self.releases.has_open() {
            // Closing a release reads no traffic (its requests are
            // snapshotted at the end of its reign, a notice or the run's
            // end): nothing to account here.
            self.releases
                .observe(&self.store, &self.controllers, self.now);
        }
    }

    /// `pods.csv`: one record per pod, sorted by name (as `kubectl get
    /// pods` lists them).
    pub fn pod_records(&self) -> Vec<PodRecord> {
        let mut rows: Vec<PodRecord> = self
            .store
            .pods()
            .map(|(pid, p)| {
                let t = p.times();
                PodRecord {
                    pod: p.pod().metadata.qualified_name().into_owned(),
                    workload: self.store.workload_of(pid),
                    node: p
                        .node()
                        .map(|n| self.store.node(n).name().to_string())
                        .unwrap_or_default(),
                    qos_class: p.qos().as_str(),
                    priority: p.pod().spec.priority,
                    created: t.created,
                    scheduled: t.scheduled,
                    started: t.started,
                    ready: t.ready,
                    finished: t.finished,
                    phase: p.phase().as_str(),
                    reason: p.pod().status.reason.clone(),
                    restarts: p.restarts(),
                    namespace: p.pod().metadata.namespace.clone(),
                }
            })
            .collect();
        rows.sort_by(|a, b| a.pod.cmp(&b.pod));
        rows
    }

    /// `containers.csv`: one record per container, pods sorted by name,
    /// init containers first.
    pub fn container_records(&self) -> Vec<ContainerRecord> {
        let mut pods: Vec<_> = self.store.pods().collect();
        pods.sort_by(|a, b| {
            a.1.pod()
                .metadata
                .qualified_name()
                .cmp(&b.1.pod().metadata.qualified_name())
        });
        let cfg = self.kubelet.config().cgroup;
        let mut rows = Vec::new();
        for (_, p) in pods {
            let spec = &p.pod().spec;
            let pod_name = p.pod().metadata.qualified_name();
            let mem_cap = p.node().map_or(0, |n| self.store.node(n).capacity.memory);
            for (ci, cid) in p.container_ids().enumerate() {
                let c = spec.container(ci);
                let cg = self
                    .kubelet
                    .container_cgroup(cid)
                    .filter(|_| p.node().is_some())
                    .copied()
                    .unwrap_or_else(|| container_cgroup(spec, p.qos(), c, mem_cap, &cfg));
                let r = &c.resources;
                rows.push(ContainerRecord {
                    pod: pod_name.to_string(),
                    container: c.name.clone(),
                    image: c.image.clone(),
                    cpu_request_m: r.cpu_request_m.map(|m| m.0),
                    cpu_limit_m: r.cpu_limit_m.map(|m| m.0),
                    memory_request_bytes: r.memory_request_bytes.map(|b| b.0),
                    memory_limit_bytes: r.memory_limit_bytes.map(|b| b.0),
                    cpu_shares: cg.cpu_shares,
                    cpu_weight: cg.cpu_weight,
                    cpu_quota_us: cg.cpu_quota_us.unwrap_or(-1),
                    oom_score_adj: p.node().map(|_| cg.oom_score_adj),
                    namespace: p.pod().metadata.namespace.clone(),
                    restarts: p.pod().status.container_statuses[ci].restart_count,
                    last_exit_reason: p.pod().status.container_statuses[ci]
                        .last_termination
                        .map(|t| t.reason),
                    last_exit_code: p.pod().status.container_statuses[ci]
                        .last_termination
                        .map(|t| t.exit_code),
                });
            }
        }
        rows
    }

    fn summary(&self) -> RunSummary {
        let mut s = SummaryRecord {
            scenario: self.config.scenario.clone(),
            seed: self.config.seed,
            sim_time: self.now,
            events: self.queue.popped(),
            kube_events: self.kube_event_count,
            nodes: self.store.node_count(),
            pods_created: self.store.pod_count(),
            scheduling_attempts: self.placement.attempts(),
            failed_scheduling: self.placement.failed(),
            requests_total: self.traffic.requests_total(),
            requests_failed: self.traffic.requests_failed(),
            ..Default::default()
        };
        let books = self.kubelet.accounting();
        for (_, p) in self.store.pods() {
            if p.times().scheduled.is_some() {
                s.pods_scheduled += 1;
            }
            let deleted = p.is_deleting();
            if deleted {
                s.pods_deleted += 1;
            }
            match p.phase() {
                PodPhase::Pending if p.node().is_none() && !deleted => s.pods_pending += 1,
                PodPhase::Running => s.pods_running += 1,
                PodPhase::Succeeded => s.pods_succeeded += 1,
                PodPhase::Failed => s.pods_failed += 1,
                PodPhase::Pending => {}
            }
            s.container_restarts += u64::from(p.restarts());
            for cid in p.container_ids() {
                if cid.index() < books.containers_len() {
                    let c = books.container(cid);
                    s.cpu_used_core_s += c.used_cpu_s;
                    s.cpu_throttled_core_s += c.throttled_cpu_s;
                    s.cpu_starved_core_s += c.starved_cpu_s;
                }
            }
        }
        s
    }
}

/// The traffic the release tracker reads: a plugged-in query (tests),
/// else the run's traffic model.
fn traffic_of<'a>(
    q: &'a Option<Box<dyn TrafficQuery + Send>>,
    model: &'a Traffic,
) -> &'a dyn TrafficQuery {
    match q {
        Some(q) => q.as_ref(),
        None => model,
    }
}
