//! Strict field validation for Kubernetes objects, as `kubectl apply`
//! does by default (`--validate=strict`): a field that exists in the
//! Kubernetes API but that kubesim does not model is accepted and ignored;
//! a field that does not exist at all (a typo such as `replica:` or
//! `resource:`) is an error with a "did you mean".
//!
//! The deserializer reports every key it skipped (serde_ignored); this
//! module decides, from the key's path, which object it belongs to and
//! whether the API has such a field.

/// `metav1.ObjectMeta` fields.
const OBJECT_META: &[&str] = &[
    "name",
    "generateName",
    "namespace",
    "selfLink",
    "uid",
    "resourceVersion",
    "generation",
    "creationTimestamp",
    "deletionTimestamp",
    "deletionGracePeriodSeconds",
    "labels",
    "annotations",
    "ownerReferences",
    "finalizers",
    "managedFields",
];

/// Top-level fields of any object.
const OBJECT: &[&str] = &["apiVersion", "kind", "metadata", "spec", "status"];

/// `v1.PodSpec` fields.
const POD_SPEC: &[&str] = &[
    "volumes",
    "initContainers",
    "containers",
    "ephemeralContainers",
    "restartPolicy",
    "terminationGracePeriodSeconds",
    "activeDeadlineSeconds",
    "dnsPolicy",
    "nodeSelector",
    "serviceAccountName",
    "serviceAccount",
    "automountServiceAccountToken",
    "nodeName",
    "hostNetwork",
    "hostPID",
    "hostIPC",
    "shareProcessNamespace",
    "securityContext",
    "imagePullSecrets",
    "hostname",
    "subdomain",
    "affinity",
    "schedulerName",
    "tolerations",
    "hostAliases",
    "priorityClassName",
    "priority",
    "dnsConfig",
    "readinessGates",
    "runtimeClassName",
    "enableServiceLinks",
    "preemptionPolicy",
    "overhead",
    "topologySpreadConstraints",
    "setHostnameAsFQDN",
    "os",
    "hostUsers",
    "schedulingGates",
    "resourceClaims",
    "resources",
];

/// `apps/v1.DeploymentSpec` fields.
const DEPLOYMENT_SPEC: &[&str] = &[
    "replicas",
    "selector",
    "template",
    "strategy",
    "minReadySeconds",
    "revisionHistoryLimit",
    "paused",
    "progressDeadlineSeconds",
];

/// `v1.Container` fields.
const CONTAINER: &[&str] = &[
    "name",
    "image",
    "command",
    "args",
    "workingDir",
    "ports",
    "envFrom",
    "env",
    "resources",
    "resizePolicy",
    "restartPolicy",
    "restartPolicyRules",
    "volumeMounts",
    "volumeDevices",
    "livenessProbe",
    "readinessProbe",
    "startupProbe",
    "lifecycle",
    "terminationMessagePath",
    "terminationMessagePolicy",
    "imagePullPolicy",
    "securityContext",
    "stdin",
    "stdinOnce",
    "tty",
];

const RESOURCES: &[&str] = &["limits", "requests", "claims"];
const TEMPLATE: &[&str] = &["metadata", "spec"];
const SELECTOR: &[&str] = &["matchLabels", "matchExpressions"];
const TOLERATION: &[&str] = &["key", "operator", "value", "effect", "tolerationSeconds"];
const AFFINITY: &[&str] = &["nodeAffinity", "podAffinity", "podAntiAffinity"];
const NODE_AFFINITY: &[&str] = &[
    "requiredDuringSchedulingIgnoredDuringExecution",
    "preferredDuringSchedulingIgnoredDuringExecution",
];
const NODE_SELECTOR: &[&str] = &["nodeSelectorTerms"];
const NODE_SELECTOR_TERM: &[&str] = &["matchExpressions", "matchFields"];
const REQUIREMENT: &[&str] = &["key", "operator", "values"];
const PREFERRED_TERM: &[&str] = &["weight", "preference"];

/// The fields the API defines for the object at `parent` (a path of
/// segments from the manifest root; list indexes are numbers).
fn fields_for(parent: &[&str]) -> &'static [&'static str] {
    let is_index = |s: &str| s.parse::<usize>().is_ok();
    let last = parent.last().copied().unwrap_or("");
    let before = |k: usize| {
        parent
            .len()
            .checked_sub(k + 1)
            .map(|i| parent[i])
            .unwrap_or("")
    };
    if parent.is_empty() {
        return OBJECT;
    }
    if is_index(last) {
        return match before(1) {
            "containers" | "initContainers" | "ephemeralContainers" => CONTAINER,
            "tolerations" => TOLERATION,
            "nodeSelectorTerms" => NODE_SELECTOR_TERM,
            "matchExpressions" | "matchFields" => REQUIREMENT,
            "preferredDuringSchedulingIgnoredDuringExecution" => PREFERRED_TERM,
            _ => &[],
        };
    }
    match last {
        "metadata" => OBJECT_META,
        "spec" if before(1) == "template" => POD_SPEC,
        // A manifest's own spec: a Pod's or a Deployment's.
        "spec" => &[],
        "template" => TEMPLATE,
        "resources" => RESOURCES,
        "selector" => SELECTOR,
        "affinity" => AFFINITY,
        "nodeAffinity" => NODE_AFFINITY,
        "requiredDuringSchedulingIgnoredDuringExecution" => NODE_SELECTOR,
        "preference" => NODE_SELECTOR_TERM,
        _ => &[],
    }
}

/// Checks one ignored key. `kind` is the manifest's kind; `path` the
/// key's path from the manifest root. Returns the candidates the key
/// should have been one of, when it is not a Kubernetes field.
pub fn unknown_field(kind: &str, path: &[&str]) -> Option<Vec<&'static str>> {
    let (key, parent) = path.split_last()?;
    // Kinds kubesim skips (Service, ConfigMap…) carry fields of their own
    // (`data`, `rules`, `type`…) that kubesim does not know: not checked.
    if !matches!(kind, "Pod" | "Deployment") {
        return None;
    }
    let allowed: Vec<&'static str> = if parent.len() == 1 && parent[0] == "spec" {
        match kind {
            "Deployment" => DEPLOYMENT_SPEC.to_vec(),
            _ => POD_SPEC.to_vec(),
        }
    } else {
        fields_for(parent).to_vec()
    };
    // Unknown contexts (inside fields kubesim never reads) are not checked.
    if allowed.is_empty() || allowed.contains(key) {
        return None;
    }
    Some(allowed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typos_are_found_and_real_fields_pass() {
        assert!(unknown_field("Deployment", &["spec", "replica"]).is_some());
        assert!(unknown_field("Deployment", &["spec", "strategy"]).is_none());
        assert!(unknown_field(
            "Deployment",
            &["spec", "template", "spec", "containers", "0", "ports"]
        )
        .is_none());
        assert!(unknown_field(
            "Deployment",
            &["spec", "template", "spec", "containers", "0", "resource"]
        )
        .is_some());
        assert!(unknown_field("Pod", &["spec", "volumes"]).is_none());
        assert!(unknown_field("Pod", &["metadata", "lables"]).is_some());
        assert!(unknown_field("Pod", &["status"]).is_none());
        assert!(
            unknown_field("Pod", &["spec", "containers", "0", "resources", "claims"]).is_none()
        );
    }
}
