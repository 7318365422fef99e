//! One Service's traffic: its endpoints as the model sees them, the
//! arrivals drawn so far, the requests in flight on each pod, and its
//! counters.
//!
//! Accounting is lazy: nothing happens between change points. At a change
//! point ([`ServiceTraffic::account_to`] then
//! [`ServiceTraffic::recompute`]) the arrivals since the last one are
//! drawn — one Poisson count per whole 1-second slot from the Service's
//! own arrival stream (so every strategy in a comparison sees the same
//! arrivals), split over sub-intervals and endpoints by binomials from a
//! separate routing stream — and each pod's in-flight pool releases what
//! Little's law says has finished, with the pod's current outcome.
//!
//! Invariant: `arrived = ok + failed + Σ pool` at all times (checked);
//! only this Service's entry writes its counters, and it writes kubelet
//! state only as its serving containers' extra demand.

use super::draw::{binomial, poisson};
use super::model::{attempts_per_request, pod_outcome, split_shares, spread, PodOutcome};
use super::spec::TrafficSpec;
use super::stats::Totals;
use kubesim_core::{
    entity_rng, ContainerId, Kubelet, NodeId, ObjectRef, PodId, ReplicaSetId, Serve, ServiceId,
    SimTime, Store, TrafficSplit, NANOS_PER_SEC,
};
use rand_chacha::ChaCha8Rng;

/// Extra-demand updates one Service may make per instant: demand does not
/// depend on capacity except through retries, so this only stops a
/// feedback loop that would not settle.
const PUSHES_PER_INSTANT: u32 = 4;

/// The model's view of one endpoint pod.
#[derive(Debug, Clone)]
pub(super) struct PodSlot {
    pub pod: PodId,
    pub node: Option<NodeId>,
    /// Index into the Service's groups (its ReplicaSet), if it has one.
    pub group: Option<usize>,
    /// Its serving container (index, id, what a request takes); `None`:
    /// no container's image has `serve`, requests are answered at once.
    pub serving: Option<(usize, ContainerId, Serve)>,
    /// Share of the Service's requests routed here.
    pub weight: f64,
    /// Requests here fail at once (process not up, container not running).
    pub refuse: bool,
    pub outcome: PodOutcome,
    /// Requests in flight here.
    pub pool: f64,
    /// Its serving container ran at the last recompute.
    pub was_running: bool,
}

/// Requests served by one ReplicaSet's pods.
#[derive(Debug, Clone)]
pub(super) struct Group {
    pub rs: ReplicaSetId,
    pub totals: Totals,
    pub last: Totals,
}

/// One Service's traffic state.
#[derive(Debug)]
pub(super) struct ServiceTraffic {
    pub id: ServiceId,
    pub name: String,
    pub spec: TrafficSpec,
    pub pods: Vec<PodSlot>,
    scratch: Vec<PodSlot>,
    split: Option<TrafficSplit>,
    /// Share of requests with no endpoint to go to.
    unrouted: f64,
    /// Probability that a failed attempt's retries all fail too (f̄^r).
    retry_fail: f64,
    /// Attempts per request (1 + f̄ + … + f̄^r).
    attempts: f64,
    accounted_to: SimTime,
    /// The slot whose count was drawn last, and what of it is unassigned.
    slot: Option<u64>,
    slot_left: u64,
    arrivals_rng: ChaCha8Rng,
    routing_rng: ChaCha8Rng,
    pub totals: Totals,
    pub last: Totals,
    pub groups: Vec<Group>,
    pub arrived: f64,
    pub ok: f64,
    pub failed: f64,
    pub dirty: bool,
    /// The pending wake-up timer.
    pub armed: Option<SimTime>,
    pushes: (SimTime, u32),
}

impl ServiceTraffic {
    pub fn new(id: ServiceId, name: String, spec: TrafficSpec, seed: u64) -> Self {
        ServiceTraffic {
            id,
            arrivals_rng: entity_rng(seed, "traffic", &name),
            routing_rng: entity_rng(seed, "traffic-routing", &name),
            name,
            spec,
            pods: Vec::new(),
            scratch: Vec::new(),
            split: None,
            unrouted: 1.0,
            retry_fail: 1.0,
            attempts: 1.0,
            accounted_to: SimTime::ZERO,
            slot: None,
            slot_left: 0,
            totals: Totals::default(),
            last: Totals::default(),
            groups: Vec::new(),
            arrived: 0.0,
            ok: 0.0,
            failed: 0.0,
            dirty: true,
            armed: None,
            pushes: (SimTime::ZERO, 0),
        }
    }

    /// Whether the store's endpoints or split differ from the model's.
    pub fn stale(&self, store: &Store) -> bool {
        let eps = store.service_endpoints(self.id);
        self.dirty
            || self.split != store.service_traffic_split(self.id)
            || eps.len() != self.pods.len()
            || eps.iter().zip(&self.pods).any(|(&p, s)| p != s.pod)
    }

    /// Requests in flight (Σ pool).
    pub fn in_flight(&self) -> f64 {
        self.pods.iter().map(|p| p.pool).sum()
    }

    /// Arrivals in `[t0, t1)`: whole slots' Poisson counts from the
    /// arrival stream, drawn in slot order whatever the change points;
    /// a slot cut by a change point is split binomially by its expected
    /// mass, from the routing stream.
    fn arrivals(&mut self, t0: SimTime, t1: SimTime) -> u64 {
        let mut n = 0u64;
        let mut a = t0;
        while a < t1 {
            let k = a.0 / NANOS_PER_SEC;
            let slot_end = SimTime(k.saturating_add(1).saturating_mul(NANOS_PER_SEC));
            if self.slot != Some(k) {
                debug_assert!(self.slot.is_none_or(|s| s < k), "slots out of order");
                // Slots skipped entirely (none here: accounting is
                // contiguous) would still be drawn in order.
                let start = SimTime(k * NANOS_PER_SEC);
                self.slot_left = poisson(
                    self.spec.rate.integral(start, slot_end),
                    &mut self.arrivals_rng,
                );
                self.slot = Some(k);
            }
            let end = t1.min(slot_end);
            let take = if end == slot_end {
                self.slot_left
            } else {
                let part = self.spec.rate.integral(a, end);
                let rest = self.spec.rate.integral(a, slot_end);
                let p = if rest > 0.0 { part / rest } else { 0.0 };
                binomial(self.slot_left, p, &mut self.routing_rng)
            };
            self.slot_left -= take;
            n += take;
            a = end;
        }
        n
    }

    /// Draws the arrivals up to `now` and settles what finished.
    pub fn account_to(&mut self, now: SimTime) {
        if now <= self.accounted_to {
            return;
        }
        let n = self.arrivals(self.accounted_to, now);
        self.accounted_to = now;
        self.arrived += n as f64;
        self.totals.requests += n as f64;
        let mut left = n;
        let mut share_left = 1.0;
        if self.unrouted > 0.0 {
            let nu = take_share(left, self.unrouted, share_left, &mut self.routing_rng);
            left -= nu;
            share_left -= self.unrouted;
            // No endpoint: a 503 at once; retries meet the same split.
            let fails = nu as f64 * self.retry_fail;
            self.failed += fails;
            self.ok += nu as f64 - fails;
            self.totals.errors += fails;
        }
        let rate = self.spec.rate.rate_at(now);
        for i in 0..self.pods.len() {
            let w = self.pods[i].weight;
            let np = if w > 0.0 && left > 0 {
                take_share(left, w, share_left, &mut self.routing_rng)
            } else {
                0
            };
            left -= np;
            share_left -= w;
            self.arrive(i, np, rate);
        }
        debug_assert_eq!(left, 0, "arrivals left unrouted");
    }

    /// `np` requests reach pod `i`; its pool releases down to Little's
    /// `L = λ·W` at request rate `rate` (the Service's, now).
    fn arrive(&mut self, i: usize, np: u64, rate: f64) {
        let slot = &mut self.pods[i];
        if let Some(g) = slot.group {
            self.groups[g].totals.requests += np as f64;
        }
        if slot.refuse {
            let fails = np as f64 * self.retry_fail;
            self.failed += fails;
            self.ok += np as f64 - fails;
            self.totals.errors += fails;
            if let Some(g) = slot.group {
                self.groups[g].totals.errors += fails;
            }
            return;
        }
        slot.pool += np as f64;
        let target = rate * slot.weight * slot.outcome.in_flight_s;
        let out = (slot.pool - target).max(0.0);
        slot.pool -= out;
        let (o, group) = (slot.outcome, slot.group);
        self.release(o, group, out);
    }

    /// `out` requests leave a pool with outcome `o`.
    fn release(&mut self, o: PodOutcome, group: Option<usize>, out: f64) {
        if out <= 0.0 {
            return;
        }
        let q = (o.fail_p * self.retry_fail).clamp(0.0, 1.0);
        let whole = out.floor();
        let errors = binomial(whole as u64, q, &mut self.routing_rng) as f64 + (out - whole) * q;
        let answered = out * (1.0 - o.timeout_p);
        self.failed += errors;
        self.ok += out - errors;
        for t in std::iter::once(&mut self.totals).chain(group.map(|g| &mut self.groups[g].totals))
        {
            t.errors += errors;
            t.answered += answered;
            t.latency_sum_s += answered * o.answered_mean_s;
            spread(&mut t.histogram, answered, &o);
        }
    }

    /// A pod's pool empties: a graceful leave finishes what it holds, a
    /// stopped container fails it (retried elsewhere, if retries allow).
    fn settle_pool(&mut self, o: PodOutcome, group: Option<usize>, pool: f64, killed: bool) {
        if killed {
            let fails = pool * self.retry_fail;
            self.failed += fails;
            self.ok += pool - fails;
            self.totals.errors += fails;
            if let Some(g) = group {
                self.groups[g].totals.errors += fails;
            }
        } else {
            self.release(o, group, pool);
        }
    }

    fn group_of(&mut self, store: &Store, pod: PodId) -> Option<usize> {
        let ObjectRef::ReplicaSet(rs) = store.pod(pod).pod().metadata.controller_of()?.owner else {
            return None;
        };
        if let Some(g) = self.groups.iter().position(|g| g.rs == rs) {
            return Some(g);
        }
        self.groups.push(Group {
            rs,
            totals: Totals::default(),
            last: Totals::default(),
        });
        Some(self.groups.len() - 1)
    }

    fn new_slot(&mut self, store: &Store, kubelet: &Kubelet, pod: PodId) -> PodSlot {
        let entry = store.pod(pod);
        let serving = (entry.init_count()..entry.pod().spec.container_count()).find_map(|ci| {
            let cid = entry.container_id(ci);
            let serve = kubelet.container_image(cid)?.serve?;
            Some((ci, cid, serve))
        });
        PodSlot {
            pod,
            node: entry.node(),
            group: self.group_of(store, pod),
            serving,
            weight: 0.0,
            refuse: false,
            outcome: PodOutcome::default(),
            pool: 0.0,
            was_running: false,
        }
    }

    /// Takes in the store's endpoints: pods that left settle, new ones
    /// join with an empty pool (no allocation once the buffers are grown).
    fn merge_endpoints(&mut self, store: &Store, kubelet: &mut Kubelet, now: SimTime) {
        let mut old = std::mem::take(&mut self.pods);
        let mut next = std::mem::take(&mut self.scratch);
        next.clear();
        let eps = store.service_endpoints(self.id);
        let mut j = 0;
        for (k, &ep) in eps.iter().enumerate() {
            while j < old.len() && old[j].pod < ep {
                self.leave(store, kubelet, &mut old[j], now);
                j += 1;
            }
            if j < old.len() && old[j].pod == ep {
                next.push(old[j].clone());
                j += 1;
            } else {
                let slot = self.new_slot(store, kubelet, store.service_endpoints(self.id)[k]);
                next.push(slot);
            }
        }
        while j < old.len() {
            self.leave(store, kubelet, &mut old[j], now);
            j += 1;
        }
        old.clear();
        self.scratch = old;
        self.pods = next;
    }

    fn leave(&mut self, store: &Store, kubelet: &mut Kubelet, slot: &mut PodSlot, now: SimTime) {
        let running = slot
            .serving
            .is_some_and(|(_, cid, _)| kubelet.accounting().container(cid).running)
            || (slot.serving.is_none() && store.pod(slot.pod).is_active_on_node());
        // A deleted pod terminates gracefully: it left the endpoints and
        // finishes what it holds (even if its process exits at once).
        let killed = !running && !store.pod(slot.pod).is_deleting();
        let pool = std::mem::take(&mut slot.pool);
        self.settle_pool(slot.outcome, slot.group, pool, killed);
        if let Some((_, cid, _)) = slot.serving {
            if kubelet.accounting().container(cid).extra_demand_cores != 0.0 {
                kubelet.set_extra_demand(store, slot.pod, cid, 0.0, now);
            }
        }
    }

    /// Recomputes routing, each pod's capacity and outcome, and the
    /// serving containers' extra demand. Returns whether a demand changed
    /// (its node must be re-solved) and the next instant something is
    /// due (a process coming up, a profile breakpoint).
    pub fn recompute(
        &mut self,
        store: &Store,
        kubelet: &mut Kubelet,
        now: SimTime,
    ) -> (bool, Option<SimTime>) {
        self.dirty = false;
        if store
            .service_endpoints(self.id)
            .iter()
            .ne(self.pods.iter().map(|s| &s.pod))
        {
            self.merge_endpoints(store, kubelet, now);
        }
        self.split = store.service_traffic_split(self.id);
        let mut wake = self.spec.rate.next_breakpoint(now);
        // Which pods answer now.
        for i in 0..self.pods.len() {
            let slot = &self.pods[i];
            let (refuse, running) = match slot.serving {
                Some((ci, _, _)) => match kubelet.process_up_at(store, slot.pod, ci) {
                    None => (true, false),
                    Some(up) if up > now => {
                        wake = Some(wake.map_or(up, |w| w.min(up)));
                        (true, true)
                    }
                    Some(_) => (false, true),
                },
                None => {
                    let active = store.pod(slot.pod).is_active_on_node();
                    (!active, active)
                }
            };
            if self.pods[i].was_running && !running {
                // Stopped under its requests (crash, OOM kill, eviction,
                // node failure): what it held fails — unless it was
                // deleted, a graceful termination that finishes it.
                let slot = &mut self.pods[i];
                let pool = std::mem::take(&mut slot.pool);
                let (o, g) = (slot.outcome, slot.group);
                let killed = !store.pod(self.pods[i].pod).is_deleting();
                self.settle_pool(o, g, pool, killed);
            }
            let slot = &mut self.pods[i];
            slot.refuse = refuse;
            slot.was_running = running;
        }
        self.route();
        let rate = self.spec.rate.rate_at(now);
        let timeout_s = self.spec.timeout.as_secs_f64();
        let mut mean_fail = self.unrouted;
        let mut changed = false;
        if self.pushes.0 != now {
            self.pushes = (now, 0);
        }
        let may_push = self.pushes.1 < PUSHES_PER_INSTANT;
        for i in 0..self.pods.len() {
            let slot = &self.pods[i];
            let lambda = rate * slot.weight * self.attempts;
            let (outcome, demand) = match slot.serving {
                _ if slot.refuse => (
                    PodOutcome {
                        fail_p: 1.0,
                        timeout_p: 1.0,
                        ..Default::default()
                    },
                    0.0,
                ),
                None => (pod_outcome(lambda, 0.0, 0.0, 0.0, 1.0, timeout_s), 0.0),
                Some((_, cid, s)) => {
                    let c = serving_capacity(store, kubelet, slot.pod, cid);
                    let o = pod_outcome(
                        lambda,
                        s.cpu_seconds,
                        s.latency.as_secs_f64(),
                        s.error_rate,
                        c,
                        timeout_s,
                    );
                    (o, lambda * s.cpu_seconds)
                }
            };
            mean_fail += slot.weight * outcome.fail_p;
            let (pod, serving) = (slot.pod, slot.serving);
            self.pods[i].outcome = outcome;
            if let (Some((_, cid, _)), true) = (serving, may_push) {
                let have = kubelet.accounting().container(cid).extra_demand_cores;
                if kubelet.accounting().container(cid).running
                    && (have - demand).abs() > 1e-9 * demand.max(1.0)
                {
                    kubelet.set_extra_demand(store, pod, cid, demand, now);
                    changed = true;
                }
            }
        }
        let retries = self.spec.retries;
        self.attempts = attempts_per_request(mean_fail.clamp(0.0, 1.0), retries);
        self.retry_fail = mean_fail.clamp(0.0, 1.0).powi(retries.min(64) as i32);
        if changed {
            self.pushes.1 += 1;
        }
        (changed, wake)
    }

    /// Routing weights: even over the endpoints, or by the split (the
    /// canary ReplicaSet's pods share its weight, the others the rest; a
    /// side without endpoints leaves its share unrouted).
    fn route(&mut self) {
        let n = self.pods.len();
        match self.split {
            None => {
                let w = if n > 0 { 1.0 / n as f64 } else { 0.0 };
                for p in &mut self.pods {
                    p.weight = w;
                }
                self.unrouted = if n == 0 { 1.0 } else { 0.0 };
            }
            Some(s) => {
                let groups = &self.groups;
                let is_canary = |p: &PodSlot| p.group.is_some_and(|g| groups[g].rs == s.canary);
                let n_c = self.pods.iter().filter(|p| is_canary(p)).count();
                let (wc, wo, unrouted) = split_shares(n_c, n - n_c, s.canary_weight_percent);
                for i in 0..n {
                    let canary = is_canary(&self.pods[i]);
                    self.pods[i].weight = if canary { wc } else { wo };
                }
                self.unrouted = unrouted;
            }
        }
    }
}

/// Takes the share `w` of `left` requests when `share_left` of the whole
/// remains (sequential binomials of a multinomial).
fn take_share(left: u64, w: f64, share_left: f64, rng: &mut ChaCha8Rng) -> u64 {
    if w >= share_left - 1e-12 {
        return left;
    }
    binomial(left, w / share_left, rng)
}

/// The CPU the serving container of `pod` can serve requests at
/// (cores): what the CFS solver would give it if it were saturated
/// (everything it asks for within its quota and its pod's limit, against
/// the other containers' current demands — work-conserving CFS), less its
/// image's own demand.
pub(super) fn serving_capacity(
    store: &Store,
    kubelet: &mut Kubelet,
    pod: PodId,
    cid: ContainerId,
) -> f64 {
    let base = kubelet.accounting().container(cid).demand_cores;
    (kubelet.burst_capacity(store, pod, cid) - base).max(0.0)
}
