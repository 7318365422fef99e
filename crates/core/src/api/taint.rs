//! Taints and tolerations, with the matching rules of
//! staging/src/k8s.io/api/core/v1/toleration.go (`ToleratesTaint`) and
//! taint.go (`Taint.ToString`).

use std::fmt;

/// `v1.TaintEffect`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TaintEffect {
    /// Do not schedule new pods that do not tolerate it.
    NoSchedule,
    /// Prefer other nodes for pods that do not tolerate it.
    PreferNoSchedule,
    /// Do not schedule, and evict running pods that do not tolerate it.
    NoExecute,
}

impl TaintEffect {
    /// The API spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            TaintEffect::NoSchedule => "NoSchedule",
            TaintEffect::PreferNoSchedule => "PreferNoSchedule",
            TaintEffect::NoExecute => "NoExecute",
        }
    }
    /// Parses the API spelling.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "NoSchedule" => Some(TaintEffect::NoSchedule),
            "PreferNoSchedule" => Some(TaintEffect::PreferNoSchedule),
            "NoExecute" => Some(TaintEffect::NoExecute),
            _ => None,
        }
    }
}

/// `v1.Taint`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Taint {
    /// `key`.
    pub key: String,
    /// `value`.
    pub value: String,
    /// `effect`.
    pub effect: TaintEffect,
}

impl fmt::Display for Taint {
    /// `{key: value}` as kube-scheduler prints untolerated taints.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{{{}: {}}}", self.key, self.value)
    }
}

/// `v1.TolerationOperator`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TolerationOperator {
    /// Key and value must be equal.
    Equal,
    /// The key must exist (any value).
    Exists,
}

/// `v1.Toleration`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Toleration {
    /// `key` (empty with `Exists`: every key).
    pub key: String,
    /// `operator`.
    pub operator: TolerationOperator,
    /// `value`.
    pub value: String,
    /// `None` tolerates every effect.
    pub effect: Option<TaintEffect>,
    /// `tolerationSeconds`: how long a `NoExecute` taint is tolerated.
    pub toleration_seconds: Option<i64>,
}

impl Toleration {
    /// `ToleratesTaint`: effects must match (an empty effect matches all),
    /// keys must match (an empty key with `Exists` matches every key), and
    /// with `Equal` the values must match.
    pub fn tolerates(&self, taint: &Taint) -> bool {
        if let Some(e) = self.effect {
            if e != taint.effect {
                return false;
            }
        }
        if !self.key.is_empty() && self.key != taint.key {
            return false;
        }
        match self.operator {
            TolerationOperator::Exists => true,
            TolerationOperator::Equal => self.value == taint.value,
        }
    }
}

/// Whether any of `tolerations` tolerates `taint` (`TolerationsTolerateTaint`).
pub fn tolerations_tolerate_taint(tolerations: &[Toleration], taint: &Taint) -> bool {
    tolerations.iter().any(|t| t.tolerates(taint))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn taint(key: &str, value: &str, effect: TaintEffect) -> Taint {
        Taint {
            key: key.into(),
            value: value.into(),
            effect,
        }
    }
    fn tol(
        key: &str,
        op: TolerationOperator,
        value: &str,
        effect: Option<TaintEffect>,
    ) -> Toleration {
        Toleration {
            key: key.into(),
            operator: op,
            value: value.into(),
            effect,
            toleration_seconds: None,
        }
    }

    // Cases after TestTolerationToleratesTaint (staging/src/k8s.io/api/core/v1/toleration_test.go).
    #[test]
    fn tolerates_taint_table() {
        use TaintEffect::*;
        use TolerationOperator::*;
        let cases = [
            (
                "empty toleration only tolerates with Exists and empty key",
                tol("", Exists, "", None),
                taint("foo", "bar", NoSchedule),
                true,
            ),
            (
                "effect mismatch",
                tol("foo", Equal, "bar", Some(NoExecute)),
                taint("foo", "bar", NoSchedule),
                false,
            ),
            (
                "empty effect matches all",
                tol("foo", Equal, "bar", None),
                taint("foo", "bar", PreferNoSchedule),
                true,
            ),
            (
                "key mismatch",
                tol("foo", Exists, "", Some(NoSchedule)),
                taint("bar", "", NoSchedule),
                false,
            ),
            (
                "Exists ignores value",
                tol("foo", Exists, "", Some(NoSchedule)),
                taint("foo", "bar", NoSchedule),
                true,
            ),
            (
                "Equal value match",
                tol("foo", Equal, "bar", Some(NoSchedule)),
                taint("foo", "bar", NoSchedule),
                true,
            ),
            (
                "Equal value mismatch",
                tol("foo", Equal, "baz", Some(NoSchedule)),
                taint("foo", "bar", NoSchedule),
                false,
            ),
        ];
        for (name, t, tn, want) in cases {
            assert_eq!(t.tolerates(&tn), want, "{name}");
        }
    }

    #[test]
    fn taint_display() {
        assert_eq!(
            taint("dedicated", "db", TaintEffect::NoSchedule).to_string(),
            "{dedicated: db}"
        );
    }
}
