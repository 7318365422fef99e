//! Label selectors (`metav1.LabelSelector`): `matchLabels` and
//! `matchExpressions`, ANDed, with the semantics of
//! `metav1.LabelSelectorAsSelector` and `labels.Requirement.Matches`
//! (staging/src/k8s.io/apimachinery/pkg/apis/meta/v1/helpers.go,
//! staging/src/k8s.io/apimachinery/pkg/labels/selector.go).
//!
//! An empty selector matches every object; a missing one (`None` where a
//! selector is optional) matches none — callers keep that distinction.

use crate::api::meta::Labels;

/// `metav1.LabelSelectorOperator`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum LabelSelectorOperator {
    /// The label's value is one of `values`.
    In,
    /// The label is absent, or its value is none of `values`.
    NotIn,
    /// The label is present.
    Exists,
    /// The label is absent.
    DoesNotExist,
}

impl LabelSelectorOperator {
    /// Parses the API spelling.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "In" => Self::In,
            "NotIn" => Self::NotIn,
            "Exists" => Self::Exists,
            "DoesNotExist" => Self::DoesNotExist,
            _ => return None,
        })
    }
    /// The API spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::In => "In",
            Self::NotIn => "NotIn",
            Self::Exists => "Exists",
            Self::DoesNotExist => "DoesNotExist",
        }
    }
}

/// `metav1.LabelSelectorRequirement`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct LabelSelectorRequirement {
    /// The label key.
    pub key: String,
    /// How the key and values relate.
    pub operator: LabelSelectorOperator,
    /// Values for `In` and `NotIn`; empty otherwise.
    pub values: Vec<String>,
}

impl LabelSelectorRequirement {
    /// `labels.Requirement.Matches`.
    pub fn matches(&self, labels: &Labels) -> bool {
        let value = labels.get(&self.key);
        match self.operator {
            LabelSelectorOperator::In => value.is_some_and(|v| self.values.contains(v)),
            LabelSelectorOperator::NotIn => value.is_none_or(|v| !self.values.contains(v)),
            LabelSelectorOperator::Exists => value.is_some(),
            LabelSelectorOperator::DoesNotExist => value.is_none(),
        }
    }

    /// The API server's validation
    /// (`ValidateLabelSelectorRequirement`): `In`/`NotIn` need values,
    /// `Exists`/`DoesNotExist` take none. Returns the problem, if any.
    pub fn validate(&self) -> Option<&'static str> {
        match self.operator {
            LabelSelectorOperator::In | LabelSelectorOperator::NotIn if self.values.is_empty() => {
                Some("must be specified when `operator` is 'In' or 'NotIn'")
            }
            LabelSelectorOperator::Exists | LabelSelectorOperator::DoesNotExist
                if !self.values.is_empty() =>
            {
                Some("may not be specified when `operator` is 'Exists' or 'DoesNotExist'")
            }
            _ => None,
        }
    }
}

/// `metav1.LabelSelector`.
#[derive(Debug, Clone, PartialEq, Eq, Default, PartialOrd, Ord)]
pub struct LabelSelector {
    /// `matchLabels`: each key must have exactly this value.
    pub match_labels: Labels,
    /// `matchExpressions`: each must match.
    pub match_expressions: Vec<LabelSelectorRequirement>,
}

impl LabelSelector {
    /// A selector of exactly these labels.
    pub fn from_labels(labels: Labels) -> Self {
        LabelSelector {
            match_labels: labels,
            match_expressions: Vec::new(),
        }
    }

    /// No terms at all: selects everything.
    pub fn is_empty(&self) -> bool {
        self.match_labels.is_empty() && self.match_expressions.is_empty()
    }

    /// Whether an object with `labels` is selected.
    pub fn matches(&self, labels: &Labels) -> bool {
        self.match_labels
            .iter()
            .all(|(k, v)| labels.get(k) == Some(v))
            && self.match_expressions.iter().all(|r| r.matches(labels))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use LabelSelectorOperator::*;

    fn labels(pairs: &[(&str, &str)]) -> Labels {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn req(key: &str, op: LabelSelectorOperator, values: &[&str]) -> LabelSelectorRequirement {
        LabelSelectorRequirement {
            key: key.into(),
            operator: op,
            values: values.iter().map(|v| v.to_string()).collect(),
        }
    }

    // Cases after upstream TestRequirementMatches / TestToString
    // (staging/src/k8s.io/apimachinery/pkg/labels/selector_test.go).
    #[test]
    fn requirement_table() {
        let set = labels(&[("x", "a"), ("y", "b")]);
        let cases = [
            (req("x", In, &["a", "c"]), true),
            (req("x", In, &["c"]), false),
            (req("z", In, &["a"]), false),
            (req("x", NotIn, &["c"]), true),
            (req("x", NotIn, &["a"]), false),
            (req("z", NotIn, &["a"]), true),
            (req("y", Exists, &[]), true),
            (req("z", Exists, &[]), false),
            (req("z", DoesNotExist, &[]), true),
            (req("x", DoesNotExist, &[]), false),
        ];
        for (r, want) in cases {
            assert_eq!(r.matches(&set), want, "{r:?}");
        }
    }

    #[test]
    fn empty_selector_matches_everything_and_terms_are_anded() {
        let set = labels(&[("app", "web"), ("tier", "front")]);
        assert!(LabelSelector::default().matches(&set));
        let s = LabelSelector {
            match_labels: labels(&[("app", "web")]),
            match_expressions: vec![req("tier", In, &["front", "back"])],
        };
        assert!(s.matches(&set));
        let s = LabelSelector {
            match_labels: labels(&[("app", "web")]),
            match_expressions: vec![req("tier", NotIn, &["front"])],
        };
        assert!(!s.matches(&set));
    }

    #[test]
    fn validation_of_values() {
        assert!(req("k", In, &[]).validate().is_some());
        assert!(req("k", Exists, &["v"]).validate().is_some());
        assert!(req("k", NotIn, &["v"]).validate().is_none());
    }
}
