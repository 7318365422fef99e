//! What a scenario will cost, known before it runs: objects against
//! `limits.maxObjects`, events against `limits.maxEvents`, metric rows
//! against `limits.maxOutputRows`. A scenario over a limit is refused at
//! validation, at the field that pushes it over, with the estimate.
//!
//! Metric rows are samples × (the cluster's 5 + nodes × 5 + containers ×
//! 4 / the container interval's multiple).
//!
//! The object count is nodes + bare pods + for each Deployment the most
//! replicas it reaches over its timeline (an upper bound on the pods it
//! holds at once). Nothing big is built before this passes.

use super::timeline::Scale;
use kubesim_core::SimTime;

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
}

/// Objects over the limit: where, and the count reached there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Over {
    /// The field.
    pub culprit: Culprit,
    /// Nodes and pods counted up to and including it.
    pub total: u64,
}

/// Counts nodes and pods in file order; returns each Deployment's peak
/// replicas, or where the count first exceeds `limit`.
pub fn objects(
    limit: u64,
    pools: &[u64],
    pods: usize,
    deployments: &[i32],
    scales: &[Scale],
) -> Result<Vec<u64>, Over> {
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

/// Metric rows a run writes at most.
pub fn metric_rows(
    samples: u64,
    nodes: u64,
    containers: u64,
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
    cluster + per_node + per_container
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_field_that_goes_over_is_named() {
        assert_eq!(objects(10, &[4, 4], 1, &[1], &[]), Ok(vec![1]));
        assert_eq!(
            objects(10, &[4, 4], 3, &[1], &[]),
            Err(Over {
                culprit: Culprit::Pod(2),
                total: 11
            })
        );
        assert_eq!(
            objects(1000, &[1], 0, &[2_000_000], &[]),
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
            objects(20, &[1], 0, &[2], &scales),
            Err(Over {
                culprit: Culprit::Scale(1),
                total: 51
            })
        );
        assert_eq!(objects(u64::MAX, &[u64::MAX, 5], 0, &[], &[]), Ok(vec![]));
    }

    #[test]
    fn rows_and_samples() {
        let s = samples(SimTime::from_secs(600), SimTime::from_secs(10));
        assert_eq!(s, 60);
        let mut m = kubesim_scheduler::MetricsConfig::default();
        assert_eq!(metric_rows(s, 2, 3, &m), 60 * (5 + 10 + 12));
        m.container_every = 2;
        assert_eq!(metric_rows(s, 2, 3, &m), 60 * (5 + 10) + 30 * 12);
        m.cluster = false;
        assert_eq!(metric_rows(s, 2, 3, &m), 60 * 10 + 30 * 12);
        assert_eq!(samples(SimTime::from_secs(5), SimTime::from_secs(10)), 0);
    }
}
