//! The wording of kubelet's events, as upstream writes them
//! (pkg/kubelet/events/event.go for reasons; pkg/kubelet/images and
//! pkg/kubelet/kuberuntime for messages). One function per event, so every
//! message has exactly one spelling.

use crate::api::{pod_event_object, KubeEvent, NodeId, PodId, Store};
use crate::kernel::SimTime;

/// `Pulled`: the image is in the node's cache.
pub(super) fn pulled(store: &Store, pod: PodId, image: &str, now: SimTime) -> KubeEvent {
    KubeEvent::normal(
        now,
        "Pulled",
        pod_event_object(store, pod),
        format!("Container image \"{image}\" already present on machine"),
    )
}

/// `Pulling`: kubelet asks for the image (pkg/kubelet/images/image_manager.go).
pub(super) fn pulling(store: &Store, pod: PodId, image: &str, now: SimTime) -> KubeEvent {
    KubeEvent::normal(
        now,
        "Pulling",
        pod_event_object(store, pod),
        format!("Pulling image \"{image}\""),
    )
}

/// `Pulled` after a pull: its time and the time including waiting, both
/// truncated to milliseconds and printed as Go prints a duration.
pub(super) fn pulled_after_pull(
    store: &Store,
    pod: PodId,
    image: &str,
    pull: SimTime,
    total: SimTime,
    size_bytes: i64,
    now: SimTime,
) -> KubeEvent {
    let ms = |t: SimTime| SimTime(t.0 - t.0 % 1_000_000);
    KubeEvent::normal(
        now,
        "Pulled",
        pod_event_object(store, pod),
        format!(
            "Successfully pulled image \"{image}\" in {} ({} including waiting). Image size: {size_bytes} bytes.",
            ms(pull),
            ms(total)
        ),
    )
}

/// `ErrImageNeverPull`: the image is absent and may not be pulled.
pub(super) fn err_image_never_pull(
    store: &Store,
    pod: PodId,
    image: &str,
    now: SimTime,
) -> KubeEvent {
    KubeEvent::warning(
        now,
        "ErrImageNeverPull",
        pod_event_object(store, pod),
        format!("Container image \"{image}\" is not present with pull policy of Never"),
    )
}

/// `NodeHasInsufficientMemory` / `NodeHasSufficientMemory`: the node's
/// `MemoryPressure` condition changed (kubelet's `recordNodeStatusEvent`,
/// pkg/kubelet/nodestatus/setters.go).
pub(super) fn memory_pressure(
    store: &Store,
    node: NodeId,
    pressure: bool,
    now: SimTime,
) -> KubeEvent {
    let name = store.node(node).name();
    let status = if pressure {
        "NodeHasInsufficientMemory"
    } else {
        "NodeHasSufficientMemory"
    };
    KubeEvent::normal(
        now,
        status,
        format!("node/{name}"),
        format!("Node {name} status is now: {status}"),
    )
}

/// `Starting` on the node: kubelet started (again, after its node
/// crashed) — `Starting kubelet.` (pkg/kubelet/kubelet.go `BirthCry`).
pub(super) fn starting_kubelet(store: &Store, node: NodeId, now: SimTime) -> KubeEvent {
    let name = store.node(node).name();
    KubeEvent::normal(
        now,
        "Starting",
        format!("node/{name}"),
        "Starting kubelet.".to_string(),
    )
}

/// `NodeReady` on the node: kubelet's Ready condition turned True over
/// the Unknown the node lifecycle controller had written
/// (pkg/kubelet/nodestatus/setters.go `ReadyCondition`).
pub(super) fn node_ready(store: &Store, node: NodeId, now: SimTime) -> KubeEvent {
    let name = store.node(node).name();
    KubeEvent::normal(
        now,
        "NodeReady",
        format!("node/{name}"),
        format!("Node {name} status is now: NodeReady"),
    )
}

/// `EvictionThresholdMet` on the node (pkg/kubelet/eviction/eviction_manager.go).
pub(super) fn eviction_threshold_met(store: &Store, node: NodeId, now: SimTime) -> KubeEvent {
    KubeEvent::warning(
        now,
        "EvictionThresholdMet",
        format!("node/{}", store.node(node).name()),
        "Attempting to reclaim memory".to_string(),
    )
}

/// `Evicted` on the pod, with the eviction manager's message.
pub(super) fn evicted(store: &Store, pod: PodId, message: &str, now: SimTime) -> KubeEvent {
    KubeEvent::warning(
        now,
        "Evicted",
        pod_event_object(store, pod),
        message.to_string(),
    )
}

/// `Created`: the runtime created the container.
pub(super) fn created(store: &Store, pod: PodId, container: &str, now: SimTime) -> KubeEvent {
    KubeEvent::normal(
        now,
        "Created",
        pod_event_object(store, pod),
        format!("Created container: {container}"),
    )
}

/// `Started`: the container's process started.
pub(super) fn started(store: &Store, pod: PodId, container: &str, now: SimTime) -> KubeEvent {
    KubeEvent::normal(
        now,
        "Started",
        pod_event_object(store, pod),
        format!("Started container {container}"),
    )
}

/// `Unhealthy`: a probe failed (pkg/kubelet/prober/worker.go:
/// `"%s probe failed: %s"`).
pub(super) fn unhealthy(
    store: &Store,
    pod: PodId,
    probe: &str,
    output: &str,
    now: SimTime,
) -> KubeEvent {
    KubeEvent::warning(
        now,
        "Unhealthy",
        pod_event_object(store, pod),
        format!("{probe} probe failed: {output}"),
    )
}

/// `Killing` for a probe failure
/// (pkg/kubelet/kuberuntime/kuberuntime_manager.go `computePodActions`).
pub(super) fn killing_for_probe(
    store: &Store,
    pod: PodId,
    container: &str,
    probe: &str,
    restart: bool,
    now: SimTime,
) -> KubeEvent {
    let mut message = format!("Container {container} failed {probe} probe");
    if restart {
        message.push_str(", will be restarted");
    }
    KubeEvent::normal(now, "Killing", pod_event_object(store, pod), message)
}

/// `Killing`: kubelet stops a container of a deleted pod.
pub(super) fn killing(store: &Store, pod: PodId, container: &str, now: SimTime) -> KubeEvent {
    KubeEvent::normal(
        now,
        "Killing",
        pod_event_object(store, pod),
        format!("Stopping container {container}"),
    )
}

/// `BackOff`: a restart waits for crash-loop back-off. The pod is
/// printed as `format.Pod` does (pkg/kubelet/util/format):
/// `name_namespace(uid)`.
pub(super) fn back_off(store: &Store, pod: PodId, container: &str, now: SimTime) -> KubeEvent {
    let meta = &store.pod(pod).pod().metadata;
    KubeEvent::warning(
        now,
        "BackOff",
        pod_event_object(store, pod),
        format!(
            "Back-off restarting failed container {container} in pod {}_{}({})",
            meta.name,
            meta.namespace_or_default(),
            meta.uid("Pod")
        ),
    )
}

/// `SystemOOM` on the node: the kernel's OOM killer ran (kubelet's OOM
/// watcher, pkg/kubelet/oom/oom_watcher_linux.go). Upstream names the
/// victim process and its pid; kubesim has no pids and names the container.
pub(super) fn system_oom(store: &Store, node: NodeId, container: &str, now: SimTime) -> KubeEvent {
    KubeEvent::warning(
        now,
        "SystemOOM",
        format!("node/{}", store.node(node).name()),
        format!("System OOM encountered, victim process: {container}"),
    )
}
