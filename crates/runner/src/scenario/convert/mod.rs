//! Checks a parsed scenario and turns it into the model's types, one
//! file per section:
//!
//! - [`settings`]: durations, `startTime`, `sampleInterval`, `metrics`,
//!   `limits`;
//! - [`cluster`]: node pools, the scheduler profile, cgroup settings;
//! - [`images`]: image behaviours and CPU profiles;
//! - [`pod`]: pod specs — containers, resources, tolerations, affinity;
//! - [`workloads`]: object metadata, Pods, Deployments (selectors),
//!   PriorityClasses and the Priority admission plugin;
//! - [`batch`]: Jobs and CronJobs;
//! - [`timeline`]: timed actions and their targets (Deployments, nodes,
//!   node pools);
//! - [`budget`]: object counts against `maxObjects`, and estimates of
//!   events and output rows, checked before anything big is built.
//!
//! Every check that fails records a [`ScenarioError`] at the offending
//! key or value (found from its [`At`] path in the document's tree) and
//! conversion goes on, so that one run reports as many problems as it
//! can. Messages follow the API server's (`field.ErrorList` wording of
//! k8s.io/apimachinery/pkg/util/validation/field/errors.go: `Required
//! value`, `Invalid value: …`, `Unsupported value: …: supported values:
//! …`, `Duplicate value: …`).

pub mod batch;
pub mod budget;
pub mod cluster;
pub mod images;
pub mod pod;
pub mod rollouts;
pub mod services;
pub mod settings;
pub mod timeline;
pub mod traffic;
pub mod workloads;

use super::error::{did_you_mean, ScenarioError, Source};
use super::yaml::{At, Id, Issue, Tree};
use kubesim_core::{parse_duration, Quantity, SimTime};
use kubesim_core::{MAX_QUANTITY_BYTES, MAX_QUANTITY_COUNT, MAX_QUANTITY_MILLI_CPU};

/// A document: where paths are looked up to place errors.
#[derive(Clone, Copy)]
pub struct Doc<'a> {
    /// The file's text.
    pub src: &'a Source<'a>,
    /// Its tree.
    pub tree: &'a Tree<'a>,
    /// The object's root node: paths are looked up from here.
    pub root: Id,
    /// How many leading segments of a path lead to `root` (an object in a
    /// tree of its own is at `workloads[i]` in the file, at the root of
    /// its tree).
    pub prefix: usize,
}

impl Doc<'_> {
    /// The node `at` names: its value, or its key when `key` is set; when
    /// the path does not exist (a missing field), the deepest key or
    /// node on the way.
    fn node_of(&self, at: &At<'_>, key: bool) -> Id {
        let segs = at.segments();
        let f = self
            .tree
            .find(self.root, segs.get(self.prefix..).unwrap_or_default());
        if f.complete && !key {
            f.node
        } else {
            f.key.unwrap_or(f.node)
        }
    }

    /// An error at the value `at` names.
    pub fn error(&self, at: &At<'_>, message: impl Into<String>) -> ScenarioError {
        self.error_at(self.node_of(at, false), at, message)
    }

    /// Whether the field `at` is present.
    pub fn has(&self, at: &At<'_>) -> bool {
        let segs = at.segments();
        self.tree
            .find(self.root, segs.get(self.prefix..).unwrap_or_default())
            .complete
    }

    /// An error at the key of `at`.
    pub fn key_error(&self, at: &At<'_>, message: impl Into<String>) -> ScenarioError {
        self.error_at(self.node_of(at, true), at, message)
    }

    fn error_at(&self, node: Id, at: &At<'_>, message: impl Into<String>) -> ScenarioError {
        let (line, column) = self.tree.position(node);
        self.src.error(line, column, at.to_string(), message)
    }

    /// A reader's issue as an error.
    pub fn issue(&self, i: Issue) -> ScenarioError {
        let (line, column) = self.tree.position(i.node);
        let e = self.src.error(line, column, i.path, i.message);
        match i.help {
            Some(h) => e.with_help(h),
            None => e,
        }
    }
}

/// Errors and warnings of one scenario.
#[derive(Default)]
pub struct Report {
    /// Problems that refuse the scenario.
    pub errors: Vec<ScenarioError>,
    /// Problems worth knowing.
    pub warnings: Vec<ScenarioError>,
}

/// Converts one document, recording problems in a [`Report`].
pub struct Ctx<'a, 'r> {
    /// Where errors are placed.
    pub doc: Doc<'a>,
    /// Where they go.
    pub report: &'r mut Report,
}

impl Ctx<'_, '_> {
    /// An error at the value `at` names.
    pub fn err(&mut self, at: &At<'_>, message: impl Into<String>) {
        let e = self.doc.error(at, message);
        self.report.errors.push(e);
    }

    /// An error with a hint.
    pub fn err_help(&mut self, at: &At<'_>, message: impl Into<String>, help: Option<String>) {
        let mut e = self.doc.error(at, message);
        e.help = help;
        self.report.errors.push(e);
    }

    /// An error at the key of `at` (a field that should not be there, or
    /// a list that is too long).
    pub fn err_key(&mut self, at: &At<'_>, message: impl Into<String>) {
        let e = self.doc.key_error(at, message);
        self.report.errors.push(e);
    }

    /// A warning at the value `at` names.
    pub fn warn(&mut self, at: &At<'_>, message: impl Into<String>) {
        let e = self.doc.error(at, message).warning();
        self.report.warnings.push(e);
    }

    /// A reader's issue.
    pub fn issue(&mut self, i: Issue) {
        let e = self.doc.issue(i);
        self.report.errors.push(e);
    }

    /// A Go duration.
    pub fn duration(&mut self, text: &str, at: &At<'_>) -> Option<SimTime> {
        match parse_duration(text) {
            Ok(d) => Some(d),
            Err(e) => {
                self.err(at, e.to_string());
                None
            }
        }
    }

    /// A duration of at least [`MIN_INTERVAL`]: output times have
    /// millisecond precision, so a shorter sample interval or profile
    /// period only multiplies events and rows.
    pub fn interval(&mut self, text: &str, at: &At<'_>, what: &str) -> Option<SimTime> {
        let d = self.duration(text, at)?;
        if d < MIN_INTERVAL {
            self.err(
                at,
                format!(
                    "Invalid value: {text:?}: {what} must be at least {MIN_INTERVAL} (kubesim's times have millisecond precision)"
                ),
            );
            return None;
        }
        Some(d)
    }

    /// A non-negative quantity of `resource`, bounded by the model's
    /// limits: CPU in millicores, everything else in whole units
    /// (`"bytes"`: a size that is not a resource, such as an image's).
    pub fn quantity(&mut self, resource: &str, text: &str, at: &At<'_>) -> Option<i64> {
        let q = match Quantity::parse(text.trim()) {
            Ok(q) => q,
            Err(e) => {
                self.err(
                    at,
                    format!(
                        "invalid quantity {text:?}: {e} (expected e.g. 100m, 1.5, 2, 512Mi, 1Gi, 10G)"
                    ),
                );
                return None;
            }
        };
        if q.sign() < 0 {
            // ValidateNonnegativeQuantity.
            self.err(
                at,
                format!("Invalid value: {text:?}: must be greater than or equal to 0"),
            );
            return None;
        }
        let (value, max, unit) = match resource {
            "cpu" => (q.milli_value(), MAX_QUANTITY_MILLI_CPU, "millicores"),
            "memory" | "ephemeral-storage" | "bytes" => (q.value(), MAX_QUANTITY_BYTES, "bytes"),
            r if r.starts_with("hugepages-") => (q.value(), MAX_QUANTITY_BYTES, "bytes"),
            _ => (q.value(), MAX_QUANTITY_COUNT, ""),
        };
        if value > max {
            let max_text = match resource {
                "cpu" => format!("{} cores", max / 1000),
                _ if unit == "bytes" => "1Pi".to_string(),
                _ => max.to_string(),
            };
            let what = if resource == "bytes" {
                "byte"
            } else {
                resource
            };
            self.err(
                at,
                format!(
                    "Invalid value: {text:?}: kubesim models {what} quantities up to {max_text}"
                ),
            );
            return None;
        }
        Some(value)
    }

    /// An enum-like string the API server checks against its supported
    /// values (`field.NotSupported`), with a "did you mean".
    pub fn one_of<'v>(
        &mut self,
        value: &str,
        supported: &[&'v str],
        at: &At<'_>,
    ) -> Option<&'v str> {
        if let Some(v) = supported.iter().find(|s| **s == value) {
            return Some(v);
        }
        let list: Vec<String> = supported.iter().map(|s| format!("{s:?}")).collect();
        let help = did_you_mean(value, supported.iter().copied());
        self.err_help(
            at,
            format!(
                "Unsupported value: {value:?}: supported values: {}",
                list.join(", ")
            ),
            help,
        );
        None
    }

    /// `metadata.name` and friends: a DNS-1123 subdomain
    /// (k8s.io/apimachinery/pkg/util/validation/validation.go
    /// `IsDNS1123Subdomain`).
    pub fn dns_subdomain(&mut self, name: &str, at: &At<'_>) -> bool {
        match dns1123_subdomain(name) {
            Ok(()) => true,
            Err(m) => {
                self.err(at, format!("Invalid value: {name:?}: {m}"));
                false
            }
        }
    }

    /// A DNS-1123 label (`IsDNS1123Label`): container names, namespaces.
    pub fn dns_label(&mut self, name: &str, at: &At<'_>) -> bool {
        match dns1123_label(name) {
            Ok(()) => true,
            Err(m) => {
                self.err(at, format!("Invalid value: {name:?}: {m}"));
                false
            }
        }
    }

    /// Label keys and values (`ValidateLabels`: `IsQualifiedName`,
    /// `IsValidLabelValue`).
    pub fn labels(&mut self, labels: &std::collections::BTreeMap<String, String>, at: &At<'_>) {
        for (k, v) in labels {
            let kat = at.key(k);
            if let Err(m) = qualified_name(k) {
                self.err_key(&kat, format!("Invalid value: {k:?}: {m}"));
            }
            if let Err(m) = label_value(v) {
                self.err(&kat, format!("Invalid value: {v:?}: {m}"));
            }
        }
    }
}

/// The shortest interval kubesim accepts for samples and profiles.
pub const MIN_INTERVAL: SimTime = SimTime::from_millis(1);

const DNS1123_LABEL_FMT: &str = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const DNS1123_SUBDOMAIN_FMT: &str = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

fn is_label_shape(s: &str, allow_dot: bool) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b[0].is_ascii_alphanumeric()
        && b[b.len() - 1].is_ascii_alphanumeric()
        && b.iter().all(|&c| {
            c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-' || (allow_dot && c == b'.')
        })
}

/// `IsDNS1123Label`.
pub fn dns1123_label(s: &str) -> Result<(), String> {
    if s.len() > 63 {
        return Err("must be no more than 63 characters".into());
    }
    if !is_label_shape(s, false) {
        return Err(DNS1123_LABEL_FMT.into());
    }
    Ok(())
}

/// `IsDNS1123Subdomain`.
pub fn dns1123_subdomain(s: &str) -> Result<(), String> {
    if s.len() > 253 {
        return Err("must be no more than 253 characters".into());
    }
    if !s.split('.').all(|part| is_label_shape(part, false)) {
        return Err(DNS1123_SUBDOMAIN_FMT.into());
    }
    Ok(())
}

/// `IsQualifiedName`: `[prefix/]name`, name ≤ 63 characters of
/// alphanumerics, `-`, `_`, `.`, starting and ending alphanumeric; prefix
/// a DNS subdomain.
pub fn qualified_name(s: &str) -> Result<(), String> {
    let (prefix, name) = match s.split_once('/') {
        Some((p, n)) => (Some(p), n),
        None => (None, s),
    };
    if let Some(p) = prefix {
        if p.is_empty() {
            return Err("prefix part must be non-empty".into());
        }
        if let Err(m) = dns1123_subdomain(p) {
            return Err(format!("prefix part {m}"));
        }
        if name.contains('/') {
            return Err("a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')".into());
        }
    }
    if name.is_empty() {
        return Err("name part must be non-empty".into());
    }
    if name.len() > 63 {
        return Err("name part must be no more than 63 characters".into());
    }
    if !is_qualified_shape(name) {
        return Err("name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')".into());
    }
    Ok(())
}

fn is_qualified_shape(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b[0].is_ascii_alphanumeric()
        && b[b.len() - 1].is_ascii_alphanumeric()
        && b.iter()
            .all(|&c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'))
}

/// `IsValidLabelValue`: empty, or ≤ 63 characters shaped like a
/// qualified name.
pub fn label_value(s: &str) -> Result<(), String> {
    if s.is_empty() {
        return Ok(());
    }
    if s.len() > 63 {
        return Err("must be no more than 63 characters".into());
    }
    if !is_qualified_shape(s) {
        return Err("a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    // After upstream TestIsDNS1123Label / TestIsDNS1123Subdomain /
    // TestIsQualifiedName / TestIsValidLabelValue
    // (staging/src/k8s.io/apimachinery/pkg/util/validation/validation_test.go).
    #[test]
    fn name_validation_tables() {
        for good in [
            "a",
            "ab",
            "abc",
            "a1",
            "a-1",
            "a--1--2--b",
            "0",
            "01",
            "012",
            "1a",
            "1-a",
            "1--a--b--2",
        ] {
            assert!(dns1123_label(good).is_ok(), "{good}");
        }
        for bad in [
            "",
            "A",
            "ABC",
            "aBc",
            "A1",
            "A-1",
            "1-A",
            "-",
            "a-",
            "-a",
            "1-",
            "-1",
            "_",
            "a_",
            "_a",
            "a_b",
            "1_",
            "_1",
            "1_2",
            ".",
            "a.",
            ".a",
            "a.b",
            "1.",
            ".1",
            "1.2",
            " ",
            "a ",
            " a",
            "a b",
            "1 ",
            " 1",
            "1 2",
            &"a".repeat(64),
        ] {
            assert!(dns1123_label(bad).is_err(), "{bad:?}");
        }
        for good in [
            "a",
            "ab",
            "a.b",
            "a1.b2",
            "a-1.b-2",
            "0.1",
            "1.a",
            &format!("{}.{}", "a".repeat(63), "b".repeat(63)),
        ] {
            assert!(dns1123_subdomain(good).is_ok(), "{good}");
        }
        for bad in ["", "A", "a.", ".a", "a..b", "a_b", "a.-b", &"a".repeat(254)] {
            assert!(dns1123_subdomain(bad).is_err(), "{bad:?}");
        }
        for good in [
            "simple",
            "now-with-dashes",
            "1-starts-with-num",
            "1234",
            "simple/simple",
            "now-with-dashes/simple",
            "now-with-dashes/now-with-dashes",
            "now.with.dots/simple",
            "now-with.dashes-and.dots/simple",
            "1-num.2-num/3-num",
            "1234/5678",
            "1.2.3.4/5678",
            "Uppercase_Is_OK_123",
            "example.com/Uppercase_Is_OK_123",
            "requests.storage-foo",
            &"a".repeat(63),
            &format!("{}/b", "a".repeat(253)),
        ] {
            assert!(qualified_name(good).is_ok(), "{good}");
        }
        for bad in [
            "nospecialchars%^=@",
            "cantendwithadash-",
            "-cantstartwithadash-",
            "only/one/slash",
            "Example.com/abc",
            "example_com/abc",
            "example.com/",
            "/simple",
            &"a".repeat(64),
            &format!("{}/b", "a".repeat(254)),
        ] {
            assert!(qualified_name(bad).is_err(), "{bad:?}");
        }
        for good in [
            "simple",
            "now-with-dashes",
            "1-starts-with-num",
            "end-with-num-1",
            "1234",
            "",
            "Uppercase_Is_OK_123",
            &"a".repeat(63),
        ] {
            assert!(label_value(good).is_ok(), "{good}");
        }
        for bad in [
            "nospecialchars%^=@",
            "Tama-nui-te-rā.is_Māori.HAL",
            "cantendwithadash-",
            "-cantstartwithadash",
            &"a".repeat(64),
        ] {
            assert!(label_value(bad).is_err(), "{bad:?}");
        }
    }
}
