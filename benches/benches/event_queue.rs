//! The event queue under the classic hold model: pop the earliest event,
//! push one a random distance later, with a constant number pending.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use kubesim_core::{EventQueue, SimTime};
use std::hint::black_box;

/// xorshift64*: cheap, deterministic increments for the hold model.
fn next(state: &mut u64) -> u64 {
    *state ^= *state >> 12;
    *state ^= *state << 25;
    *state ^= *state >> 27;
    state.wrapping_mul(0x2545_F491_4F6C_DD1D)
}

fn hold(c: &mut Criterion) {
    let mut group = c.benchmark_group("event_queue_hold");
    const OPS: u64 = 100_000;
    group.throughput(Throughput::Elements(OPS));
    for pending in [1_000usize, 1_000_000] {
        let mut q: EventQueue<u64> = EventQueue::with_capacity(pending + 1);
        let mut rng = 0x9E37_79B9_7F4A_7C15u64;
        for i in 0..pending {
            q.push(SimTime(next(&mut rng) % 1_000_000_000), i as u64);
        }
        group.bench_with_input(BenchmarkId::from_parameter(pending), &pending, |b, _| {
            b.iter(|| {
                for _ in 0..OPS {
                    let (t, e) = q.pop().expect("hold model keeps the queue non-empty");
                    q.push(
                        SimTime(t.0 + 1 + next(&mut rng) % 1_000_000_000),
                        black_box(e),
                    );
                }
            })
        });
    }
    group.finish();
}

criterion_group!(benches, hold);
criterion_main!(benches);
