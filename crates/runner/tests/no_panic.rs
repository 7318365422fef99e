//! Bad input is an error, never a panic: mutated example scenarios must
//! either load or return errors with a position.

use kubesim_runner::load;
use proptest::prelude::*;
use std::path::PathBuf;

fn example(name: &str) -> String {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../scenarios")
        .join(name);
    std::fs::read_to_string(p).expect("example scenario")
}

fn check(text: &str) {
    let dir = tempfile::tempdir().expect("tmp");
    let f = dir.path().join("s.yaml");
    std::fs::write(&f, text).expect("write");
    if let Err(errors) = load(&f) {
        assert!(!errors.is_empty());
        for e in errors {
            assert!(!e.message.is_empty());
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn byte_mutations_never_panic(pos in 0usize..4000, byte in any::<u8>(), file in 0usize..3) {
        let name = ["qos-cpu-contention.yaml", "failed-scheduling.yaml", "diurnal-load.yaml"][file];
        let mut bytes = example(name).into_bytes();
        let i = pos % bytes.len();
        bytes[i] = byte;
        check(&String::from_utf8_lossy(&bytes));
    }

    #[test]
    fn truncations_never_panic(len in 0usize..4000, file in 0usize..3) {
        let name = ["qos-cpu-contention.yaml", "batch-contention.yaml", "bin-packing.yaml"][file];
        let text = example(name);
        let cut = len.min(text.len());
        let cut = (0..=cut).rev().find(|&c| text.is_char_boundary(c)).unwrap_or(0);
        check(&text[..cut]);
    }

    // The rollout keys of a Deployment and its timeline.
    #[test]
    fn rollout_value_replacements_never_panic(value in "[-a-zA-Z0-9.%{}\\[\\]:,\"' ]{0,12}", which in 0usize..8) {
        let keys = ["replicas: 10", "maxSurge: 25%", "maxUnavailable: 25%", "type: RollingUpdate",
                    "action: setImage", "target: deployment/web", "image: web:2", "at: 5m"];
        let key = keys[which];
        let (k, _) = key.split_once(": ").expect("key: value");
        let text = example("rolling-update.yaml").replacen(key, &format!("{k}: {value}"), 1);
        check(&text);
    }

    #[test]
    fn value_replacements_never_panic(value in "[-a-zA-Z0-9.{}\\[\\]:,\"' ]{0,12}", which in 0usize..12) {
        let keys = ["cpu: \"16\"", "memory: 64Gi", "duration: 10m", "replicas: 1", "startup: 2s", "pods: 110",
                    "sampleInterval: 10s", "seed: 1", "name: worker", "kind: Deployment", "apiVersion: apps/v1", "image: stress:1.0"];
        let key = keys[which];
        let (k, _) = key.split_once(": ").expect("key: value");
        let text = example("qos-cpu-contention.yaml").replacen(key, &format!("{k}: {value}"), 1);
        check(&text);
    }
}
