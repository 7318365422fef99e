//! Pod priority: `PriorityClass` objects and the Priority admission plugin
//! (plugin/pkg/admission/priority/admission.go) that turns a pod's
//! `priorityClassName` into `spec.priority`.
//!
//! The two system classes always exist (pkg/apis/scheduling/types.go).
//! A pod that names no class gets the `globalDefault` class, or priority 0
//! when there is none. A pod that names an unknown class, or sets
//! `spec.priority` to something other than what its class gives, is
//! rejected as the API server rejects it.

use std::collections::BTreeMap;

/// `scheduling.HighestUserDefinablePriority`.
pub const HIGHEST_USER_DEFINABLE_PRIORITY: i32 = 1_000_000_000;
/// `scheduling.SystemCriticalPriority`.
pub const SYSTEM_CRITICAL_PRIORITY: i32 = 2 * HIGHEST_USER_DEFINABLE_PRIORITY;
/// `scheduling.SystemClusterCritical`.
pub const SYSTEM_CLUSTER_CRITICAL: &str = "system-cluster-critical";
/// `scheduling.SystemNodeCritical`.
pub const SYSTEM_NODE_CRITICAL: &str = "system-node-critical";
/// `scheduling.DefaultPriorityWhenNoDefaultClassExists`.
pub const DEFAULT_PRIORITY_WHEN_NO_DEFAULT_CLASS_EXISTS: i32 = 0;

/// `scheduling.k8s.io/v1.PriorityClass`, the parts kubesim models.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PriorityClass {
    /// `metadata.name`.
    pub name: String,
    /// `value`.
    pub value: i32,
    /// `globalDefault`: pods naming no class get this one.
    pub global_default: bool,
}

/// Why admission rejected a pod's priority.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PriorityError {
    /// The named class does not exist.
    #[error("no PriorityClass with name {0} was found")]
    UnknownClass(String),
    /// `spec.priority` disagrees with the class.
    #[error("the integer value of priority ({given}) must not be provided in pod spec; priority admission controller computed {computed} from the given PriorityClass name")]
    Conflict {
        /// What the pod set.
        given: i32,
        /// What the class gives.
        computed: i32,
    },
    /// A user class outside the allowed range, or named like a system class.
    #[error("{0}")]
    InvalidClass(String),
    /// Two classes claim `globalDefault`.
    #[error("PriorityClass {second} is a global default, and so is {first}: at most one may be")]
    TwoDefaults {
        /// The class that was first.
        first: String,
        /// The other one.
        second: String,
    },
}

/// Every PriorityClass of a run, the system classes included.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PriorityClasses {
    classes: BTreeMap<String, PriorityClass>,
}

impl Default for PriorityClasses {
    fn default() -> Self {
        let mut classes = BTreeMap::new();
        for (name, value) in [
            (SYSTEM_CLUSTER_CRITICAL, SYSTEM_CRITICAL_PRIORITY),
            (SYSTEM_NODE_CRITICAL, SYSTEM_CRITICAL_PRIORITY + 1000),
        ] {
            classes.insert(
                name.to_string(),
                PriorityClass {
                    name: name.to_string(),
                    value,
                    global_default: false,
                },
            );
        }
        PriorityClasses { classes }
    }
}

impl PriorityClasses {
    /// Adds a user-defined class, validated as the API server does
    /// (pkg/apis/scheduling/validation/validation.go): its value at most
    /// [`HIGHEST_USER_DEFINABLE_PRIORITY`], its name not `system-`
    /// prefixed, and at most one global default.
    pub fn add(&mut self, class: PriorityClass) -> Result<(), PriorityError> {
        if class.name.starts_with("system-") {
            return Err(PriorityError::InvalidClass(format!(
                "priority class names with 'system-' prefix are reserved for system use only: {}",
                class.name
            )));
        }
        if class.value > HIGHEST_USER_DEFINABLE_PRIORITY {
            return Err(PriorityError::InvalidClass(format!(
                "maximum allowed value of a user defined priority is {HIGHEST_USER_DEFINABLE_PRIORITY}"
            )));
        }
        if class.global_default {
            if let Some(d) = self.global_default() {
                return Err(PriorityError::TwoDefaults {
                    first: d.name.clone(),
                    second: class.name,
                });
            }
        }
        self.classes.insert(class.name.clone(), class);
        Ok(())
    }

    /// The class named `name`.
    pub fn get(&self, name: &str) -> Option<&PriorityClass> {
        self.classes.get(name)
    }

    /// Every class, by name.
    pub fn iter(&self) -> impl Iterator<Item = &PriorityClass> {
        self.classes.values()
    }

    /// The `globalDefault` class, if any.
    pub fn global_default(&self) -> Option<&PriorityClass> {
        self.classes.values().find(|c| c.global_default)
    }

    /// The Priority admission plugin: the pod's `(priorityClassName,
    /// priority)` after admission, from what it named and set.
    pub fn admit(
        &self,
        class_name: &str,
        spec_priority: Option<i32>,
    ) -> Result<(String, i32), PriorityError> {
        let (name, value) = if class_name.is_empty() {
            match self.global_default() {
                Some(c) => (c.name.clone(), c.value),
                None => (String::new(), DEFAULT_PRIORITY_WHEN_NO_DEFAULT_CLASS_EXISTS),
            }
        } else {
            let c = self
                .get(class_name)
                .ok_or_else(|| PriorityError::UnknownClass(class_name.to_string()))?;
            (c.name.clone(), c.value)
        };
        match spec_priority {
            Some(given) if given != value => Err(PriorityError::Conflict {
                given,
                computed: value,
            }),
            _ => Ok((name, value)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn class(name: &str, value: i32, global_default: bool) -> PriorityClass {
        PriorityClass {
            name: name.into(),
            value,
            global_default,
        }
    }

    // After upstream TestPodAdmission
    // (plugin/pkg/admission/priority/admission_test.go): system classes,
    // a user class, the global default, an unknown class and a conflict.
    #[test]
    fn admission_table() {
        let mut with_default = PriorityClasses::default();
        with_default.add(class("default1", 1000, true)).unwrap();
        with_default.add(class("high", 10_000, false)).unwrap();
        let plain = PriorityClasses::default();
        // (classes, priorityClassName, spec.priority, admitted as).
        type Case<'a> = (
            &'a PriorityClasses,
            &'a str,
            Option<i32>,
            Result<(&'a str, i32), ()>,
        );
        let cases: &[Case<'_>] = &[
            (&plain, "", None, Ok(("", 0))),
            (&with_default, "", None, Ok(("default1", 1000))),
            (&with_default, "high", None, Ok(("high", 10_000))),
            (
                &plain,
                SYSTEM_CLUSTER_CRITICAL,
                None,
                Ok((SYSTEM_CLUSTER_CRITICAL, 2_000_000_000)),
            ),
            (
                &plain,
                SYSTEM_NODE_CRITICAL,
                None,
                Ok((SYSTEM_NODE_CRITICAL, 2_000_001_000)),
            ),
            (&plain, "foo", None, Err(())),
            (&with_default, "high", Some(10_000), Ok(("high", 10_000))),
            (&with_default, "high", Some(5), Err(())),
            (&plain, "", Some(100), Err(())),
        ];
        for (classes, name, prio, want) in cases {
            let got = classes.admit(name, *prio);
            match want {
                Ok((n, v)) => assert_eq!(got, Ok((n.to_string(), *v)), "{name} {prio:?}"),
                Err(()) => assert!(got.is_err(), "{name} {prio:?} admitted: {got:?}"),
            }
        }
        assert_eq!(
            plain.admit("", Some(100)).unwrap_err().to_string(),
            "the integer value of priority (100) must not be provided in pod spec; priority admission controller computed 0 from the given PriorityClass name"
        );
        assert_eq!(
            plain.admit("foo", None).unwrap_err().to_string(),
            "no PriorityClass with name foo was found"
        );
    }

    #[test]
    fn class_validation() {
        let mut c = PriorityClasses::default();
        assert!(c.add(class("system-mine", 1, false)).is_err());
        assert!(c.add(class("huge", 1_000_000_001, false)).is_err());
        c.add(class("a", 1, true)).unwrap();
        assert!(matches!(
            c.add(class("b", 2, true)),
            Err(PriorityError::TwoDefaults { .. })
        ));
    }
}
