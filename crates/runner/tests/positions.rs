//! Every error points at the offending key or value: the fuzz-style check
//! that once found a fifth of unknown-field errors on the wrong line
//! (a stray field under `template.spec` reported a line above, a typo in
//! `workloads[0]` reported inside `workloads[1]`, a spurious error at a
//! valid request line). Known-good example scenarios are mutated — a
//! made-up key inserted into some mapping, a quantity made invalid — and
//! the reported line (and column) must be the mutated one.

use kubesim_runner::load;
use proptest::prelude::*;
use std::path::PathBuf;

const EXAMPLES: [&str; 5] = [
    "qos-cpu-contention.yaml",
    "failed-scheduling.yaml",
    "diurnal-load.yaml",
    "batch-contention.yaml",
    "bin-packing.yaml",
];

fn example(name: &str) -> String {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../scenarios")
        .join(name);
    std::fs::read_to_string(p).expect("example scenario")
}

/// Lines that hold a block mapping key (`key:` or `- key:`), outside
/// block scalars: (line index, column of the key, whether it starts a
/// sequence item).
fn key_lines(text: &str) -> Vec<(usize, usize, bool)> {
    let mut out = Vec::new();
    let mut block_indent: Option<usize> = None;
    for (i, line) in text.lines().enumerate() {
        let indent = line.len() - line.trim_start().len();
        if let Some(b) = block_indent {
            if line.trim().is_empty() || indent > b {
                continue;
            }
            block_indent = None;
        }
        let rest = &line[indent..];
        let (item, rest) = match rest.strip_prefix("- ") {
            Some(r) => (true, r),
            None => (false, rest),
        };
        let key_len = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '.' || c == '/' || c == '-'))
            .unwrap_or(rest.len());
        let after = &rest[key_len..];
        if key_len > 0 && (after.starts_with(": ") || after == ":") {
            let col = indent + if item { 2 } else { 0 };
            let value = after.trim_start_matches(':').trim();
            // After `- key:` the item's mapping goes on, unless the value
            // is a block on the lines below.
            if !item || !value.is_empty() {
                out.push((i, col, item));
            }
            if matches!(value, "|" | ">" | ">-" | "|-") {
                block_indent = Some(indent);
            }
        }
    }
    out
}

fn load_text(text: &str) -> Result<(), Vec<kubesim_runner::ScenarioError>> {
    let dir = tempfile::tempdir().expect("tmp");
    let f = dir.path().join("s.yaml");
    std::fs::write(&f, text).expect("write");
    load(&f).map(|_| ())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    /// A key no type has, added to any mapping, is reported on its line,
    /// at its column, and nowhere else.
    #[test]
    fn an_unknown_key_is_reported_where_it_is(file in 0usize..5, pick in 0usize..10_000, key in "[a-z]{2,8}[A-Z][a-z]{2}") {
        let text = example(EXAMPLES[file]);
        let candidates = key_lines(&text);
        let (line, col, item) = candidates[pick % candidates.len()];
        let mut lines: Vec<String> = text.lines().map(String::from).collect();
        let new = format!("{}{key}: 1", " ".repeat(col));
        // Before a key (a sibling), or after a `- key:` line (inside the
        // item's mapping).
        let at = if item { line + 1 } else { line };
        lines.insert(at, new);
        let mutated = lines.join("\n") + "\n";
        match load_text(&mutated) {
            Ok(()) => {
                // Only mappings of free keys take it (labels, images…).
            }
            Err(errors) => {
                let expected_line = at + 1;
                prop_assert!(
                    errors.iter().any(|e| e.line == expected_line),
                    "nothing reported on line {expected_line}:\n{}\n---\n{mutated}",
                    errors.iter().map(|e| format!("{e}\n")).collect::<String>()
                );
                for e in &errors {
                    if e.message.contains(&key) || e.path.contains(&key) {
                        prop_assert_eq!(e.line, expected_line, "{}", e);
                    }
                    if e.message.starts_with("unknown field") {
                        prop_assert_eq!((e.line, e.column), (expected_line, col + 1), "{}", e);
                    }
                }
            }
        }
    }

    /// An invalid quantity is reported on its own line, and only there.
    #[test]
    fn an_invalid_quantity_is_reported_where_it_is(file in 0usize..5, pick in 0usize..10_000) {
        let text = example(EXAMPLES[file]);
        let quantities: Vec<usize> = text
            .lines()
            .enumerate()
            .filter(|(_, l)| l.contains("cpu: ") || l.contains("memory: "))
            .map(|(i, _)| i)
            .collect();
        let line = quantities[pick % quantities.len()];
        let mut lines: Vec<String> = text.lines().map(String::from).collect();
        let l = &lines[line];
        let key = if l.contains("cpu: ") { "cpu: " } else { "memory: " };
        let start = l.find(key).expect("key") + key.len();
        let end = l[start..].find([',', '}']).map_or(l.len(), |e| start + e);
        lines[line] = format!("{}5OOm{}", &l[..start], &l[end..]);
        let mutated = lines.join("\n") + "\n";
        let errors = load_text(&mutated).expect_err("an invalid quantity is refused");
        prop_assert_eq!(errors.len(), 1, "{:?}", errors.iter().map(|e| e.to_string()).collect::<Vec<_>>());
        prop_assert_eq!((errors[0].line, errors[0].column), (line + 1, start + 1), "{}", errors[0]);
        prop_assert!(errors[0].message.contains("invalid quantity \"5OOm\""), "{}", errors[0]);
    }
}
