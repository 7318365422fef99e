//! Seeded random-number streams, one per entity.
//!
//! Every entity that draws random numbers (a Deployment naming its pods, the
//! scheduler breaking ties) owns a [`ChaCha8Rng`] seeded with the run seed and
//! positioned on its own stream, whose id is [`stable_hash`] of the entity's
//! kind and name. Adding an entity therefore never shifts another entity's
//! draws. The hash is FNV-1a 64, fixed forever: `DefaultHasher` may change
//! between Rust releases and would break reproducibility.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

const FNV_OFFSET_BASIS: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

/// FNV-1a 64-bit hash of `bytes`; stable across platforms and releases.
pub fn fnv1a_64(bytes: &[u8]) -> u64 {
    let mut h = FNV_OFFSET_BASIS;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(FNV_PRIME);
    }
    h
}

/// Stream id of an entity: FNV-1a of `kind`, a `/` separator, then `name`.
pub fn stable_hash(kind: &str, name: &str) -> u64 {
    let mut h = FNV_OFFSET_BASIS;
    for &b in kind.as_bytes().iter().chain(b"/").chain(name.as_bytes()) {
        h ^= u64::from(b);
        h = h.wrapping_mul(FNV_PRIME);
    }
    h
}

/// The random stream of entity `kind/name` in a run with seed `seed`.
pub fn entity_rng(seed: u64, kind: &str, name: &str) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(stable_hash(kind, name));
    rng
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::Rng;

    #[test]
    fn fnv1a_reference_values() {
        // Reference vectors of the FNV-1a 64-bit specification.
        assert_eq!(fnv1a_64(b""), 0xcbf29ce484222325);
        assert_eq!(fnv1a_64(b"a"), 0xaf63dc4c8601ec8c);
        assert_eq!(fnv1a_64(b"foobar"), 0x85944171f73967e8);
        assert_eq!(stable_hash("pod", "x"), fnv1a_64(b"pod/x"));
    }

    #[test]
    fn streams_are_independent_and_reproducible() {
        let a1: u64 = entity_rng(7, "deployment", "web").random();
        let a2: u64 = entity_rng(7, "deployment", "web").random();
        let b: u64 = entity_rng(7, "deployment", "db").random();
        let c: u64 = entity_rng(8, "deployment", "web").random();
        assert_eq!(a1, a2);
        assert_ne!(a1, b);
        assert_ne!(a1, c);
    }
}
