//! The scheduling queue (pkg/scheduler/backend/queue): activeQ ordered by
//! PrioritySort (higher priority first, then earlier queue timestamp),
//! backoffQ for pods that failed recently, and the unschedulable pool.
//!
//! A pod that fails a cycle waits in the unschedulable pool until a cluster
//! event might make it fit (the caller decides, like upstream's queueing
//! hints), or until it has waited `podMaxInUnschedulablePodsDuration`. It
//! then goes to backoffQ until its back-off (1 s doubling to 10 s per failed
//! attempt) has passed, and on to activeQ.

use kubesim_core::{PodId, SimTime};
use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap};

/// `DefaultPodInitialBackoffDuration`.
pub const POD_INITIAL_BACKOFF: SimTime = SimTime::from_secs(1);
/// `DefaultPodMaxBackoffDuration`.
pub const POD_MAX_BACKOFF: SimTime = SimTime::from_secs(10);
/// `DefaultPodMaxInUnschedulablePodsDuration`.
pub const POD_MAX_IN_UNSCHEDULABLE_PODS: SimTime = SimTime::from_secs(300);
/// Period of `flushUnschedulablePodsLeftover`.
pub const UNSCHEDULABLE_FLUSH_PERIOD: SimTime = SimTime::from_secs(30);

/// The back-off after `attempts` failed cycles: 1 s doubling, at most 10 s.
pub fn backoff_duration(attempts: u32) -> SimTime {
    if attempts == 0 {
        return SimTime::ZERO;
    }
    let shift = (attempts - 1).min(16);
    SimTime(POD_INITIAL_BACKOFF.0.saturating_mul(1 << shift)).min(POD_MAX_BACKOFF)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct ActiveKey {
    priority: Reverse<i32>,
    timestamp: SimTime,
    seq: u64,
    pod: PodId,
}

/// A pod in backoffQ: (back-off expiry, seq, pod, priority, queue timestamp).
type BackoffEntry = (SimTime, u64, PodId, i32, SimTime);

#[derive(Debug, Clone, Copy)]
struct Unschedulable {
    since: SimTime,
    last_attempt: SimTime,
}

/// Where a pod waits (for the precondition checks).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum Location {
    #[default]
    Nowhere,
    Active,
    Backoff,
    Unschedulable,
}

/// activeQ + backoffQ + unschedulable pods.
#[derive(Debug, Default)]
pub struct SchedulingQueue {
    active: BinaryHeap<Reverse<ActiveKey>>,
    backoff: BinaryHeap<Reverse<BackoffEntry>>,
    unschedulable: BTreeMap<PodId, (Unschedulable, i32)>,
    attempts: Vec<u32>,
    location: Vec<Location>,
    seq: u64,
}

impl SchedulingQueue {
    fn next_seq(&mut self) -> u64 {
        self.seq += 1;
        self.seq
    }

    fn move_to(&mut self, pod: PodId, to: Location) -> Location {
        if self.location.len() <= pod.index() {
            self.location.resize(pod.index() + 1, Location::Nowhere);
        }
        std::mem::replace(&mut self.location[pod.index()], to)
    }

    /// No pod is in two places; the unschedulable pool and the recorded
    /// locations agree.
    pub fn check_invariants(&self) -> Result<(), String> {
        for p in self.unschedulable.keys() {
            if self.location.get(p.index()) != Some(&Location::Unschedulable) {
                return Err(format!(
                    "pod {p:?} in the unschedulable pool but not recorded there"
                ));
            }
        }
        let listed = self
            .location
            .iter()
            .filter(|l| **l == Location::Unschedulable)
            .count();
        if listed != self.unschedulable.len() {
            return Err("unschedulable pool and locations disagree".into());
        }
        Ok(())
    }

    /// Adds a new pod to activeQ, queued at `now`.
    pub fn add(&mut self, pod: PodId, priority: i32, now: SimTime) {
        let was = self.move_to(pod, Location::Active);
        debug_assert_eq!(was, Location::Nowhere, "pod {pod:?} queued twice");
        self.add_with_timestamp(pod, priority, now);
    }

    /// Adds a pod to activeQ with the queue timestamp PrioritySort orders
    /// by: a pod moved back keeps the time of its last failed attempt, as
    /// upstream's `QueuedPodInfo.Timestamp`.
    fn add_with_timestamp(&mut self, pod: PodId, priority: i32, timestamp: SimTime) {
        let seq = self.next_seq();
        self.active.push(Reverse(ActiveKey {
            priority: Reverse(priority),
            timestamp,
            seq,
            pod,
        }));
    }

    /// Pops the next pod to schedule.
    pub fn pop(&mut self) -> Option<PodId> {
        let pod = self.active.pop().map(|Reverse(k)| k.pod)?;
        // A pod deleted while waiting may still be in the heap: it is
        // popped here and skipped by the caller.
        if self.location.get(pod.index()) == Some(&Location::Active) {
            self.move_to(pod, Location::Nowhere);
        }
        Some(pod)
    }

    /// Pods in activeQ.
    pub fn active_len(&self) -> usize {
        self.active.len()
    }
    /// Pods in the unschedulable pool.
    pub fn unschedulable_len(&self) -> usize {
        self.unschedulable.len()
    }

    /// Failed attempts so far for `pod`.
    pub fn attempts(&self, pod: PodId) -> u32 {
        self.attempts.get(pod.index()).copied().unwrap_or(0)
    }

    /// Records a failed cycle: the pod joins the unschedulable pool.
    pub fn add_unschedulable(&mut self, pod: PodId, priority: i32, now: SimTime) {
        if self.attempts.len() <= pod.index() {
            self.attempts.resize(pod.index() + 1, 0);
        }
        self.attempts[pod.index()] += 1;
        let was = self.move_to(pod, Location::Unschedulable);
        debug_assert_eq!(
            was,
            Location::Nowhere,
            "pod {pod:?} failed while still queued"
        );
        self.unschedulable.insert(
            pod,
            (
                Unschedulable {
                    since: now,
                    last_attempt: now,
                },
                priority,
            ),
        );
    }

    /// Forgets a pod wherever it waits in the unschedulable pool (deleted).
    pub fn forget(&mut self, pod: PodId) {
        if self.unschedulable.remove(&pod).is_some() {
            self.move_to(pod, Location::Nowhere);
        }
    }

    /// Unschedulable pods, in id order (deterministic), for event hints.
    pub fn unschedulable_pods(&self) -> impl Iterator<Item = PodId> + '_ {
        self.unschedulable.keys().copied()
    }

    /// Moves `pods` from the unschedulable pool to backoffQ or activeQ.
    /// Returns the earliest back-off expiry among those sent to backoffQ.
    pub fn move_to_active_or_backoff(&mut self, pods: &[PodId], now: SimTime) -> Option<SimTime> {
        let mut earliest: Option<SimTime> = None;
        for &pod in pods {
            let Some((u, prio)) = self.unschedulable.remove(&pod) else {
                continue;
            };
            let expiry = u.last_attempt + backoff_duration(self.attempts(pod));
            if expiry > now {
                self.move_to(pod, Location::Backoff);
                let seq = self.next_seq();
                self.backoff
                    .push(Reverse((expiry, seq, pod, prio, u.last_attempt)));
                earliest = Some(earliest.map_or(expiry, |e| e.min(expiry)));
            } else {
                self.move_to(pod, Location::Active);
                self.add_with_timestamp(pod, prio, u.last_attempt);
            }
        }
        earliest
    }

    /// `flushBackoffQCompleted`: back-off over → activeQ. Returns the next expiry.
    pub fn flush_backoff_completed(&mut self, now: SimTime) -> Option<SimTime> {
        while let Some(Reverse((expiry, _, pod, prio, timestamp))) = self.backoff.peek().copied() {
            if expiry > now {
                return Some(expiry);
            }
            self.backoff.pop();
            self.move_to(pod, Location::Active);
            self.add_with_timestamp(pod, prio, timestamp);
        }
        None
    }

    /// `flushUnschedulablePodsLeftover`: pods waiting longer than
    /// [`POD_MAX_IN_UNSCHEDULABLE_PODS`] are moved.
    pub fn flush_unschedulable_leftover(&mut self, now: SimTime) -> Option<SimTime> {
        let due: Vec<PodId> = self
            .unschedulable
            .iter()
            .filter(|(_, (u, _))| now.saturating_sub(u.since) > POD_MAX_IN_UNSCHEDULABLE_PODS)
            .map(|(p, _)| *p)
            .collect();
        self.move_to_active_or_backoff(&due, now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn priority_then_fifo() {
        let mut q = SchedulingQueue::default();
        q.add(PodId(1), 0, SimTime(5));
        q.add(PodId(2), 10, SimTime(6));
        q.add(PodId(3), 0, SimTime(5));
        q.add(PodId(4), 0, SimTime(1));
        let order: Vec<_> = std::iter::from_fn(|| q.pop()).collect();
        assert_eq!(order, [PodId(2), PodId(4), PodId(1), PodId(3)]);
    }

    #[test]
    fn backoff_doubles_to_ten_seconds() {
        let secs: Vec<u64> = (0..7)
            .map(|a| backoff_duration(a).0 / 1_000_000_000)
            .collect();
        assert_eq!(secs, [0, 1, 2, 4, 8, 10, 10]);
    }

    #[test]
    fn moved_pod_waits_for_backoff() {
        let mut q = SchedulingQueue::default();
        q.add_unschedulable(PodId(0), 0, SimTime::from_secs(10));
        let next = q.move_to_active_or_backoff(&[PodId(0)], SimTime::from_secs(10));
        assert_eq!(next, Some(SimTime::from_secs(11)));
        assert_eq!(q.pop(), None);
        assert_eq!(q.flush_backoff_completed(SimTime::from_secs(11)), None);
        assert_eq!(q.pop(), Some(PodId(0)));
    }
}
