//! Request traffic to Services, served at the CPU each pod gets.
//!
//! - [`stats`]: what every consumer reads — cumulative [`Totals`] per
//!   Service and per ReplicaSet (a window is the difference of two
//!   snapshots, [`Totals::since`]) and the [`TrafficQuery`] trait through
//!   which controllers (Argo Rollouts' analysis) read them.
//! - [`spec`]: a `traffic:` entry ([`TrafficSpec`]); [`profile`]: its rate
//!   over time ([`RateProfile`]).
//! - [`model`]: the queueing formulas (processor sharing, Erlang C,
//!   timeouts, the latency histogram), pure; [`draw`]: Poisson and
//!   binomial counts.
//! - `service`: one Service's state — endpoints as the model sees them,
//!   arrivals, in-flight pools, counters.
//! - [`Traffic`] (here): the component the engine owns. Fluid and lazy:
//!   it does nothing between change points. The engine calls
//!   [`Traffic::note_flushed`] after every CPU re-solve and
//!   [`Traffic::sync`] before simulated time moves on; `sync` accounts
//!   each Service whose endpoints, split or CPU changed (or whose own
//!   timer fired: a process coming up, a rate breakpoint) up to now and
//!   recomputes it, which may set serving containers' extra CPU demand
//!   (their nodes are then re-solved, and `sync` runs again).
//!
//! Invariant: the traffic model reads the store and kubelet's books and
//! writes only its own counters and, through the kubelet, its serving
//! containers' extra demand; for every Service, arrived = answered or
//! failed + in flight (checked by [`Traffic::check_invariants`]).

pub mod draw;
pub mod model;
pub mod profile;
mod service;
pub mod spec;
mod stats;

pub use profile::RateProfile;
pub use spec::{Slo, TrafficSpec, DEFAULT_TIMEOUT};
pub use stats::{
    bucket_lower_s, bucket_of, NoTraffic, Totals, TrafficQuery, Window, LATENCY_BUCKETS,
};

use crate::controllers::deployment::util::revision;
use crate::controllers::rollout::rollout_revision;
use crate::engine::{MetricObject, MetricRecord, RecordSink};
use kubesim_core::{Kubelet, NodeId, ReplicaSetId, ServiceId, SimTime, Store};
use service::ServiceTraffic;

/// A traffic timer: Service entry `service` (its index in the `traffic:`
/// list) has something due — a process coming up, a rate breakpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TrafficTimer {
    /// The entry's index.
    pub service: u32,
}

/// Requests counted for one Service: the conservation counters.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Conservation {
    /// Requests arrived.
    pub arrived: f64,
    /// Requests that ended answered (successfully, or after retries).
    pub ok: f64,
    /// Requests that failed.
    pub failed: f64,
    /// Requests in flight.
    pub in_flight: f64,
}

/// The request-traffic component: one entry per `traffic:` Service.
#[derive(Debug, Default)]
pub struct Traffic {
    services: Vec<ServiceTraffic>,
    /// Per node: re-solved since the last sync (reused mask).
    flushed: Vec<bool>,
    any_flushed: bool,
    /// Timers to push onto the engine's queue.
    pub timers: Vec<(SimTime, TrafficTimer)>,
    last_sample: SimTime,
}

impl Traffic {
    /// The traffic of `specs` against the Services in `store` (an entry
    /// naming no Service is skipped: the runner rejects those).
    pub fn new(specs: Vec<TrafficSpec>, store: &Store, seed: u64) -> Self {
        let mut t = Traffic::default();
        for spec in specs {
            let Some(id) = spec.service_id(store) else {
                debug_assert!(false, "traffic for unknown service {}", spec.service);
                continue;
            };
            let name = store.service(id).metadata.qualified_name().into_owned();
            t.services.push(ServiceTraffic::new(id, name, spec, seed));
        }
        t
    }

    /// Whether there is no traffic at all.
    pub fn is_empty(&self) -> bool {
        self.services.is_empty()
    }

    /// Nodes re-solved by the kubelet's last flush: Services with an
    /// endpoint there recompute at the next sync.
    pub fn note_flushed(&mut self, nodes: &[NodeId]) {
        if self.services.is_empty() {
            return;
        }
        for &n in nodes {
            if self.flushed.len() <= n.index() {
                self.flushed.resize(n.index() + 1, false);
            }
            self.flushed[n.index()] = true;
            self.any_flushed = true;
        }
    }

    /// A traffic timer fired at `now`.
    pub fn on_timer(&mut self, t: TrafficTimer, now: SimTime) {
        if let Some(s) = self.services.get_mut(t.service as usize) {
            if s.armed == Some(now) {
                s.armed = None;
                s.dirty = true;
            }
        }
    }

    /// Before simulated time moves on from `now`: every Service whose
    /// endpoints, split, CPU or timers changed is accounted to `now` and
    /// recomputed. Returns whether a serving container's demand changed
    /// (some node needs re-solving).
    pub fn sync(&mut self, store: &Store, kubelet: &mut Kubelet, now: SimTime) -> bool {
        let mut changed = false;
        for (i, s) in self.services.iter_mut().enumerate() {
            let flushed = self.any_flushed
                && s.pods.iter().any(|p| {
                    p.node
                        .is_some_and(|n| self.flushed.get(n.index()).copied().unwrap_or(false))
                });
            if !(flushed || s.stale(store)) {
                continue;
            }
            s.account_to(now);
            let (c, wake) = s.recompute(store, kubelet, now);
            changed |= c;
            if let Some(w) = wake.filter(|&w| w > now) {
                if s.armed.is_none_or(|a| w < a || a <= now) {
                    s.armed = Some(w);
                    self.timers.push((w, TrafficTimer { service: i as u32 }));
                }
            }
        }
        if self.any_flushed {
            self.flushed.iter_mut().for_each(|f| *f = false);
            self.any_flushed = false;
        }
        changed
    }

    /// Accounts every Service up to `now` (the end of the run).
    pub fn account_all(&mut self, now: SimTime) {
        for s in &mut self.services {
            s.account_to(now);
        }
    }

    /// `service/NAME` rows of the window since the last sample (and
    /// `service/NAME/rev-N` for each ReplicaSet that got requests in it):
    /// `requests`, `errors`, and — when something was answered —
    /// `latency_mean_s`, `latency_p50_s`, `latency_p95_s`, `latency_p99_s`.
    /// Every Service must be accounted to `now` ([`sync`](Self::sync)
    /// then [`account_all`](Self::account_all)).
    pub fn sample<S: RecordSink>(
        &mut self,
        store: &Store,
        now: SimTime,
        sink: &mut S,
    ) -> Result<(), S::Error> {
        let seconds = (now - self.last_sample).as_secs_f64();
        self.last_sample = now;
        for s in &mut self.services {
            let w = s.totals.since(&s.last, seconds);
            s.last.clone_from(&s.totals);
            write_window(sink, now, MetricObject::Service(&s.name), &w)?;
            let mut revs: Vec<(i64, usize)> = s
                .groups
                .iter()
                .enumerate()
                .map(|(g, grp)| (revision_of(store, grp.rs), g))
                .collect();
            revs.sort_unstable();
            for (rev, g) in revs {
                let grp = &mut s.groups[g];
                let w = grp.totals.since(&grp.last, seconds);
                grp.last.clone_from(&grp.totals);
                if w.requests > 0.0 || w.errors > 0.0 || w.answered > 0.0 {
                    let object = MetricObject::ServiceRevision {
                        service: &s.name,
                        revision: rev,
                    };
                    write_window(sink, now, object, &w)?;
                }
            }
        }
        Ok(())
    }

    /// Requests arrived over all Services so far.
    pub fn requests_total(&self) -> f64 {
        self.services.iter().map(|s| s.arrived).sum()
    }

    /// Requests failed over all Services so far.
    pub fn requests_failed(&self) -> f64 {
        self.services.iter().map(|s| s.failed).sum()
    }

    /// The conservation counters of Service `service`, if it has traffic.
    pub fn conservation(&self, service: ServiceId) -> Option<Conservation> {
        let s = self.services.iter().find(|s| s.id == service)?;
        Some(Conservation {
            arrived: s.arrived,
            ok: s.ok,
            failed: s.failed,
            in_flight: s.in_flight(),
        })
    }

    /// The SLO of Service `service`'s traffic, if any.
    pub fn slo(&self, service: ServiceId) -> Option<Slo> {
        self.services.iter().find(|s| s.id == service)?.spec.slo
    }

    /// Requests are conserved, pools are non-negative, and each Service's
    /// totals count its arrivals.
    pub fn check_invariants(&self) -> Result<(), String> {
        for s in &self.services {
            let in_flight = s.in_flight();
            let sum = s.ok + s.failed + in_flight;
            if (s.arrived - sum).abs() > 1e-6 * s.arrived.max(1.0) {
                return Err(format!(
                    "service {}: {} requests arrived but {} ok + {} failed + {} in flight",
                    s.name, s.arrived, s.ok, s.failed, in_flight
                ));
            }
            if s.pods.iter().any(|p| p.pool < -1e-9) || s.totals.requests != s.arrived {
                return Err(format!("service {}: traffic counters broken", s.name));
            }
        }
        Ok(())
    }
}

impl TrafficQuery for Traffic {
    fn totals(&self, service: ServiceId, replica_set: Option<ReplicaSetId>) -> Totals {
        let Some(s) = self.services.iter().find(|s| s.id == service) else {
            return Totals::default();
        };
        match replica_set {
            None => s.totals.clone(),
            Some(rs) => s
                .groups
                .iter()
                .find(|g| g.rs == rs)
                .map(|g| g.totals.clone())
                .unwrap_or_default(),
        }
    }
}

/// The revision of a ReplicaSet: `deployment.kubernetes.io/revision`, or
/// `rollout.argoproj.io/revision` for one an Argo Rollout owns.
fn revision_of(store: &Store, rs: ReplicaSetId) -> i64 {
    let a = &store.replica_set(rs).metadata.annotations;
    match revision(a) {
        0 => rollout_revision(a),
        r => r,
    }
}

fn write_window<S: RecordSink>(
    sink: &mut S,
    time: SimTime,
    object: MetricObject<'_>,
    w: &Window,
) -> Result<(), S::Error> {
    let mut row = |metric: &'static str, value: f64| {
        sink.metric(&MetricRecord {
            time,
            object,
            metric,
            value,
        })
    };
    row("requests", w.requests)?;
    row("errors", w.errors)?;
    if let Some(mean) = w.latency_mean_s() {
        row("latency_mean_s", mean)?;
        for (metric, q) in [
            ("latency_p50_s", 0.5),
            ("latency_p95_s", 0.95),
            ("latency_p99_s", 0.99),
        ] {
            if let Some(v) = w.latency_quantile_s(q) {
                row(metric, v)?;
            }
        }
    }
    Ok(())
}
