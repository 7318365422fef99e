//! Timer generations: the one definition of a stale timer.
//!
//! Timers are never removed from the [`EventQueue`](super::EventQueue)
//! (a heap has no cheap removal). Instead each timer carries the
//! generation ([`Gen`]) of its slot — one slot per entity and timer kind —
//! taken when it was armed. Arming a slot again, or cancelling it, moves
//! the generation on, so the timer already in the queue no longer matches:
//! it is stale and its handler ignores it.
//!
//! The table also counts timers that became stale while still queued, so
//! the owner of the queue can compact it when stale entries pile up.

use std::marker::PhantomData;

/// The generation a timer was armed with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Gen(pub u32);

/// A kind of timer: a small dense index per kind.
pub trait TimerKind: Copy {
    /// How many kinds there are.
    const COUNT: usize;
    /// This kind's index, below [`TimerKind::COUNT`].
    fn index(self) -> usize;
}

#[derive(Debug, Clone, Copy, Default)]
struct Slot {
    gen: u32,
    /// A timer with the current generation is in the queue.
    live: bool,
}

/// Generations of every (entity, kind) slot, entities dense from 0.
#[derive(Debug, Clone)]
pub struct TimerTable<K> {
    slots: Vec<Slot>,
    stale: u64,
    kind: PhantomData<K>,
}

impl<K: TimerKind> Default for TimerTable<K> {
    fn default() -> Self {
        TimerTable {
            slots: Vec::new(),
            stale: 0,
            kind: PhantomData,
        }
    }
}

impl<K: TimerKind> TimerTable<K> {
    /// Makes room for entities `0..entities`.
    pub fn ensure(&mut self, entities: usize) {
        let want = entities * K::COUNT;
        if self.slots.len() < want {
            self.slots.resize(want, Slot::default());
        }
    }

    /// Number of entities with slots.
    pub fn entities(&self) -> usize {
        self.slots.len() / K::COUNT
    }

    fn slot(&mut self, entity: usize, kind: K) -> &mut Slot {
        debug_assert!(kind.index() < K::COUNT);
        let i = entity * K::COUNT + kind.index();
        debug_assert!(
            i < self.slots.len(),
            "timer slot of unknown entity {entity}"
        );
        &mut self.slots[i]
    }

    /// Arms a new timer for `(entity, kind)`: any timer of that slot still
    /// queued becomes stale. Push the timer with the returned generation.
    pub fn arm(&mut self, entity: usize, kind: K) -> Gen {
        let s = self.slot(entity, kind);
        let was_live = s.live;
        s.gen = s.gen.wrapping_add(1);
        s.live = true;
        let gen = Gen(s.gen);
        self.stale += u64::from(was_live);
        gen
    }

    /// Pushes the current timer of the slot again (it fired early and
    /// re-arms itself for later): the generation stays.
    pub fn rearm(&mut self, entity: usize, kind: K) -> Gen {
        let s = self.slot(entity, kind);
        debug_assert!(!s.live, "re-arming a slot whose timer is still queued");
        s.live = true;
        Gen(s.gen)
    }

    /// Cancels the slot's timer, if one is queued.
    pub fn cancel(&mut self, entity: usize, kind: K) {
        let s = self.slot(entity, kind);
        if s.live {
            s.live = false;
            s.gen = s.gen.wrapping_add(1);
            self.stale += 1;
        }
    }

    /// Whether a timer of `(entity, kind)` armed with `gen` is current.
    pub fn is_current(&self, entity: usize, kind: K, gen: Gen) -> bool {
        let i = entity * K::COUNT + kind.index();
        self.slots.get(i).is_some_and(|s| s.live && s.gen == gen.0)
    }

    /// Takes a popped timer: `true` (and the slot is no longer live) if it
    /// is current, `false` if it is stale.
    pub fn fire(&mut self, entity: usize, kind: K, gen: Gen) -> bool {
        if !self.is_current(entity, kind, gen) {
            return false;
        }
        self.slot(entity, kind).live = false;
        true
    }

    /// Whether the slot has a timer queued.
    pub fn is_live(&self, entity: usize, kind: K) -> bool {
        let i = entity * K::COUNT + kind.index();
        self.slots.get(i).is_some_and(|s| s.live)
    }

    /// Timers made stale since the last [`reset_stale`](Self::reset_stale).
    pub fn stale(&self) -> u64 {
        self.stale
    }

    /// Call after dropping stale timers from the queue.
    pub fn reset_stale(&mut self) {
        self.stale = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Clone, Copy)]
    enum K {
        A,
        B,
    }
    impl TimerKind for K {
        const COUNT: usize = 2;
        fn index(self) -> usize {
            self as usize
        }
    }

    #[test]
    fn rearming_makes_the_old_timer_stale() {
        let mut t = TimerTable::<K>::default();
        t.ensure(3);
        let g1 = t.arm(1, K::A);
        assert!(t.is_current(1, K::A, g1));
        let g2 = t.arm(1, K::A);
        assert!(!t.is_current(1, K::A, g1));
        assert!(t.is_current(1, K::A, g2));
        assert_eq!(t.stale(), 1);
        // Other slots are untouched.
        let b = t.arm(1, K::B);
        assert!(t.is_current(1, K::B, b));
        assert!(t.fire(1, K::A, g2));
        assert!(!t.fire(1, K::A, g2), "a timer fires once");
    }

    #[test]
    fn cancel_counts_only_queued_timers() {
        let mut t = TimerTable::<K>::default();
        t.ensure(1);
        t.cancel(0, K::A);
        assert_eq!(t.stale(), 0);
        let g = t.arm(0, K::A);
        t.cancel(0, K::A);
        assert_eq!(t.stale(), 1);
        assert!(!t.fire(0, K::A, g));
        let g = t.arm(0, K::A);
        assert!(t.fire(0, K::A, g));
        let again = t.rearm(0, K::A);
        assert_eq!(again, g);
        assert!(t.is_current(0, K::A, g));
    }
}
