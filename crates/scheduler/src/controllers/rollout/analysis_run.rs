//! AnalysisRuns: what a Rollout's analysis (a canary `analysis` step,
//! background analysis, blue-green pre/post-promotion analysis) runs —
//! argo-rollouts `analysis/analysis.go` (`reconcileAnalysisRun`,
//! `runMeasurements`, `calculateNextReconcileTime`) on kubesim's own
//! metric provider.
//!
//! A run is created by the Rollout controller from its templates with
//! the args substituted ([`AnalysisRuns::create`]). Each metric measures
//! on its own timer: first at the run's start plus `initialDelay`, then
//! every `interval` (after an Error, `DefaultErrorRetryInterval`, 10 s),
//! until `count` measurements are taken. A measurement reads the
//! cumulative request [`Totals`] of the provider's Service (all requests,
//! or those served by the canary's or the stable's ReplicaSet) through
//! [`TrafficQuery`], and takes the window since that metric's previous
//! measurement (the first: since the run started). A window that holds
//! no requests gives no value for every metric but `request_rate` (0):
//! the measurement is an Error, as Argo treats a provider returning no
//! data, and counts towards `consecutiveErrorLimit`.
//!
//! Invariant: only this module changes a run; the Rollout controller
//! reads its phase. Runs are indexed by a dense `u32` and bounded by
//! [`MAX_RUNS`].

use super::super::ControllerTimer;
use super::analysis::{
    assess_run_status, evaluate_result, resolve_args, AnalysisPhase, Condition, Metric,
    MetricResult,
};
use crate::traffic::{Totals, TrafficQuery};
use kubesim_core::{
    AnalysisArg, AnalysisTemplate, KubesimMetric, ReplicaSetId, RevisionSelector, RolloutId,
    ServiceId, SimTime, Store,
};

/// `DefaultErrorRetryInterval`: the next measurement after an Error.
pub const ERROR_RETRY_INTERVAL: SimTime = SimTime::from_secs(10);
/// Runs one simulation creates at most (each release creates a few).
pub const MAX_RUNS: usize = 100_000;

/// One metric of a run, resolved.
#[derive(Debug, Clone)]
pub struct RunMetric {
    /// The assessment's view.
    pub metric: Metric,
    /// `interval`.
    pub interval: Option<SimTime>,
    /// `initialDelay`.
    pub initial_delay: SimTime,
    /// Parsed `successCondition`.
    pub success: Option<Condition>,
    /// Parsed `failureCondition`.
    pub failure: Option<Condition>,
    /// What is measured.
    pub what: KubesimMetric,
    /// The Service (None: not found after substitution — every
    /// measurement is an Error).
    pub service: Option<ServiceId>,
    /// Whose requests.
    pub revision: RevisionSelector,
    /// The counters.
    pub result: Option<MetricResult>,
    /// The totals at the previous measurement, and when.
    last: Option<(SimTime, Totals)>,
    /// The next measurement (armed).
    pub next_at: Option<SimTime>,
}

/// One AnalysisRun.
#[derive(Debug, Clone)]
pub struct AnalysisRun {
    /// Its name (`<rollout>-<hash>-<revision>[-<step>|-pre|-post]`).
    pub name: String,
    /// The Rollout that owns it.
    pub rollout: RolloutId,
    /// The canary and stable ReplicaSets it measures (by the Rollout's
    /// status when it was created).
    pub canary: Option<ReplicaSetId>,
    /// See `canary`.
    pub stable: Option<ReplicaSetId>,
    /// Its metrics.
    pub metrics: Vec<RunMetric>,
    /// The run's phase.
    pub phase: AnalysisPhase,
    /// Why, when it completed other than Successful.
    pub message: String,
    /// When it started.
    pub started: SimTime,
    /// Terminated by its Rollout.
    pub terminated: bool,
}

/// Every AnalysisRun of a simulation.
#[derive(Debug, Default)]
pub struct AnalysisRuns {
    runs: Vec<AnalysisRun>,
}

/// Why a run could not be created (the runner validates templates and
/// args, so this is reported as a run in Error).
fn substitute(s: &str, args: &[(String, Option<String>)]) -> Result<String, String> {
    let pairs: Vec<(&str, Option<&str>)> = args
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_deref()))
        .collect();
    resolve_args(s, &pairs).map_err(|e| e.to_string())
}

/// The arguments of a run: each template's own, overridden by the
/// Rollout's (`MergeArgs`).
pub fn merge_args(
    templates: &[&AnalysisTemplate],
    given: &[AnalysisArg],
) -> Vec<(String, Option<String>)> {
    let mut out: Vec<(String, Option<String>)> = Vec::new();
    for t in templates {
        for a in &t.args {
            if !out.iter().any(|(n, _)| *n == a.name) {
                out.push((a.name.clone(), a.value.clone()));
            }
        }
    }
    for a in given {
        match out.iter_mut().find(|(n, _)| *n == a.name) {
            Some(slot) => slot.1 = a.value.clone().or(slot.1.take()),
            None => out.push((a.name.clone(), a.value.clone())),
        }
    }
    out
}

impl AnalysisRuns {
    /// Run `id`.
    pub fn run(&self, id: u32) -> &AnalysisRun {
        &self.runs[id as usize]
    }

    /// Every run, by id.
    pub fn runs(&self) -> &[AnalysisRun] {
        &self.runs
    }

    /// Creates a run of `templates` with `args` and arms each metric's
    /// first measurement. `None` when the run limit is reached.
    #[allow(clippy::too_many_arguments)]
    pub fn create(
        &mut self,
        store: &Store,
        name: String,
        rollout: RolloutId,
        templates: &[&AnalysisTemplate],
        args: &[AnalysisArg],
        canary: Option<ReplicaSetId>,
        stable: Option<ReplicaSetId>,
        now: SimTime,
        timers: &mut Vec<(SimTime, ControllerTimer)>,
    ) -> Option<u32> {
        if self.runs.len() >= MAX_RUNS {
            return None;
        }
        let id = self.runs.len() as u32;
        let args = merge_args(templates, args);
        let namespace = store.rollout(rollout).metadata.namespace.clone();
        let mut metrics = Vec::new();
        let mut error = None;
        for t in templates {
            for m in &t.metrics {
                let cond = |c: &Option<String>| -> Result<Option<Condition>, String> {
                    match c {
                        None => Ok(None),
                        Some(c) => {
                            let text = substitute(c, &args)?;
                            Condition::parse(&text).map(Some).map_err(|e| e.to_string())
                        }
                    }
                };
                let (success, failure) =
                    match (cond(&m.success_condition), cond(&m.failure_condition)) {
                        (Ok(s), Ok(f)) => (s, f),
                        (Err(e), _) | (_, Err(e)) => {
                            error.get_or_insert(e);
                            (None, None)
                        }
                    };
                let service = match substitute(&m.provider.service, &args) {
                    Ok(name) => store.service_id(&namespace, &name),
                    Err(e) => {
                        error.get_or_insert(e);
                        None
                    }
                };
                let initial_delay = m.initial_delay.unwrap_or(SimTime::ZERO);
                let first = now.saturating_add(initial_delay);
                timers.push((
                    first,
                    ControllerTimer::AnalysisMeasurement {
                        run: id,
                        metric: metrics.len() as u32,
                    },
                ));
                metrics.push(RunMetric {
                    metric: Metric {
                        name: m.name.clone(),
                        has_interval: m.interval.is_some(),
                        count: m.count,
                        failure_limit: m.failure_limit,
                        inconclusive_limit: m.inconclusive_limit,
                        consecutive_error_limit: m.consecutive_error_limit,
                        consecutive_success_limit: None,
                    },
                    interval: m.interval,
                    initial_delay,
                    success,
                    failure,
                    what: m.provider.metric,
                    service,
                    revision: m.provider.revision,
                    result: None,
                    last: None,
                    next_at: Some(first),
                });
            }
        }
        let mut run = AnalysisRun {
            name,
            rollout,
            canary,
            stable,
            metrics,
            phase: AnalysisPhase::Running,
            message: String::new(),
            started: now,
            terminated: false,
        };
        if let Some(e) = error {
            run.phase = AnalysisPhase::Error;
            run.message = e;
            for m in &mut run.metrics {
                m.next_at = None;
            }
        }
        self.runs.push(run);
        Some(id)
    }

    /// Seeds each metric's window with the totals at the run's start
    /// (called right after [`create`](Self::create) with the real
    /// traffic).
    pub fn start_windows(&mut self, id: u32, now: SimTime, traffic: &dyn TrafficQuery) {
        let run = &mut self.runs[id as usize];
        let (canary, stable) = (run.canary, run.stable);
        for m in &mut run.metrics {
            if let Some(s) = m.service {
                m.last = Some((
                    now,
                    totals_of(&run_view(canary, stable, m.revision), s, traffic),
                ));
            }
        }
    }

    /// The Rollout terminates run `id` (it completed, or moved on): a
    /// metric still running ends Successful (`terminate`).
    pub fn terminate(&mut self, id: u32) {
        let run = &mut self.runs[id as usize];
        if run.phase.completed() {
            return;
        }
        run.terminated = true;
        for m in &mut run.metrics {
            m.next_at = None;
        }
        let metrics: Vec<Metric> = run.metrics.iter().map(|m| m.metric.clone()).collect();
        let mut results: Vec<Option<MetricResult>> =
            run.metrics.iter().map(|m| m.result.clone()).collect();
        let a = assess_run_status(&metrics, &mut results, true);
        run.phase = a.phase;
        run.message = a.message;
    }

    /// A measurement timer fired: measures, assesses, arms the next one.
    /// Returns the Rollout to sync when the run completed now.
    pub fn measure(
        &mut self,
        run_id: u32,
        metric: u32,
        now: SimTime,
        traffic: &dyn TrafficQuery,
        timers: &mut Vec<(SimTime, ControllerTimer)>,
    ) -> Option<RolloutId> {
        let run = self.runs.get_mut(run_id as usize)?;
        if run.phase.completed() {
            return None;
        }
        let (canary, stable) = (run.canary, run.stable);
        let m = run.metrics.get_mut(metric as usize)?;
        if m.next_at != Some(now) {
            return None; // stale
        }
        let (phase, message) = match m.service {
            None => (
                AnalysisPhase::Error,
                "the Service of provider kubesim does not exist".to_string(),
            ),
            Some(s) => {
                let totals = totals_of(&run_view(canary, stable, m.revision), s, traffic);
                let (since, before) = m.last.clone().unwrap_or((run.started, Totals::default()));
                let window = totals.since(&before, (now - since).as_secs_f64());
                m.last = Some((now, totals));
                let value = match m.what {
                    KubesimMetric::ErrorRate => window.error_rate(),
                    KubesimMetric::LatencyMeanS => window.latency_mean_s(),
                    KubesimMetric::LatencyP50S => window.latency_quantile_s(0.50),
                    KubesimMetric::LatencyP95S => window.latency_quantile_s(0.95),
                    KubesimMetric::LatencyP99S => window.latency_quantile_s(0.99),
                    KubesimMetric::RequestRate => window.request_rate(),
                };
                let (phase, why) = evaluate_result(value, m.success.as_ref(), m.failure.as_ref());
                let msg = match (value, why) {
                    (None, _) => "no requests in the measurement window".to_string(),
                    (_, Some(w)) => w,
                    (Some(_), None) => String::new(),
                };
                (phase, msg)
            }
        };
        let result = m.result.get_or_insert_with(MetricResult::default);
        result.record(phase, &message);
        let taken = result.count;
        // `calculateNextReconcileTime`.
        let more = m.metric.effective_count().is_none_or(|c| taken < c);
        m.next_at = if phase == AnalysisPhase::Error {
            Some(now.saturating_add(ERROR_RETRY_INTERVAL))
        } else {
            match m.interval {
                Some(i) if more => Some(now.saturating_add(i)),
                _ => None,
            }
        };
        let metrics: Vec<Metric> = run.metrics.iter().map(|m| m.metric.clone()).collect();
        let mut results: Vec<Option<MetricResult>> =
            run.metrics.iter().map(|m| m.result.clone()).collect();
        let a = assess_run_status(&metrics, &mut results, false);
        for (m, r) in run.metrics.iter_mut().zip(results) {
            m.result = r;
        }
        run.phase = a.phase;
        run.message = a.message;
        if run.phase.completed() {
            for m in &mut run.metrics {
                m.next_at = None;
            }
            return Some(run.rollout);
        }
        // A metric that completed measures no more.
        for m in &mut run.metrics {
            if m.result
                .as_ref()
                .and_then(|r| r.phase)
                .is_some_and(|p| p.completed())
            {
                m.next_at = None;
            }
        }
        let m = &run.metrics[metric as usize];
        if let Some(t) = m.next_at {
            timers.push((
                t,
                ControllerTimer::AnalysisMeasurement {
                    run: run_id,
                    metric,
                },
            ));
        }
        None
    }

    /// A completed run arms nothing; a running run's armed measurements
    /// are not in the past.
    pub fn check_invariants(&self, now: SimTime) -> Result<(), String> {
        for r in &self.runs {
            for m in &r.metrics {
                if r.phase.completed() && m.next_at.is_some() {
                    return Err(format!(
                        "analysis run {} completed with a measurement armed",
                        r.name
                    ));
                }
                if m.next_at.is_some_and(|t| t < now) {
                    return Err(format!(
                        "analysis run {}: a measurement in the past",
                        r.name
                    ));
                }
            }
        }
        Ok(())
    }
}

/// Which ReplicaSet's requests a metric reads (None: all of them).
fn run_view(
    canary: Option<ReplicaSetId>,
    stable: Option<ReplicaSetId>,
    revision: RevisionSelector,
) -> Option<Option<ReplicaSetId>> {
    match revision {
        RevisionSelector::All => Some(None),
        RevisionSelector::Canary => canary.map(Some),
        RevisionSelector::Stable => stable.map(Some),
    }
}

fn totals_of(
    view: &Option<Option<ReplicaSetId>>,
    s: ServiceId,
    traffic: &dyn TrafficQuery,
) -> Totals {
    match view {
        Some(rs) => traffic.totals(s, *rs),
        // The revision does not exist (no stable yet): no requests.
        None => Totals::default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn arg(name: &str, value: Option<&str>) -> AnalysisArg {
        AnalysisArg {
            name: name.into(),
            value: value.map(Into::into),
        }
    }

    /// `MergeArgs`: the Rollout's values override the templates'; an
    /// argument without a value in either stays without one.
    #[test]
    fn merge_args_table() {
        let t = AnalysisTemplate {
            metadata: kubesim_core::ObjectMeta::named("t"),
            args: vec![arg("svc", None), arg("limit", Some("0.05")), arg("x", None)],
            metrics: vec![],
        };
        let merged = merge_args(&[&t], &[arg("svc", Some("web")), arg("extra", Some("1"))]);
        assert_eq!(
            merged,
            vec![
                ("svc".to_string(), Some("web".to_string())),
                ("limit".to_string(), Some("0.05".to_string())),
                ("x".to_string(), None),
                ("extra".to_string(), Some("1".to_string())),
            ]
        );
    }

    /// Which ReplicaSet's requests a metric reads.
    #[test]
    fn revision_views() {
        let (c, s) = (Some(ReplicaSetId(1)), Some(ReplicaSetId(2)));
        assert_eq!(run_view(c, s, RevisionSelector::All), Some(None));
        assert_eq!(run_view(c, s, RevisionSelector::Canary), Some(c));
        assert_eq!(run_view(c, s, RevisionSelector::Stable), Some(s));
        assert_eq!(run_view(c, None, RevisionSelector::Stable), None);
    }
}
