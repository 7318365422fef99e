//! YAML → typed structs, with the field path and position of any error.
//!
//! serde-saphyr gives the position; serde_path_to_error gives the path;
//! unknown keys get a "did you mean" hint from the list of expected keys.

use super::error::{did_you_mean, ScenarioError, Source};
use serde::de::DeserializeOwned;
use std::cell::RefCell;

/// Deserializes one YAML document of `src` into `T`, and returns the
/// paths (`a.b.0.c`) of the keys `T` does not have (they were skipped).
pub fn parse_document<T: DeserializeOwned>(
    src: &Source,
) -> Result<(T, Vec<String>), ScenarioError> {
    let path = RefCell::new(String::new());
    let ignored = RefCell::new(Vec::new());
    let options = serde_saphyr::options! { with_snippet: false };
    let result = serde_saphyr::with_deserializer_from_str_with_options(&src.text, options, |de| {
        let mut on_ignored = |p: serde_ignored::Path<'_>| {
            let p = p.to_string();
            // serde-saphyr's Spanned<T> probes for a private marker key.
            if !p.ends_with("__serde_saphyr_private_spanned") {
                // `?` marks Option and newtype layers, not keys.
                let segments: Vec<&str> = p.split('.').filter(|s| *s != "?").collect();
                ignored.borrow_mut().push(segments.join("."));
            }
        };
        let de = serde_ignored::Deserializer::new(de, &mut on_ignored);
        serde_path_to_error::deserialize(de).map_err(|e| {
            *path.borrow_mut() = e.path().to_string();
            e.into_inner()
        })
    });
    match result {
        Ok(v) => Ok((v, ignored.into_inner())),
        Err(e) => Err(convert_error(src, &e, &path.borrow())),
    }
}

/// 1-based line and column of the first `key:` in `text` at or after
/// `from_line`, for errors about keys the parser skipped.
pub fn find_key(text: &str, key: &str, from_line: usize) -> (usize, usize) {
    for (i, line) in text.lines().enumerate().skip(from_line.saturating_sub(1)) {
        let mut start = 0;
        while let Some(pos) = line[start..].find(key) {
            let at = start + pos;
            let before_ok =
                at == 0 || matches!(line.as_bytes()[at - 1], b' ' | b'{' | b',' | b'-' | b'\t');
            let after = line[at + key.len()..].trim_start();
            if before_ok && after.starts_with(':') {
                return (i + 1, at + 1);
            }
            start = at + key.len();
        }
    }
    (from_line, 1)
}

/// `a.0.b` → `a[0].b`, the way kubesim prints field paths.
pub fn display_path(segments: &[&str]) -> String {
    let mut out = String::new();
    for s in segments {
        if s.parse::<usize>().is_ok() {
            out.push_str(&format!("[{s}]"));
        } else {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(s);
        }
    }
    out
}

fn convert_error(src: &Source, e: &serde_saphyr::Error, path: &str) -> ScenarioError {
    let (line, column) = e
        .location()
        .map_or((0, 0), |l| (l.line() as usize, l.column() as usize));
    let message = plain_message(&strip_position(&e.to_string()));
    let err = src.error(line, column, clean_path(path), &message);
    match unknown_field_hint(&message) {
        Some(h) => err.with_help(h),
        None => err,
    }
}

/// The user's field path: without serde_path_to_error's placeholders and
/// without the `.value` layer of `Spanned<T>` fields.
fn clean_path(path: &str) -> String {
    if path == "." || path == "?" {
        return String::new();
    }
    let mut p = path.replace(".value.", ".");
    // A toleration's own `value` field is real; other trailing `.value`s
    // come from Spanned.
    if p.ends_with(".value") && !p.contains("tolerations[") {
        p.truncate(p.len() - ".value".len());
    }
    p.replace(".?", "")
}

/// Rewrites the library's wording into what the user needs to know.
fn plain_message(msg: &str) -> String {
    let msg = msg.trim_end_matches(", set DuplicateKeyPolicy in Options if acceptable");
    match msg {
        "invalid i32" | "invalid u32" | "invalid i64" | "invalid u64" | "invalid u16"
        | "invalid u8" => "expected a whole number".to_string(),
        "invalid f64" | "invalid f32" => "expected a number".to_string(),
        m => m.to_string(),
    }
}

/// serde-saphyr prefixes messages with "line L column C: "; we print the
/// position ourselves.
fn strip_position(msg: &str) -> String {
    let msg = msg.trim().trim_start_matches("error: ");
    let first = msg.lines().next().unwrap_or(msg);
    let first = match first
        .strip_prefix("line ")
        .and_then(|rest| rest.find(": ").map(|i| &rest[i + 2..]))
    {
        Some(rest) => rest,
        None => first,
    };
    // ...and sometimes suffix them with " at line L, column C".
    match first.rfind(" at line ") {
        Some(i) if first[i..].contains(", column ") => first[..i].to_string(),
        _ => first.to_string(),
    }
}

/// For serde's "unknown field `x`, expected one of `a`, `b`", suggests the
/// closest expected key.
fn unknown_field_hint(message: &str) -> Option<String> {
    let rest = message
        .strip_prefix("unknown field `")
        .or_else(|| message.strip_prefix("unknown variant `"))?;
    let (word, rest) = rest.split_once('`')?;
    let expected = rest.split_once("expected ")?.1;
    let expected = expected.trim_start_matches("one of ");
    let candidates: Vec<&str> = expected
        .split(", ")
        .map(|c| c.trim_matches(|ch| ch == '`' || ch == ' ' || ch == '"'))
        .collect();
    did_you_mean(word, candidates.iter().copied())
        .or_else(|| Some(format!("expected one of: {}", candidates.join(", "))))
}

/// Splits a multi-document YAML text into documents, with the line each
/// starts on (0-based offset), at lines that begin with `---`.
pub fn split_documents(text: &str) -> Vec<(usize, String)> {
    let mut docs = Vec::new();
    let mut current = String::new();
    let mut start = 0;
    for (i, line) in text.lines().enumerate() {
        if line.starts_with("---") {
            if !current.trim().is_empty() {
                docs.push((start, std::mem::take(&mut current)));
            }
            current.clear();
            start = i + 1;
            continue;
        }
        current.push_str(line);
        current.push('\n');
    }
    if !current.trim().is_empty() {
        docs.push((start, current));
    }
    // Documents holding only comments (common in Helm and kustomize
    // output) are empty, not errors.
    docs.retain(|(_, d)| {
        d.lines()
            .any(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#') && l.trim() != "...")
    });
    docs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hint_for_misspelt_key() {
        let h = unknown_field_hint(
            "unknown field `replica`, expected one of `replicas`, `selector`, `template`",
        );
        assert_eq!(h.as_deref(), Some("did you mean `replicas`?"));
    }

    #[test]
    fn split_multi_documents() {
        let docs = split_documents("a: 1\n---\nb: 2\n---\n\n");
        assert_eq!(
            docs,
            vec![(0, "a: 1\n".to_string()), (2, "b: 2\n".to_string())]
        );
    }
}
