//! What a scenario will cost, known before it runs: objects against
//! `limits.maxObjects`, events against `limits.maxEvents`, metric rows
//! against `limits.maxOutputRows`. A scenario over a limit is refused at
//! validation, at the field that pushes it over, with the estimate.
//!
//! Metric rows are samples × (the cluster's 5 + nodes × 5 + containers ×
//! 4 / the container interval's multiple), and with `metrics.deployments`
//! 4 per Deployment and 3 per revision (one per Deployment and one per
//! `setImage` or `rollback`).
//!
//! The object count adds up, in file order: nodes (with those the
//! timeline adds), bare pods, for each Deployment the most replicas it
//! reaches over its timeline (an upper bound on the pods it holds at
//! once) and that many again for each `setImage` or `rollback` (the pods
//! of the new revision), each Job and its pods ([`job_pods`]), and each CronJob with,
//! for every start time of its schedule within the run ([`cron_runs`]),
//! a Job and its pods. The store counts every object ever created, so a
//! CronJob's history limits, which bound what the API server keeps, do
//! not lower it. Nothing big is built before this passes.

use super::timeline::{Added, Rollout, Scale};
use kubesim_core::{CronJob, Job, SimTime};

/// Default `limits.maxOutputRows`: 100 million metric rows (a few GB of
/// CSV).
pub const DEFAULT_MAX_OUTPUT_ROWS: u64 = 100_000_000;

/// Metric rows per sample for the whole cluster (`api_objects`,
/// `pods_total`, `jobs_total`, `image_pulls`, `image_pulls_waiting`).
pub const CLUSTER_METRICS: u64 = 5;
/// Metric rows per node and sample (`metrics.csv`: cpu usage, cpu
/// requested, memory usage, memory requested, pods).
pub const NODE_METRICS: u64 = 5;
/// Metric rows per container and sample (cpu usage, throttled, starved,
/// memory usage).
pub const CONTAINER_METRICS: u64 = 4;

/// Simulation events per pod of a Job, for the event estimate: the pod's
/// scheduling cycle, its start and end, and the Job controller's syncs.
pub const EVENTS_PER_JOB_POD: f64 = 6.0;

/// The field that takes the object count over the limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Culprit {
    /// `cluster.nodes[i].count`.
    Pool(usize),
    /// The `k`th bare pod.
    Pod(usize),
    /// The `k`th Deployment's `spec.replicas`.
    Deployment(usize),
    /// `timeline[i].replicas`.
    Scale(usize),
    /// `timeline[i]`, a `setImage` or `rollback`.
    Rollout(usize),
    /// The `k`th Job.
    Job(usize),
    /// The `k`th CronJob's `spec.schedule`.
    CronJob(usize),
    /// `timeline[i].count` of an `addNodes`.
    AddNodes(usize),
}

/// Objects over the limit: where, and the count reached there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Over {
    /// The field.
    pub culprit: Culprit,
    /// Objects counted up to and including it.
    pub total: u64,
}

/// What a scenario creates, for [`objects`].
#[derive(Debug, Clone, Copy, Default)]
pub struct Creates<'a> {
    /// Nodes of each pool.
    pub pools: &'a [u64],
    /// Bare pods.
    pub pods: usize,
    /// Each Deployment's `spec.replicas`.
    pub deployments: &'a [i32],
    /// The timeline's scale actions.
    pub scales: &'a [Scale],
    /// The timeline's `setImage` and `rollback` actions.
    pub rollouts: &'a [Rollout],
    /// Each Job's objects: itself and its pods.
    pub jobs: &'a [u64],
    /// Each CronJob's objects over the run: itself, its Jobs and their
    /// pods.
    pub cron_jobs: &'a [u64],
    /// The timeline's `addNodes` actions.
    pub added: &'a [Added],
}

/// Pods a Job creates at most: `completions` (or `parallelism` for a work
/// queue) that succeed, and up to `backoffLimit` that fail before the Job
/// does; none with `parallelism: 0`.
pub fn job_pods(job: &Job) -> u64 {
    let n = |v: i32| u64::try_from(v).unwrap_or(0);
    if job.parallelism <= 0 {
        return 0;
    }
    n(job.completions.unwrap_or(job.parallelism)).saturating_add(n(job.backoff_limit))
}

/// Pods of a Job alive at once at most: `parallelism`, and no more than
/// `completions`.
pub fn job_peak_pods(job: &Job) -> u64 {
    let n = |v: i32| u64::try_from(v).unwrap_or(0);
    n(job
        .completions
        .map_or(job.parallelism, |c| c.min(job.parallelism)))
}

/// Objects one run of a CronJob creates: a Job and its pods.
pub fn cron_run_objects(cj: &CronJob) -> u64 {
    let job = cj.job_template.job(Default::default());
    job_pods(&job).saturating_add(1)
}

/// Start times [`cron_runs`] walks at most; beyond, it extrapolates.
pub const MAX_CRON_STEPS: u64 = 1_000_000;

/// Start times of a CronJob's schedule within the run: after the clock
/// origin (`origin_s`, Unix seconds), up to `duration` later (none when
/// it is suspended). Counting stops at `cap` (enough to know a limit is
/// passed); past [`MAX_CRON_STEPS`] start times the rest is extrapolated
/// from the rate so far.
pub fn cron_runs(cj: &CronJob, origin_s: i64, duration: SimTime, cap: u64) -> u64 {
    if cj.suspend {
        return 0;
    }
    let span = i64::try_from(duration.0 / 1_000_000_000).unwrap_or(i64::MAX);
    let end = origin_s.saturating_add(span);
    let offset = cj.offset_s();
    let mut t = origin_s;
    let mut runs: u64 = 0;
    while runs < cap {
        match cj.schedule.next(t, offset) {
            Some(n) if n <= end => {
                runs += 1;
                t = n;
            }
            _ => return runs,
        }
        if runs >= MAX_CRON_STEPS {
            let done = (t - origin_s).max(1) as f64;
            let estimate = runs as f64 * span as f64 / done;
            return (estimate as u64).max(runs);
        }
    }
    runs
}

/// Counts objects in file order — nodes, bare pods, Deployments, scales,
/// Jobs, CronJobs, added nodes; returns each Deployment's peak replicas,
/// or where the count first exceeds `limit`.
pub fn objects(limit: u64, c: &Creates<'_>) -> Result<Vec<u64>, Over> {
    let Creates {
        pools,
        pods,
        deployments,
        scales,
        rollouts,
        jobs,
        cron_jobs,
        added,
    } = *c;
    let mut total: u64 = 0;
    let mut add = |n: u64, culprit: Culprit| {
        total = total.saturating_add(n);
        if total > limit {
            Err(Over { culprit, total })
        } else {
            Ok(())
        }
    };
    for (i, &c) in pools.iter().enumerate() {
        add(c, Culprit::Pool(i))?;
    }
    for k in 0..pods {
        add(1, Culprit::Pod(k))?;
    }
    let mut peak: Vec<u64> = deployments
        .iter()
        .map(|&r| u64::try_from(r).unwrap_or(0))
        .collect();
    for (k, &p) in peak.iter().enumerate() {
        add(p, Culprit::Deployment(k))?;
    }
    for s in scales {
        let r = u64::try_from(s.replicas).unwrap_or(0);
        if let Some(p) = peak.get_mut(s.deployment) {
            if r > *p {
                let extra = r - *p;
                *p = r;
                add(extra, Culprit::Scale(s.entry))?;
            }
        }
    }
    // A new revision's ReplicaSet grows to the Deployment's replicas: new
    // pods, each a new object.
    for r in rollouts {
        let n = peak.get(r.deployment).copied().unwrap_or(0);
        add(n, Culprit::Rollout(r.entry))?;
    }
    for (k, &n) in jobs.iter().enumerate() {
        add(n, Culprit::Job(k))?;
    }
    for (k, &n) in cron_jobs.iter().enumerate() {
        add(n, Culprit::CronJob(k))?;
    }
    for a in added {
        add(a.count, Culprit::AddNodes(a.entry))?;
    }
    Ok(peak)
}

/// Samples a run takes.
pub fn samples(duration: SimTime, interval: SimTime) -> u64 {
    if interval.0 == 0 || interval > duration {
        0
    } else {
        duration.0 / interval.0
    }
}

/// Metric rows per sample for `deployments` Deployments that make
/// `rollouts` new revisions (`metrics.deployments`): 4 each, and 3 per
/// revision.
pub fn deployment_rows(deployments: u64, rollouts: u64) -> u64 {
    use kubesim_scheduler::{DEPLOYMENT_METRICS, REVISION_METRICS};
    let revisions = deployments.saturating_add(rollouts);
    deployments
        .saturating_mul(DEPLOYMENT_METRICS)
        .saturating_add(revisions.saturating_mul(REVISION_METRICS))
}

/// Metric rows a run writes at most; `deployment_rows` per sample when
/// `metrics.deployments` is on.
pub fn metric_rows(
    samples: u64,
    nodes: u64,
    containers: u64,
    deployment_rows: u64,
    metrics: &kubesim_scheduler::MetricsConfig,
) -> u128 {
    let (node_metrics, container_metrics, container_every) =
        (metrics.nodes, metrics.containers, metrics.container_every);
    let cluster = if metrics.cluster {
        u128::from(samples) * u128::from(CLUSTER_METRICS)
    } else {
        0
    };
    let per_node = if node_metrics {
        u128::from(samples) * u128::from(nodes) * u128::from(NODE_METRICS)
    } else {
        0
    };
    let per_container = if container_metrics {
        u128::from(samples / u64::from(container_every.max(1)))
            * u128::from(containers)
            * u128::from(CONTAINER_METRICS)
    } else {
        0
    };
    let per_deployment = if metrics.deployments {
        u128::from(samples) * u128::from(deployment_rows)
    } else {
        0
    };
    cluster + per_node + per_container + per_deployment
}

#[cfg(test)]
mod tests {
    use super::*;

    fn old(
        limit: u64,
        pools: &[u64],
        pods: usize,
        deployments: &[i32],
        scales: &[Scale],
    ) -> Result<Vec<u64>, Over> {
        objects(
            limit,
            &Creates {
                pools,
                pods,
                deployments,
                scales,
                ..Default::default()
            },
        )
    }

    #[test]
    fn the_field_that_goes_over_is_named() {
        assert_eq!(old(10, &[4, 4], 1, &[1], &[]), Ok(vec![1]));
        assert_eq!(
            old(10, &[4, 4], 3, &[1], &[]),
            Err(Over {
                culprit: Culprit::Pod(2),
                total: 11
            })
        );
        assert_eq!(
            old(1000, &[1], 0, &[2_000_000], &[]),
            Err(Over {
                culprit: Culprit::Deployment(0),
                total: 2_000_001
            })
        );
        let scales = [
            Scale {
                entry: 0,
                deployment: 0,
                replicas: 5,
            },
            Scale {
                entry: 1,
                deployment: 0,
                replicas: 50,
            },
        ];
        assert_eq!(
            old(20, &[1], 0, &[2], &scales),
            Err(Over {
                culprit: Culprit::Scale(1),
                total: 51
            })
        );
        assert_eq!(old(u64::MAX, &[u64::MAX, 5], 0, &[], &[]), Ok(vec![]));
        let added = [Added {
            entry: 3,
            out: 0,
            pool: 0,
            first: 3,
            count: 5,
        }];
        let c = Creates {
            pools: &[2],
            jobs: &[8],
            cron_jobs: &[10],
            added: &added,
            ..Default::default()
        };
        assert_eq!(objects(25, &c), Ok(vec![]));
        assert_eq!(
            objects(24, &c),
            Err(Over {
                culprit: Culprit::AddNodes(3),
                total: 25
            })
        );
        assert_eq!(
            objects(19, &c),
            Err(Over {
                culprit: Culprit::CronJob(0),
                total: 20
            })
        );
        assert_eq!(
            objects(9, &c),
            Err(Over {
                culprit: Culprit::Job(0),
                total: 10
            })
        );
    }

    fn cron(schedule: &str) -> CronJob {
        use kubesim_core::{CronSchedule, JobTemplate, ObjectMeta};
        let s = CronSchedule::parse(schedule).expect("valid schedule");
        CronJob::new(ObjectMeta::named("c"), s, JobTemplate::default())
    }

    #[test]
    fn jobs_and_cron_runs() {
        use kubesim_core::{JobTemplate, ObjectMeta};
        let job = |c: Option<i32>, p: Option<i32>, b: Option<i32>| {
            JobTemplate {
                completions: c,
                parallelism: p,
                backoff_limit: b,
                ..Default::default()
            }
            .job(ObjectMeta::named("j"))
        };
        // Defaults: one completion, backoffLimit 6.
        assert_eq!(job_pods(&job(None, None, None)), 7);
        assert_eq!(job_peak_pods(&job(None, None, None)), 1);
        assert_eq!(job_pods(&job(Some(5), Some(2), Some(0))), 5);
        assert_eq!(job_peak_pods(&job(Some(5), Some(2), Some(0))), 2);
        // A work queue: parallelism.
        assert_eq!(job_pods(&job(None, Some(3), Some(1))), 4);
        assert_eq!(job_pods(&job(Some(3), Some(0), None)), 0);
        // Every minute for an hour from midnight: 60 start times (the
        // one at the origin itself is not after it).
        let c = cron("* * * * *");
        let origin = 1_767_571_200; // 2026-01-05T00:00:00Z
        let hour = SimTime::from_secs(3600);
        assert_eq!(cron_runs(&c, origin, hour, u64::MAX), 60);
        assert_eq!(cron_runs(&c, origin, hour, 10), 10);
        assert_eq!(cron_runs(&c, origin + 30, hour, u64::MAX), 60);
        assert_eq!(cron_runs(&cron("0 * * * *"), origin, hour, u64::MAX), 1);
        assert_eq!(cron_runs(&cron("@daily"), origin, hour, u64::MAX), 0);
        let mut suspended = cron("* * * * *");
        suspended.suspend = true;
        assert_eq!(cron_runs(&suspended, origin, hour, u64::MAX), 0);
        // Past MAX_CRON_STEPS start times, an extrapolation.
        let year = SimTime::from_secs(4 * 365 * 86_400);
        let n = cron_runs(&cron("@every 1m"), origin, year, u64::MAX);
        assert!((2_100_000..=2_103_000).contains(&n), "{n}");
        assert_eq!(cron_run_objects(&c), 8);
    }

    #[test]
    fn rows_and_samples() {
        let s = samples(SimTime::from_secs(600), SimTime::from_secs(10));
        assert_eq!(s, 60);
        let mut m = kubesim_scheduler::MetricsConfig::default();
        assert_eq!(metric_rows(s, 2, 3, 0, &m), 60 * (5 + 10 + 12));
        m.container_every = 2;
        assert_eq!(metric_rows(s, 2, 3, 0, &m), 60 * (5 + 10) + 30 * 12);
        m.cluster = false;
        assert_eq!(metric_rows(s, 2, 3, 0, &m), 60 * 10 + 30 * 12);
        assert_eq!(samples(SimTime::from_secs(5), SimTime::from_secs(10)), 0);
    }
}
