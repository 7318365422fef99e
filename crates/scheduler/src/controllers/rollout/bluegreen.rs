//! The blue-green strategy (argo-rollouts `rollout/bluegreen.go`,
//! `rollout/service.go`, `rollout/pause.go`): the new ReplicaSet runs
//! beside the active one — at `previewReplicaCount` until promotion,
//! then at full size — behind the preview Service; once it is fully
//! available, pre-promotion analysis passed and any pause ended
//! (`autoPromotionEnabled: false` waits for `promote`;
//! `autoPromotionSeconds` for that long), the active Service switches to
//! it; post-promotion analysis runs; the new ReplicaSet becomes stable;
//! the old one is scaled down `scaleDownDelaySeconds` after the switch.
//!
//! Invariant: reads and writes go through [`Cx`]; the active Service
//! only ever points at a ReplicaSet that was fully available when it
//! switched (or at the first one).

use super::analysis::AnalysisPhase;
use super::controller::{rs_hash, Cx, RunKind, Strategy, BLUE_GREEN_ABORT_SCALE_DOWN_DELAY};
use kubesim_core::{BlueGreenStrategy, PauseReason, ReplicaSetId, RolloutStrategy, SimTime};

/// The blue-green strategy.
#[derive(Debug, Clone, Copy, Default)]
pub struct BlueGreen;

impl Strategy for BlueGreen {
    fn reconcile(&self, cx: &mut Cx<'_>) {
        let RolloutStrategy::BlueGreen(b) = cx.ro.strategy.clone() else {
            return;
        };
        let hash = cx.status.current_pod_hash.clone();
        let active = cx.service(&b.active_service);
        let preview = b.preview_service.as_deref().and_then(|n| cx.service(n));
        let replicas = cx.ro.replicas;
        // The first release goes straight to the active Service.
        if cx.status.active_selector.is_empty() {
            cx.status.active_selector = hash.clone();
        }
        if cx.status.abort {
            abort(cx, &b, active, preview);
            return;
        }
        if cx.status.active_selector != hash {
            pre_promotion(cx, &b, preview);
        }
        if cx.status.active_selector == hash {
            cx.scale(cx.new_rs, replicas);
            if let Some(p) = preview {
                cx.point_service(p, &hash);
            }
            if let Some(a) = active {
                cx.point_service(a, &hash);
            }
            post_promotion(cx, &b);
        }
        scale_down_old(cx, &b);
    }
}

/// Before the switch: the preview at its count, the preview Service on
/// it, analysis, the pause, and the switch when everything allows.
fn pre_promotion(cx: &mut Cx<'_>, b: &BlueGreenStrategy, preview: Option<kubesim_core::ServiceId>) {
    let hash = cx.status.current_pod_hash.clone();
    let replicas = cx.ro.replicas;
    // `NewRSNewReplicas` for blue-green.
    let want = match b.preview_replica_count {
        Some(n) if !cx.status.scale_up_preview_check_point => n.min(replicas),
        _ => replicas,
    };
    cx.scale(cx.new_rs, want);
    if let Some(p) = preview {
        cx.point_service(p, &hash);
    }
    if let Some(active_rs) = active_rs(cx) {
        cx.scale(active_rs, replicas);
    }
    let new = cx.store.replica_set(cx.new_rs).status;
    let ready = new.available_replicas >= want && cx.store.replica_set(cx.new_rs).replicas == want;
    if !ready || cx.ro.paused {
        return;
    }
    if let Some(a) = &b.pre_promotion_analysis {
        let phase = cx.analysis(RunKind::PrePromotion, a);
        if !phase.completed() || !cx.judge(RunKind::PrePromotion, phase) {
            return;
        }
    }
    // `reconcileBlueGreenPause`.
    let pauses = !b.auto_promotion_enabled || b.auto_promotion_seconds.is_some();
    if pauses && !cx.status.scale_up_preview_check_point {
        match cx.status.paused_for(PauseReason::BlueGreenPause).copied() {
            None if !cx.status.controller_pause => {
                cx.add_pause(PauseReason::BlueGreenPause);
                if let Some(s) = b.auto_promotion_seconds {
                    let at = cx.now.saturating_add(secs(s));
                    cx.wake.push(at);
                }
                return;
            }
            Some(p) => match b.auto_promotion_seconds {
                Some(s)
                    if b.auto_promotion_enabled
                        && cx.now >= p.start_time.saturating_add(secs(s)) =>
                {
                    cx.remove_pause(PauseReason::BlueGreenPause);
                }
                Some(s) if b.auto_promotion_enabled => {
                    cx.wake.push(p.start_time.saturating_add(secs(s)));
                    return;
                }
                _ => return,
            },
            None => {}
        }
    }
    // `scaleUpPreviewCheckPoint`: the preview grows to full size first.
    if want < replicas {
        cx.status.scale_up_preview_check_point = true;
        cx.scale(cx.new_rs, replicas);
        return;
    }
    switch_active(cx, b);
}

/// The active Service moves to the new ReplicaSet; the previous active
/// one is scaled down after `scaleDownDelaySeconds`.
fn switch_active(cx: &mut Cx<'_>, b: &BlueGreenStrategy) {
    let previous = active_rs(cx);
    let hash = cx.status.current_pod_hash.clone();
    cx.status.active_selector = hash.clone();
    cx.status.controller_pause = false;
    cx.status.scale_up_preview_check_point = false;
    if let Some(a) = cx.service(&b.active_service) {
        cx.point_service(a, &hash);
    }
    if let Some(rs) = previous {
        let at = cx.now.saturating_add(secs(b.scale_down_delay_seconds));
        cx.st.scale_down_at.insert(rs, at);
        cx.wake.push(at);
    }
}

/// After the switch: post-promotion analysis, then the new ReplicaSet
/// is stable (`shouldFullPromote`).
fn post_promotion(cx: &mut Cx<'_>, b: &BlueGreenStrategy) {
    if cx.status.stable_rs == cx.status.current_pod_hash {
        return;
    }
    if let Some(a) = &b.post_promotion_analysis {
        let phase = cx.analysis(RunKind::PostPromotion, a);
        if !phase.completed() || !cx.judge(RunKind::PostPromotion, phase) {
            return;
        }
    }
    cx.promote_stable("Completed blue-green update");
}

/// Aborted: the active and preview Services go back to the stable
/// ReplicaSet, which is scaled up again; the new one is scaled down
/// after the abort delay (30 s).
fn abort(
    cx: &mut Cx<'_>,
    b: &BlueGreenStrategy,
    active: Option<kubesim_core::ServiceId>,
    preview: Option<kubesim_core::ServiceId>,
) {
    let stable = cx.status.stable_rs.clone();
    if stable != cx.status.current_pod_hash {
        cx.status.active_selector = stable.clone();
        for s in [active, preview].into_iter().flatten() {
            cx.point_service(s, &stable);
        }
        if let Some(s) = cx.stable_rs {
            cx.scale(s, cx.ro.replicas);
            cx.st.scale_down_at.remove(&s);
        }
        let delay = match b.abort_scale_down_delay_seconds {
            None => Some(BLUE_GREEN_ABORT_SCALE_DOWN_DELAY),
            Some(0) => None,
            Some(s) => Some(secs(s)),
        };
        if let Some(delay) = delay {
            let at = cx.status.aborted_at.unwrap_or(cx.now).saturating_add(delay);
            if cx.now >= at {
                cx.scale(cx.new_rs, 0);
            } else {
                cx.wake.push(at);
            }
        }
    }
    scale_down_old(cx, b);
}

/// The ReplicaSet the active Service points at, other than the new one.
fn active_rs(cx: &Cx<'_>) -> Option<ReplicaSetId> {
    let sel = &cx.status.active_selector;
    cx.st
        .replica_sets
        .iter()
        .copied()
        .find(|&rs| rs != cx.new_rs && rs_hash(cx.store, rs) == sel)
}

/// Older ReplicaSets: scaled down at their deadline; one never active
/// (an abandoned preview) at once. The active and stable ones stay.
fn scale_down_old(cx: &mut Cx<'_>, _b: &BlueGreenStrategy) {
    let keep_active = active_rs(cx);
    let now = cx.now;
    for rs in cx.st.replica_sets.clone() {
        if rs == cx.new_rs || Some(rs) == keep_active {
            continue;
        }
        if cx.status.abort && Some(rs) == cx.stable_rs {
            continue;
        }
        match cx.st.scale_down_at.get(&rs).copied() {
            Some(at) if now < at => cx.wake.push(at),
            _ => {
                cx.scale(rs, 0);
                cx.st.scale_down_at.remove(&rs);
            }
        }
    }
    let _ = AnalysisPhase::Running;
}

fn secs(s: i32) -> SimTime {
    SimTime::from_secs(u64::try_from(s).unwrap_or(0))
}
