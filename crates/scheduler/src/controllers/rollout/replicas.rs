//! How many pods the canary and the stable ReplicaSet of an Argo Rollout
//! should have: a port of argo-rollouts `utils/replicaset/canary.go`
//! (with the helpers it calls from `utils/replicaset/replicaset.go`,
//! `utils/defaults/defaults.go` and `utils/weightutil/weight.go`).
//!
//! Names mirror upstream so the two can be read side by side. The
//! arithmetic is upstream's: Go `int32` counts, and `math.Ceil` /
//! `math.Floor` / `math.Modf` on `float64` exactly where upstream uses
//! them. Two deliberate differences, both only where upstream would
//! overflow `int32`: sums and differences saturate instead of wrapping,
//! and the products upstream forms in `int32` before converting to
//! `float64` (`specReplicas*desiredWeight`, `canaryReplicas*maxWeight`)
//! are formed in `i64`. Float-to-integer conversions saturate (Rust's
//! `as`), where Go's are undefined out of range. Nothing here panics.

use std::fmt;

/// `DefaultReplicas`: `spec.replicas` when it is not set.
pub const DEFAULT_REPLICAS: i32 = 1;
/// `DefaultMaxSurge` (`"25"`, read as 25 % by `GetValueFromIntOrPercent`).
pub const DEFAULT_MAX_SURGE: IntOrPercent = IntOrPercent::Percent(25);
/// `DefaultMaxUnavailable` (`"25"`, read as 25 %).
pub const DEFAULT_MAX_UNAVAILABLE: IntOrPercent = IntOrPercent::Percent(25);
/// `DefaultAbortScaleDownDelaySeconds`.
pub const DEFAULT_ABORT_SCALE_DOWN_DELAY_SECONDS: i32 = 30;
/// The traffic weight of "everything" unless `maxTrafficWeight` says
/// otherwise (`weightutil.MaxTrafficWeight`).
pub const DEFAULT_MAX_TRAFFIC_WEIGHT: i32 = 100;

/// An `intstr.IntOrString` as `maxSurge` / `maxUnavailable` use it: a
/// count, or a percentage of the replicas.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IntOrPercent {
    /// An absolute count (a YAML integer).
    Int(i32),
    /// A percentage (a YAML string).
    Percent(i32),
}

/// A string `maxSurge` / `maxUnavailable` that is not a number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid value {0:?}: not an integer or a percentage")]
pub struct IntOrPercentError(pub String);

impl IntOrPercent {
    /// Reads the string form as argo-rollouts does: through apimachinery's
    /// deprecated `GetValueFromIntOrPercent`, which removes every `%` and
    /// takes the rest (Go's `strconv.Atoi`) as a percentage — so `"1"`
    /// is 1 %, not one pod (argo-rollouts issue #4567).
    pub fn parse_string(s: &str) -> Result<Self, IntOrPercentError> {
        let digits = s.replace('%', "");
        digits
            .parse::<i32>()
            .map(IntOrPercent::Percent)
            .map_err(|_| IntOrPercentError(s.to_string()))
    }

    /// `GetValueFromIntOrPercent(v, total, roundUp)`: a percentage of
    /// `total`, rounded up or down on `float64`.
    pub fn value(self, total: i32, round_up: bool) -> i32 {
        match self {
            IntOrPercent::Int(v) => v,
            IntOrPercent::Percent(p) => {
                let exact = f64::from(p) * f64::from(total) / 100.0;
                let rounded = if round_up {
                    exact.ceil()
                } else {
                    exact.floor()
                };
                rounded as i32
            }
        }
    }
}

impl fmt::Display for IntOrPercent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IntOrPercent::Int(v) => write!(f, "{v}"),
            IntOrPercent::Percent(p) => write!(f, "{p}%"),
        }
    }
}

/// `resolveFenceposts`: surge rounds up, unavailable down; an unset value
/// counts as 0; when both come to 0, unavailable is 1 (so that a rollout
/// can always move).
pub fn resolve_fenceposts(
    max_surge: Option<IntOrPercent>,
    max_unavailable: Option<IntOrPercent>,
    desired: i32,
) -> (i32, i32) {
    let surge = max_surge
        .unwrap_or(IntOrPercent::Int(0))
        .value(desired, true);
    let mut unavailable = max_unavailable
        .unwrap_or(IntOrPercent::Int(0))
        .value(desired, false);
    if surge == 0 && unavailable == 0 {
        unavailable = 1;
    }
    (surge, unavailable)
}

/// `spec.strategy.canary.trafficRouting`: only whether it is there
/// matters (any provider block), and its `maxTrafficWeight`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TrafficRouting {
    /// `maxTrafficWeight` (default 100).
    pub max_traffic_weight: Option<i32>,
}

/// `setCanaryScale` of a canary step.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SetCanaryScale {
    /// `replicas`: an explicit canary count.
    pub replicas: Option<i32>,
    /// `weight`: a canary count as a weight of `spec.replicas`.
    pub weight: Option<i32>,
    /// `matchTrafficWeight`: back to following `setWeight`.
    pub match_traffic_weight: bool,
}

/// The fields of a canary step this arithmetic reads; a `pause` or
/// `analysis` step has neither.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CanaryStep {
    /// `setWeight`.
    pub set_weight: Option<i32>,
    /// `setCanaryScale`.
    pub set_canary_scale: Option<SetCanaryScale>,
}

/// The fields of a Rollout's status this arithmetic reads.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CanaryStatus {
    /// `currentStepIndex` (unset reads as 0).
    pub current_step_index: Option<i32>,
    /// `abort`.
    pub abort: bool,
    /// `promoteFull`.
    pub promote_full: bool,
    /// `stableRS`: the stable pod-template hash ("" before the first
    /// release completed).
    pub stable_rs: String,
    /// `currentPodHash`: the pod-template hash of the current template.
    pub current_pod_hash: String,
}

/// The fields of a canary Rollout (spec and status) this arithmetic reads.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CanaryRollout {
    /// `spec.replicas` (unset reads as [`DEFAULT_REPLICAS`]).
    pub replicas: Option<i32>,
    /// `maxSurge` (unset reads as [`DEFAULT_MAX_SURGE`]).
    pub max_surge: Option<IntOrPercent>,
    /// `maxUnavailable` (unset reads as [`DEFAULT_MAX_UNAVAILABLE`]).
    pub max_unavailable: Option<IntOrPercent>,
    /// `steps`.
    pub steps: Vec<CanaryStep>,
    /// `trafficRouting`.
    pub traffic_routing: Option<TrafficRouting>,
    /// `dynamicStableScale`.
    pub dynamic_stable_scale: bool,
    /// `minPodsPerReplicaSet` (only with traffic routing).
    pub min_pods_per_replica_set: Option<i32>,
    /// `abortScaleDownDelaySeconds`.
    pub abort_scale_down_delay_seconds: Option<i32>,
    /// `replicaProgressThreshold` (unset: every desired canary pod
    /// available).
    pub replica_progress_threshold: Option<ReplicaProgressThreshold>,
    /// The status fields.
    pub status: CanaryStatus,
}

/// The counts of a ReplicaSet this arithmetic reads.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReplicaSetCounts {
    /// Which ReplicaSet (kubesim's `ReplicaSetId` number; upstream
    /// compares names).
    pub id: u32,
    /// `spec.replicas`.
    pub spec_replicas: i32,
    /// `status.availableReplicas`.
    pub available_replicas: i32,
    /// `status.replicas`: the pods it has now.
    pub replicas: i32,
}

/// `replicaProgressThreshold`: how much of the canary must be available
/// before a step counts as reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplicaProgressThreshold {
    /// `type: Percent`: this percentage of the desired canary pods.
    Percent(i32),
    /// `type: Pods`: this many pods.
    Pods(i32),
}

/// The traffic weights the router reports (`status.canary.weights`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TrafficWeights {
    /// The canary's weight.
    pub canary: i32,
    /// The stable's weight.
    pub stable: i32,
}

impl CanaryRollout {
    /// `GetReplicasOrDefault(spec.replicas)`.
    pub fn spec_replicas(&self) -> i32 {
        self.replicas.unwrap_or(DEFAULT_REPLICAS)
    }

    /// `weightutil.MaxTrafficWeight`.
    pub fn max_traffic_weight(&self) -> i32 {
        self.traffic_routing
            .and_then(|t| t.max_traffic_weight)
            .unwrap_or(DEFAULT_MAX_TRAFFIC_WEIGHT)
    }

    fn fenceposts(&self) -> (i32, i32) {
        resolve_fenceposts(
            Some(self.max_surge.unwrap_or(DEFAULT_MAX_SURGE)),
            Some(self.max_unavailable.unwrap_or(DEFAULT_MAX_UNAVAILABLE)),
            self.spec_replicas(),
        )
    }

    /// `MaxSurge` for a canary Rollout.
    pub fn max_surge(&self) -> i32 {
        self.fenceposts().0
    }

    /// `MaxUnavailable` for a canary Rollout: at most `spec.replicas`,
    /// and 0 when that is 0.
    pub fn max_unavailable(&self) -> i32 {
        let replicas = self.spec_replicas();
        if replicas == 0 {
            return 0;
        }
        self.fenceposts().1.min(replicas)
    }

    /// `GetAbortScaleDownDelaySecondsOrDefault` for a canary: the delay
    /// (None: never scale the canary down, `abortScaleDownDelaySeconds:
    /// 0`) and whether it was set explicitly. Without traffic routing the
    /// delay is 0 and the field is ignored.
    pub fn abort_scale_down_delay(&self) -> (Option<i32>, bool) {
        if self.traffic_routing.is_none() {
            return (Some(0), false);
        }
        match self.abort_scale_down_delay_seconds {
            None => (Some(DEFAULT_ABORT_SCALE_DOWN_DELAY_SECONDS), false),
            Some(0) => (None, true),
            Some(s) => (Some(s), true),
        }
    }

    /// `HasExplicitAbortScaleDownDelay`: set explicitly, and not to 0.
    pub fn has_explicit_abort_scale_down_delay(&self) -> bool {
        matches!(self.abort_scale_down_delay(), (Some(_), true))
    }

    /// `GetCurrentCanaryStep`: the current step, and the current index
    /// (None without steps; the step is None past the last one).
    pub fn current_canary_step(&self) -> (Option<&CanaryStep>, Option<i32>) {
        if self.steps.is_empty() {
            return (None, None);
        }
        let index = self.status.current_step_index.unwrap_or(0);
        // A negative index (upstream would panic) reads as no step.
        let step = usize::try_from(index).ok().and_then(|i| self.steps.get(i));
        (step, Some(index))
    }

    /// The steps from the current one back to the first, newest first.
    fn steps_back_from_current(&self) -> impl Iterator<Item = &CanaryStep> {
        let (step, index) = self.current_canary_step();
        let end = match (step, index) {
            (Some(_), Some(i)) => usize::try_from(i).map_or(0, |i| i + 1),
            _ => 0,
        };
        self.steps[..end].iter().rev()
    }
}

/// `GetCurrentSetWeight`: 0 when aborted; the weight of everything past
/// the last step (or without steps); else the last `setWeight` at or
/// before the current step (0 if none).
pub fn get_current_set_weight(rollout: &CanaryRollout) -> i32 {
    if rollout.status.abort {
        return 0;
    }
    if rollout.current_canary_step().0.is_none() {
        return rollout.max_traffic_weight();
    }
    rollout
        .steps_back_from_current()
        .find_map(|s| s.set_weight)
        .unwrap_or(0)
}

/// `UseSetCanaryScale`: the `setCanaryScale` in force (the last one at or
/// before the current step), only with traffic routing; none once a
/// later one says `matchTrafficWeight`, and none when aborted unless the
/// canary is to stay up (`abortScaleDownDelaySeconds: 0`).
pub fn use_set_canary_scale(rollout: &CanaryRollout) -> Option<SetCanaryScale> {
    rollout.traffic_routing?;
    if rollout.status.abort && rollout.abort_scale_down_delay().0.is_some() {
        return None;
    }
    let scs = rollout
        .steps_back_from_current()
        .find_map(|s| s.set_canary_scale)?;
    (!scs.match_traffic_weight).then_some(scs)
}

/// `GetCanaryReplicasOrWeight`: an explicit canary count
/// (`setCanaryScale.replicas`), or the canary weight to size it by.
pub fn get_canary_replicas_or_weight(
    rollout: &CanaryRollout,
    new_rs: Option<&ReplicaSetCounts>,
    stable_rs: Option<&ReplicaSetCounts>,
) -> (Option<i32>, i32) {
    let status = &rollout.status;
    if status.promote_full
        || status.stable_rs.is_empty()
        || status.current_pod_hash == status.stable_rs
    {
        return (None, rollout.max_traffic_weight());
    }
    if let Some(scs) = use_set_canary_scale(rollout) {
        if let Some(replicas) = scs.replicas {
            return (Some(replicas), 0);
        }
        if let Some(weight) = scs.weight {
            return (None, weight);
        }
    }
    (None, get_desired_canary_weight(rollout, new_rs, stable_rs))
}

/// `GetDesiredCanaryWeight`: the current `setWeight`, except on abort
/// with `dynamicStableScale`, where the weight steps back down through
/// the `setWeight` steps as the stable comes back (so that the stable is
/// not scaled to 100 % at once).
pub fn get_desired_canary_weight(
    rollout: &CanaryRollout,
    new_rs: Option<&ReplicaSetCounts>,
    stable_rs: Option<&ReplicaSetCounts>,
) -> i32 {
    let (Some(new_rs), Some(stable_rs)) = (new_rs, stable_rs) else {
        return get_current_set_weight(rollout);
    };
    if !(rollout.status.abort && rollout.dynamic_stable_scale) {
        return get_current_set_weight(rollout);
    }
    let max_weight = rollout.max_traffic_weight();
    let replicas = rollout.spec_replicas();
    let expected_canary = replicas.saturating_sub(stable_rs.available_replicas);
    // An explicit delay holds the canary at full scale until its
    // deadline, so its size must not hold the weight up (upstream's
    // abort deadlock fix).
    let canary_replicas = if rollout.has_explicit_abort_scale_down_delay() {
        expected_canary
    } else {
        expected_canary.max(new_rs.available_replicas)
    };
    rollout
        .steps
        .iter()
        .rev()
        .filter_map(|s| s.set_weight)
        .find(|&w| traffic_weight_to_replicas(replicas, w, max_weight) < canary_replicas)
        .unwrap_or(0)
}

/// `CheckStableRSExists`: a stable ReplicaSet other than the new one.
pub fn check_stable_rs_exists(
    new_rs: Option<&ReplicaSetCounts>,
    stable_rs: Option<&ReplicaSetCounts>,
) -> bool {
    match (new_rs, stable_rs) {
        (_, None) => false,
        (None, Some(_)) => true,
        (Some(n), Some(s)) => n.id != s.id,
    }
}

/// `GetReplicaCountForReplicaSets`: the sum of `spec.replicas`.
pub fn get_replica_count_for_replica_sets<'a>(
    replica_sets: impl IntoIterator<Item = &'a ReplicaSetCounts>,
) -> i32 {
    replica_sets
        .into_iter()
        .fold(0i32, |sum, rs| sum.saturating_add(rs.spec_replicas))
}

/// `GetReplicasForScaleDown`: the replicas of `rs` that count as
/// available when deciding how far to scale down — `spec.replicas` when
/// pods beyond it are going away anyway or availability is ignored, else
/// the available ones.
pub fn get_replicas_for_scale_down(
    rs: Option<&ReplicaSetCounts>,
    ignore_availability: bool,
) -> i32 {
    let Some(rs) = rs else { return 0 };
    if rs.spec_replicas < rs.available_replicas || ignore_availability {
        return rs.spec_replicas;
    }
    rs.available_replicas
}

/// `CheckMinPodsPerReplicaSet`: with traffic routing and
/// `minPodsPerReplicaSet`, a non-zero count is at least that many (capped
/// at `spec.replicas`).
pub fn check_min_pods_per_replica_set(rollout: &CanaryRollout, count: i32) -> i32 {
    if count == 0 || rollout.traffic_routing.is_none() {
        return count;
    }
    let Some(min_pods) = rollout.min_pods_per_replica_set else {
        return count;
    };
    count.max(min_pods.min(rollout.spec_replicas()))
}

/// `trafficWeightToReplicas`: `ceil(weight × replicas / maxWeight)` on
/// `float64`.
pub fn traffic_weight_to_replicas(replicas: i32, weight: i32, max_weight: i32) -> i32 {
    (f64::from(weight) * f64::from(replicas) / f64::from(max_weight)).ceil() as i32
}

/// `floorCeilingTied`: the rounded-down and rounded-up canary counts are
/// equally far from the weight (`math.Modf`'s fraction is exactly 0.5).
fn floor_ceiling_tied(desired_weight: i32, max_weight: i32, total_replicas: i32) -> bool {
    let x = f64::from(total_replicas) * (f64::from(desired_weight) / f64::from(max_weight));
    x.fract() == 0.5
}

/// `weightDelta`: how far `canary` of `total` replicas is from the weight.
fn weight_delta(desired_weight: i32, max_weight: i32, canary: i32, total: i32) -> f64 {
    let actual = (i64::from(canary) * i64::from(max_weight)) as f64 / f64::from(total);
    (actual - f64::from(desired_weight)).abs()
}

/// `approximateWeightedCanaryStableReplicaCounts`: the canary and stable
/// counts whose ratio is closest to the weight, summing to `spec.replicas`
/// or (with surge) one more; a weight strictly between 0 and the maximum
/// never rounds the canary to 0 or the stable to 0 when there are two or
/// more pods (surge included). Among equally close options the first
/// listed wins: rounding up, then down, then the surged ones.
pub fn approximate_weighted_canary_stable_replica_counts(
    spec_replicas: i32,
    desired_weight: i32,
    max_weight: i32,
    max_surge: i32,
) -> (i32, i32) {
    if spec_replicas == 0 {
        return (0, 0);
    }
    let product = (i64::from(spec_replicas) * i64::from(desired_weight)) as f64;
    let ceil_count = (product / f64::from(max_weight)).ceil() as i32;
    let floor_count = (product / f64::from(max_weight)).floor() as i32;
    let tied = floor_ceiling_tied(desired_weight, max_weight, spec_replicas);
    let zero_allowed = desired_weight == max_weight
        || desired_weight == 0
        || (spec_replicas == 1 && max_surge == 0);

    // (canary, total) candidates, in upstream's order.
    let mut options: Vec<(i32, i32)> = Vec::with_capacity(4);
    if ceil_count < spec_replicas || zero_allowed {
        options.push((ceil_count, spec_replicas));
    }
    if !tied && (floor_count != 0 || zero_allowed) {
        options.push((floor_count, spec_replicas));
    }
    if max_surge > 0 {
        let surged = spec_replicas.saturating_add(1);
        options.push((ceil_count, surged));
        let surge_tied = floor_ceiling_tied(desired_weight, max_weight, surged);
        if !surge_tied && (floor_count != 0 || zero_allowed) {
            options.push((floor_count, surged));
        }
    }
    let Some(&first) = options.first() else {
        // Upstream: "should not get here".
        return (0, spec_replicas);
    };
    let mut best = first;
    let mut best_delta = weight_delta(desired_weight, max_weight, best.0, best.1);
    for &option in &options[1..] {
        let delta = weight_delta(desired_weight, max_weight, option.0, option.1);
        if delta < best_delta {
            best = option;
            best_delta = delta;
        }
    }
    (best.0, best.1.saturating_sub(best.0))
}

/// `CalculateReplicaCountsForBasicCanary`: the (canary, stable)
/// `spec.replicas` to set now without traffic routing, where the weight
/// is approximated by pod counts. Scale-ups are within `maxSurge`
/// (stable first, then canary); scale-downs only once older ReplicaSets
/// are gone and within `maxUnavailable` — draining whichever side the
/// weight moves away from, without counting on its availability.
pub fn calculate_replica_counts_for_basic_canary(
    rollout: &CanaryRollout,
    new_rs: Option<&ReplicaSetCounts>,
    stable_rs: Option<&ReplicaSetCounts>,
    old_rss: &[ReplicaSetCounts],
) -> (i32, i32) {
    let spec_replicas = rollout.spec_replicas();
    let (_, desired_weight) = get_canary_replicas_or_weight(rollout, new_rs, stable_rs);
    let max_surge = rollout.max_surge();
    let max_weight = rollout.max_traffic_weight();
    let (mut desired_new, mut desired_stable) = approximate_weighted_canary_stable_replica_counts(
        spec_replicas,
        desired_weight,
        max_weight,
        max_surge,
    );

    let mut new_count = new_rs.map_or(0, |rs| rs.spec_replicas);
    let mut stable_count = 0;
    let scale_stable = check_stable_rs_exists(new_rs, stable_rs);
    let stable = stable_rs.filter(|_| scale_stable);
    match stable {
        Some(rs) => stable_count = rs.spec_replicas,
        // No stable (or it is the new one): no steps, straight to 100 %.
        None => {
            desired_new = spec_replicas;
            desired_stable = 0;
        }
    }

    let max_allowed = spec_replicas.saturating_add(max_surge);
    let total = get_replica_count_for_replica_sets(old_rss.iter().chain(new_rs).chain(stable));
    let mut scale_up = max_allowed.saturating_sub(total);

    if let Some(rs) = stable {
        if rs.spec_replicas < desired_stable && scale_up > 0 {
            (stable_count, scale_up) = scale_up_towards(rs.spec_replicas, desired_stable, scale_up);
        }
    }
    if let Some(rs) = new_rs {
        if rs.spec_replicas < desired_new && scale_up > 0 {
            new_count = scale_up_towards(rs.spec_replicas, desired_new, scale_up).0;
        }
    }

    // Older ReplicaSets are scaled down first.
    if get_replica_count_for_replica_sets(old_rss) > 0 {
        return (new_count, stable_count);
    }

    let min_available = spec_replicas.saturating_sub(rollout.max_unavailable());
    // Raising the canary: the stable's availability is ignored; lowering
    // it (e.g. an abort): the canary's is.
    let is_increasing = new_rs.is_none_or(|rs| desired_new >= rs.spec_replicas);
    let to_scale_down = get_replicas_for_scale_down(new_rs, !is_increasing)
        .saturating_add(get_replicas_for_scale_down(stable_rs, is_increasing));
    if to_scale_down <= min_available {
        return (new_count, stable_count);
    }
    let scale_down = to_scale_down.saturating_sub(min_available);
    let limits = Limits {
        max_allowed,
        min_available,
    };
    if !is_increasing {
        new_count = calculate_scale_down_replica_count(new_rs, desired_new, scale_down, new_count);
        (new_count, stable_count) =
            adjust_replica_within_limits(new_rs, stable_rs, new_count, stable_count, limits);
    } else if scale_stable {
        stable_count =
            calculate_scale_down_replica_count(stable_rs, desired_stable, scale_down, stable_count);
        (stable_count, new_count) =
            adjust_replica_within_limits(stable_rs, new_rs, stable_count, new_count, limits);
    }
    (new_count, stable_count)
}

/// Scales `current` up towards `desired` with at most `budget` new pods:
/// the new count and the budget left.
fn scale_up_towards(current: i32, desired: i32, budget: i32) -> (i32, i32) {
    if current.saturating_add(budget) < desired {
        (current.saturating_add(budget), 0)
    } else {
        (
            desired,
            budget.saturating_sub(desired.saturating_sub(current)),
        )
    }
}

/// The two bounds of a basic canary step.
#[derive(Debug, Clone, Copy)]
struct Limits {
    /// `maxReplicaCountAllowed`: `spec.replicas + maxSurge`.
    max_allowed: i32,
    /// `minAvailableReplicaCount`: `spec.replicas − maxUnavailable`.
    min_available: i32,
}

/// `calculateScaleDownReplicaCount`: the drained side goes down by
/// `scale_down`, not below its desired count.
fn calculate_scale_down_replica_count(
    drain_rs: Option<&ReplicaSetCounts>,
    desired: i32,
    scale_down: i32,
    count: i32,
) -> i32 {
    match drain_rs {
        Some(rs) if rs.spec_replicas > desired => {
            desired.max(rs.spec_replicas.saturating_sub(scale_down))
        }
        _ => count,
    }
}

/// `adjustReplicaWithinLimits`: brings the adjusted side within
/// `maxSurge`, gives back what that would cost below `maxUnavailable`,
/// and takes any remaining excess from the drained side. Returns
/// (drained count, adjusted count).
fn adjust_replica_within_limits(
    drain_rs: Option<&ReplicaSetCounts>,
    adjust_rs: Option<&ReplicaSetCounts>,
    mut drain_count: i32,
    mut adjust_count: i32,
    limits: Limits,
) -> (i32, i32) {
    let over = |a: i32, d: i32| 0.max(a.saturating_add(d).saturating_sub(limits.max_allowed));
    let mut total_available = drain_rs.map_or(0, |rs| rs.available_replicas.min(drain_count));
    if let Some(rs) = adjust_rs {
        adjust_count = adjust_count.saturating_sub(over(adjust_count, drain_count));
        total_available = total_available.saturating_add(rs.available_replicas.min(adjust_count));
        let extra_available = 0.max(rs.available_replicas.saturating_sub(adjust_count));
        let still_needed = 0.max(limits.min_available.saturating_sub(total_available));
        adjust_count = adjust_count.saturating_add(extra_available.min(still_needed));
        drain_count = drain_count.saturating_sub(over(adjust_count, drain_count));
    }
    (drain_count, adjust_count)
}

/// `CalculateReplicaCountsForTrafficRoutedCanary`: with traffic routing
/// the weight is exact, so the canary is sized by it (rounded up) or by
/// `setCanaryScale`, and the stable stays at `spec.replicas` — unless
/// `dynamicStableScale`, where the stable follows the larger of the
/// desired and the actual stable weight, and on abort the canary keeps
/// pods for the traffic it still receives. `weights` is what the router
/// reports now (None before it has reported).
pub fn calculate_replica_counts_for_traffic_routed_canary(
    rollout: &CanaryRollout,
    new_rs: Option<&ReplicaSetCounts>,
    stable_rs: Option<&ReplicaSetCounts>,
    weights: Option<&TrafficWeights>,
) -> (i32, i32) {
    let replicas = rollout.spec_replicas();
    let (scale_replicas, desired_weight) =
        get_canary_replicas_or_weight(rollout, new_rs, stable_rs);
    let max_weight = rollout.max_traffic_weight();
    let mut canary = match scale_replicas {
        Some(explicit) => explicit,
        None => check_min_pods_per_replica_set(
            rollout,
            traffic_weight_to_replicas(replicas, desired_weight, max_weight),
        ),
    };
    if !rollout.dynamic_stable_scale {
        return (canary, replicas);
    }
    let stable_weight = max_weight.saturating_sub(desired_weight);
    let mut stable = traffic_weight_to_replicas(replicas, stable_weight, max_weight);
    if let Some(w) = weights {
        stable = stable.max(traffic_weight_to_replicas(replicas, w.stable, max_weight));
        if rollout.status.abort {
            // Not below what the traffic still sent to the canary needs.
            canary = canary.max(traffic_weight_to_replicas(replicas, w.canary, max_weight));
        }
    }
    (
        check_min_pods_per_replica_set(rollout, canary),
        check_min_pods_per_replica_set(rollout, stable),
    )
}

/// `allDesiredAreAvailable`.
fn all_desired_are_available(rs: Option<&ReplicaSetCounts>, desired: i32) -> bool {
    rs.is_some_and(|rs| desired == rs.spec_replicas && desired == rs.available_replicas)
}

/// `allDesiredAreCreated`: the desired count is set and every pod exists.
fn all_desired_are_created(rs: Option<&ReplicaSetCounts>, desired: i32) -> bool {
    rs.is_some_and(|rs| desired == rs.spec_replicas && desired == rs.replicas)
}

/// `ReplicaProgressThresholdMet`: enough of the canary is available —
/// by default (or with a negative threshold) all of it. A percentage is
/// compared on `float64`, with upstream's 1e-10 tolerance.
pub fn replica_progress_threshold_met(
    threshold: Option<ReplicaProgressThreshold>,
    rs: Option<&ReplicaSetCounts>,
    desired: i32,
) -> bool {
    let (Some(threshold), Some(rs)) = (threshold, rs) else {
        return all_desired_are_available(rs, desired);
    };
    match threshold {
        ReplicaProgressThreshold::Percent(v) | ReplicaProgressThreshold::Pods(v) if v < 0 => {
            all_desired_are_available(Some(rs), desired)
        }
        ReplicaProgressThreshold::Percent(_) if desired == 0 => true,
        ReplicaProgressThreshold::Percent(v) => {
            let current = f64::from(rs.available_replicas) / f64::from(desired) * 100.0;
            current >= f64::from(v) || (current - f64::from(v)).abs() <= 1e-10
        }
        ReplicaProgressThreshold::Pods(v) => rs.available_replicas >= v,
    }
}

/// `AtDesiredReplicaCountsForCanary`: the current step's counts are
/// reached — the canary available (within `replicaProgressThreshold`),
/// the stable at its count with every pod created (unless
/// `dynamicStableScale` under traffic routing), and without traffic
/// routing no older ReplicaSet still available (it would serve traffic).
pub fn at_desired_replica_counts_for_canary(
    rollout: &CanaryRollout,
    new_rs: Option<&ReplicaSetCounts>,
    stable_rs: Option<&ReplicaSetCounts>,
    old_rss: &[ReplicaSetCounts],
    weights: Option<&TrafficWeights>,
) -> bool {
    let routed = rollout.traffic_routing.is_some();
    let (desired_new, desired_stable) = if routed {
        calculate_replica_counts_for_traffic_routed_canary(rollout, new_rs, stable_rs, weights)
    } else {
        calculate_replica_counts_for_basic_canary(rollout, new_rs, stable_rs, old_rss)
    };
    if !replica_progress_threshold_met(rollout.replica_progress_threshold, new_rs, desired_new) {
        return false;
    }
    // With dynamic stable scaling the stable's count is not waited for.
    let stable_checked = !(routed && rollout.dynamic_stable_scale);
    if stable_checked && !all_desired_are_created(stable_rs, desired_stable) {
        return false;
    }
    let old_available = old_rss
        .iter()
        .fold(0i32, |sum, rs| sum.saturating_add(rs.available_replicas));
    routed || old_available == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const I: fn(i32) -> IntOrPercent = IntOrPercent::Int;
    const P: fn(i32) -> IntOrPercent = IntOrPercent::Percent;

    fn rs(id: u32, spec: i32, available: i32) -> ReplicaSetCounts {
        ReplicaSetCounts {
            id,
            spec_replicas: spec,
            available_replicas: available,
            replicas: 0,
        }
    }

    const CANARY: u32 = 1;
    const STABLE: u32 = 2;
    const OLDER: u32 = 3;

    /// Upstream's `newRollout` test helper: one step carrying both
    /// `setWeight` and `setCanaryScale`.
    #[allow(clippy::too_many_arguments)]
    fn new_rollout(
        replicas: i32,
        set_weight: i32,
        max_surge: IntOrPercent,
        max_unavailable: IntOrPercent,
        current_pod_hash: &str,
        stable_pod_hash: &str,
        scs: Option<SetCanaryScale>,
        traffic_routing: Option<TrafficRouting>,
    ) -> CanaryRollout {
        CanaryRollout {
            replicas: Some(replicas),
            max_surge: Some(max_surge),
            max_unavailable: Some(max_unavailable),
            steps: vec![CanaryStep {
                set_weight: Some(set_weight),
                set_canary_scale: scs,
            }],
            traffic_routing,
            status: CanaryStatus {
                stable_rs: stable_pod_hash.into(),
                current_pod_hash: current_pod_hash.into(),
                ..CanaryStatus::default()
            },
            ..CanaryRollout::default()
        }
    }

    fn scs(
        replicas: Option<i32>,
        weight: Option<i32>,
        match_traffic_weight: bool,
    ) -> Option<SetCanaryScale> {
        Some(SetCanaryScale {
            replicas,
            weight,
            match_traffic_weight,
        })
    }

    const TR: Option<TrafficRouting> = Some(TrafficRouting {
        max_traffic_weight: None,
    });

    /// A row of upstream's `TestCalculateReplicaCountsForCanary`.
    struct Case {
        name: &'static str,
        replicas: i32,
        set_weight: i32,
        max_surge: IntOrPercent,
        max_unavailable: IntOrPercent,
        promote_full: bool,
        stable: (i32, i32),
        canary: (i32, i32),
        expected_stable: i32,
        expected_canary: i32,
        older_rs: Option<ReplicaSetCounts>,
        set_canary_scale: Option<SetCanaryScale>,
        traffic_routing: Option<TrafficRouting>,
        abort_scale_down_delay_seconds: Option<i32>,
        status_abort: bool,
        min_pods_per_replica_set: Option<i32>,
    }

    /// Go's zero values for the fields a row leaves out.
    const BASE: Case = Case {
        name: "",
        replicas: 0,
        set_weight: 0,
        max_surge: IntOrPercent::Int(0),
        max_unavailable: IntOrPercent::Int(0),
        promote_full: false,
        stable: (0, 0),
        canary: (0, 0),
        expected_stable: 0,
        expected_canary: 0,
        older_rs: None,
        set_canary_scale: None,
        traffic_routing: None,
        abort_scale_down_delay_seconds: None,
        status_abort: false,
        min_pods_per_replica_set: None,
    };

    /// Rows with (replicas, setWeight, maxSurge, maxUnavailable,
    /// stable spec/available, canary spec/available) → (stable, canary).
    #[allow(clippy::too_many_arguments)]
    fn row(
        name: &'static str,
        replicas: i32,
        set_weight: i32,
        max_surge: IntOrPercent,
        max_unavailable: IntOrPercent,
        stable: (i32, i32),
        canary: (i32, i32),
        expected_stable: i32,
        expected_canary: i32,
    ) -> Case {
        Case {
            name,
            replicas,
            set_weight,
            max_surge,
            max_unavailable,
            stable,
            canary,
            expected_stable,
            expected_canary,
            ..BASE
        }
    }

    /// Upstream `TestCalculateReplicaCountsForCanary`, every row.
    fn calculate_replica_counts_for_canary_cases() -> Vec<Case> {
        vec![
            row("Do not add extra RSs in scaleDownCount when .Spec.Replica < AvailableReplicas", 10, 100, I(3), I(0), (7, 8), (6, 3), 7, 6),
            row("Use max surge int to scale up canary", 10, 20, I(2), I(0), (10, 10), (0, 0), 10, 2),
            row("Use max surge percentage to scale up canary", 10, 20, P(20), I(0), (10, 10), (0, 0), 10, 2),
            row("Scale down extra stable replicas", 10, 20, P(20), I(0), (10, 10), (2, 2), 8, 2),
            row("Do not go past max surge", 10, 30, I(2), I(0), (10, 10), (0, 0), 10, 2),
            row("Use max unavailable int to scale down stableRS", 10, 20, I(0), I(2), (10, 10), (0, 0), 8, 0),
            row("Use max surge percentage to scale down stableRS", 10, 20, I(0), P(20), (10, 10), (0, 0), 8, 0),
            row("Do not go past max unavailable", 10, 30, I(0), I(2), (10, 10), (0, 0), 8, 0),
            row("Use Max Surge and Max Unavailable", 10, 50, I(2), I(1), (10, 10), (0, 0), 9, 2),
            row("Scale canaryRS to zero on setWeight of 0%", 10, 0, I(1), I(1), (10, 10), (1, 1), 10, 0),
            row("Scale stable to zero on setWeight of 100%", 10, 100, I(1), I(1), (1, 1), (10, 10), 0, 10),
            row("Do not scale canaryRS down to zero on non-zero weight", 1, 20, I(1), I(0), (1, 1), (0, 0), 1, 1),
            row("Do not scale canaryRS down to zero on non-100 weight", 1, 90, I(1), I(0), (1, 1), (0, 0), 1, 1),
            row("Scale canaryRS to zero on <50 weight without surge", 1, 49, I(0), I(1), (1, 1), (0, 0), 1, 0),
            row("Scale stableRS down to zero on >=50 weight without surge", 1, 51, I(0), I(1), (1, 1), (0, 0), 0, 0),
            row("Scale canaryRS to one on >=50 weight without surge and stable replicas", 1, 51, I(0), I(1), (0, 0), (0, 0), 0, 1),
            Case {
                older_rs: Some(rs(OLDER, 3, 3)),
                ..row("Scale up Stable before canaryRS", 10, 30, I(1), I(0), (1, 1), (0, 0), 7, 1)
            },
            row("Scale down canaryRS and stable", 10, 30, I(0), I(3), (8, 5), (4, 4), 7, 3),
            row("Scale down stable and canary available", 10, 100, I(1), I(0), (10, 2), (10, 8), 2, 9),
            Case {
                older_rs: Some(rs(OLDER, 3, 3)),
                ..row("Do not scale down canaryRS or stable when older RS count >= scaleDownCount", 10, 30, I(0), I(1), (8, 6), (4, 2), 8, 4)
            },
            row("Do not round past maxSurge with uneven setWeight divisor", 10, 5, I(0), I(1), (10, 10), (0, 0), 9, 0),
            row("Do not round past maxSurge with uneven setWeight divisor (part 2)", 10, 5, I(0), I(1), (9, 9), (0, 0), 9, 1),
            row("Use maxUnavailable of 1 when percentage of maxUnavailable and maxSurge result in 0 replicas", 10, 10, P(0), P(0), (10, 10), (0, 0), 9, 0),
            Case {
                set_canary_scale: scs(Some(9), None, false),
                traffic_routing: TR,
                ..row("For canary replicas, use setCanaryScale.replicas when specified along with trafficRouting (and ignore setWeight)", 1, 100, I(0), I(0), (1, 1), (0, 0), 1, 9)
            },
            Case {
                set_canary_scale: scs(None, Some(200), false),
                traffic_routing: TR,
                ..row("Use setCanaryScale.weight for canary replicas when specified with trafficRouting (and ignore setWeight)", 4, 100, I(0), I(0), (4, 4), (0, 0), 4, 8)
            },
            Case {
                set_canary_scale: scs(Some(9), Some(100), true),
                traffic_routing: TR,
                ..row("Ignore setCanaryScale replicas/weight when matchTrafficWeight is true", 10, 20, P(20), I(0), (10, 10), (0, 0), 10, 2)
            },
            Case {
                set_canary_scale: scs(Some(9), Some(100), false),
                ..row("Ignore setCanaryScale when trafficRouting is missing and use setWeight for replicas", 10, 20, P(20), I(0), (10, 10), (0, 0), 10, 2)
            },
            row("honor maxSurge during scale up when stableRS unavailable", 4, 100, I(1), I(0), (4, 1), (0, 0), 4, 1),
            row("scale down to maxunavailable without exceeding maxSurge", 3, 99, I(0), I(2), (3, 3), (0, 0), 1, 0),
            row("scale down to maxunavailable without exceeding maxSurge (part 2)", 3, 99, I(0), I(2), (1, 1), (0, 0), 1, 2),
            row("honor maxUnavailable during scale down stableRS unavailable", 4, 100, I(1), I(0), (4, 1), (1, 1), 3, 1),
            row("honor maxUnavailable when aborting or reducing weight part 1", 4, 0, I(1), I(0), (0, 0), (4, 4), 1, 4),
            row("honor maxUnavailable when aborting or reducing weight part 2", 4, 0, I(1), I(0), (1, 0), (4, 4), 1, 4),
            row("honor maxUnavailable when aborting or reducing weight part 3", 4, 0, I(1), I(0), (1, 1), (4, 4), 1, 3),
            Case {
                promote_full: true,
                ..row("promote full does not consider weight", 4, 1, I(4), I(4), (4, 4), (0, 0), 0, 4)
            },
            Case {
                promote_full: true,
                ..row("promote full still honors maxSurge/maxUnavailable", 4, 1, I(3), I(0), (4, 4), (0, 0), 4, 3)
            },
            Case {
                set_canary_scale: scs(Some(1), None, false),
                traffic_routing: TR,
                abort_scale_down_delay_seconds: Some(0),
                status_abort: true,
                ..row("aborted with abortScaleDownDelaySeconds:0 and setCanaryScale", 1, 0, I(0), I(0), (1, 1), (1, 1), 1, 1)
            },
            Case {
                set_canary_scale: scs(Some(1), None, false),
                traffic_routing: TR,
                abort_scale_down_delay_seconds: Some(30),
                status_abort: true,
                ..row("aborted with abortScaleDownDelaySeconds>0 and setCanaryScale", 1, 0, I(0), I(0), (1, 1), (1, 1), 1, 0)
            },
            Case {
                traffic_routing: TR,
                min_pods_per_replica_set: Some(2),
                ..row("Honor MinPodsPerReplicaSet when using trafficRouting and starting canary", 10, 5, I(0), I(0), (10, 10), (0, 0), 10, 2)
            },
            Case {
                promote_full: true,
                traffic_routing: TR,
                min_pods_per_replica_set: Some(2),
                ..row("Cap MinPodsPerReplicaSet when it exceeds rollout replicas with trafficRouting", 1, 100, I(0), I(0), (1, 1), (0, 0), 1, 1)
            },
        ]
    }

    #[test]
    fn test_calculate_replica_counts_for_canary() {
        let cases = calculate_replica_counts_for_canary_cases();
        assert_eq!(cases.len(), 40);
        for c in cases {
            let mut rollout = new_rollout(
                c.replicas,
                c.set_weight,
                c.max_surge,
                c.max_unavailable,
                "canary",
                "stable",
                c.set_canary_scale,
                c.traffic_routing,
            );
            rollout.status.promote_full = c.promote_full;
            rollout.status.abort = c.status_abort;
            rollout.abort_scale_down_delay_seconds = c.abort_scale_down_delay_seconds;
            rollout.min_pods_per_replica_set = c.min_pods_per_replica_set;
            let stable = rs(STABLE, c.stable.0, c.stable.1);
            let canary = rs(CANARY, c.canary.0, c.canary.1);
            let older: Vec<_> = c.older_rs.into_iter().collect();
            let got = if c.traffic_routing.is_some() {
                calculate_replica_counts_for_traffic_routed_canary(&rollout, None, None, None)
            } else {
                calculate_replica_counts_for_basic_canary(
                    &rollout,
                    Some(&canary),
                    Some(&stable),
                    &older,
                )
            };
            assert_eq!(got, (c.expected_canary, c.expected_stable), "{}", c.name);
        }
    }

    /// Upstream `TestApproximateWeightedNewStableReplicaCounts`, every
    /// row: (replicas, weight, maxWeight, maxSurge, canary, stable).
    const APPROXIMATE_CASES: &[(i32, i32, i32, i32, i32, i32)] = &[
        (0, 0, 100, 0, 0, 0),
        (0, 50, 100, 0, 0, 0),
        (0, 100, 100, 0, 0, 0),
        (0, 0, 100, 1, 0, 0),
        (0, 50, 100, 1, 0, 0),
        (0, 100, 100, 1, 0, 0),
        (1, 0, 100, 0, 0, 1),
        (1, 1, 100, 0, 0, 1),
        (1, 49, 100, 0, 0, 1),
        (1, 50, 100, 0, 1, 0),
        (1, 99, 100, 0, 1, 0),
        (1, 100, 100, 0, 1, 0),
        (1, 0, 100, 1, 0, 1),
        (1, 1, 100, 1, 1, 1),
        (1, 49, 100, 1, 1, 1),
        (1, 50, 100, 1, 1, 1),
        (1, 99, 100, 1, 1, 1),
        (1, 100, 100, 1, 1, 0),
        (2, 0, 100, 0, 0, 2),
        (2, 1, 100, 0, 1, 1),
        (2, 50, 100, 0, 1, 1),
        (2, 99, 100, 0, 1, 1),
        (2, 100, 100, 0, 2, 0),
        (2, 0, 100, 1, 0, 2),
        (2, 1, 100, 1, 1, 2),
        (2, 50, 100, 1, 1, 1),
        (2, 99, 100, 1, 2, 1),
        (2, 100, 100, 1, 2, 0),
        (3, 10, 100, 0, 1, 2),
        (3, 25, 100, 0, 1, 2),
        (3, 33, 100, 0, 1, 2),
        (3, 34, 100, 0, 1, 2),
        (3, 49, 100, 0, 1, 2),
        (3, 50, 100, 0, 2, 1),
        (3, 10, 100, 1, 1, 3),
        (3, 25, 100, 1, 1, 3),
        (3, 33, 100, 1, 1, 2),
        (3, 34, 100, 1, 1, 2),
        (3, 49, 100, 1, 2, 2),
        (3, 50, 100, 1, 2, 2),
        (10, 0, 100, 1, 0, 10),
        (10, 1, 100, 0, 1, 9),
        (10, 14, 100, 0, 1, 9),
        (10, 15, 100, 0, 2, 8),
        (10, 16, 100, 0, 2, 8),
        (10, 99, 100, 0, 9, 1),
        (10, 100, 100, 1, 10, 0),
        (10, 0, 100, 1, 0, 10),
        (10, 1, 100, 1, 1, 10),
        (10, 18, 100, 1, 2, 9),
        (10, 19, 100, 1, 2, 9),
        (10, 20, 100, 1, 2, 8),
        (10, 23, 100, 1, 2, 8),
        (10, 24, 100, 1, 3, 8),
        (10, 25, 100, 1, 3, 8),
        (10, 99, 100, 1, 10, 1),
        (10, 100, 100, 1, 10, 0),
    ];

    #[test]
    fn test_approximate_weighted_new_stable_replica_counts() {
        assert_eq!(APPROXIMATE_CASES.len(), 57);
        for &(replicas, weight, max_weight, surge, canary, stable) in APPROXIMATE_CASES {
            assert_eq!(
                approximate_weighted_canary_stable_replica_counts(
                    replicas, weight, max_weight, surge
                ),
                (canary, stable),
                "replicas:{replicas} weight:{weight} maxweight:{max_weight} surge:{surge}"
            );
        }
    }

    /// Upstream `TestCalculateReplicaCountsForNewDeployment`.
    #[test]
    fn test_calculate_replica_counts_for_new_deployment() {
        let rollout = new_rollout(10, 10, I(0), I(1), "canary", "stable", None, None);
        let stable = rs(STABLE, 10, 0);
        let new = rs(STABLE, 10, 0);
        assert_eq!(
            calculate_replica_counts_for_basic_canary(&rollout, Some(&new), Some(&stable), &[]),
            (10, 0)
        );
    }

    /// Upstream `TestCalculateReplicaCountsForCanaryTrafficRouting`.
    #[test]
    fn test_calculate_replica_counts_for_canary_traffic_routing() {
        let rollout = new_rollout(10, 10, I(0), I(1), "canary", "stable", None, TR);
        assert_eq!(
            calculate_replica_counts_for_traffic_routed_canary(&rollout, None, None, None),
            (1, 10)
        );
    }

    /// A row of upstream `TestCalculateReplicaCountsForCanaryTrafficRoutingDynamicScale`.
    struct DynamicCase {
        name: &'static str,
        replicas: i32,
        max_replicas: i32,
        abort: bool,
        steps: &'static [i32],
        weights: (i32, i32),
        canary_rs: i32,
        stable_rs: (i32, i32),
        expected: (i32, i32),
    }

    /// Upstream `TestCalculateReplicaCountsForCanaryTrafficRoutingDynamicScale`, every row.
    const DYNAMIC_CASES: &[DynamicCase] = &[
        DynamicCase { name: "Should scale stable replica up depending on next expected canary downscale step, if abort is true", replicas: 10, max_replicas: 20, abort: true, steps: &[60], weights: (60, 40), canary_rs: 6, stable_rs: (4, 4), expected: (6, 8) },
        DynamicCase { name: "Should scale stable replica up depending on available canary replicas, if actual number of canaries is less than expected and abort is true", replicas: 10, max_replicas: 20, abort: true, steps: &[60], weights: (60, 40), canary_rs: 1, stable_rs: (4, 4), expected: (6, 8) },
        DynamicCase { name: "Should scale stable replica up depending on available stable replicas, if abort is true", replicas: 10, max_replicas: 20, abort: true, steps: &[60], weights: (60, 40), canary_rs: 2, stable_rs: (8, 4), expected: (6, 8) },
        DynamicCase { name: "Should scale stable up as if canaries are scaled down to 0 if stable and canary replicas not passed, and abort is true", replicas: 10, max_replicas: 20, abort: true, steps: &[60], weights: (60, 40), canary_rs: 0, stable_rs: (0, 0), expected: (6, 10) },
        DynamicCase { name: "Should scale down stable", replicas: 10, max_replicas: 10, abort: false, steps: &[], weights: (10, 90), canary_rs: 0, stable_rs: (0, 0), expected: (1, 9) },
        DynamicCase { name: "Should take max of desired canary (20) > actual (10)", replicas: 10, max_replicas: 20, abort: false, steps: &[], weights: (10, 90), canary_rs: 0, stable_rs: (0, 0), expected: (2, 9) },
        DynamicCase { name: "Should leave canary scaled up if there is still traffic to it on abort", replicas: 10, max_replicas: 20, abort: true, steps: &[], weights: (20, 80), canary_rs: 0, stable_rs: (0, 0), expected: (2, 10) },
        DynamicCase { name: "Should reduce canary when there is less traffic to it on abort", replicas: 10, max_replicas: 20, abort: true, steps: &[], weights: (10, 90), canary_rs: 0, stable_rs: (0, 0), expected: (1, 10) },
    ];

    #[test]
    fn test_calculate_replica_counts_for_canary_traffic_routing_dynamic_scale() {
        for c in DYNAMIC_CASES {
            // Upstream passes rolloutMaxReplicas as the first step's setWeight.
            let mut rollout = new_rollout(
                c.replicas,
                c.max_replicas,
                I(0),
                I(1),
                "canary",
                "stable",
                None,
                TR,
            );
            rollout.dynamic_stable_scale = true;
            rollout.status.abort = c.abort;
            rollout.steps.extend(c.steps.iter().map(|&w| CanaryStep {
                set_weight: Some(w),
                set_canary_scale: None,
            }));
            let weights = TrafficWeights {
                canary: c.weights.0,
                stable: c.weights.1,
            };
            let stable = (c.stable_rs.0 > 0).then(|| rs(STABLE, c.stable_rs.0, c.stable_rs.1));
            let canary = (c.canary_rs > 0).then(|| rs(CANARY, c.canary_rs, c.canary_rs));
            let got = calculate_replica_counts_for_traffic_routed_canary(
                &rollout,
                canary.as_ref(),
                stable.as_ref(),
                Some(&weights),
            );
            assert_eq!(got, c.expected, "{}", c.name);
        }
    }

    /// Upstream `TestCalculateReplicaCountsForCanaryStableRSdEdgeCases`.
    #[test]
    fn test_calculate_replica_counts_for_canary_stable_rs_edge_cases() {
        let rollout = new_rollout(10, 10, I(0), I(1), "", "", None, None);
        let new = rs(STABLE, 9, 9);
        assert_eq!(
            calculate_replica_counts_for_basic_canary(&rollout, Some(&new), None, &[]),
            (10, 0)
        );
        assert_eq!(
            calculate_replica_counts_for_basic_canary(&rollout, Some(&new), Some(&new), &[]),
            (10, 0)
        );
    }

    /// Upstream `TestTrafficWeightToReplicas`.
    #[test]
    fn test_traffic_weight_to_replicas() {
        assert_eq!(traffic_weight_to_replicas(10, 0, 100), 0);
        assert_eq!(traffic_weight_to_replicas(10, 20, 100), 2);
        assert_eq!(traffic_weight_to_replicas(10, 25, 100), 3);
        assert_eq!(traffic_weight_to_replicas(10, 33, 100), 4);
        assert_eq!(traffic_weight_to_replicas(10, 99, 100), 10);
        assert_eq!(traffic_weight_to_replicas(10, 100, 100), 10);
        assert_eq!(traffic_weight_to_replicas(23, 100_000_000, 100_000_000), 23);
    }

    /// Upstream `TestGetCurrentCanaryStep`.
    #[test]
    fn test_get_current_canary_step() {
        let mut rollout = new_rollout(10, 10, I(0), I(1), "", "", None, None);
        rollout.steps.clear();
        assert_eq!(rollout.current_canary_step().0, None);
        rollout.steps = vec![CanaryStep::default()]; // a pause step
        rollout.status.current_step_index = Some(0);
        let (step, index) = rollout.current_canary_step();
        assert!(step.is_some());
        assert_eq!(index, Some(0));
        rollout.status.current_step_index = Some(1);
        assert_eq!(rollout.current_canary_step().0, None);
    }

    /// Upstream `TestGetCurrentSetWeight`.
    #[test]
    fn test_get_current_set_weight() {
        let mut rollout = new_rollout(10, 10, I(0), I(1), "", "", None, None);
        rollout.status.current_step_index = Some(1);
        assert_eq!(get_current_set_weight(&rollout), 100);
        rollout.status.current_step_index = Some(0);
        assert_eq!(get_current_set_weight(&rollout), 10);
        rollout.status.abort = true;
        assert_eq!(get_current_set_weight(&rollout), 0);
    }

    /// Upstream `TestGetReplicasForScaleDown`, every row.
    #[test]
    fn test_get_replicas_for_scale_down() {
        assert_eq!(
            get_replicas_for_scale_down(None, false),
            0,
            "test rs is nil"
        );
        assert_eq!(
            get_replicas_for_scale_down(Some(&rs(0, 3, 5)), false),
            3,
            "expected replicas is less than actual replicas"
        );
        assert_eq!(
            get_replicas_for_scale_down(Some(&rs(0, 3, 2)), true),
            3,
            "ignore availability"
        );
        assert_eq!(
            get_replicas_for_scale_down(Some(&rs(0, 3, 2)), false),
            2,
            "not ignore availability"
        );
    }

    /// Upstream `TestGetCanaryReplicasOrWeight`, every row (the blue-green
    /// row's Rollout has no stable hash, which is what decides it).
    #[test]
    fn test_get_canary_replicas_or_weight() {
        let promote_full = CanaryRollout {
            status: CanaryStatus {
                promote_full: true,
                ..CanaryStatus::default()
            },
            ..CanaryRollout::default()
        };
        assert_eq!(
            get_canary_replicas_or_weight(&promote_full, None, None),
            (None, 100)
        );

        let stepped = |scale: SetCanaryScale| CanaryRollout {
            steps: vec![
                CanaryStep {
                    set_weight: Some(10),
                    set_canary_scale: None,
                },
                CanaryStep {
                    set_weight: None,
                    set_canary_scale: Some(scale),
                },
            ],
            traffic_routing: TR,
            status: CanaryStatus {
                current_step_index: Some(1),
                stable_rs: "stable-rs".into(),
                ..CanaryStatus::default()
            },
            ..CanaryRollout::default()
        };
        let weight = stepped(SetCanaryScale {
            weight: Some(20),
            ..SetCanaryScale::default()
        });
        assert_eq!(
            get_canary_replicas_or_weight(&weight, None, None),
            (None, 20)
        );
        let replicas = stepped(SetCanaryScale {
            replicas: Some(5),
            ..SetCanaryScale::default()
        });
        assert_eq!(
            get_canary_replicas_or_weight(&replicas, None, None),
            (Some(5), 0)
        );

        let aborted = CanaryRollout {
            status: CanaryStatus {
                abort: true,
                ..CanaryStatus::default()
            },
            ..CanaryRollout::default()
        };
        assert_eq!(
            get_canary_replicas_or_weight(&aborted, None, None),
            (None, 100)
        );
    }

    /// Upstream `TestGetDesiredCanaryWeightOnAbortWithScaleDownDelay`.
    #[test]
    fn test_get_desired_canary_weight_on_abort_with_scale_down_delay() {
        let aborted = |delay: Option<i32>| {
            let mut r = new_rollout(10, 50, I(1), I(0), "canary", "stable", None, TR);
            r.steps = vec![
                CanaryStep {
                    set_weight: Some(10),
                    set_canary_scale: None,
                },
                CanaryStep {
                    set_weight: Some(50),
                    set_canary_scale: None,
                },
            ];
            r.dynamic_stable_scale = true;
            r.abort_scale_down_delay_seconds = delay;
            r.status.abort = true;
            r
        };
        let rows = [
            ("no explicit delay: weight is held up by canary size (progressive drain unchanged)", None, 9, 10),
            ("explicit delay: weight steps down gradually while stable is scaling up", Some(30), 5, 10),
            ("explicit delay: weight reaches zero once stable nearly covers spec.Replicas (deadlock case)", Some(30), 9, 0),
            ("explicit zero delay (leave canary up indefinitely): weight is held up by canary size", Some(0), 9, 10),
        ];
        let canary = rs(CANARY, 5, 5);
        for (name, delay, stable_available, expected) in rows {
            let stable = rs(STABLE, stable_available, stable_available);
            assert_eq!(
                get_desired_canary_weight(&aborted(delay), Some(&canary), Some(&stable)),
                expected,
                "{name}"
            );
        }
        // "stable scales to spec.Replicas once weight reaches zero"
        let stable = rs(STABLE, 9, 9);
        let weights = TrafficWeights {
            canary: 10,
            stable: 90,
        };
        let got = calculate_replica_counts_for_traffic_routed_canary(
            &aborted(Some(30)),
            Some(&canary),
            Some(&stable),
            Some(&weights),
        );
        assert_eq!(got.1, 10);
    }

    /// Upstream `TestAtDesiredReplicaCountsForCanary`, every subtest:
    /// (canary spec, available, replicas), (stable spec, available,
    /// replicas), setWeight, setCanaryScale, weights → reached.
    #[test]
    fn test_at_desired_replica_counts_for_canary() {
        type Counts = (i32, i32, i32);
        let with_scale = scs(Some(2), Some(2), false);
        let empty_scale = Some(SetCanaryScale::default());
        type Row<'a> = (
            &'a str,
            Counts,
            Counts,
            i32,
            Option<SetCanaryScale>,
            (i32, i32),
            bool,
        );
        let rows: [Row; 5] = [
            (
                "we are at desired replica counts and availability",
                (2, 2, 2),
                (2, 2, 2),
                50,
                with_scale,
                (50, 50),
                true,
            ),
            (
                "new replicaset is not at desired counts or availability",
                (2, 1, 2),
                (2, 2, 2),
                50,
                with_scale,
                (50, 50),
                false,
            ),
            (
                "stable replicaset is not at desired counts or availability",
                (3, 3, 3),
                (2, 2, 2),
                75,
                empty_scale,
                (75, 25),
                false,
            ),
            (
                "stable replicaset is not at desired availability but is at correct count",
                (3, 3, 1),
                (1, 0, 1),
                75,
                empty_scale,
                (75, 25),
                true,
            ),
            (
                "test that when status field lags behind spec.replicas we fail",
                (2, 2, 2),
                (2, 2, 3),
                50,
                with_scale,
                (50, 50),
                false,
            ),
        ];
        for (name, new, stable, weight, scale, (canary_w, stable_w), expected) in rows {
            let rollout = new_rollout(4, weight, I(1), I(1), "current", "stable", scale, None);
            let new = ReplicaSetCounts {
                id: CANARY,
                spec_replicas: new.0,
                available_replicas: new.1,
                replicas: new.2,
            };
            let stable = ReplicaSetCounts {
                id: STABLE,
                spec_replicas: stable.0,
                available_replicas: stable.1,
                replicas: stable.2,
            };
            let weights = TrafficWeights {
                canary: canary_w,
                stable: stable_w,
            };
            let got = at_desired_replica_counts_for_canary(
                &rollout,
                Some(&new),
                Some(&stable),
                &[],
                Some(&weights),
            );
            assert_eq!(got, expected, "{name}");
        }
    }

    /// Upstream `TestAllDesiredAreAvailable`, every row (a ReplicaSet
    /// without `spec.replicas` reads as 1, `GetReplicasOrDefault`).
    #[test]
    fn test_all_desired_are_available() {
        assert!(all_desired_are_available(Some(&rs(0, 10, 10)), 10));
        assert!(!all_desired_are_available(Some(&rs(0, 10, 9)), 10));
        assert!(!all_desired_are_available(None, 10));
        assert!(!all_desired_are_available(
            Some(&rs(0, DEFAULT_REPLICAS, 10)),
            10
        ));
        assert!(all_desired_are_available(
            Some(&rs(0, DEFAULT_REPLICAS, 1)),
            1
        ));
    }

    /// Upstream `TestAllReplicaProgressThresholdMet`, every row:
    /// (threshold, ReplicaSet (spec, available), desired) → met.
    #[test]
    fn test_all_replica_progress_threshold_met() {
        use ReplicaProgressThreshold::{Percent, Pods};
        let rows = [
            (
                "90% availability of pods passes",
                Some(Percent(90)),
                Some((0, 9)),
                10,
                true,
            ),
            (
                "pod values: 90% availability correctly passes",
                Some(Pods(9)),
                Some((0, 9)),
                10,
                true,
            ),
            (
                "under 90% availability correctly fails",
                Some(Percent(90)),
                Some((0, 8)),
                10,
                false,
            ),
            (
                "under 8 pods correctly fails",
                Some(Pods(8)),
                Some((0, 7)),
                10,
                false,
            ),
            (
                "threshold under 0 defaults to 100%",
                Some(Pods(-100)),
                Some((10, 10)),
                10,
                true,
            ),
            (
                "nil threshold defaults to 100%",
                None,
                Some((5, 10)),
                10,
                false,
            ),
            (
                "nil replicaset always fails",
                Some(Pods(5)),
                None,
                10,
                false,
            ),
            (
                "percentages well above the threshold pass",
                Some(Percent(100)),
                Some((0, 100)),
                10,
                true,
            ),
            (
                "desired 0: percentage threshold always met",
                Some(Percent(90)),
                Some((0, 0)),
                0,
                true,
            ),
        ];
        for (name, threshold, set, desired, expected) in rows {
            let set = set.map(|(spec, available)| rs(0, spec, available));
            assert_eq!(
                replica_progress_threshold_met(threshold, set.as_ref(), desired),
                expected,
                "{name}"
            );
        }
    }

    /// Upstream `TestResolveFenceposts` (replicaset_test.go), every row;
    /// the two rows upstream rejects fail here when the string is read.
    #[test]
    fn test_resolve_fenceposts() {
        let p = |s: &str| Some(IntOrPercent::parse_string(s).unwrap());
        assert_eq!(resolve_fenceposts(p("0%"), p("0%"), 0), (0, 1));
        assert_eq!(resolve_fenceposts(p("39%"), p("39%"), 10), (4, 3));
        assert!(IntOrPercent::parse_string("oops").is_err());
        assert!(IntOrPercent::parse_string("urg").is_err());
        assert_eq!(resolve_fenceposts(None, p("39%"), 10), (0, 3));
        assert_eq!(resolve_fenceposts(p("39%"), None, 10), (4, 0));
        assert_eq!(resolve_fenceposts(None, None, 10), (0, 1));
    }

    /// A string without `%` is still a percentage (the legacy reading).
    #[test]
    fn strings_are_percentages() {
        assert_eq!(IntOrPercent::parse_string("25"), Ok(P(25)));
        assert_eq!(IntOrPercent::parse_string("1"), Ok(P(1)));
        assert_eq!(P(25).to_string(), "25%");
    }

    fn with_fenceposts(
        replicas: i32,
        surge: IntOrPercent,
        unavailable: IntOrPercent,
    ) -> CanaryRollout {
        CanaryRollout {
            replicas: Some(replicas),
            max_surge: Some(surge),
            max_unavailable: Some(unavailable),
            ..CanaryRollout::default()
        }
    }

    /// Upstream `TestMaxSurge` (the canary rows; the blue-green row has
    /// no canary to size).
    #[test]
    fn test_max_surge() {
        assert_eq!(
            with_fenceposts(10, I(5), I(1)).max_surge(),
            5,
            "maxSurge with int"
        );
        assert_eq!(
            with_fenceposts(10, P(50), I(1)).max_surge(),
            5,
            "maxSurge with percents"
        );
    }

    /// Upstream `TestMaxUnavailable` (the canary rows).
    #[test]
    fn test_max_unavailable() {
        let rows = [
            ("maxUnavailable less than replicas", 10, I(5), 5),
            ("maxUnavailable equal replicas", 10, I(10), 10),
            ("maxUnavailable greater than replicas", 5, I(10), 5),
            ("maxUnavailable with replicas is 0", 0, I(10), 0),
            (
                "maxUnavailable less than replicas with percents",
                10,
                P(50),
                5,
            ),
            (
                "maxUnavailable equal replicas with percents",
                10,
                P(100),
                10,
            ),
            (
                "maxUnavailable greater than replicas with percents",
                5,
                P(100),
                5,
            ),
        ];
        for (name, replicas, unavailable, expected) in rows {
            assert_eq!(
                with_fenceposts(replicas, I(1), unavailable).max_unavailable(),
                expected,
                "{name}"
            );
        }
    }

    /// Defaults: 25 % each, and one replica when unset.
    #[test]
    fn defaults() {
        let r = CanaryRollout {
            replicas: Some(10),
            ..CanaryRollout::default()
        };
        assert_eq!((r.max_surge(), r.max_unavailable()), (3, 2));
        assert_eq!(CanaryRollout::default().spec_replicas(), 1);
    }

    fn fencepost() -> impl Strategy<Value = IntOrPercent> {
        prop_oneof![
            (0..6i32).prop_map(IntOrPercent::Int),
            (0..101i32).prop_map(IntOrPercent::Percent)
        ]
    }

    proptest! {
        /// From a settled state within bounds (every pod available), one
        /// basic canary step never goes above `replicas + maxSurge` pods
        /// nor below `replicas − maxUnavailable` available ones.
        #[test]
        fn basic_canary_stays_within_surge_and_unavailable(
            replicas in 0..40i32,
            weight in 0..=100i32,
            surge in fencepost(),
            unavailable in fencepost(),
            total_at in 0..=100i32,
            canary_share in 0..=100i32,
        ) {
            let mut rollout = new_rollout(replicas, weight, surge, unavailable, "canary", "stable", None, None);
            rollout.status.current_step_index = Some(0);
            let (max_surge, max_unavailable) = (rollout.max_surge(), rollout.max_unavailable());
            // A pod total within both bounds, split between the two.
            let (low, high) = (0.max(replicas - max_unavailable), replicas + max_surge);
            let total = low + (high - low) * total_at / 100;
            let canary_pods = total * canary_share / 100;
            let stable_pods = total - canary_pods;
            let canary = rs(CANARY, canary_pods, canary_pods);
            let stable = rs(STABLE, stable_pods, stable_pods);
            let (c, s) = calculate_replica_counts_for_basic_canary(&rollout, Some(&canary), Some(&stable), &[]);
            prop_assert!(c >= 0 && s >= 0);
            prop_assert!(c + s <= replicas + max_surge, "{} + {} pods", c, s);
            let available = c.min(canary_pods) + s.min(stable_pods);
            prop_assert!(available >= replicas - max_unavailable, "{} available", available);
        }

        /// The approximation never answers a negative count, and sums to
        /// `replicas` or, only with surge, one more.
        #[test]
        fn approximation_sums_to_replicas(replicas in 0..200i32, weight in 0..=100i32, surge in 0..3i32) {
            let (c, s) = approximate_weighted_canary_stable_replica_counts(replicas, weight, 100, surge);
            prop_assert!(c >= 0 && s >= 0);
            prop_assert!(c + s == replicas || (surge > 0 && c + s == replicas + 1));
        }

        /// No input panics.
        #[test]
        fn never_panics(
            replicas in any::<i32>(),
            weight in any::<i32>(),
            max_weight in any::<i32>(),
            surge in any::<i32>(),
            spec in any::<i32>(),
            available in any::<i32>(),
        ) {
            let _ = approximate_weighted_canary_stable_replica_counts(replicas, weight, max_weight, surge);
            let mut rollout = new_rollout(replicas, weight, IntOrPercent::Int(surge), IntOrPercent::Percent(available), "canary", "stable", None, Some(TrafficRouting { max_traffic_weight: Some(max_weight) }));
            let canary = rs(CANARY, spec, available);
            let stable = rs(STABLE, available, spec);
            let _ = calculate_replica_counts_for_traffic_routed_canary(&rollout, Some(&canary), Some(&stable), Some(&TrafficWeights { canary: spec, stable: available }));
            rollout.traffic_routing = None;
            let _ = calculate_replica_counts_for_basic_canary(&rollout, Some(&canary), Some(&stable), &[canary]);
        }
    }
}
