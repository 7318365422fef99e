//! The arithmetic of a rollout, ported from
//! pkg/controller/deployment/util/deployment_util.go (and the parts of
//! pkg/controller/controller_utils.go and
//! staging/src/k8s.io/apimachinery/pkg/util/intstr/intstr.go it uses).
//!
//! Everything here is a pure function of a [`Deployment`] and
//! [`RsView`]s — the numbers of its ReplicaSets that upstream reads from
//! `spec` and `status` — so the upstream table tests run on it directly.

use kubesim_core::{
    Deployment, DeploymentStatus, DeploymentStrategy, IntOrPercent, Labels, PodConditionType,
    PodEntry, PodTemplate, ReplicaSetId, SimTime,
};
use std::cmp::Ordering;

/// `RevisionAnnotation`: a ReplicaSet's (and its Deployment's) revision.
pub const REVISION_ANNOTATION: &str = "deployment.kubernetes.io/revision";
/// `DesiredReplicasAnnotation`: the Deployment's replicas when it last
/// scaled this ReplicaSet.
pub const DESIRED_REPLICAS_ANNOTATION: &str = "deployment.kubernetes.io/desired-replicas";
/// `MaxReplicasAnnotation`: replicas + maxSurge when it last scaled it.
pub const MAX_REPLICAS_ANNOTATION: &str = "deployment.kubernetes.io/max-replicas";
/// `RevisionHistoryAnnotation`: the revisions a reused ReplicaSet had
/// before (a rollback), oldest first, comma-separated.
pub const REVISION_HISTORY_ANNOTATION: &str = "deployment.kubernetes.io/revision-history";
/// `maxRevHistoryLengthInChars` (sync.go): the longest revision history.
pub const MAX_REV_HISTORY_LENGTH_IN_CHARS: usize = 2000;
/// `DefaultDeploymentUniqueLabelKey`.
pub const POD_TEMPLATE_HASH_LABEL: &str = "pod-template-hash";

/// Reasons of the `Progressing` condition (deployment_util.go).
pub mod reasons {
    /// `NewRSNewReplicasReason`… `NewReplicaSetReason`.
    pub const NEW_REPLICA_SET: &str = "NewReplicaSetCreated";
    /// `FoundNewRSReason`.
    pub const FOUND_NEW_REPLICA_SET: &str = "FoundNewReplicaSet";
    /// `ReplicaSetUpdatedReason`.
    pub const REPLICA_SET_UPDATED: &str = "ReplicaSetUpdated";
    /// `NewRSAvailableReason`.
    pub const NEW_RS_AVAILABLE: &str = "NewReplicaSetAvailable";
    /// `TimedOutReason`.
    pub const TIMED_OUT: &str = "ProgressDeadlineExceeded";
    /// `PausedDeployReason`.
    pub const PAUSED: &str = "DeploymentPaused";
    /// `ResumedDeployReason`.
    pub const RESUMED: &str = "DeploymentResumed";
}

/// One ReplicaSet as the rollout arithmetic reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RsView {
    /// The ReplicaSet.
    pub id: ReplicaSetId,
    /// `metadata.name` (the creation-order tie-break).
    pub name: String,
    /// `metadata.creationTimestamp`.
    pub created: SimTime,
    /// `spec.replicas`.
    pub replicas: i32,
    /// `status.replicas`.
    pub status_replicas: i32,
    /// `status.readyReplicas`.
    pub ready: i32,
    /// `status.availableReplicas`.
    pub available: i32,
    /// `status.terminatingReplicas`.
    pub terminating: i32,
    /// The `desired-replicas` annotation.
    pub desired_annotation: Option<i32>,
    /// The `max-replicas` annotation.
    pub max_annotation: Option<i32>,
}

impl RsView {
    /// A view with the given `spec.replicas` and nothing else (tests).
    pub fn new(id: u32, created_s: u64, replicas: i32) -> Self {
        RsView {
            id: ReplicaSetId(id),
            name: String::new(),
            created: SimTime::from_secs(created_s),
            replicas,
            status_replicas: 0,
            ready: 0,
            available: 0,
            terminating: 0,
            desired_annotation: None,
            max_annotation: None,
        }
    }
}

/// A change of a ReplicaSet's `spec.replicas` decided by the controller:
/// `scaleReplicaSet` (which also rewrites the replicas annotations).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScaleOp {
    /// Index of the ReplicaSet in the views.
    pub index: usize,
    /// Its `spec.replicas` before.
    pub from: i32,
    /// After.
    pub to: i32,
    /// `scalingOperation` "up" (else "down").
    pub up: bool,
}

/// `intstr.GetScaledValueFromIntOrPercent`: a number as is, a percentage
/// of `total` rounded up or down.
pub fn get_scaled_value(v: IntOrPercent, total: i32, round_up: bool) -> i32 {
    match v {
        IntOrPercent::Int(n) => n,
        IntOrPercent::Percent(p) => {
            let num = i64::from(p) * i64::from(total);
            let q = if round_up {
                num.div_euclid(100) + i64::from(num.rem_euclid(100) != 0)
            } else {
                num.div_euclid(100)
            };
            q.clamp(i64::from(i32::MIN), i64::from(i32::MAX)) as i32
        }
    }
}

/// `ResolveFenceposts`: maxSurge rounds up, maxUnavailable down; absent
/// is 0; if both resolve to 0, maxUnavailable is 1 ("surge might not
/// work due to quota").
pub fn resolve_fenceposts(
    max_surge: Option<IntOrPercent>,
    max_unavailable: Option<IntOrPercent>,
    desired: i32,
) -> (i32, i32) {
    let surge = get_scaled_value(max_surge.unwrap_or(IntOrPercent::Int(0)), desired, true);
    let unavailable = get_scaled_value(
        max_unavailable.unwrap_or(IntOrPercent::Int(0)),
        desired,
        false,
    );
    if surge == 0 && unavailable == 0 {
        return (0, 1);
    }
    (surge, unavailable)
}

fn fenceposts(d: &Deployment) -> Option<(i32, i32)> {
    match d.strategy {
        DeploymentStrategy::RollingUpdate {
            max_surge,
            max_unavailable,
        } => Some(resolve_fenceposts(
            Some(max_surge),
            Some(max_unavailable),
            d.replicas,
        )),
        DeploymentStrategy::Recreate => None,
    }
}

/// `MaxUnavailable`: 0 for Recreate or no replicas, at most `replicas`.
pub fn max_unavailable(d: &Deployment) -> i32 {
    if d.replicas == 0 {
        return 0;
    }
    fenceposts(d).map_or(0, |(_, u)| u.min(d.replicas))
}

/// `MaxSurge`: 0 for Recreate.
pub fn max_surge(d: &Deployment) -> i32 {
    fenceposts(d).map_or(0, |(s, _)| s)
}

/// `GetReplicaCountForReplicaSets`: the sum of `spec.replicas`.
pub fn get_replica_count(views: &[RsView], which: &[usize]) -> i32 {
    which
        .iter()
        .fold(0i32, |a, &i| a.saturating_add(views[i].replicas))
}

/// `GetActualReplicaCountForReplicaSets`: the sum of `status.replicas`.
pub fn get_actual_replica_count(views: &[RsView], which: &[usize]) -> i32 {
    which
        .iter()
        .fold(0i32, |a, &i| a.saturating_add(views[i].status_replicas))
}

/// `GetReadyReplicaCountForReplicaSets`.
pub fn get_ready_replica_count(views: &[RsView], which: &[usize]) -> i32 {
    which
        .iter()
        .fold(0i32, |a, &i| a.saturating_add(views[i].ready))
}

/// `GetAvailableReplicaCountForReplicaSets`.
pub fn get_available_replica_count(views: &[RsView], which: &[usize]) -> i32 {
    which
        .iter()
        .fold(0i32, |a, &i| a.saturating_add(views[i].available))
}

/// `NewRSNewReplicas`: how far the new ReplicaSet may grow now.
pub fn new_rs_new_replicas(d: &Deployment, views: &[RsView], all: &[usize], new: usize) -> i32 {
    match d.strategy {
        DeploymentStrategy::Recreate => d.replicas,
        DeploymentStrategy::RollingUpdate { max_surge, .. } => {
            let surge = get_scaled_value(max_surge, d.replicas, true);
            let current = get_replica_count(views, all);
            let max_total = d.replicas.saturating_add(surge);
            let new_replicas = views[new].replicas;
            if current >= max_total {
                return new_replicas;
            }
            let up = (max_total - current).min(d.replicas - new_replicas);
            new_replicas + up
        }
    }
}

/// `IsSaturated`: the ReplicaSet has (and was asked for) all the
/// Deployment's replicas, all available.
pub fn is_saturated(d: &Deployment, rs: &RsView) -> bool {
    rs.replicas == d.replicas
        && rs.desired_annotation == Some(d.replicas)
        && rs.available == d.replicas
}

/// `getReplicaSetFraction`: the change of `rs` if every ReplicaSet grew
/// in proportion to the Deployment's new maximum.
pub fn get_replica_set_fraction(rs: &RsView, d: &Deployment) -> i32 {
    if d.replicas == 0 {
        return -rs.replicas;
    }
    let max = i64::from(d.replicas) + i64::from(max_surge(d));
    let before = match rs.max_annotation {
        Some(m) if m != 0 => i64::from(m),
        // No annotation (or scaled from zero): the current size.
        _ => i64::from(d.status.replicas),
    };
    if before == 0 {
        // Upstream would divide by zero; nothing to be proportional to.
        return 0;
    }
    let size = (i64::from(rs.replicas) * max) as f64 / before as f64;
    // `integer.RoundToInt32`: math.Round, half away from zero.
    (size.round() as i64 - i64::from(rs.replicas)).clamp(i32::MIN.into(), i32::MAX.into()) as i32
}

/// `GetProportion`: the share of `to_add` for `rs`, never beyond what is
/// left.
pub fn get_proportion(rs: &RsView, d: &Deployment, to_add: i32, added: i32) -> i32 {
    if rs.replicas == 0 || to_add == 0 || to_add == added {
        return 0;
    }
    let fraction = get_replica_set_fraction(rs, d);
    let allowed = to_add - added;
    if to_add > 0 {
        fraction.min(allowed)
    } else {
        fraction.max(allowed)
    }
}

/// A `metav1.Time` as a controller reads it back from the API: the API
/// serialises timestamps at whole seconds (RFC 3339 in JSON, `Seconds`
/// only in protobuf), so every timestamp an informer hands a controller
/// is truncated. kubesim's clock origin is a whole second
/// (`clock_origin_unix_s`), so truncating the simulated time is
/// truncating the wall time.
pub fn whole_seconds(t: SimTime) -> SimTime {
    SimTime(t.0 - t.0 % kubesim_core::NANOS_PER_SEC)
}

/// `ReplicaSetsByCreationTimestamp`: older first, on whole seconds (see
/// [`whole_seconds`]); equal timestamps by name; then by id, which only
/// decides between equal names (never two live ReplicaSets of one
/// namespace) and keeps the order total.
pub fn by_creation(a: &RsView, b: &RsView) -> Ordering {
    whole_seconds(a.created)
        .cmp(&whole_seconds(b.created))
        .then_with(|| a.name.cmp(&b.name))
        .then(a.id.cmp(&b.id))
}

/// `ReplicaSetsBySizeOlder`: larger first, then older first.
pub fn by_size_older(a: &RsView, b: &RsView) -> Ordering {
    b.replicas.cmp(&a.replicas).then_with(|| by_creation(a, b))
}

/// `ReplicaSetsBySizeNewer`: larger first, then newer first.
pub fn by_size_newer(a: &RsView, b: &RsView) -> Ordering {
    b.replicas.cmp(&a.replicas).then_with(|| by_creation(b, a))
}

/// `FindActiveOrLatest`: the one ReplicaSet with replicas, or, with none,
/// the new one (else the newest old one); `None` with several active.
pub fn find_active_or_latest(views: &[RsView], new: Option<usize>, old: &[usize]) -> Option<usize> {
    let mut active = new
        .into_iter()
        .chain(old.iter().copied())
        .filter(|&i| views[i].replicas > 0);
    match (active.next(), active.next()) {
        (Some(one), None) => Some(one),
        (Some(_), Some(_)) => None,
        (None, _) => new.or_else(|| {
            old.iter()
                .copied()
                .max_by(|&a, &b| by_creation(&views[a], &views[b]))
        }),
    }
}

/// `DeploymentComplete`: every replica updated and available, and no old
/// pod left.
pub fn deployment_complete(d: &Deployment, s: &DeploymentStatus) -> bool {
    s.updated_replicas == d.replicas
        && s.replicas == d.replicas
        && s.available_replicas == d.replicas
        && s.observed_generation >= d.metadata.generation
}

/// `DeploymentProgressing`: more pods updated, ready or available, or
/// fewer old ones, than at the last status.
pub fn deployment_progressing(d: &Deployment, new: &DeploymentStatus) -> bool {
    let old = &d.status;
    let old_old = old.replicas - old.updated_replicas;
    let new_old = new.replicas - new.updated_replicas;
    new.updated_replicas > old.updated_replicas
        || new_old < old_old
        || new.ready_replicas > d.status.ready_replicas
        || new.available_replicas > d.status.available_replicas
}

/// `DeploymentTimedOut`: the `Progressing` condition was last updated
/// longer than `progressDeadlineSeconds` ago (strictly, as `Before`; the
/// update time at whole seconds, `now` not).
pub fn deployment_timed_out(d: &Deployment, s: &DeploymentStatus, now: SimTime) -> bool {
    let Some(deadline) = d.progress_deadline_seconds else {
        return false;
    };
    let Some(c) = &s.progressing else {
        return false;
    };
    if c.reason == reasons::NEW_RS_AVAILABLE {
        return false;
    }
    if c.reason == reasons::TIMED_OUT {
        return true;
    }
    progress_deadline_at(c.last_update_time, deadline) < now
}

/// `LastUpdateTime + progressDeadlineSeconds`: the instant after which a
/// condition last updated at `last` has timed out. `LastUpdateTime` is a
/// `metav1.Time` the controller reads back from the API, so at whole
/// seconds ([`whole_seconds`]).
pub fn progress_deadline_at(last: SimTime, deadline_s: i32) -> SimTime {
    whole_seconds(last).saturating_add(SimTime::from_secs(u64::try_from(deadline_s).unwrap_or(0)))
}

/// `podutil.IsPodAvailable`: Ready, and for at least `min_ready_s` —
/// 1.35 compares `LastTransitionTime + minReadySeconds <= now`
/// (`Compare(now) <= 0`), the transition time at whole seconds as read
/// back from the API ([`whole_seconds`]).
pub fn is_pod_available(p: &PodEntry, min_ready_s: i32, now: SimTime) -> bool {
    if !p.is_ready() {
        return false;
    }
    if min_ready_s <= 0 {
        return true;
    }
    available_at(p, min_ready_s).is_some_and(|t| t <= now)
}

/// When a Ready pod becomes available: its Ready transition time, at
/// whole seconds, plus `min_ready_s` — the instant
/// `FindMinNextPodAvailabilityCheck` requeues the ReplicaSet for.
pub fn available_at(p: &PodEntry, min_ready_s: i32) -> Option<SimTime> {
    let c = p
        .pod()
        .status
        .conditions
        .iter()
        .find(|c| c.kind == PodConditionType::Ready && c.status)?;
    let min = SimTime::from_secs(u64::try_from(min_ready_s).unwrap_or(0));
    Some(whole_seconds(c.last_transition_time).saturating_add(min))
}

/// `EqualIgnoreHash`: templates equal but for the `pod-template-hash`
/// label.
pub fn equal_ignore_hash(a: &PodTemplate, b: &PodTemplate) -> bool {
    let strip = |l: &Labels| {
        l.iter()
            .filter(|(k, _)| k.as_str() != POD_TEMPLATE_HASH_LABEL)
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect::<Labels>()
    };
    a.annotations == b.annotations && a.spec == b.spec && strip(&a.labels) == strip(&b.labels)
}

/// `Revision`: the revision annotation as a number (0 when absent or
/// not a number).
pub fn revision(annotations: &Labels) -> i64 {
    annotations
        .get(REVISION_ANNOTATION)
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

/// `skipCopyAnnotation`: the Deployment annotations a ReplicaSet does not
/// take (`annotationsToSkip`).
pub fn skip_copy_annotation(key: &str) -> bool {
    [
        "kubectl.kubernetes.io/last-applied-configuration",
        REVISION_ANNOTATION,
        REVISION_HISTORY_ANNOTATION,
        DESIRED_REPLICAS_ANNOTATION,
        MAX_REPLICAS_ANNOTATION,
        "deprecated.deployment.rollback.to",
    ]
    .contains(&key)
}

/// The revision-history step of `SetNewReplicaSetAnnotations`: a reused
/// ReplicaSet whose revision `old_revision` is being raised appends it to
/// its `history`, dropping the oldest entries to stay within
/// `limit_chars`. `None` when the history stays as it is (one revision
/// alone would not fit).
pub fn append_revision_history(
    history: Option<&str>,
    old_revision: &str,
    limit_chars: usize,
) -> Option<String> {
    let history = history.unwrap_or("");
    let old: Vec<&str> = history.split(',').collect();
    if old[0].is_empty() {
        return Some(old_revision.to_string());
    }
    let mut total = history.len() + old_revision.len() + 1;
    let mut start = 0;
    while total > limit_chars && start < old.len() {
        total -= old[start].len() + 1;
        start += 1;
    }
    if total > limit_chars {
        return None;
    }
    let mut kept = old[start..].to_vec();
    kept.push(old_revision);
    Some(kept.join(","))
}

/// Characters `rand.SafeEncodeString` and `utilrand.String` draw from
/// (staging/src/k8s.io/apimachinery/pkg/util/rand/rand.go): no vowels, no
/// look-alikes.
pub const ALPHANUMS: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";

/// `rand.SafeEncodeString`.
pub fn safe_encode_string(s: &str) -> String {
    s.bytes()
        .map(|b| ALPHANUMS[b as usize % ALPHANUMS.len()] as char)
        .collect()
}

/// `controller.ComputeHash`: FNV-32a over the template, safe-encoded.
/// Upstream hashes a spew dump of the Go struct (and a collision count);
/// kubesim hashes [`template_fingerprint`], so the value differs from a
/// real cluster's but changes only when the template does — not when a
/// Rust type gains a field or its `Debug` output changes.
pub fn compute_hash(template: &PodTemplate) -> String {
    fnv_hash(template_fingerprint(template).bytes())
}

/// `controller.ComputeHash` with a `collisionCount`: its 8 little-endian
/// bytes (a `uint32` written into an 8-byte buffer) follow the template.
pub fn compute_hash_with_collisions(template: &PodTemplate, collisions: u32) -> String {
    let mut tail = [0u8; 8];
    tail[..4].copy_from_slice(&collisions.to_le_bytes());
    fnv_hash(template_fingerprint(template).bytes().chain(tail))
}

fn fnv_hash(bytes: impl Iterator<Item = u8>) -> String {
    let mut h: u32 = 0x811c_9dc5;
    for b in bytes {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    }
    safe_encode_string(&h.to_string())
}

/// A stable, explicit rendering of everything in a pod template that
/// kubesim models. A field added to the model must be added here too (and
/// then changes pod names, as a template change does in Kubernetes).
pub fn template_fingerprint(t: &PodTemplate) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    // Writing to a String cannot fail.
    let mut w = |args: std::fmt::Arguments<'_>| {
        let _ = out.write_fmt(args);
    };
    for (k, v) in &t.labels {
        w(format_args!("label {k}={v}\n"));
    }
    for (k, v) in &t.annotations {
        w(format_args!("annotation {k}={v}\n"));
    }
    let s = &t.spec;
    w(format_args!(
        "restartPolicy {} nodeName {} priority {} priorityClassName {} grace {}\n",
        s.restart_policy.as_str(),
        s.node_name.as_deref().unwrap_or(""),
        s.priority,
        s.priority_class_name,
        s.termination_grace_period_s
    ));
    for (k, v) in &s.node_selector {
        w(format_args!("nodeSelector {k}={v}\n"));
    }
    for tol in &s.tolerations {
        w(format_args!(
            "toleration {} {:?} {} {} {:?}\n",
            tol.key,
            tol.operator,
            tol.value,
            tol.effect.map_or("", |e| e.as_str()),
            tol.toleration_seconds
        ));
    }
    if let Some(a) = &s.node_affinity {
        let term = |t: &kubesim_core::NodeSelectorTerm| {
            let req = |r: &kubesim_core::NodeSelectorRequirement| {
                format!("{} {:?} {}", r.key, r.operator, r.values.join(","))
            };
            let e: Vec<String> = t.match_expressions.iter().map(req).collect();
            let f: Vec<String> = t.match_fields.iter().map(req).collect();
            format!("[{}][{}]", e.join(";"), f.join(";"))
        };
        for t in a.required.iter().flatten() {
            w(format_args!("required {}\n", term(t)));
        }
        for p in &a.preferred {
            w(format_args!(
                "preferred {} {}\n",
                p.weight,
                term(&p.preference)
            ));
        }
    }
    let containers = s
        .init_containers
        .iter()
        .map(|c| ("init", c))
        .chain(s.containers.iter().map(|c| ("app", c)));
    for (kind, c) in containers {
        let r = &c.resources;
        w(format_args!(
            "{kind} {} image {} restart {} cpu {:?}/{:?} memory {:?}/{:?} extended {:?}/{:?}\n",
            c.name,
            c.image,
            c.restart_policy.map_or("", |p| p.as_str()),
            r.cpu_request_m.map(|m| m.0),
            r.cpu_limit_m.map(|m| m.0),
            r.memory_request_bytes.map(|b| b.0),
            r.memory_limit_bytes.map(|b| b.0),
            r.extended_requests,
            r.extended_limits
        ));
        // Fields added later are written only when set, so that templates
        // without them keep their hash.
        for (probe, p) in [
            ("startupProbe", c.startup_probe),
            ("livenessProbe", c.liveness_probe),
            ("readinessProbe", c.readiness_probe),
        ] {
            if let Some(p) = p {
                w(format_args!("  {probe} {p:?}\n"));
            }
        }
        if let Some(h) = c.pre_stop {
            w(format_args!("  preStop {h:?}\n"));
        }
        if let Some(p) = c.image_pull_policy {
            w(format_args!("  imagePullPolicy {}\n", p.as_str()));
        }
    }
    out
}

#[cfg(test)]
mod tests;
