//! The canary strategy (argo-rollouts `rollout/canary.go`,
//! `rollout/trafficrouting.go`, `rollout/pause.go`): the ReplicaSets'
//! counts from [`replicas`](super::replicas) — approximated by pods
//! without `trafficRouting`, exact with it — the steps (`setWeight`,
//! `pause`, `setCanaryScale`, `analysis`) one after another once each is
//! reached, background analysis from `startingStep`, the stable and
//! canary Services' selectors, the traffic split, abort, and the
//! promotion of the canary to stable after the last step.
//!
//! Invariant: reads and writes go through [`Cx`]; the step index only
//! grows within a release (an abort sets it back to 0).

use super::analysis::AnalysisPhase;
use super::controller::{rs_hash, Cx, RunKind, Strategy};
use super::replicas::{
    at_desired_replica_counts_for_canary, calculate_replica_counts_for_basic_canary,
    calculate_replica_counts_for_traffic_routed_canary, get_desired_canary_weight, CanaryRollout,
    CanaryStatus, CanaryStep, IntOrPercent as ArgoIntOrPercent, ReplicaSetCounts, SetCanaryScale,
    TrafficRouting, TrafficWeights,
};
use kubesim_core::{
    CanaryStepSpec, CanaryStrategy, IntOrPercent, PauseReason, ReplicaSetId, RolloutStrategy,
    SimTime, TrafficSplit,
};

/// The canary strategy.
#[derive(Debug, Clone, Copy, Default)]
pub struct Canary;

/// `DefaultScaleDownDelaySeconds`: how long the old stable keeps its
/// pods after a promotion under traffic routing.
pub const DEFAULT_CANARY_SCALE_DOWN_DELAY_SECONDS: i32 = 30;

fn argo(v: IntOrPercent) -> ArgoIntOrPercent {
    match v {
        IntOrPercent::Int(i) => ArgoIntOrPercent::Int(i),
        IntOrPercent::Percent(p) => ArgoIntOrPercent::Percent(p),
    }
}

/// The arithmetic's view of a canary Rollout.
pub fn canary_view(cx: &Cx<'_>, c: &CanaryStrategy) -> CanaryRollout {
    CanaryRollout {
        replicas: Some(cx.ro.replicas),
        max_surge: c.max_surge.map(argo),
        max_unavailable: c.max_unavailable.map(argo),
        steps: c
            .steps
            .iter()
            .map(|s| match s {
                CanaryStepSpec::SetWeight(w) => CanaryStep {
                    set_weight: Some(*w),
                    set_canary_scale: None,
                },
                CanaryStepSpec::SetCanaryScale {
                    replicas,
                    weight,
                    match_traffic_weight,
                } => CanaryStep {
                    set_weight: None,
                    set_canary_scale: Some(SetCanaryScale {
                        replicas: *replicas,
                        weight: *weight,
                        match_traffic_weight: *match_traffic_weight,
                    }),
                },
                _ => CanaryStep::default(),
            })
            .collect(),
        traffic_routing: c.traffic_routing.map(|t| TrafficRouting {
            max_traffic_weight: t.max_traffic_weight,
        }),
        dynamic_stable_scale: c.dynamic_stable_scale,
        min_pods_per_replica_set: c.min_pods_per_replica_set,
        abort_scale_down_delay_seconds: c.abort_scale_down_delay_seconds,
        replica_progress_threshold: None,
        status: CanaryStatus {
            current_step_index: cx.status.current_step_index,
            abort: cx.status.abort,
            promote_full: cx.status.promote_full,
            stable_rs: cx.status.stable_rs.clone(),
            current_pod_hash: cx.status.current_pod_hash.clone(),
        },
    }
}

fn counts(cx: &Cx<'_>, rs: ReplicaSetId) -> ReplicaSetCounts {
    let r = cx.store.replica_set(rs);
    ReplicaSetCounts {
        id: rs.0,
        spec_replicas: r.replicas,
        available_replicas: r.status.available_replicas,
        replicas: r.status.replicas,
    }
}

impl Strategy for Canary {
    fn reconcile(&self, cx: &mut Cx<'_>) {
        let RolloutStrategy::Canary(c) = cx.ro.strategy.clone() else {
            return;
        };
        let steps = i32::try_from(c.steps.len()).unwrap_or(i32::MAX);
        if cx.status.current_pod_hash == cx.status.stable_rs {
            // Nothing to release: the steps are done.
            cx.status.current_step_index = (steps > 0).then_some(steps);
        } else if cx.status.current_step_index.is_none() && steps > 0 {
            cx.status.current_step_index = Some(0);
        }
        // Each pass scales, then tries the current step; a step that
        // completes lets the next one act in the same sync.
        for _ in 0..=c.steps.len() + 1 {
            scale(cx, &c);
            // `promote --full` skips the remaining steps and analysis.
            if cx.status.abort
                || cx.status.promote_full
                || cx.status.current_pod_hash == cx.status.stable_rs
            {
                break;
            }
            background_analysis(cx, &c);
            if cx.status.abort || !step(cx, &c) {
                break;
            }
        }
        services(cx, &c);
        if !cx.status.abort && cx.status.current_pod_hash != cx.status.stable_rs {
            should_full_promote(cx, &c);
            if cx.status.current_pod_hash == cx.status.stable_rs {
                scale(cx, &c);
                services(cx, &c);
            }
        }
    }
}

/// Scales the new, stable and older ReplicaSets
/// (`reconcileNewReplicaSet`, `reconcileStableRS`,
/// `reconcileOldReplicaSetsCanary`).
fn scale(cx: &mut Cx<'_>, c: &CanaryStrategy) {
    let view = canary_view(cx, c);
    let new = counts(cx, cx.new_rs);
    let stable = cx.stable_rs.map(|rs| counts(cx, rs));
    let olds: Vec<ReplicaSetCounts> = cx.old.iter().map(|&rs| counts(cx, rs)).collect();
    let routed = c.traffic_routing.is_some();
    let weights = TrafficWeights {
        canary: cx.status.canary_weight,
        stable: view.max_traffic_weight() - cx.status.canary_weight,
    };
    let (mut want_new, want_stable) = if routed {
        calculate_replica_counts_for_traffic_routed_canary(
            &view,
            Some(&new),
            stable.as_ref(),
            Some(&weights),
        )
    } else {
        calculate_replica_counts_for_basic_canary(&view, Some(&new), stable.as_ref(), &olds)
    };
    // An aborted canary under traffic routing keeps its pods for
    // `abortScaleDownDelaySeconds` (0: for good).
    if cx.status.abort && routed {
        let (delay, _) = view.abort_scale_down_delay();
        let since = cx.status.aborted_at.unwrap_or(cx.now);
        match delay {
            None => want_new = new.spec_replicas,
            Some(d) => {
                let at = since.saturating_add(SimTime::from_secs(u64::try_from(d).unwrap_or(0)));
                if cx.now < at {
                    want_new = new.spec_replicas;
                    cx.wake.push(at);
                }
            }
        }
    }
    cx.scale(cx.new_rs, want_new);
    if let Some(s) = cx.stable_rs {
        cx.scale(s, want_stable);
    }
    scale_down_old(cx, view.max_unavailable(), routed);
}

/// `scaleDownOldReplicaSetsForCanary`: older ReplicaSets go, their
/// unavailable pods first, the available ones as far as `maxUnavailable`
/// allows (with traffic routing they serve nothing: at once).
fn scale_down_old(cx: &mut Cx<'_>, max_unavailable: i32, routed: bool) {
    let all: Vec<ReplicaSetId> = cx.st.replica_sets.clone();
    let available: i32 = all
        .iter()
        .map(|&rs| cx.store.replica_set(rs).status.available_replicas)
        .sum();
    let min_available = cx.ro.replicas.saturating_sub(max_unavailable);
    let mut budget = (available - min_available).max(0);
    for rs in cx.old.clone() {
        let r = cx.store.replica_set(rs);
        let spec = r.replicas;
        if spec == 0 {
            continue;
        }
        let unavailable = (spec - r.status.available_replicas).max(0);
        // Under traffic routing the old stable keeps its pods for
        // `scaleDownDelaySeconds` after the promotion (the router may
        // still send it requests).
        if let Some(at) = cx.st.scale_down_at.get(&rs).copied() {
            if cx.now < at {
                cx.wake.push(at);
                continue;
            }
        }
        let cut = if routed {
            spec
        } else {
            let c = (unavailable + budget).min(spec);
            budget -= (c - unavailable).max(0);
            c
        };
        cx.scale(rs, spec - cut);
    }
}

/// The current step: `true` if it completed (the index moved on).
fn step(cx: &mut Cx<'_>, c: &CanaryStrategy) -> bool {
    let Some(index) = cx.status.current_step_index else {
        return false;
    };
    let Some(spec) = usize::try_from(index).ok().and_then(|i| c.steps.get(i)) else {
        return false;
    };
    if cx.ro.paused {
        return false;
    }
    let done = match spec {
        CanaryStepSpec::SetWeight(_) | CanaryStepSpec::SetCanaryScale { .. } => {
            let view = canary_view(cx, c);
            let new = counts(cx, cx.new_rs);
            let stable = cx.stable_rs.map(|rs| counts(cx, rs));
            let olds: Vec<ReplicaSetCounts> = cx.old.iter().map(|&rs| counts(cx, rs)).collect();
            let weights = TrafficWeights {
                canary: cx.status.canary_weight,
                stable: view.max_traffic_weight() - cx.status.canary_weight,
            };
            at_desired_replica_counts_for_canary(
                &view,
                Some(&new),
                stable.as_ref(),
                &olds,
                Some(&weights),
            )
        }
        CanaryStepSpec::Pause { duration } => pause_step(cx, *duration),
        CanaryStepSpec::Analysis(a) => {
            let phase = cx.analysis(RunKind::Step(index), a);
            phase.completed() && cx.judge(RunKind::Step(index), phase)
        }
    };
    if !done {
        return false;
    }
    let n = c.steps.len();
    let what = describe(spec);
    cx.events.push(kubesim_core::KubeEvent::normal(
        cx.now,
        "RolloutStepCompleted",
        cx.object(),
        format!("Rollout step {}/{n} completed ({what})", index + 1),
    ));
    cx.status.current_step_index = Some(index + 1);
    cx.status.controller_pause = false;
    true
}

/// `CompletedCanaryPauseStep`: a duration ran out, or a `promote`
/// removed the pause condition the controller set.
fn pause_step(cx: &mut Cx<'_>, duration: Option<SimTime>) -> bool {
    match cx.status.paused_for(PauseReason::CanaryPauseStep).copied() {
        None if cx.status.controller_pause => true,
        None => {
            cx.add_pause(PauseReason::CanaryPauseStep);
            if let Some(d) = duration {
                cx.wake.push(cx.now.saturating_add(d));
                if d == SimTime::ZERO {
                    cx.status.pause_conditions.clear();
                    return true;
                }
            }
            false
        }
        Some(p) => match duration {
            Some(d) if cx.now >= p.start_time.saturating_add(d) => {
                cx.status
                    .pause_conditions
                    .retain(|c| c.reason != PauseReason::CanaryPauseStep);
                true
            }
            Some(d) => {
                cx.wake.push(p.start_time.saturating_add(d));
                false
            }
            None => false,
        },
    }
}

fn describe(s: &CanaryStepSpec) -> String {
    match s {
        CanaryStepSpec::SetWeight(w) => format!("setWeight: {w}"),
        CanaryStepSpec::Pause { duration: Some(d) } => format!("pause: {d}"),
        CanaryStepSpec::Pause { duration: None } => "pause".into(),
        CanaryStepSpec::SetCanaryScale { .. } => "setCanaryScale".into(),
        CanaryStepSpec::Analysis(_) => "analysis".into(),
    }
}

/// Background analysis (`reconcileBackgroundAnalysisRun`): from
/// `startingStep` on, until the release completes.
fn background_analysis(cx: &mut Cx<'_>, c: &CanaryStrategy) {
    let Some(a) = &c.analysis else { return };
    let index = cx.status.current_step_index.unwrap_or(0);
    if index < a.starting_step.unwrap_or(0) {
        return;
    }
    let phase = cx.analysis(RunKind::Background, a);
    if phase.completed() && phase != AnalysisPhase::Successful {
        cx.judge(RunKind::Background, phase);
    }
}

/// `shouldFullPromote` for a canary: every step done (or `promote
/// --full`) and the new ReplicaSet fully available.
fn should_full_promote(cx: &mut Cx<'_>, c: &CanaryStrategy) {
    let new = cx.store.replica_set(cx.new_rs).status;
    if new.available_replicas != cx.ro.replicas {
        return;
    }
    let steps = c.steps.len();
    let all = steps == 0
        || cx
            .status
            .current_step_index
            .is_some_and(|i| usize::try_from(i).is_ok_and(|i| i >= steps));
    let former = cx.stable_rs;
    if cx.status.promote_full {
        cx.promote_stable("Full promotion requested");
    } else if all {
        cx.promote_stable(&format!("Completed all {steps} canary steps"));
    }
    if let (Some(rs), Some(_), true) = (former, c.traffic_routing, cx.stable_rs.is_none()) {
        let delay = c
            .scale_down_delay_seconds
            .unwrap_or(DEFAULT_CANARY_SCALE_DOWN_DELAY_SECONDS);
        let at = cx
            .now
            .saturating_add(SimTime::from_secs(u64::try_from(delay).unwrap_or(0)));
        cx.st.scale_down_at.insert(rs, at);
    }
    if cx.status.current_pod_hash == cx.status.stable_rs {
        cx.terminate_analysis(RunKind::Background);
        if steps > 0 {
            cx.status.current_step_index = i32::try_from(steps).ok();
        }
    }
}

/// The stable and canary Services' selectors and the traffic split
/// (`reconcileStableAndCanaryService`, `reconcileTrafficRouting`), and
/// `status.canary_weight`.
fn services(cx: &mut Cx<'_>, c: &CanaryStrategy) {
    let new_hash = rs_hash(cx.store, cx.new_rs).to_string();
    let stable_hash = cx.status.stable_rs.clone();
    let routed = c.traffic_routing.is_some();
    if let Some(svc) = c.canary_service.as_deref().and_then(|n| cx.service(n)) {
        // Aborted: the canary Service goes back to the stable pods.
        let hash = if cx.status.abort {
            &stable_hash
        } else {
            &new_hash
        };
        cx.point_service(svc, hash);
    }
    // Under traffic routing kubesim's router is the stable Service itself
    // (it keeps selecting both revisions and splits by weight); without,
    // the stable Service selects the stable pods only.
    let stable_svc = c.stable_service.as_deref().and_then(|n| cx.service(n));
    if let (Some(svc), false) = (stable_svc, routed) {
        cx.point_service(svc, &stable_hash);
    }
    let view = canary_view(cx, c);
    if routed {
        let promoted = cx.status.current_pod_hash == cx.status.stable_rs;
        let weight = if promoted {
            0
        } else if cx.status.promote_full {
            view.max_traffic_weight()
        } else {
            let new = counts(cx, cx.new_rs);
            let stable = cx.stable_rs.map(|rs| counts(cx, rs));
            get_desired_canary_weight(&view, Some(&new), stable.as_ref())
        };
        let max = view.max_traffic_weight().max(1);
        let percent = (i64::from(weight.clamp(0, max)) * 100 / i64::from(max)) as i32;
        if percent != cx.status.canary_weight {
            cx.events.push(kubesim_core::KubeEvent::normal(
                cx.now,
                "TrafficWeightUpdated",
                cx.object(),
                format!(
                    "Traffic weight updated from {} to {percent}",
                    cx.status.canary_weight
                ),
            ));
        }
        cx.status.canary_weight = percent;
        if let Some(svc) = stable_svc {
            // Once promoted the new ReplicaSet is the stable one: every
            // request goes to it (the old one may keep pods for
            // `scaleDownDelaySeconds`, serving nothing).
            let split = Some(TrafficSplit {
                canary: cx.new_rs,
                canary_weight_percent: if promoted {
                    100
                } else {
                    u32::try_from(percent).unwrap_or(0)
                },
            });
            if cx.store.service_traffic_split(svc) != split {
                cx.store.set_service_traffic_split(svc, split);
            }
        }
    } else {
        // Without a router, the canary's share is its share of the
        // ready pods (kube-proxy spreads requests evenly).
        let ready: i32 = cx
            .st
            .replica_sets
            .iter()
            .map(|&rs| cx.store.replica_set(rs).status.ready_replicas)
            .sum();
        let new_ready = cx.store.replica_set(cx.new_rs).status.ready_replicas;
        cx.status.canary_weight = if cx.status.current_pod_hash == cx.status.stable_rs || ready == 0
        {
            0
        } else {
            ((i64::from(new_ready) * 100 + i64::from(ready) / 2) / i64::from(ready)) as i32
        };
    }
}
