//! Defaulting: the values the API server (pkg/apis/core/v1/defaults.go,
//! pkg/apis/apps/v1/defaults.go) and kubelet fill in when a manifest or a
//! node pool leaves them out. One place for all of them, so the runner
//! never invents a default of its own.

use crate::api::meta::Labels;
use crate::api::pod::{PodSpec, PullPolicy};
use crate::api::resources::ResourceList;

/// kubelet `maxPods` (pkg/kubelet/apis/config/v1beta1/defaults.go).
pub const DEFAULT_MAX_PODS: i64 = 110;
/// `terminationGracePeriodSeconds` (`v1.DefaultTerminationGracePeriodSeconds`).
pub const DEFAULT_TERMINATION_GRACE_PERIOD_S: i64 = 30;
/// `spec.replicas` of a Deployment or ReplicaSet (`SetDefaults_Deployment`).
pub const DEFAULT_REPLICAS: i32 = 1;
/// `kubernetes.io/os` kubelet reports on a Linux node.
pub const DEFAULT_NODE_OS: &str = "linux";
/// `kubernetes.io/arch` kubelet reports (kubesim models amd64 nodes unless
/// the pool's labels say otherwise).
pub const DEFAULT_NODE_ARCH: &str = "amd64";

/// `v1.LabelHostname`.
pub const LABEL_HOSTNAME: &str = "kubernetes.io/hostname";
/// `v1.LabelOSStable`.
pub const LABEL_OS: &str = "kubernetes.io/os";
/// `v1.LabelArchStable`.
pub const LABEL_ARCH: &str = "kubernetes.io/arch";
/// The deprecated `beta.kubernetes.io/os`, which kubelet still sets.
pub const LABEL_OS_BETA: &str = "beta.kubernetes.io/os";
/// The deprecated `beta.kubernetes.io/arch`, which kubelet still sets.
pub const LABEL_ARCH_BETA: &str = "beta.kubernetes.io/arch";

/// `SetDefaults_Pod` and `SetDefaults_Container` for what kubesim
/// models: a container that sets a limit but no request gets request =
/// limit, for cpu, memory and extended resources; `imagePullPolicy`
/// follows the image's tag.
pub fn set_defaults_pod_spec(spec: &mut PodSpec) {
    for c in spec
        .containers
        .iter_mut()
        .chain(spec.init_containers.iter_mut())
    {
        c.resources.apply_defaults();
        c.image_pull_policy
            .get_or_insert_with(|| PullPolicy::default_for(&c.image));
    }
}

/// The well-known labels kubelet puts on its node (`initialNode` in
/// pkg/kubelet/kubelet_node_status.go): hostname, os and arch, stable and
/// beta. Labels the pool sets for os and arch win, and the beta ones follow
/// them, as kubelet derives both from the same value.
pub fn set_node_labels(name: &str, labels: &mut Labels) {
    labels.insert(LABEL_HOSTNAME.into(), name.into());
    let os = labels
        .entry(LABEL_OS.into())
        .or_insert_with(|| DEFAULT_NODE_OS.into())
        .clone();
    let arch = labels
        .entry(LABEL_ARCH.into())
        .or_insert_with(|| DEFAULT_NODE_ARCH.into())
        .clone();
    labels.entry(LABEL_OS_BETA.into()).or_insert(os);
    labels.entry(LABEL_ARCH_BETA.into()).or_insert(arch);
}

/// A node's capacity as kubelet reports it: `pods` is `maxPods` when not
/// given.
pub fn set_node_capacity_defaults(capacity: &mut ResourceList, pods_given: bool) {
    if !pods_given {
        capacity.pods = DEFAULT_MAX_PODS;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn node_labels_follow_pool_os_and_arch() {
        let mut l = Labels::new();
        l.insert(LABEL_ARCH.into(), "arm64".into());
        set_node_labels("n1", &mut l);
        assert_eq!(l[LABEL_HOSTNAME], "n1");
        assert_eq!(l[LABEL_OS], "linux");
        assert_eq!(l[LABEL_OS_BETA], "linux");
        assert_eq!(l[LABEL_ARCH_BETA], "arm64");
    }
}
