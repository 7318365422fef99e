//! Probes: startup, liveness and readiness, as kubelet's prober workers
//! run them (pkg/kubelet/prober/worker.go), without a timer per tick.
//!
//! A worker for each probe starts when kubelet admits the pod and ticks
//! every `periodSeconds` from then on; a tick probes only a running
//! container that started more than `initialDelaySeconds` before the tick
//! (a container starting on a tick is not there yet for it; and, for
//! liveness and readiness, whose startup probe has succeeded). A result
//! moves the worker's counts: `failureThreshold` consecutive failures
//! turn it failing, `successThreshold` consecutive successes turn it
//! passing (`resultRun` in worker.go). Liveness starts passing (Success),
//! readiness failing (Failure), startup Unknown — neither, so that its
//! `failureThreshold` failures do turn it failing and kubelet kills the
//! container, as it does after a failed liveness probe.
//!
//! What a probe sees comes from the image: it fails until the process
//! answers (`startup`), and then as `health` says (`failAfter`,
//! `failWindows`, `never`); a `probeLatency` at or above `timeoutSeconds`
//! fails every probe. That answer is piecewise constant with known change
//! points, so the tick at which the next *transition* happens — the first
//! failure of a streak (an `Unhealthy` event), a threshold reached — is
//! computed by walking whole runs of equal answers ([`next_transition`]),
//! and only that tick becomes a timer. 100,000 healthy pods cost no
//! events at all.
//!
//! Where kubesim simplifies: kubelet records an `Unhealthy` event for
//! every failed probe (its event recorder then folds repeats); kubesim
//! records the first failure of each streak and the failure that crosses
//! the threshold. The random start delay a worker takes right after a
//! kubelet restart does not arise (kubelets start with the run).

use crate::api::Probe;
use crate::kernel::SimTime;

/// What the process behind a container answers to probes.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Health {
    /// Probes fail from this long after start on.
    pub fail_after: Option<SimTime>,
    /// Probes fail during these windows `(from, length)` after start.
    pub fail_windows: Vec<(SimTime, SimTime)>,
    /// Probes always fail.
    pub never: bool,
}

/// Which probe.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ProbeKind {
    /// `startupProbe`.
    Startup,
    /// `livenessProbe`.
    Liveness,
    /// `readinessProbe`.
    Readiness,
}

impl ProbeKind {
    /// As kubelet writes it in events (`Startup probe failed: …`).
    pub fn title(self) -> &'static str {
        match self {
            ProbeKind::Startup => "Startup",
            ProbeKind::Liveness => "Liveness",
            ProbeKind::Readiness => "Readiness",
        }
    }
    /// The worker's initial result (`initialValue` in worker.go):
    /// `Some(true)` Success, `Some(false)` Failure, `None` Unknown.
    pub fn initial_result(self) -> Option<bool> {
        match self {
            ProbeKind::Liveness => Some(true),
            ProbeKind::Readiness => Some(false),
            ProbeKind::Startup => None,
        }
    }
}

/// The answers one container gives, in absolute time.
#[derive(Debug, Clone, Copy)]
pub struct Answers<'a> {
    /// When the container started.
    pub started: SimTime,
    /// From start until the process answers.
    pub startup: SimTime,
    /// The image's health.
    pub health: &'a Health,
    /// Whether every probe times out (`probeLatency ≥ timeoutSeconds`).
    pub timed_out: bool,
}

impl Answers<'_> {
    /// Whether a probe at `t` succeeds.
    pub fn healthy_at(&self, t: SimTime) -> bool {
        if self.timed_out || self.health.never || t < self.started {
            return false;
        }
        let o = t - self.started;
        o >= self.startup
            && self.health.fail_after.is_none_or(|f| o < f)
            && !self
                .health
                .fail_windows
                .iter()
                .any(|&(a, d)| o >= a && o < a.saturating_add(d))
    }

    /// The next time after `t` at which the answer may change.
    pub fn next_change_after(&self, t: SimTime) -> Option<SimTime> {
        if self.timed_out || self.health.never {
            return None;
        }
        let o = t.saturating_sub(self.started);
        let mut points = vec![self.startup];
        points.extend(self.health.fail_after);
        for &(a, d) in &self.health.fail_windows {
            points.push(a);
            points.push(a.saturating_add(d));
        }
        points
            .into_iter()
            .filter(|&p| p > o)
            .min()
            .map(|p| self.started.saturating_add(p))
    }
}

/// When a worker ticks: `anchor + k·period`, from `earliest` on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Clock {
    /// The worker's start.
    pub anchor: SimTime,
    /// `periodSeconds`.
    pub period: SimTime,
    /// Container start + `initialDelaySeconds` (and for liveness and
    /// readiness, the startup probe's success).
    pub earliest: SimTime,
}

impl Clock {
    /// The first tick at or after `t`.
    pub fn tick_at_or_after(&self, t: SimTime) -> SimTime {
        let t = t.max(self.earliest).max(self.anchor);
        let p = self.period.0.max(1);
        let k = (t.0 - self.anchor.0).div_ceil(p);
        SimTime(self.anchor.0.saturating_add(k.saturating_mul(p)))
    }
    /// Ticks in `[a, b)`.
    pub fn ticks_in(&self, a: SimTime, b: SimTime) -> u64 {
        let first = self.tick_at_or_after(a);
        if first >= b {
            return 0;
        }
        (b.0 - first.0).div_ceil(self.period.0.max(1))
    }
}

/// A worker's counts (`resultRun`) and current result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Counter {
    /// Consecutive successes.
    pub successes: u32,
    /// Consecutive failures.
    pub failures: u32,
    /// The current result: `Some(true)` passing, `Some(false)` failing,
    /// `None` not known yet (a startup probe before its first verdict).
    pub result: Option<bool>,
}

/// What one probe result changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Step {
    /// The first failure after a success (or the first result).
    pub first_failure: bool,
    /// The result flipped to this.
    pub flipped: Option<bool>,
}

impl Step {
    /// Whether anything happened.
    pub fn any(&self) -> bool {
        self.first_failure || self.flipped.is_some()
    }
}

impl Counter {
    /// A fresh worker of `kind`.
    pub fn new(kind: ProbeKind) -> Self {
        Counter {
            successes: 0,
            failures: 0,
            result: kind.initial_result(),
        }
    }

    /// Applies one result.
    pub fn step(&mut self, healthy: bool, spec: &Probe) -> Step {
        let mut s = Step::default();
        if healthy {
            self.failures = 0;
            self.successes = self.successes.saturating_add(1);
            if self.result != Some(true) && self.successes >= spec.success_threshold.max(1) as u32 {
                self.result = Some(true);
                s.flipped = Some(true);
            }
        } else {
            s.first_failure = self.failures == 0;
            self.successes = 0;
            self.failures = self.failures.saturating_add(1);
            if self.result != Some(false) && self.failures >= spec.failure_threshold.max(1) as u32 {
                self.result = Some(false);
                s.flipped = Some(false);
            }
        }
        s
    }

    /// Applies `n` equal results that must not change anything visible
    /// (a run between two transitions).
    fn step_quietly(&mut self, healthy: bool, n: u64) {
        let n = u32::try_from(n).unwrap_or(u32::MAX);
        if n == 0 {
            return;
        }
        if healthy {
            self.failures = 0;
            self.successes = self.successes.saturating_add(n);
        } else {
            self.successes = 0;
            self.failures = self.failures.saturating_add(n);
        }
    }
}

/// Brings `counter` from the ticks before `from` up to (not including)
/// `to`: the ticks in between are known to change nothing visible.
pub fn advance(
    counter: &mut Counter,
    clock: &Clock,
    answers: &Answers<'_>,
    from: SimTime,
    to: SimTime,
) {
    let mut t = clock.tick_at_or_after(from);
    for _ in 0..10_000 {
        if t >= to {
            return;
        }
        let h = answers.healthy_at(t);
        let end = answers.next_change_after(t).map_or(to, |c| c.min(to));
        let n = clock.ticks_in(t, end);
        counter.step_quietly(h, n);
        t = clock.tick_at_or_after(end);
    }
}

/// The first tick at or after `from` whose result changes something
/// visible, given the counts so far; `None` if none ever will.
pub fn next_transition(
    counter: &Counter,
    spec: &Probe,
    clock: &Clock,
    answers: &Answers<'_>,
    from: SimTime,
) -> Option<SimTime> {
    let mut c = *counter;
    let s_thr = spec.success_threshold.max(1) as u64;
    let f_thr = spec.failure_threshold.max(1) as u64;
    let p = clock.period.0.max(1);
    let mut t = clock.tick_at_or_after(from);
    // Each pass consumes one run of equal answers; answers change a
    // bounded number of times, after which one more pass decides.
    for _ in 0..10_000 {
        let h = answers.healthy_at(t);
        let change = answers.next_change_after(t);
        let in_run = |tick: SimTime| change.is_none_or(|ch| tick < ch);
        if h {
            if c.result != Some(true) {
                let need = s_thr.saturating_sub(u64::from(c.successes)).max(1);
                let at = SimTime(t.0.saturating_add((need - 1).saturating_mul(p)));
                if in_run(at) {
                    return Some(at);
                }
            }
        } else {
            if c.failures == 0 {
                return Some(t);
            }
            if c.result != Some(false) {
                let need = f_thr.saturating_sub(u64::from(c.failures)).max(1);
                let at = SimTime(t.0.saturating_add((need - 1).saturating_mul(p)));
                if in_run(at) {
                    return Some(at);
                }
            }
        }
        let end = change?;
        c.step_quietly(h, clock.ticks_in(t, end));
        t = clock.tick_at_or_after(end);
    }
    None
}

// ---- the prober, inside kubelet ----

use super::{events, Effects, Kubelet, KubeletTimer, KubeletTimerKind};
use crate::api::{PodId, Store};

/// One worker's state, per container and probe.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Worker {
    spec: Probe,
    counter: Counter,
    /// Ticks before this time are applied to `counter`.
    applied_until: SimTime,
    earliest: SimTime,
}

impl ProbeKind {
    fn index(self) -> usize {
        self as usize
    }
    fn timer(self) -> KubeletTimerKind {
        match self {
            ProbeKind::Startup => KubeletTimerKind::StartupProbe,
            ProbeKind::Liveness => KubeletTimerKind::LivenessProbe,
            ProbeKind::Readiness => KubeletTimerKind::ReadinessProbe,
        }
    }
    fn of(spec: &crate::api::Container, kind: ProbeKind) -> Option<Probe> {
        match kind {
            ProbeKind::Startup => spec.startup_probe,
            ProbeKind::Liveness => spec.liveness_probe,
            ProbeKind::Readiness => spec.readiness_probe,
        }
    }
}

impl Kubelet {
    /// A sidecar or app container started: its workers reset; a startup
    /// probe runs first, the others once it has succeeded.
    pub(super) fn start_probes(
        &mut self,
        store: &mut Store,
        pid: PodId,
        ci: usize,
        now: SimTime,
        fx: &mut Effects,
    ) {
        let cid = store.pod(pid).container_id(ci);
        let rt = &mut self.containers[cid.index()];
        rt.probes = [None; 3];
        rt.probe_killed = false;
        let has_startup = store
            .pod(pid)
            .pod()
            .spec
            .container(ci)
            .startup_probe
            .is_some();
        if has_startup {
            self.arm_probe(store, pid, ci, ProbeKind::Startup, now, fx);
        } else {
            self.on_started(store, pid, ci, now, fx);
        }
    }

    /// When the container started, how long until it answers, and whether
    /// every probe times out.
    fn answers(
        &self,
        store: &Store,
        pid: PodId,
        ci: usize,
        timeout_s: i32,
    ) -> (SimTime, SimTime, bool) {
        let cid = store.pod(pid).container_id(ci);
        let img = self.image(cid);
        let started = store.pod(pid).pod().status.container_statuses[ci]
            .started_at
            .unwrap_or(SimTime::ZERO);
        let timeout = SimTime::from_secs(timeout_s.max(1) as u64);
        (started, img.startup, img.probe_latency >= timeout)
    }

    /// Starts (or continues) the worker of `kind` and arms its next
    /// transition.
    pub(super) fn arm_probe(
        &mut self,
        store: &Store,
        pid: PodId,
        ci: usize,
        kind: ProbeKind,
        now: SimTime,
        fx: &mut Effects,
    ) {
        let Some(spec) = ProbeKind::of(store.pod(pid).pod().spec.container(ci), kind) else {
            return;
        };
        let cid = store.pod(pid).container_id(ci);
        let (started, startup, timed_out) = self.answers(store, pid, ci, spec.timeout_s);
        let worker = match self.containers[cid.index()].probes[kind.index()] {
            Some(w) => w,
            None => Worker {
                spec,
                counter: Counter::new(kind),
                applied_until: now,
                // The worker probes a container only once *more* than
                // `initialDelaySeconds` have passed: it was started
                // (`AddPod`) before the container was created and compares
                // whole seconds since the container's start
                // (`int32(time.Since(StartedAt).Seconds()) <
                // InitialDelaySeconds`), so the tick at the start itself, or
                // exactly the delay after it, finds it not yet due.
                earliest: now.max(
                    started + SimTime::from_secs(spec.initial_delay_s.max(0) as u64) + SimTime(1),
                ),
            },
        };
        self.containers[cid.index()].probes[kind.index()] = Some(worker);
        let clock = Clock {
            anchor: self.pods[pid.index()].probe_anchor,
            period: SimTime::from_secs(spec.period_s.max(1) as u64),
            earliest: worker.earliest,
        };
        let health = &self.images[self.containers[cid.index()].image_id as usize].health;
        let answers = Answers {
            started,
            startup,
            health,
            timed_out,
        };
        let Some(at) = next_transition(
            &worker.counter,
            &spec,
            &clock,
            &answers,
            worker.applied_until,
        ) else {
            return;
        };
        let gen = self.timers.arm(cid.index(), kind.timer());
        fx.timers.push((
            at,
            KubeletTimer::Container {
                kind: kind.timer(),
                container: cid,
                gen,
            },
        ));
    }

    /// A worker's tick that changes something: apply the result, act on
    /// it, arm the next.
    pub(super) fn on_probe(
        &mut self,
        store: &mut Store,
        pid: PodId,
        ci: usize,
        kind: ProbeKind,
        now: SimTime,
        fx: &mut Effects,
    ) {
        let cid = store.pod(pid).container_id(ci);
        let Some(mut w) = self.containers[cid.index()].probes[kind.index()] else {
            return;
        };
        let (started, startup, timed_out) = self.answers(store, pid, ci, w.spec.timeout_s);
        let clock = Clock {
            anchor: self.pods[pid.index()].probe_anchor,
            period: SimTime::from_secs(w.spec.period_s.max(1) as u64),
            earliest: w.earliest,
        };
        let health = &self.images[self.containers[cid.index()].image_id as usize].health;
        let answers = Answers {
            started,
            startup,
            health,
            timed_out,
        };
        advance(&mut w.counter, &clock, &answers, w.applied_until, now);
        let healthy = answers.healthy_at(now);
        let step = w.counter.step(healthy, &w.spec);
        w.applied_until = SimTime(now.0.saturating_add(1));
        self.containers[cid.index()].probes[kind.index()] = Some(w);
        let name = store.pod(pid).pod().spec.container(ci).name.clone();
        if step.first_failure {
            let why = if answers.timed_out {
                format!(
                    "timeout: the probe took longer than {}s",
                    w.spec.timeout_s.max(1)
                )
            } else {
                "the container did not answer".to_string()
            };
            fx.events
                .push(events::unhealthy(store, pid, kind.title(), &why, now));
        }
        match (kind, step.flipped) {
            (ProbeKind::Startup, Some(true)) => {
                self.on_started(store, pid, ci, now, fx);
                return;
            }
            (ProbeKind::Startup | ProbeKind::Liveness, Some(false)) => {
                let what = if kind == ProbeKind::Startup {
                    "startup"
                } else {
                    "liveness"
                };
                self.kill_for_probe(store, pid, ci, &name, what, now, fx);
                return;
            }
            (ProbeKind::Readiness, Some(ready)) => {
                store.set_container_ready(pid, ci, ready);
                self.update_ready(store, pid, now);
            }
            _ => {}
        }
        self.arm_probe(store, pid, ci, kind, now, fx);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(x: u64) -> SimTime {
        SimTime::from_secs(x)
    }

    fn probe(period: i32, succ: i32, fail: i32) -> Probe {
        Probe {
            period_s: period,
            success_threshold: succ,
            failure_threshold: fail,
            ..Probe::default()
        }
    }

    /// Tick by tick, as kubelet's worker runs: the reference the
    /// analytic walk must agree with.
    fn naive(
        kind: ProbeKind,
        spec: &Probe,
        clock: &Clock,
        answers: &Answers<'_>,
        until: SimTime,
    ) -> Vec<(SimTime, Step)> {
        let mut c = Counter::new(kind);
        let mut out = Vec::new();
        let mut t = clock.tick_at_or_after(SimTime::ZERO);
        while t < until {
            let st = c.step(answers.healthy_at(t), spec);
            if st.any() {
                out.push((t, st));
            }
            t = SimTime(t.0 + clock.period.0);
        }
        out
    }

    fn analytic(
        kind: ProbeKind,
        spec: &Probe,
        clock: &Clock,
        answers: &Answers<'_>,
        until: SimTime,
    ) -> Vec<(SimTime, Step)> {
        let mut c = Counter::new(kind);
        let mut out = Vec::new();
        let mut from = SimTime::ZERO;
        while let Some(t) = next_transition(&c, spec, clock, answers, from) {
            if t >= until {
                break;
            }
            advance(&mut c, clock, answers, from, t);
            let st = c.step(answers.healthy_at(t), spec);
            assert!(st.any(), "a predicted tick changes something at {t}");
            out.push((t, st));
            from = SimTime(t.0 + 1);
        }
        out
    }

    #[test]
    fn analytic_walk_matches_tick_by_tick() {
        let healths = [
            Health::default(),
            Health {
                fail_after: Some(s(600)),
                ..Default::default()
            },
            Health {
                fail_windows: vec![(s(300), s(60)), (s(1000), s(5)), (s(1200), s(400))],
                ..Default::default()
            },
            Health {
                never: true,
                ..Default::default()
            },
        ];
        let specs = [
            probe(10, 1, 3),
            probe(5, 2, 1),
            probe(7, 3, 5),
            probe(1, 1, 1),
        ];
        for health in &healths {
            for spec in &specs {
                for kind in [
                    ProbeKind::Startup,
                    ProbeKind::Liveness,
                    ProbeKind::Readiness,
                ] {
                    for (startup, delay, anchor) in [(0, 0, 0), (45, 10, 3), (100, 0, 2)] {
                        let answers = Answers {
                            started: s(anchor + 1),
                            startup: s(startup),
                            health,
                            timed_out: false,
                        };
                        let clock = Clock {
                            anchor: s(anchor),
                            period: s(spec.period_s as u64),
                            earliest: s(anchor + 1 + delay),
                        };
                        let until = s(3000);
                        assert_eq!(
                            analytic(kind, spec, &clock, &answers, until),
                            naive(kind, spec, &clock, &answers, until),
                            "{kind:?} {spec:?} {health:?} startup {startup}"
                        );
                    }
                }
            }
        }
    }

    /// A slow starter (120 s) under a liveness probe with no initial delay
    /// (period 10 s, 3 failures): killed at the third failing tick, 20 s
    /// after the first — long before it would have answered.
    #[test]
    fn liveness_without_initial_delay_kills_a_slow_starter() {
        let health = Health::default();
        let answers = Answers {
            started: s(0),
            startup: s(120),
            health: &health,
            timed_out: false,
        };
        let clock = Clock {
            anchor: s(0),
            period: s(10),
            earliest: s(0),
        };
        let spec = probe(10, 1, 3);
        let got = analytic(ProbeKind::Liveness, &spec, &clock, &answers, s(1000));
        assert_eq!(got[0].0, s(0));
        assert!(got[0].1.first_failure);
        assert_eq!(
            got[1],
            (
                s(20),
                Step {
                    first_failure: false,
                    flipped: Some(false)
                }
            )
        );
    }

    /// A startup probe starts Unknown (worker.go `initialValue`), so
    /// `failureThreshold` failures in a row turn it failing — the verdict
    /// on which kubelet kills the container — at the 5th tick (40 s) for
    /// an app that never answers; with a threshold of 15 the app that
    /// answers at 60 s passes instead.
    #[test]
    fn startup_probe_fails_at_its_threshold() {
        let health = Health {
            never: true,
            ..Default::default()
        };
        let answers = Answers {
            started: s(0),
            startup: s(0),
            health: &health,
            timed_out: false,
        };
        let clock = Clock {
            anchor: s(0),
            period: s(10),
            earliest: s(0),
        };
        let got = analytic(
            ProbeKind::Startup,
            &probe(10, 1, 5),
            &clock,
            &answers,
            s(1000),
        );
        assert_eq!(
            got,
            vec![
                (
                    s(0),
                    Step {
                        first_failure: true,
                        flipped: None
                    }
                ),
                (
                    s(40),
                    Step {
                        first_failure: false,
                        flipped: Some(false)
                    }
                ),
            ]
        );
        let healthy = Health::default();
        let slow = Answers {
            startup: s(60),
            health: &healthy,
            ..answers
        };
        let got = analytic(
            ProbeKind::Startup,
            &probe(10, 1, 15),
            &clock,
            &slow,
            s(1000),
        );
        assert_eq!(got.last().map(|x| x.1.flipped), Some(Some(true)));
        assert_eq!(got.last().map(|x| x.0), Some(s(60)));
    }
}
