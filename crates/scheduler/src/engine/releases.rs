//! Releases: one row of `rollouts.csv` per template change of a workload.
//!
//! Owns [`Releases`], the tracker the engine keeps. A *release* starts when
//! a workload's pod template changes after its creation (`kubectl set
//! image`, `kubectl rollout undo`); the workload's creation is not one.
//! It *closes* when its outcome is decided ([`ReleaseOutcome`]): the new
//! revision complete, the release rolled back (a later template change
//! back to a template the workload had before), stuck past its progress
//! deadline, replaced by a newer forward change, or the run's end. It
//! *reigns* until the workload's next release starts (or the run ends):
//! its pod counts cover start → close (the rollout itself), its request
//! columns and SLO time start → end of reign (every request its revision
//! answered for). A completed release whose successor is a rollback turns
//! `rolled-back` then, detected at the rollback.
//!
//! Data flow: the engine hands the tracker every store [`Notice`] before
//! the controllers react ([`Releases::on_notice`]: a template change opens
//! and closes releases), calls [`Releases::observe`] after every event
//! while a release is open (it reads O(1) counts per open release from
//! the workload's and its ReplicaSets' status, never per pod),
//! [`Releases::on_sample`] at each metric sample (SLO windows from the
//! [`TrafficQuery`]), and [`Releases::finish`] at the run's end.
//! Piecewise-constant counts are integrated lazily ([`Acc`]): the
//! integrals move only when a count changes or a release closes.
//!
//! A workload that releases is a [`Workload`]: a Deployment or an Argo
//! Rollout, each with its arms in `impl Workload` (object name, strategy,
//! template, revision annotation, ReplicaSets, counts, and its progress
//! read from its status — a Rollout's `status.abort` closes a release as
//! `aborted`, detected at that instant) and its spec-change notice
//! (`DeploymentChanged`, `RolloutChanged`) in [`Releases::on_notice`].
//!
//! Cost: per event, O(1) per *open* release; a closed release that still
//! reigns costs nothing per event — one traffic snapshot at the end of
//! its reign, and its SLO check at each sample (one per workload).
//!
//! Invariant: the tracker reads the store and the controllers' views and
//! never writes either; it is the only owner of release rows. Its memory
//! grows by one release per template change, which only the (bounded)
//! timeline causes.

use super::records::{ReleaseOutcome, ReleaseRecord};
use crate::controllers::deployment::util::{
    deployment_complete, equal_ignore_hash, reasons, revision,
};
use crate::controllers::rollout::{rollout_revision, ROLLOUT_HASH_LABEL};
use crate::controllers::Controllers;
use crate::traffic::{Totals, TrafficQuery, Window};
use kubesim_core::{
    DeploymentId, DeploymentStrategy, Notice, PodTemplate, ReplicaSetId, RolloutId, RolloutPhase,
    RolloutStrategy, ServiceId, SimTime, Store,
};

/// A Service's objective, as the `traffic:` section gives it (`slo:
/// {latency, errorRate}`).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Slo {
    /// The p99 latency must stay at or below this (seconds).
    pub latency_p99_s: Option<f64>,
    /// The fraction of failed requests must stay at or below this.
    pub error_rate: Option<f64>,
}

impl From<crate::traffic::Slo> for Slo {
    /// A `traffic[].slo`: its `latency` bounds the p99 latency.
    fn from(s: crate::traffic::Slo) -> Self {
        Slo {
            latency_p99_s: Some(s.latency.as_secs_f64()),
            error_rate: Some(s.error_rate),
        }
    }
}

impl Slo {
    /// Whether window `w` misses the objective. A window without
    /// requests misses nothing.
    pub fn missed(&self, w: &Window) -> bool {
        let latency = self
            .latency_p99_s
            .zip(w.latency_quantile_s(0.99))
            .is_some_and(|(slo, p99)| p99 > slo);
        let errors = self
            .error_rate
            .zip(w.error_rate())
            .is_some_and(|(slo, rate)| rate > slo);
        latency || errors
    }
}

/// What the release tracker is told besides the objects: each Service's
/// SLO (filled from the `traffic:` section).
#[derive(Debug, Clone, Default)]
pub struct ReleaseConfig {
    /// Services with an objective.
    pub slos: Vec<(ServiceId, Slo)>,
}

/// A workload whose template changes are releases.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Workload {
    /// A Deployment.
    Deployment(DeploymentId),
    /// An Argo Rollout.
    Rollout(RolloutId),
}

/// Where a release stands, as its workload's status says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Progress {
    /// Still rolling (or not yet observed by its controller).
    Progressing,
    /// The new revision is complete.
    Complete,
    /// Stopped as bad (Argo Rollouts' `status.abort`: a user's abort or
    /// a failed analysis; a Deployment never aborts).
    Aborted,
    /// Past its progress deadline.
    DeadlineExceeded,
}

/// The counts a release integrates, read at one instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Counts {
    /// The workload's pods that exist and have not finished (terminating
    /// included).
    pods: i64,
    /// `status.availableReplicas`.
    available: i64,
    /// `spec.replicas`.
    desired: i64,
}

impl Workload {
    /// `deployment/NAME` or `rollout/NAME` (`KIND/NAMESPACE/NAME`
    /// outside `default`).
    fn object(self, store: &Store) -> String {
        match self {
            Workload::Deployment(id) => {
                format!(
                    "deployment/{}",
                    store.deployment(id).metadata.qualified_name()
                )
            }
            Workload::Rollout(id) => {
                format!("rollout/{}", store.rollout(id).metadata.qualified_name())
            }
        }
    }

    fn strategy(self, store: &Store) -> &'static str {
        match self {
            Workload::Deployment(id) => match store.deployment(id).strategy {
                DeploymentStrategy::Recreate => "Recreate",
                DeploymentStrategy::RollingUpdate { .. } => "RollingUpdate",
            },
            Workload::Rollout(id) => match store.rollout(id).strategy {
                RolloutStrategy::Canary(_) => "Canary",
                RolloutStrategy::BlueGreen(_) => "BlueGreen",
            },
        }
    }

    fn template(self, store: &Store) -> &PodTemplate {
        match self {
            Workload::Deployment(id) => &store.deployment(id).template,
            Workload::Rollout(id) => &store.rollout(id).template,
        }
    }

    fn namespace(self, store: &Store) -> &str {
        match self {
            Workload::Deployment(id) => store.deployment(id).metadata.namespace_or_default(),
            Workload::Rollout(id) => store.rollout(id).metadata.namespace_or_default(),
        }
    }

    /// The revision annotation of `annotations` (0 when absent):
    /// `deployment.kubernetes.io/revision` or
    /// `rollout.argoproj.io/revision`.
    fn revision_of(self, annotations: &kubesim_core::Labels) -> i64 {
        match self {
            Workload::Deployment(_) => revision(annotations),
            Workload::Rollout(_) => rollout_revision(annotations),
        }
    }

    /// The workload's current revision (its revision annotation; `None`
    /// before its controller wrote one).
    fn revision(self, store: &Store) -> Option<i64> {
        let annotations = match self {
            Workload::Deployment(id) => &store.deployment(id).metadata.annotations,
            Workload::Rollout(id) => &store.rollout(id).metadata.annotations,
        };
        Some(self.revision_of(annotations)).filter(|&r| r > 0)
    }

    /// The revision of ReplicaSet `rs` (`None` before one was written).
    fn rs_revision(self, store: &Store, rs: ReplicaSetId) -> Option<i64> {
        Some(self.revision_of(&store.replica_set(rs).metadata.annotations)).filter(|&r| r > 0)
    }

    /// The workload's ReplicaSets, as its controller lists them (for a
    /// Rollout: stable, canary or preview/active, and older ones).
    fn replica_sets(self, controllers: &Controllers) -> &[ReplicaSetId] {
        match self {
            Workload::Deployment(id) => controllers
                .deployments
                .state(id)
                .map_or(&[], |s| s.replica_sets.as_slice()),
            Workload::Rollout(id) => controllers
                .rollouts
                .state(id)
                .map_or(&[], |s| s.replica_sets.as_slice()),
        }
    }

    fn counts(self, store: &Store, controllers: &Controllers) -> Counts {
        let pods = self
            .replica_sets(controllers)
            .iter()
            .map(|&rs| {
                let s = store.replica_set(rs).status;
                i64::from(s.replicas) + i64::from(s.terminating_replicas)
            })
            .sum();
        match self {
            Workload::Deployment(id) => {
                let d = store.deployment(id);
                Counts {
                    pods,
                    available: i64::from(d.status.available_replicas),
                    desired: i64::from(d.replicas),
                }
            }
            Workload::Rollout(id) => {
                let r = store.rollout(id);
                Counts {
                    pods,
                    available: i64::from(r.status.available_replicas),
                    desired: i64::from(r.replicas),
                }
            }
        }
    }

    /// The state of the release whose new ReplicaSet is `new_rs`. The
    /// status counts only once the controller observed the current spec
    /// and announces `new_rs`'s revision (a status of the previous
    /// revision does not).
    fn progress(self, store: &Store, new_rs: Option<ReplicaSetId>) -> Progress {
        let Some(rs) = new_rs else {
            return Progress::Progressing;
        };
        match self {
            Workload::Deployment(id) => {
                let d = store.deployment(id);
                let current = d.status.observed_generation >= d.metadata.generation
                    && revision(&d.metadata.annotations)
                        == revision(&store.replica_set(rs).metadata.annotations);
                // `DeploymentComplete`, the test that sets
                // `NewReplicaSetAvailable` (a condition alone can be stale:
                // upstream keeps it through a rollback to an existing
                // ReplicaSet, and drops it without a progress deadline).
                if current && deployment_complete(d, &d.status) {
                    return Progress::Complete;
                }
                match &d.status.progressing {
                    Some(c) if current && c.status == "False" && c.reason == reasons::TIMED_OUT => {
                        Progress::DeadlineExceeded
                    }
                    _ => Progress::Progressing,
                }
            }
            Workload::Rollout(id) => {
                let s = &store.rollout(id).status;
                // The status speaks of this release once its controller
                // synced it: `currentPodHash` is the new ReplicaSet's.
                let hash = store
                    .replica_set(rs)
                    .template
                    .labels
                    .get(ROLLOUT_HASH_LABEL);
                if hash != Some(&s.current_pod_hash) {
                    return Progress::Progressing;
                }
                if s.abort {
                    Progress::Aborted
                } else if s.phase == RolloutPhase::Healthy {
                    // Healthy (rollout/sync.go `calculateRolloutConditions`,
                    // `RolloutHealthy`): the stable ReplicaSet is the new
                    // one and every replica is updated and available, no
                    // old pod left.
                    Progress::Complete
                } else if s.timed_out {
                    // `ProgressDeadlineExceeded`.
                    Progress::DeadlineExceeded
                } else {
                    Progress::Progressing
                }
            }
        }
    }

    /// The ReplicaSet whose template is `template` but for the hash label
    /// (`FindNewReplicaSet`; Argo's `FindNewReplicaSet` compares with
    /// `rollouts-pod-template-hash` removed).
    fn find_replica_set(
        self,
        store: &Store,
        controllers: &Controllers,
        template: &PodTemplate,
    ) -> Option<ReplicaSetId> {
        let same = |rs: &PodTemplate| match self {
            Workload::Deployment(_) => equal_ignore_hash(rs, template),
            Workload::Rollout(_) => {
                rs.annotations == template.annotations
                    && rs.spec == template.spec
                    && rs
                        .labels
                        .iter()
                        .filter(|(k, _)| k.as_str() != ROLLOUT_HASH_LABEL)
                        .eq(template
                            .labels
                            .iter()
                            .filter(|(k, _)| k.as_str() != ROLLOUT_HASH_LABEL))
            }
        };
        self.replica_sets(controllers)
            .iter()
            .copied()
            .find(|&rs| same(&store.replica_set(rs).template))
    }
}

/// Piecewise-constant counts integrated over time: the value set at `t`
/// holds until the next [`Acc::set`]. Peak and minimum are over the
/// starting state and every state that held for a positive time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Acc {
    since: SimTime,
    counts: Counts,
    /// Most pods at any instant.
    pub peak_pods: i64,
    /// Fewest available replicas at any instant.
    pub min_available: i64,
    /// ∫ max(0, pods − desired) dt, in pod-nanoseconds.
    pub extra_pod_ns: u128,
    /// Time with available < desired.
    pub below_desired: SimTime,
}

impl Acc {
    /// Starts at `now` with these counts.
    pub fn start(now: SimTime, pods: i64, available: i64, desired: i64) -> Acc {
        Acc {
            since: now,
            counts: Counts {
                pods,
                available,
                desired,
            },
            peak_pods: pods,
            min_available: available,
            extra_pod_ns: 0,
            below_desired: SimTime::ZERO,
        }
    }

    /// Integrates the current counts up to `now`.
    pub fn advance(&mut self, now: SimTime) {
        debug_assert!(now >= self.since, "integrating backwards");
        let dt = now.saturating_sub(self.since).as_nanos();
        let c = self.counts;
        if dt > 0 {
            // Only states that last count: several events at one instant
            // pass through states no one could observe.
            self.peak_pods = self.peak_pods.max(c.pods);
            self.min_available = self.min_available.min(c.available);
        }
        let extra = u128::try_from((c.pods - c.desired).max(0)).unwrap_or(0);
        self.extra_pod_ns = self.extra_pod_ns.saturating_add(extra * u128::from(dt));
        if c.available < c.desired {
            self.below_desired = self.below_desired.saturating_add(SimTime::from_nanos(dt));
        }
        self.since = now;
    }

    /// The counts change at `now`.
    pub fn set(&mut self, now: SimTime, pods: i64, available: i64, desired: i64) {
        let next = Counts {
            pods,
            available,
            desired,
        };
        if next == self.counts {
            return;
        }
        self.advance(now);
        self.counts = next;
    }

    /// `extra_pod_seconds`.
    pub fn extra_pod_seconds(&self) -> f64 {
        self.extra_pod_ns as f64 / 1e9
    }
}

/// Time inside `[from, to]` covered by sample intervals that missed an
/// SLO.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Clipped {
    from: SimTime,
    to: Option<SimTime>,
    total: SimTime,
}

impl Clipped {
    fn add(&mut self, start: SimTime, end: SimTime) {
        let a = start.max(self.from);
        let b = self.to.map_or(end, |to| end.min(to));
        if b > a {
            self.total = self.total.saturating_add(b.saturating_sub(a));
        }
    }
}

/// Cumulative requests at one instant, summed over a release's Services.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct Requests {
    total: f64,
    failed: f64,
    new_total: f64,
    new_failed: f64,
}

impl Requests {
    fn minus(self, o: Requests) -> Requests {
        Requests {
            total: self.total - o.total,
            failed: self.failed - o.failed,
            new_total: self.new_total - o.new_total,
            new_failed: self.new_failed - o.new_failed,
        }
    }
}

/// A release's pod counts when its progress deadline passed (its
/// request columns go on: they cover its whole reign).
#[derive(Debug, Clone, Copy)]
struct Frozen {
    at: SimTime,
    acc: Acc,
}

#[derive(Debug, Clone)]
struct Release {
    workload: Workload,
    object: String,
    strategy: &'static str,
    /// Index of its template in its workload's history.
    template: usize,
    from_revision: Option<i64>,
    to_revision: Option<i64>,
    new_rs: Option<ReplicaSetId>,
    /// The workload's ReplicaSets (how many, the newest) when `new_rs`
    /// was last looked for.
    sets_seen: Option<(usize, Option<ReplicaSetId>)>,
    started: SimTime,
    /// When the workload's next release started (or the run ended):
    /// the end of the window of the request columns. `None` while it
    /// reigns.
    reign_end: Option<SimTime>,
    services: Vec<ServiceId>,
    /// Whether one of `services` has an SLO.
    has_slo: bool,
    acc: Acc,
    requests_at_start: Requests,
    /// Requests during the release's reign, once it ended.
    requests: Requests,
    violation: Clipped,
    stuck: Option<Frozen>,
    /// `Some` once closed.
    outcome: Option<(ReleaseOutcome, Option<SimTime>)>,
    detected: Option<SimTime>,
    recovered: Option<SimTime>,
}

#[derive(Debug, Clone)]
struct Tracked {
    workload: Workload,
    /// Every template it has had, in order of first use.
    templates: Vec<PodTemplate>,
    /// The index of its current template.
    current: usize,
    /// Its open release.
    open: Option<usize>,
    /// Its latest release (open or closed): the one whose revision it
    /// is rolling to or running, until its next release starts.
    reigning: Option<usize>,
}

/// The release tracker (see the module docs).
#[derive(Debug, Default)]
pub struct Releases {
    tracked: Vec<Tracked>,
    releases: Vec<Release>,
    /// Open releases (indices).
    open: Vec<usize>,
    /// Releases that still need samples: reigning, whose reign ended
    /// within the last sample interval, or waiting for their service to
    /// recover (at most a few per workload).
    watched: Vec<usize>,
    slos: Vec<(ServiceId, Slo)>,
    /// Each SLO'd Service's totals at the last sample.
    last_totals: Vec<Totals>,
    /// Whether each SLO'd Service missed its SLO in the last interval.
    missed: Vec<bool>,
    last_sample: SimTime,
}

impl Releases {
    /// Sets the Services' objectives (before the run starts).
    pub fn configure(&mut self, cfg: ReleaseConfig) {
        let mut slos = cfg.slos;
        slos.sort_by_key(|(s, _)| *s);
        slos.dedup_by_key(|(s, _)| *s);
        self.last_totals = vec![Totals::default(); slos.len()];
        self.missed = vec![false; slos.len()];
        self.slos = slos;
    }

    /// Starts following `workload` (at its creation: not a release).
    pub fn add(&mut self, store: &Store, workload: Workload) {
        self.tracked.push(Tracked {
            workload,
            templates: vec![workload.template(store).clone()],
            current: 0,
            open: None,
            reigning: None,
        });
    }

    /// Whether any release is open.
    pub fn has_open(&self) -> bool {
        !self.open.is_empty()
    }

    /// A store notice, before the controllers react to it: a changed
    /// template opens a release (and closes the workload's open one).
    pub fn on_notice(
        &mut self,
        store: &Store,
        controllers: &Controllers,
        traffic: &dyn TrafficQuery,
        notice: Notice,
        now: SimTime,
    ) {
        // A Rollout's status changes (`RolloutStatusChanged`) need nothing
        // here: `observe` reads the status after every event while a
        // release is open.
        let w = match notice {
            Notice::DeploymentChanged(id) => Workload::Deployment(id),
            Notice::RolloutChanged(id) => Workload::Rollout(id),
            _ => return,
        };
        self.spec_changed(store, controllers, traffic, w, now);
    }

    /// `w`'s spec changed: if its template did, a release starts.
    fn spec_changed(
        &mut self,
        store: &Store,
        controllers: &Controllers,
        traffic: &dyn TrafficQuery,
        w: Workload,
        now: SimTime,
    ) {
        let Some(ti) = self.tracked.iter().position(|t| t.workload == w) else {
            return;
        };
        let template = w.template(store);
        if self.tracked[ti].templates[self.tracked[ti].current] == *template {
            return;
        }
        let earlier = self.tracked[ti]
            .templates
            .iter()
            .position(|t| t == template);
        // The revision before the change: the open release's, else the
        // workload's (its controller has not seen the change yet).
        let mut from = None;
        if let Some(open) = self.tracked[ti].open.take() {
            self.observe_one(store, controllers, open, now);
            let outcome = match (earlier, self.releases[open].stuck.is_some()) {
                (Some(_), _) => ReleaseOutcome::RolledBack,
                (None, true) => ReleaseOutcome::Stuck,
                (None, false) => ReleaseOutcome::InProgress,
            };
            // Superseded by a forward change: in progress, closed here.
            self.close(store, open, outcome, Some(now), now);
            from = self.releases[open].to_revision;
        }
        if let Some(prev) = self.tracked[ti].reigning.take() {
            if earlier.is_some() {
                self.rolled_back_later(prev, now);
            }
            self.end_reign(traffic, prev, now);
        }
        let from = from.or_else(|| w.revision(store));
        let t = &mut self.tracked[ti];
        t.current = earlier.unwrap_or_else(|| {
            t.templates.push(template.clone());
            t.templates.len() - 1
        });
        let index = t.current;
        let i = self.open_release(store, controllers, traffic, w, index, from, now);
        self.tracked[ti].open = Some(i);
        self.tracked[ti].reigning = Some(i);
    }

    /// Release `i`, closed before, is rolled back at `now`: a completed
    /// release turns out bad, detected at the rollback (its `finished_s`
    /// stays its completion). One already stopped as bad (aborted, or
    /// rolled back by this very change) keeps its detection.
    fn rolled_back_later(&mut self, i: usize, now: SimTime) {
        let r = &mut self.releases[i];
        if let Some((outcome @ ReleaseOutcome::Completed, finished)) = r.outcome {
            debug_assert!(r.detected.is_none(), "{outcome:?} release detected");
            r.outcome = Some((ReleaseOutcome::RolledBack, finished));
            r.detected = Some(now);
        }
    }

    /// The reign of release `i` ends at `now` (its workload's next
    /// release starts, or the run ends): its request columns are the
    /// traffic since its start, its SLO window closes.
    fn end_reign(&mut self, traffic: &dyn TrafficQuery, i: usize, now: SimTime) {
        let r = &mut self.releases[i];
        debug_assert!(r.outcome.is_some(), "reign of an open release ended");
        debug_assert!(r.reign_end.is_none(), "reign ended twice");
        r.requests = requests(traffic, &r.services, r.new_rs).minus(r.requests_at_start);
        r.violation.to = Some(now);
        r.reign_end = Some(now);
    }

    #[allow(clippy::too_many_arguments)]
    fn open_release(
        &mut self,
        store: &Store,
        controllers: &Controllers,
        traffic: &dyn TrafficQuery,
        w: Workload,
        template: usize,
        from_revision: Option<i64>,
        now: SimTime,
    ) -> usize {
        let tpl = w.template(store);
        let ns = w.namespace(store);
        // A Rollout points its Services at one ReplicaSet by adding
        // `rollouts-pod-template-hash` to their selectors (active, preview,
        // stable, canary): such a Service serves the Rollout whichever
        // revision it points at.
        let hash_key = matches!(w, Workload::Rollout(_)).then_some(ROLLOUT_HASH_LABEL);
        let services: Vec<ServiceId> = store
            .services()
            .filter(|(_, s)| {
                s.metadata.namespace_or_default() == ns
                    && s.selector.as_ref().is_some_and(|sel| {
                        sel.iter().all(|(k, v)| {
                            Some(k.as_str()) == hash_key || tpl.labels.get(k) == Some(v)
                        })
                    })
            })
            .map(|(id, _)| id)
            .collect();
        let has_slo = services
            .iter()
            .any(|s| self.slos.binary_search_by_key(s, |(id, _)| *id).is_ok());
        let new_rs = w.find_replica_set(store, controllers, tpl);
        let c = w.counts(store, controllers);
        let requests_at_start = requests(traffic, &services, new_rs);
        let i = self.releases.len();
        self.releases.push(Release {
            workload: w,
            object: w.object(store),
            strategy: w.strategy(store),
            template,
            from_revision,
            to_revision: None,
            new_rs,
            sets_seen: None,
            started: now,
            reign_end: None,
            services,
            has_slo,
            acc: Acc::start(now, c.pods, c.available, c.desired),
            requests_at_start,
            requests: Requests::default(),
            violation: Clipped {
                from: now,
                to: None,
                total: SimTime::ZERO,
            },
            stuck: None,
            outcome: None,
            detected: None,
            recovered: None,
        });
        self.open.push(i);
        self.watched.push(i);
        i
    }

    /// After an event: integrates the counts of every open release and
    /// closes those whose outcome is decided.
    pub fn observe(&mut self, store: &Store, controllers: &Controllers, now: SimTime) {
        let mut k = 0;
        while k < self.open.len() {
            let i = self.open[k];
            let outcome = match self.observe_one(store, controllers, i, now) {
                Progress::Complete => ReleaseOutcome::Completed,
                Progress::Aborted => ReleaseOutcome::Aborted,
                Progress::Progressing | Progress::DeadlineExceeded => {
                    k += 1;
                    continue;
                }
            };
            self.untrack(i);
            self.close(store, i, outcome, Some(now), now);
        }
    }

    fn untrack(&mut self, i: usize) {
        let w = self.releases[i].workload;
        if let Some(t) = self.tracked.iter_mut().find(|t| t.workload == w) {
            if t.open == Some(i) {
                t.open = None;
            }
        }
    }

    fn observe_one(
        &mut self,
        store: &Store,
        controllers: &Controllers,
        i: usize,
        now: SimTime,
    ) -> Progress {
        let w = self.releases[i].workload;
        // Look for the new ReplicaSet only when the workload's list of
        // ReplicaSets changed (a paused Deployment creates none for
        // a long time; comparing templates is not free).
        let sets = w.replica_sets(controllers);
        let seen = (sets.len(), sets.last().copied());
        if self.releases[i].new_rs.is_none() && self.releases[i].sets_seen != Some(seen) {
            self.releases[i].sets_seen = Some(seen);
            let ti = self.tracked.iter().position(|t| t.workload == w);
            if let Some(ti) = ti {
                let tpl = &self.tracked[ti].templates[self.releases[i].template];
                self.releases[i].new_rs = w.find_replica_set(store, controllers, tpl);
            }
        }
        let r = &mut self.releases[i];
        let c = w.counts(store, controllers);
        r.acc.set(now, c.pods, c.available, c.desired);
        let p = w.progress(store, r.new_rs);
        if p == Progress::DeadlineExceeded && r.stuck.is_none() {
            let mut acc = r.acc;
            acc.advance(now);
            r.stuck = Some(Frozen { at: now, acc });
        }
        p
    }

    /// Closes open release `i` at `now` with `outcome`; `finished` is
    /// its `finished_s` (`None`: the run ended first). Its pod counts stop
    /// here (a stuck release keeps those of its deadline); its request
    /// columns go on until its reign ends ([`Releases::end_reign`]).
    fn close(
        &mut self,
        store: &Store,
        i: usize,
        outcome: ReleaseOutcome,
        finished: Option<SimTime>,
        now: SimTime,
    ) {
        self.open.retain(|&x| x != i);
        let r = &mut self.releases[i];
        debug_assert!(r.outcome.is_none(), "release closed twice");
        r.acc.advance(now);
        let w = r.workload;
        r.to_revision = r.new_rs.and_then(|rs| w.rs_revision(store, rs));
        let mut finished = finished;
        if outcome == ReleaseOutcome::Stuck {
            if let Some(f) = r.stuck {
                finished = Some(f.at);
                r.acc = f.acc;
            }
        }
        if matches!(
            outcome,
            ReleaseOutcome::RolledBack | ReleaseOutcome::Aborted
        ) {
            r.detected = Some(now);
        }
        r.outcome = Some((outcome, finished));
    }

    /// A metric sample at `now`: each SLO'd Service's window since the
    /// previous sample, charged to the releases it overlaps; releases
    /// waiting for recovery recover at the end of the first whole
    /// interval after their detection in which every SLO held.
    pub fn on_sample(&mut self, traffic: &dyn TrafficQuery, now: SimTime) {
        let start = self.last_sample;
        self.last_sample = now;
        if self.slos.is_empty() || now <= start {
            return;
        }
        let seconds = now.saturating_sub(start).as_secs_f64();
        for (k, (svc, slo)) in self.slos.iter().enumerate() {
            let t = traffic.totals(*svc, None);
            self.missed[k] = slo.missed(&t.since(&self.last_totals[k], seconds));
            self.last_totals[k] = t;
        }
        let (slos, missed) = (&self.slos, &self.missed);
        let any_missed = |services: &[ServiceId]| {
            services.iter().any(|s| {
                slos.binary_search_by_key(s, |(id, _)| *id)
                    .is_ok_and(|k| missed[k])
            })
        };
        let releases = &mut self.releases;
        self.watched.retain(|&i| {
            let r = &mut releases[i];
            if !r.has_slo {
                return false;
            }
            let bad = any_missed(&r.services);
            if bad {
                r.violation.add(start, now);
            }
            if let Some(d) = r.detected {
                if r.recovered.is_none() && start >= d && !bad {
                    r.recovered = Some(now);
                }
            }
            let reign_over = r.violation.to.is_some_and(|to| to <= now);
            let waiting = r.detected.is_some() && r.recovered.is_none();
            !reign_over || waiting
        });
    }

    /// The run ends at `now`: open releases close, stuck or in progress,
    /// and every reign ends.
    pub fn finish(
        &mut self,
        store: &Store,
        controllers: &Controllers,
        traffic: &dyn TrafficQuery,
        now: SimTime,
    ) {
        self.observe(store, controllers, now);
        while let Some(&i) = self.open.first() {
            self.untrack(i);
            let outcome = if self.releases[i].stuck.is_some() {
                ReleaseOutcome::Stuck
            } else {
                ReleaseOutcome::InProgress
            };
            self.close(store, i, outcome, None, now);
        }
        for ti in 0..self.tracked.len() {
            if let Some(i) = self.tracked[ti].reigning.take() {
                self.end_reign(traffic, i, now);
            }
        }
    }

    /// The rows of `rollouts.csv`, by start time then object.
    pub fn records(&self) -> Vec<ReleaseRecord> {
        let mut rows: Vec<ReleaseRecord> = self.releases.iter().map(Release::record).collect();
        rows.sort_by(|a, b| {
            a.started
                .cmp(&b.started)
                .then_with(|| a.object.cmp(&b.object))
        });
        rows
    }

    /// The tracker's own invariants: open releases are open, listed once,
    /// at most one per workload, integrated from their start on; a
    /// workload's open release is its reigning one; a reign ends only
    /// after its release closed, and a reigning release is watched while
    /// its Services have an SLO.
    pub fn check_invariants(&self) -> Result<(), String> {
        for t in &self.tracked {
            if let Some(i) = t.open {
                if !self.open.contains(&i) || self.releases[i].outcome.is_some() {
                    return Err(format!("release {i} of {:?} is not open", t.workload));
                }
                if t.reigning != Some(i) {
                    return Err(format!("open release {i} of {:?} not reigning", t.workload));
                }
            }
            if let Some(i) = t.reigning {
                let r = &self.releases[i];
                if r.workload != t.workload || r.reign_end.is_some() {
                    return Err(format!("release {i} of {:?} does not reign", t.workload));
                }
                if r.has_slo && !self.watched.contains(&i) {
                    return Err(format!("reigning release {} not watched", r.object));
                }
            }
        }
        for r in &self.releases {
            if r.reign_end.is_some() && r.outcome.is_none() {
                return Err(format!("release {} ended its reign open", r.object));
            }
        }
        for (k, &i) in self.open.iter().enumerate() {
            let r = &self.releases[i];
            if r.outcome.is_some() || self.open[..k].contains(&i) {
                return Err(format!("release {} listed open twice or closed", r.object));
            }
            if r.started > r.acc.since {
                return Err(format!("release {} integrated before its start", r.object));
            }
        }
        Ok(())
    }
}

impl Release {
    fn record(&self) -> ReleaseRecord {
        let (outcome, finished) = self.outcome.unwrap_or((ReleaseOutcome::InProgress, None));
        let slo = self.has_slo;
        ReleaseRecord {
            object: self.object.clone(),
            from_revision: self.from_revision,
            to_revision: self.to_revision,
            strategy: self.strategy,
            started: self.started,
            finished,
            outcome,
            peak_pods: self.acc.peak_pods,
            extra_pod_seconds: self.acc.extra_pod_seconds(),
            min_available: self.acc.min_available,
            below_desired: self.acc.below_desired,
            requests_total: self.requests.total,
            requests_failed: self.requests.failed,
            requests_served_by_new: self.requests.new_total,
            errors_from_new: self.requests.new_failed,
            slo_violation: slo.then_some(self.violation.total),
            time_to_detect: self.detected.map(|d| d.saturating_sub(self.started)),
            time_to_recover: self
                .detected
                .zip(self.recovered)
                .filter(|_| slo)
                .map(|(d, r)| r.saturating_sub(d)),
        }
    }
}

/// Cumulative requests to `services`, and those served by `new_rs`.
fn requests(
    traffic: &dyn TrafficQuery,
    services: &[ServiceId],
    new_rs: Option<ReplicaSetId>,
) -> Requests {
    let mut r = Requests::default();
    for &s in services {
        let all = traffic.totals(s, None);
        r.total += all.requests;
        r.failed += all.errors;
        if let Some(rs) = new_rs {
            let new = traffic.totals(s, Some(rs));
            r.new_total += new.requests;
            r.new_failed += new.errors;
        }
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(secs: u64) -> SimTime {
        SimTime::from_secs(secs)
    }

    /// A hand-computed RollingUpdate of 4 replicas with one surge pod:
    /// (pods, available) = (4, 4) until 10 s, (5, 4) to 16 s, (4, 3) to
    /// 17 s (an old pod gone, the new one not yet available), (4, 4) on.
    #[test]
    fn integrals_of_a_hand_timeline() {
        let mut a = Acc::start(s(0), 4, 4, 4);
        a.set(s(10), 5, 4, 4);
        a.set(s(16), 4, 3, 4);
        a.set(s(17), 4, 4, 4);
        a.advance(s(30));
        assert_eq!(a.peak_pods, 5);
        assert_eq!(a.min_available, 3);
        assert_eq!(a.extra_pod_seconds(), 6.0);
        assert_eq!(a.below_desired, s(1));
    }

    /// A state of zero duration (several events at one instant) counts
    /// neither for the peak nor the minimum; an unchanged value does not
    /// restart the integral.
    #[test]
    fn instants_do_not_count() {
        let mut a = Acc::start(s(0), 2, 2, 2);
        a.set(s(5), 9, 0, 2);
        a.set(s(5), 2, 2, 2);
        a.set(s(6), 2, 2, 2);
        a.advance(s(8));
        assert_eq!((a.peak_pods, a.min_available), (2, 2));
        assert_eq!(a.extra_pod_seconds(), 0.0);
        assert_eq!(a.below_desired, SimTime::ZERO);
    }

    /// Scaling mid-release moves the baseline: pods above the new
    /// `spec.replicas` are extra; fewer available than it is a shortfall.
    #[test]
    fn desired_changes_move_the_baseline() {
        let mut a = Acc::start(s(0), 4, 4, 4);
        a.set(s(2), 4, 4, 2);
        a.set(s(3), 2, 2, 6);
        a.advance(s(7));
        assert_eq!(a.extra_pod_seconds(), 2.0);
        assert_eq!(a.below_desired, s(4));
        assert_eq!(a.min_available, 2);
    }

    #[test]
    fn violation_is_clipped_to_the_window() {
        let mut c = Clipped {
            from: s(10),
            to: Some(s(13)),
            total: SimTime::ZERO,
        };
        for t in 8..16 {
            c.add(s(t), s(t + 1));
        }
        assert_eq!(c.total, s(3));
    }

    #[test]
    fn slo_misses() {
        let mut t = Totals {
            requests: 100.0,
            errors: 2.0,
            ..Default::default()
        };
        t.add_answered(98.0, 0.05);
        let w = t.since(&Totals::default(), 1.0);
        let slo = |l, e| Slo {
            latency_p99_s: l,
            error_rate: e,
        };
        assert!(slo(None, Some(0.01)).missed(&w));
        assert!(!slo(None, Some(0.05)).missed(&w));
        assert!(slo(Some(0.01), None).missed(&w));
        assert!(!slo(Some(0.1), None).missed(&w));
        assert!(!slo(None, None).missed(&w));
        let empty = Totals::default().since(&Totals::default(), 1.0);
        assert!(!slo(Some(0.0), Some(0.0)).missed(&empty));
    }
}
