//! Names of the pods controllers create: the API server's `generateName`
//! (apiserver `names.SimpleNameGenerator`): the owner's name and `-`, cut
//! to 58 characters (`maxGeneratedNameLength`, 63 − 5), then five
//! characters of `utilrand.String` drawn from the owner's own stream —
//! retried while the name is taken, a bounded number of times.

use super::deployment::util::ALPHANUMS;
use kubesim_core::{LimitExceeded, ModelLimits, SimTime, Store};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

/// `maxGeneratedNameLength`: a `generateName` prefix is cut to 63 − 5
/// characters.
pub const MAX_GENERATED_NAME_LENGTH: usize = 58;

/// A free pod name `<owner>-xxxxx` in `namespace`; `what` names the pods
/// in the error when every attempt collides.
pub fn generate_pod_name(
    rng: &mut ChaCha8Rng,
    store: &Store,
    namespace: &str,
    owner: &str,
    what: &str,
    now: SimTime,
) -> Result<String, LimitExceeded> {
    let mut base = format!("{owner}-");
    base.truncate(MAX_GENERATED_NAME_LENGTH);
    for _ in 0..ModelLimits::MAX_NAME_ATTEMPTS {
        let suffix: String = (0..5)
            .map(|_| ALPHANUMS[rng.random_range(0..ALPHANUMS.len())] as char)
            .collect();
        let candidate = format!("{base}{suffix}");
        if store.pod_id(namespace, &candidate).is_none() {
            return Ok(candidate);
        }
    }
    Err(LimitExceeded::Names {
        what: what.to_string(),
        attempts: ModelLimits::MAX_NAME_ATTEMPTS,
        at: now,
    })
}
