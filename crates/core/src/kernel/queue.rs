//! The event queue: a min-heap on `(time, insertion sequence)`.
//!
//! Events scheduled for the same instant fire in the order they were pushed
//! (FIFO tie-break), so a run is deterministic whatever the heap's internal
//! layout. The queue is generic over the event type: the simulation defines
//! one closed `enum` of events and handles it with a `match`. Entries are
//! plain values in a `Vec`-backed heap, so pushing and popping allocate
//! nothing once the heap has grown to its working size.
//!
//! Cancellation is lazy: an event that may become stale carries a generation
//! number, and its handler ignores it when the generation has moved on. This
//! keeps the heap free of removals.

use crate::kernel::SimTime;
use std::cmp::Ordering;
use std::collections::BinaryHeap;

struct Entry<E> {
    time: SimTime,
    seq: u64,
    event: E,
}

impl<E> PartialEq for Entry<E> {
    fn eq(&self, other: &Self) -> bool {
        self.time == other.time && self.seq == other.seq
    }
}
impl<E> Eq for Entry<E> {}
impl<E> PartialOrd for Entry<E> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl<E> Ord for Entry<E> {
    // Reversed: BinaryHeap is a max-heap and we want the earliest first.
    fn cmp(&self, other: &Self) -> Ordering {
        other
            .time
            .cmp(&self.time)
            .then_with(|| other.seq.cmp(&self.seq))
    }
}

/// A deterministic priority queue of timed events.
pub struct EventQueue<E> {
    heap: BinaryHeap<Entry<E>>,
    next_seq: u64,
    popped: u64,
}

impl<E> Default for EventQueue<E> {
    fn default() -> Self {
        Self::new()
    }
}

impl<E> EventQueue<E> {
    /// An empty queue.
    pub fn new() -> Self {
        Self::with_capacity(0)
    }
    /// An empty queue with room for `n` events.
    pub fn with_capacity(n: usize) -> Self {
        EventQueue {
            heap: BinaryHeap::with_capacity(n),
            next_seq: 0,
            popped: 0,
        }
    }
    /// Schedules `event` at `time`.
    pub fn push(&mut self, time: SimTime, event: E) {
        let seq = self.next_seq;
        self.next_seq += 1;
        self.heap.push(Entry { time, seq, event });
    }
    /// Removes and returns the earliest event.
    pub fn pop(&mut self) -> Option<(SimTime, E)> {
        let e = self.heap.pop()?;
        self.popped += 1;
        Some((e.time, e.event))
    }
    /// Time of the earliest event, without removing it.
    pub fn peek_time(&self) -> Option<SimTime> {
        self.heap.peek().map(|e| e.time)
    }
    /// Events queued.
    pub fn len(&self) -> usize {
        self.heap.len()
    }
    /// Whether no event is queued.
    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }
    /// Keeps only the events for which `keep(time, event)` is true. The
    /// order of the rest is unchanged (it depends only on time and
    /// sequence), so compaction never changes what a run does.
    pub fn retain(&mut self, mut keep: impl FnMut(SimTime, &E) -> bool) {
        let mut entries = std::mem::take(&mut self.heap).into_vec();
        entries.retain(|e| keep(e.time, &e.event));
        self.heap = BinaryHeap::from(entries);
    }

    /// Events popped so far (the run's event count).
    pub fn popped(&self) -> u64 {
        self.popped
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orders_by_time_then_fifo() {
        let mut q = EventQueue::new();
        q.push(SimTime(5), "c");
        q.push(SimTime(1), "a");
        q.push(SimTime(5), "d");
        q.push(SimTime(1), "b");
        q.push(SimTime(3), "x");
        let order: Vec<_> = std::iter::from_fn(|| q.pop().map(|(_, e)| e)).collect();
        assert_eq!(order, ["a", "b", "x", "c", "d"]);
        assert_eq!(q.popped(), 5);
    }

    #[test]
    fn retain_keeps_order() {
        let mut q = EventQueue::new();
        for i in 0..100u32 {
            q.push(SimTime(u64::from(i % 7)), i);
        }
        q.retain(|_, e| e % 3 != 0);
        let mut last = (SimTime::ZERO, 0);
        while let Some((t, e)) = q.pop() {
            assert!(e % 3 != 0);
            assert!((t, e) > last || last == (SimTime::ZERO, 0));
            last = (t, e);
        }
    }

    #[test]
    fn many_same_time_events_keep_insertion_order() {
        let mut q = EventQueue::new();
        for i in 0..1000u32 {
            q.push(SimTime(42), i);
        }
        for i in 0..1000u32 {
            assert_eq!(q.pop(), Some((SimTime(42), i)));
        }
    }
}
