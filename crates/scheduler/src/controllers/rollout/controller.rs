//! The Rollout controller's sync (argo-rollouts `rollout/controller.go`
//! `syncHandler`, `rollout/sync.go`, `rollout/replicaset.go`,
//! `rollout/pause.go`, `rollout/analysis.go`): one ReplicaSet per
//! template revision, named `<rollout>-<hash>` with the
//! `rollouts-pod-template-hash` label (`controller.ComputeHash` of the
//! template, as Kubernetes' Deployment controller) and the
//! `rollout.argoproj.io/revision` annotation; the strategy
//! ([`Strategy`]: [`Canary`](super::canary::Canary),
//! [`BlueGreen`](super::bluegreen::BlueGreen)) scales them and moves the
//! release on; the status (phase, message, counts, pause conditions,
//! abort) is written back; old ReplicaSets beyond `revisionHistoryLimit`
//! are deleted.
//!
//! State per Rollout ([`RolloutState`]) is indexed by its [`RolloutId`].
//! Invariant: the controller is the only writer of a Rollout's status
//! (besides the timeline's user patches), of the `spec.replicas` of the
//! ReplicaSets it owns, of its Services' selectors and of the traffic
//! split; only the ReplicaSet controller creates and deletes pods.

use super::analysis::AnalysisPhase;
use super::analysis_run::AnalysisRuns;
use super::bluegreen::BlueGreen;
use super::canary::Canary;
use crate::controllers::deployment::util::{compute_hash, compute_hash_with_collisions};
use crate::controllers::replicaset::ReplicaSetController;
use crate::controllers::ControllerTimer;
use kubesim_core::{
    AnalysisTemplate, KubeEvent, Labels, LimitExceeded, ModelLimits, ObjectMeta, ObjectRef,
    OwnerReference, PauseReason, PodTemplate, ReplicaSet, ReplicaSetId, ReplicaSetStatus, Rollout,
    RolloutAnalysis, RolloutId, RolloutPhase, RolloutStatus, RolloutStrategy, ServiceId, SimTime,
    Store, StoreError,
};
use std::collections::BTreeMap;

/// `DefaultRolloutUniqueLabelKey`.
pub const ROLLOUT_HASH_LABEL: &str = "rollouts-pod-template-hash";
/// `RevisionAnnotation`.
pub const ROLLOUT_REVISION_ANNOTATION: &str = "rollout.argoproj.io/revision";
/// Abort scale-down delay of a blue-green Rollout
/// (`GetAbortScaleDownDelaySecondsOrDefault`).
pub const BLUE_GREEN_ABORT_SCALE_DOWN_DELAY: SimTime = SimTime::from_secs(30);

/// Which analysis of a release a run is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum RunKind {
    /// A canary `analysis` step (its index).
    Step(i32),
    /// Background analysis.
    Background,
    /// Blue-green `prePromotionAnalysis`.
    PrePromotion,
    /// Blue-green `postPromotionAnalysis`.
    PostPromotion,
}

/// The controller's state of one Rollout.
#[derive(Debug)]
pub struct RolloutState {
    /// Its live ReplicaSets, in creation order.
    pub replica_sets: Vec<ReplicaSetId>,
    /// Its group in the ReplicaSet controller.
    pub group: usize,
    /// Armed re-sync instants (a pause's end, a scale-down deadline).
    armed: std::collections::BTreeSet<SimTime>,
    /// When a ReplicaSet is to be scaled down (blue-green's old active
    /// after `scaleDownDelaySeconds`; an aborted canary or preview).
    pub scale_down_at: BTreeMap<ReplicaSetId, SimTime>,
    /// The analysis runs of the current release, by kind.
    pub runs: BTreeMap<RunKind, u32>,
    /// The pod hash the runs belong to.
    runs_hash: String,
    /// Each run's phase as last reported in an event.
    reported: BTreeMap<u32, AnalysisPhase>,
    /// The revision of the release, for events.
    pub revision: i64,
    /// What progress is measured by, as last seen (pods of the new
    /// ReplicaSet, available ones, the step, the stable and active
    /// hashes).
    progress: (i32, i32, Option<i32>, String, String),
}

/// Everything a strategy reads and writes during one sync.
pub struct Cx<'a> {
    /// The store.
    pub store: &'a mut Store,
    /// The Rollout's id.
    pub id: RolloutId,
    /// The Rollout as the sync started.
    pub ro: Rollout,
    /// The status being built.
    pub status: RolloutStatus,
    /// The ReplicaSet of the current template.
    pub new_rs: ReplicaSetId,
    /// The stable ReplicaSet (None: none other than the new one).
    pub stable_rs: Option<ReplicaSetId>,
    /// Every other live ReplicaSet.
    pub old: Vec<ReplicaSetId>,
    /// Now.
    pub now: SimTime,
    /// Kubernetes events.
    pub events: &'a mut Vec<KubeEvent>,
    /// ReplicaSets scaled (they sync next).
    pub touched: &'a mut Vec<ReplicaSetId>,
    /// Re-sync instants to arm.
    pub wake: Vec<SimTime>,
    /// The controller's state of the Rollout.
    pub st: &'a mut RolloutState,
    /// Analysis runs.
    pub runs: &'a mut AnalysisRuns,
    /// Templates by (namespace, name).
    pub templates: &'a BTreeMap<(String, String), AnalysisTemplate>,
    /// Timers (measurements).
    pub timers: &'a mut Vec<(SimTime, ControllerTimer)>,
}

/// A Rollout strategy: scales the ReplicaSets and moves the release on.
pub trait Strategy {
    /// One reconcile of the strategy.
    fn reconcile(&self, cx: &mut Cx<'_>);
}

/// Every Rollout of a run, indexed by [`RolloutId`].
#[derive(Debug, Default)]
pub struct RolloutController {
    states: Vec<Option<RolloutState>>,
    templates: BTreeMap<(String, String), AnalysisTemplate>,
    /// The AnalysisRuns.
    pub runs: AnalysisRuns,
}

/// Where one sync writes what it did.
pub struct RolloutOut<'a> {
    /// Kubernetes events.
    pub events: &'a mut Vec<KubeEvent>,
    /// Timers to arm.
    pub timers: &'a mut Vec<(SimTime, ControllerTimer)>,
    /// ReplicaSets whose `spec.replicas` changed.
    pub touched: &'a mut Vec<ReplicaSetId>,
}

/// The Rollout's `kubectl` object name.
pub fn rollout_object(ro: &Rollout) -> String {
    format!("rollout/{}", ro.metadata.qualified_name())
}

/// `rollout.argoproj.io/revision` of `annotations` as a number (0 when
/// absent or not a number), as the Deployment controller's `revision`.
pub fn rollout_revision(annotations: &Labels) -> i64 {
    annotations
        .get(ROLLOUT_REVISION_ANNOTATION)
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

/// The revision annotation of a ReplicaSet (0 if none).
pub fn rs_revision(store: &Store, rs: ReplicaSetId) -> i64 {
    rollout_revision(&store.replica_set(rs).metadata.annotations)
}

/// The `rollouts-pod-template-hash` of a ReplicaSet.
pub fn rs_hash(store: &Store, rs: ReplicaSetId) -> &str {
    store
        .replica_set(rs)
        .template
        .labels
        .get(ROLLOUT_HASH_LABEL)
        .map_or("", String::as_str)
}

fn strip_hash(t: &PodTemplate) -> PodTemplate {
    let mut t = t.clone();
    t.labels.remove(ROLLOUT_HASH_LABEL);
    t
}

impl RolloutController {
    /// The AnalysisTemplates of the run.
    pub fn set_templates(&mut self, templates: Vec<AnalysisTemplate>) {
        for t in templates {
            let ns = if t.metadata.namespace.is_empty() {
                kubesim_core::DEFAULT_NAMESPACE.to_string()
            } else {
                t.metadata.namespace.clone()
            };
            self.templates.insert((ns, t.metadata.name.clone()), t);
        }
    }

    /// Takes over Rollout `id`; its ReplicaSets are of `group`.
    pub fn add(&mut self, id: RolloutId, group: usize) {
        if self.states.len() <= id.index() {
            self.states.resize_with(id.index() + 1, || None);
        }
        self.states[id.index()] = Some(RolloutState {
            replica_sets: Vec::new(),
            group,
            armed: Default::default(),
            scale_down_at: BTreeMap::new(),
            runs: BTreeMap::new(),
            runs_hash: String::new(),
            reported: BTreeMap::new(),
            revision: 0,
            progress: (0, 0, None, String::new(), String::new()),
        });
    }

    /// The state of Rollout `id`.
    pub fn state(&self, id: RolloutId) -> Option<&RolloutState> {
        self.states.get(id.index()).and_then(Option::as_ref)
    }

    /// A re-sync timer fired: `true` if it was armed.
    pub fn timer_fired(&mut self, id: RolloutId, now: SimTime) -> bool {
        match self.states.get_mut(id.index()) {
            Some(Some(st)) => st.armed.remove(&now),
            _ => false,
        }
    }

    /// `syncHandler` for Rollout `id`.
    pub fn sync(
        &mut self,
        store: &mut Store,
        rsc: &mut ReplicaSetController,
        id: RolloutId,
        now: SimTime,
        out: &mut RolloutOut<'_>,
    ) -> Result<(), LimitExceeded> {
        let Some(st) = self.states.get_mut(id.index()).and_then(Option::as_mut) else {
            return Ok(());
        };
        let ro = store.rollout(id).clone();
        let template = strip_hash(&ro.template);
        // getAllReplicaSetsAndSyncRevision.
        let new = st
            .replica_sets
            .iter()
            .copied()
            .find(|&rs| strip_hash(&store.replica_set(rs).template) == template);
        let max_rev = st
            .replica_sets
            .iter()
            .filter(|&&rs| Some(rs) != new)
            .map(|&rs| rs_revision(store, rs))
            .max()
            .unwrap_or(0);
        let object = rollout_object(&ro);
        let new = match new {
            Some(rs) => {
                if rs_revision(store, rs) <= max_rev {
                    store.set_replica_set_annotation(
                        rs,
                        ROLLOUT_REVISION_ANNOTATION,
                        (max_rev + 1).to_string(),
                    );
                }
                rs
            }
            None => {
                let rs = create_replica_set(store, &ro, id, max_rev + 1, now)?;
                rsc.add(rs, st.group);
                st.replica_sets.push(rs);
                let name = store.replica_set(rs).metadata.name.clone();
                out.events.push(KubeEvent::normal(
                    now,
                    "NewReplicaSetCreated",
                    object.clone(),
                    format!("Created ReplicaSet {name} (revision {})", max_rev + 1),
                ));
                rs
            }
        };
        let revision = rs_revision(store, new);
        st.revision = revision;
        store.set_rollout_annotation(id, ROLLOUT_REVISION_ANNOTATION, revision.to_string());
        let hash = rs_hash(store, new).to_string();
        let mut status = ro.status.clone();
        if status.current_pod_hash != hash {
            if !status.current_pod_hash.is_empty() {
                out.events.push(KubeEvent::normal(
                    now,
                    "RolloutUpdated",
                    object.clone(),
                    format!("Rollout updated to revision {revision}"),
                ));
            }
            // A new release: its steps start over, an abort is cleared.
            status.current_pod_hash = hash.clone();
            status.current_step_index = None;
            status.pause_conditions.clear();
            status.controller_pause = false;
            status.abort = false;
            status.aborted_at = None;
            status.promote_full = false;
            status.scale_up_preview_check_point = false;
        }
        if status.stable_rs.is_empty() {
            status.stable_rs = hash.clone();
        }
        if st.runs_hash != hash {
            for (_, run) in std::mem::take(&mut st.runs) {
                self.runs.terminate(run);
            }
            st.runs_hash = hash.clone();
        }
        let stable_rs = st
            .replica_sets
            .iter()
            .copied()
            .find(|&rs| rs != new && rs_hash(store, rs) == status.stable_rs);
        let old: Vec<ReplicaSetId> = st
            .replica_sets
            .iter()
            .copied()
            .filter(|&rs| rs != new && Some(rs) != stable_rs)
            .collect();
        let mut cx = Cx {
            store,
            id,
            ro,
            status,
            new_rs: new,
            stable_rs,
            old,
            now,
            events: out.events,
            touched: out.touched,
            wake: Vec::new(),
            st,
            runs: &mut self.runs,
            templates: &self.templates,
            timers: out.timers,
        };
        cx.start_abort();
        match &cx.ro.strategy {
            RolloutStrategy::Canary(_) => Canary.reconcile(&mut cx),
            RolloutStrategy::BlueGreen(_) => BlueGreen.reconcile(&mut cx),
        }
        cx.finish_status();
        cx.cleanup();
        let (wake, status) = (std::mem::take(&mut cx.wake), cx.status.clone());
        for t in wake {
            if t > now && cx.st.armed.insert(t) {
                cx.timers.push((t, ControllerTimer::RolloutWake(id)));
            }
        }
        store.set_rollout_status(id, status);
        Ok(())
    }

    /// Each live ReplicaSet a Rollout lists is controlled by it, listed
    /// once, not deleted; a Rollout's canary weight is within 0–100 and
    /// an aborted Rollout is Degraded.
    pub fn check_invariants(&self, store: &Store, now: SimTime) -> Result<(), String> {
        let mut seen = std::collections::BTreeSet::new();
        for (i, st) in self.states.iter().enumerate() {
            let Some(st) = st else { continue };
            let id = RolloutId(i as u32);
            for &rs in &st.replica_sets {
                let r = store.replica_set(rs);
                if r.metadata.controller_of().map(|o| o.owner) != Some(ObjectRef::Rollout(id)) {
                    return Err(format!(
                        "rollout #{i} lists replicaset {} it does not own",
                        r.metadata.name
                    ));
                }
                if r.metadata.deletion_timestamp.is_some() || !seen.insert(rs) {
                    return Err(format!(
                        "rollout #{i} lists replicaset {} twice or deleted",
                        r.metadata.name
                    ));
                }
            }
            let s = &store.rollout(id).status;
            if !(0..=100).contains(&s.canary_weight) {
                return Err(format!("rollout #{i}: canary weight {}", s.canary_weight));
            }
            if s.abort && s.aborted_at.is_some() && s.phase != RolloutPhase::Degraded {
                return Err(format!("rollout #{i} aborted but {}", s.phase.as_str()));
            }
        }
        self.runs.check_invariants(now)
    }
}

/// `newReplicaSetFromTemplate` for a Rollout: `<rollout>-<hash>`, the
/// hash label on the template and selector, owned by the Rollout.
fn create_replica_set(
    store: &mut Store,
    ro: &Rollout,
    id: RolloutId,
    rev: i64,
    now: SimTime,
) -> Result<ReplicaSetId, LimitExceeded> {
    let template = strip_hash(&ro.template);
    for collisions in 0..=ModelLimits::MAX_NAME_ATTEMPTS {
        let hash = if collisions == 0 {
            compute_hash(&template)
        } else {
            compute_hash_with_collisions(&template, collisions)
        };
        let mut t = template.clone();
        t.labels.insert(ROLLOUT_HASH_LABEL.into(), hash.clone());
        let mut selector = ro.selector.clone();
        selector
            .match_labels
            .insert(ROLLOUT_HASH_LABEL.into(), hash.clone());
        let mut metadata = ObjectMeta::named(format!("{}-{hash}", ro.metadata.name));
        metadata.namespace = ro.metadata.namespace.clone();
        metadata.labels = t.labels.clone();
        metadata.creation_timestamp = now;
        metadata.owner_references = vec![OwnerReference {
            owner: ObjectRef::Rollout(id),
            name: ro.metadata.name.clone(),
            controller: true,
        }];
        metadata
            .annotations
            .insert(ROLLOUT_REVISION_ANNOTATION.into(), rev.to_string());
        let rs = ReplicaSet {
            metadata,
            replicas: 0,
            min_ready_seconds: ro.min_ready_seconds,
            selector,
            template: t,
            status: ReplicaSetStatus::default(),
        };
        match store.create_replica_set(rs) {
            Ok(id) => return Ok(id),
            Err(StoreError::Limit(l)) => return Err(l),
            Err(StoreError::AlreadyExists { .. }) => continue,
            Err(_) => break,
        }
    }
    Err(LimitExceeded::Names {
        what: format!("replica sets of rollout {}", ro.metadata.name),
        attempts: ModelLimits::MAX_NAME_ATTEMPTS,
        at: now,
    })
}

impl Cx<'_> {
    /// The Rollout's `kubectl` name.
    pub fn object(&self) -> String {
        rollout_object(&self.ro)
    }

    /// `scaleReplicaSetAndRecordEvent`.
    pub fn scale(&mut self, rs: ReplicaSetId, to: i32) {
        let to = to.max(0);
        let from = self.store.replica_set(rs).replicas;
        if from == to
            || self
                .store
                .replica_set(rs)
                .metadata
                .deletion_timestamp
                .is_some()
        {
            return;
        }
        self.store.scale_replica_set(rs, to);
        let dir = if to > from { "up" } else { "down" };
        let name = self.store.replica_set(rs).metadata.name.clone();
        let rev = rs_revision(self.store, rs);
        self.events.push(KubeEvent::normal(
            self.now,
            "ScalingReplicaSet",
            self.object(),
            format!("Scaled {dir} ReplicaSet {name} (revision {rev}) from {from} to {to}"),
        ));
        self.touched.push(rs);
    }

    /// A Service of the Rollout's namespace by name.
    pub fn service(&self, name: &str) -> Option<ServiceId> {
        self.store
            .service_id(self.ro.metadata.namespace_or_default(), name)
    }

    /// Points `svc` at pods of hash `hash` (`switchServiceSelector`).
    pub fn point_service(&mut self, svc: ServiceId, hash: &str) {
        let s = self.store.service(svc);
        let Some(selector) = s.selector.clone() else {
            return;
        };
        let from = selector
            .get(ROLLOUT_HASH_LABEL)
            .cloned()
            .unwrap_or_default();
        if from == hash {
            return;
        }
        let mut next = selector;
        next.insert(ROLLOUT_HASH_LABEL.into(), hash.to_string());
        let name = s.metadata.name.clone();
        self.store.set_service_selector(svc, Some(next));
        self.events.push(KubeEvent::normal(
            self.now,
            "SwitchService",
            self.object(),
            format!("Switched selector for service '{name}' from '{from}' to '{hash}'"),
        ));
    }

    /// Adds a pause condition (`AddPauseCondition`) once.
    pub fn add_pause(&mut self, reason: PauseReason) {
        if self.status.paused_for(reason).is_some() {
            return;
        }
        self.status
            .pause_conditions
            .push(kubesim_core::PauseCondition {
                reason,
                start_time: self.now,
            });
        self.status.controller_pause = true;
        self.events.push(KubeEvent::normal(
            self.now,
            "RolloutPaused",
            self.object(),
            format!("Rollout is paused ({})", reason.as_str()),
        ));
    }

    /// Removes a pause condition (`RemovePauseCondition`).
    pub fn remove_pause(&mut self, reason: PauseReason) {
        let before = self.status.pause_conditions.len();
        self.status.pause_conditions.retain(|c| c.reason != reason);
        if self.status.pause_conditions.len() != before {
            self.events.push(KubeEvent::normal(
                self.now,
                "RolloutResumed",
                self.object(),
                "Rollout is resumed".into(),
            ));
        }
    }

    /// The analysis run of `kind` for the current release: created from
    /// `analysis` if not yet; its phase.
    pub fn analysis(&mut self, kind: RunKind, analysis: &RolloutAnalysis) -> AnalysisPhase {
        if let Some(&run) = self.st.runs.get(&kind) {
            let phase = self.runs.run(run).phase;
            self.report_run(kind, run, phase);
            return phase;
        }
        let ns = self.ro.metadata.namespace_or_default().to_string();
        let templates: Vec<&AnalysisTemplate> = analysis
            .templates
            .iter()
            .filter_map(|t| self.templates.get(&(ns.clone(), t.clone())))
            .collect();
        let suffix = match kind {
            RunKind::Step(i) => format!("{i}"),
            RunKind::Background => String::new(),
            RunKind::PrePromotion => "pre".into(),
            RunKind::PostPromotion => "post".into(),
        };
        let mut name = format!(
            "{}-{}-{}",
            self.ro.metadata.name, self.status.current_pod_hash, self.st.revision
        );
        if !suffix.is_empty() {
            name = format!("{name}-{suffix}");
        }
        let Some(run) = self.runs.create(
            self.store,
            name,
            self.id,
            &templates,
            &analysis.args,
            Some(self.new_rs),
            self.stable_rs,
            self.now,
            self.timers,
        ) else {
            return AnalysisPhase::Error;
        };
        self.timers
            .push((self.now, ControllerTimer::AnalysisStart { run }));
        self.st.runs.insert(kind, run);
        let phase = self.runs.run(run).phase;
        self.report_run(kind, run, phase);
        phase
    }

    /// `emitAnalysisRunStatusChanges`: an event when a run's phase is
    /// new (`AnalysisRunRunning`, `AnalysisRunSuccessful`,
    /// `AnalysisRunFailed` …; Warning for Failed and Error).
    fn report_run(&mut self, kind: RunKind, run: u32, phase: AnalysisPhase) {
        let previous = self.st.reported.insert(run, phase);
        if previous == Some(phase) {
            return;
        }
        let what = match kind {
            RunKind::Step(_) => "Step",
            RunKind::Background => "Background",
            RunKind::PrePromotion => "PrePromotion",
            RunKind::PostPromotion => "PostPromotion",
        };
        let reason = match phase {
            AnalysisPhase::Pending => "AnalysisRunPending",
            AnalysisPhase::Running => "AnalysisRunRunning",
            AnalysisPhase::Successful => "AnalysisRunSuccessful",
            AnalysisPhase::Failed => "AnalysisRunFailed",
            AnalysisPhase::Error => "AnalysisRunError",
            AnalysisPhase::Inconclusive => "AnalysisRunInconclusive",
        };
        let msg = format!(
            "{what} Analysis Run '{}' Status New: '{phase}' Previous: '{}'",
            self.runs.run(run).name,
            previous.map_or("NoPreviousStatus", AnalysisPhase::as_str)
        );
        let ev = if matches!(phase, AnalysisPhase::Failed | AnalysisPhase::Error) {
            KubeEvent::warning(self.now, reason, self.object(), msg)
        } else {
            KubeEvent::normal(self.now, reason, self.object(), msg)
        };
        self.events.push(ev);
    }

    /// Ends the analysis run of `kind`, if any (the release moved on).
    pub fn terminate_analysis(&mut self, kind: RunKind) {
        if let Some(&run) = self.st.runs.get(&kind) {
            self.runs.terminate(run);
        }
    }

    /// Reacts to a run that completed badly: Failed or Error aborts,
    /// Inconclusive pauses. `true` if the release may go on.
    pub fn judge(&mut self, kind: RunKind, phase: AnalysisPhase) -> bool {
        match phase {
            AnalysisPhase::Failed | AnalysisPhase::Error => {
                if !self.status.abort {
                    let run = self.st.runs.get(&kind).map(|&r| self.runs.run(r));
                    let why = run.map_or(String::new(), |r| r.message.clone());
                    self.status.abort = true;
                    self.status.message = why;
                    self.start_abort();
                }
                false
            }
            AnalysisPhase::Inconclusive => {
                self.add_pause(PauseReason::InconclusiveAnalysis);
                false
            }
            AnalysisPhase::Successful => true,
            _ => false,
        }
    }

    /// The first sync that sees `abort`: record when, end the analysis,
    /// restart the steps, say so.
    pub fn start_abort(&mut self) {
        if !self.status.abort || self.status.aborted_at.is_some() {
            return;
        }
        self.status.aborted_at = Some(self.now);
        // The runs end; a retry creates new ones.
        for (_, run) in std::mem::take(&mut self.st.runs) {
            self.runs.terminate(run);
        }
        self.status.pause_conditions.clear();
        self.status.controller_pause = false;
        if self.status.current_step_index.is_some() {
            self.status.current_step_index = Some(0);
        }
        let rev = self.st.revision;
        self.events.push(KubeEvent::warning(
            self.now,
            "RolloutAborted",
            self.object(),
            format!("Rollout aborted update to revision {rev}"),
        ));
    }

    /// The release is complete: the new ReplicaSet is stable
    /// (`promoteStable`).
    pub fn promote_stable(&mut self, reason: &str) {
        if self.status.stable_rs == self.status.current_pod_hash {
            return;
        }
        self.status.stable_rs = self.status.current_pod_hash.clone();
        self.status.promote_full = false;
        for (_, &run) in self.st.runs.iter() {
            self.runs.terminate(run);
        }
        if let Some(s) = self.stable_rs.take() {
            self.old.push(s);
        }
        let rev = self.st.revision;
        let hash = self.status.current_pod_hash.clone();
        self.events.push(KubeEvent::normal(
            self.now,
            "RolloutCompleted",
            self.object(),
            format!("Rollout completed update to revision {rev} ({hash}): {reason}"),
        ));
    }

    /// Counts, phase and message (`calculateRolloutConditions`,
    /// `CalculateRolloutPhase`).
    fn finish_status(&mut self) {
        let all: Vec<ReplicaSetId> = self.st.replica_sets.clone();
        let (mut replicas, mut ready, mut available) = (0i32, 0i32, 0i32);
        for &rs in &all {
            let s = self.store.replica_set(rs).status;
            replicas = replicas.saturating_add(s.replicas);
            ready = ready.saturating_add(s.ready_replicas);
            available = available.saturating_add(s.available_replicas);
        }
        let new = self.store.replica_set(self.new_rs).status;
        let s = &mut self.status;
        s.replicas = replicas;
        s.ready_replicas = ready;
        s.available_replicas = available;
        s.updated_replicas = new.replicas;
        let rev = self.st.revision;
        if s.abort {
            s.phase = RolloutPhase::Degraded;
            let base = format!("RolloutAborted: Rollout aborted update to revision {rev}");
            if !s.message.starts_with("RolloutAborted") {
                s.message = if s.message.is_empty() {
                    base
                } else {
                    format!("{base}: {}", s.message)
                };
            }
            return;
        }
        if self.ro.paused || !s.pause_conditions.is_empty() {
            s.phase = RolloutPhase::Paused;
            s.message = s
                .pause_conditions
                .first()
                .map_or("manually paused".to_string(), |c| {
                    c.reason.as_str().to_string()
                });
            return;
        }
        let want = self.ro.replicas;
        let (phase, message) = if s.stable_rs != s.current_pod_hash {
            (
                RolloutPhase::Progressing,
                "waiting for all steps to complete",
            )
        } else if new.replicas < want {
            (
                RolloutPhase::Progressing,
                "more replicas need to be updated",
            )
        } else if new.available_replicas < want {
            (
                RolloutPhase::Progressing,
                "updated replicas are still becoming available",
            )
        } else if replicas > new.replicas {
            (
                RolloutPhase::Progressing,
                "old replicas are pending termination",
            )
        } else {
            (RolloutPhase::Healthy, "")
        };
        s.phase = phase;
        s.message = message.to_string();
        self.progress_deadline();
    }

    /// `progressDeadlineSeconds` (utils/conditions `RolloutTimedOut`):
    /// a release that is neither paused nor complete and has not
    /// progressed — more pods of the new ReplicaSet created or
    /// available, a step done, a promotion — for that long is Degraded
    /// (`ProgressDeadlineExceeded`). A pause restarts the clock.
    fn progress_deadline(&mut self) {
        let new = self.store.replica_set(self.new_rs);
        let sig = (
            new.status.replicas,
            new.status.available_replicas,
            self.status.current_step_index,
            self.status.stable_rs.clone(),
            self.status.active_selector.clone(),
        );
        let s = &mut self.status;
        if s.phase == RolloutPhase::Healthy {
            s.progress_time = None;
            s.timed_out = false;
            self.st.progress = sig;
            return;
        }
        let was_paused = self.ro.status.phase == RolloutPhase::Paused;
        if s.phase == RolloutPhase::Paused
            || was_paused
            || sig != self.st.progress
            || s.progress_time.is_none()
        {
            s.progress_time = Some(self.now);
            s.timed_out = false;
            self.st.progress = sig;
        }
        if s.phase != RolloutPhase::Progressing {
            return;
        }
        let Some(since) = s.progress_time else { return };
        let seconds = u64::try_from(self.ro.progress_deadline_seconds).unwrap_or(0);
        let deadline = since.saturating_add(SimTime::from_secs(seconds));
        if self.now < deadline {
            self.wake.push(deadline);
            return;
        }
        let name = self.store.replica_set(self.new_rs).metadata.name.clone();
        if !s.timed_out {
            s.timed_out = true;
            self.events.push(KubeEvent::warning(
                self.now,
                "ProgressDeadlineExceeded",
                rollout_object(&self.ro),
                format!(
                    "Rollout {:?} has timed out progressing.",
                    self.ro.metadata.name
                ),
            ));
        }
        s.phase = RolloutPhase::Degraded;
        s.message =
            format!("ProgressDeadlineExceeded: ReplicaSet {name:?} has timed out progressing.");
    }

    /// `reconcileRevisionHistoryLimit`: old ReplicaSets with no pods
    /// beyond the limit are deleted, oldest revision first.
    fn cleanup(&mut self) {
        let limit = usize::try_from(self.ro.revision_history_limit.max(0)).unwrap_or(0);
        let mut empty: Vec<(i64, ReplicaSetId)> = self
            .old
            .iter()
            .copied()
            .filter(|&rs| {
                let r = self.store.replica_set(rs);
                r.replicas == 0 && r.status.replicas == 0 && r.status.terminating_replicas == 0
            })
            .map(|rs| (rs_revision(self.store, rs), rs))
            .collect();
        if empty.len() <= limit {
            return;
        }
        empty.sort_unstable();
        let gone = empty.len() - limit;
        for &(_, rs) in &empty[..gone] {
            self.store.delete_replica_set(rs, self.now);
            self.st.replica_sets.retain(|&x| x != rs);
            self.st.scale_down_at.remove(&rs);
        }
    }
}
