//! The scenario's timeline: actions at points in simulated time, applied
//! as a user with `kubectl` (or the machines themselves) would: a scale,
//! `set image`, `rollout pause`/`resume`/`undo` write the Deployment; a
//! cordon writes the node; a node failing or coming back is something
//! that happens to its kubelet.

use crate::controllers::deployment::util::{revision, POD_TEMPLATE_HASH_LABEL};
use kubesim_core::{
    DeploymentId, Effects, Kubelet, LimitExceeded, Node, NodeDownMode, NodeId, ObjectRef,
    PodTemplate, RolloutId, SimTime, Store,
};

/// Something the scenario does at a point in simulated time.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// `kubectl scale deployment/NAME --replicas=N`.
    Scale {
        /// The Deployment's namespace.
        namespace: String,
        /// Its name.
        deployment: String,
        /// The new `spec.replicas`.
        replicas: i32,
    },
    /// `kubectl set image deployment/NAME CONTAINER=IMAGE`.
    SetImage {
        /// The Deployment's namespace.
        namespace: String,
        /// Its name.
        deployment: String,
        /// The container (`None`: the template's only container).
        container: Option<String>,
        /// The new image.
        image: String,
    },
    /// `kubectl rollout pause deployment/NAME`.
    Pause {
        /// The Deployment's namespace.
        namespace: String,
        /// Its name.
        deployment: String,
    },
    /// `kubectl rollout resume deployment/NAME`.
    Resume {
        /// The Deployment's namespace.
        namespace: String,
        /// Its name.
        deployment: String,
    },
    /// `kubectl rollout undo deployment/NAME [--to-revision=N]`.
    Rollback {
        /// The Deployment's namespace.
        namespace: String,
        /// Its name.
        deployment: String,
        /// The revision (`None`: the one before the current).
        to_revision: Option<i64>,
    },
    /// The node stops reporting: it crashes or is cut off.
    NodeDown {
        /// The node.
        node: String,
        /// How.
        mode: NodeDownMode,
    },
    /// The node's kubelet is back.
    NodeUp {
        /// The node.
        node: String,
    },
    /// `kubectl cordon`.
    Cordon {
        /// The node.
        node: String,
    },
    /// `kubectl uncordon`.
    Uncordon {
        /// The node.
        node: String,
    },
    /// `kubectl drain --force --ignore-daemonsets --delete-emptydir-data`:
    /// cordon, then delete every pod on the node with its own grace
    /// period (the Eviction API, no PodDisruptionBudgets modelled).
    Drain {
        /// The node.
        node: String,
    },
    /// The machine is switched off and `kubectl delete node` run: its
    /// containers stop, the scheduler forgets it, PodGC deletes its pods.
    RemoveNode {
        /// The node.
        node: String,
    },
    /// New nodes join (a pool grows).
    AddNodes {
        /// The nodes, named and labelled by the runner.
        nodes: Vec<Node>,
    },
    /// `kubectl argo rollouts ACTION ROLLOUT`.
    Rollout {
        /// The Rollout's namespace.
        namespace: String,
        /// Its name.
        rollout: String,
        /// What.
        act: RolloutAct,
    },
}

/// What the timeline does to an Argo Rollout (`kubectl argo rollouts
/// …`; `pkg/kubectl-argo-rollouts/cmd/*`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RolloutAct {
    /// `scale --replicas=N`.
    Scale(i32),
    /// `set image ROLLOUT CONTAINER=IMAGE`.
    SetImage {
        /// The container (`None`: the template's only container).
        container: Option<String>,
        /// The new image.
        image: String,
    },
    /// `pause`: `spec.paused: true`.
    Pause,
    /// `resume` (the old name of `promote`): `spec.paused: false`.
    Resume,
    /// `undo [--to-revision=N]`.
    Rollback(Option<i64>),
    /// `promote [--full]`.
    Promote {
        /// `--full`: skip the remaining steps and analysis.
        full: bool,
    },
    /// `abort`: `status.abort: true`.
    Abort,
    /// `retry rollout`: `status.abort: false`.
    Retry,
}

/// A timed action.
#[derive(Debug, Clone, PartialEq)]
pub struct TimelineEntry {
    /// When.
    pub at: SimTime,
    /// What.
    pub action: Action,
}

/// An action resolved against the store (names → ids) when the run starts.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Resolved {
    Scale {
        deployment: DeploymentId,
        replicas: i32,
    },
    SetImage {
        deployment: DeploymentId,
        container: Option<String>,
        image: String,
    },
    Pause(DeploymentId, bool),
    Rollback(DeploymentId, Option<i64>),
    NodeDown(NodeId, NodeDownMode),
    NodeUp(NodeId),
    Cordon(NodeId, bool),
    Drain(NodeId),
    RemoveNode(NodeId),
    /// Nodes to add (taken when applied).
    AddNodes(Vec<Node>),
    Rollout(RolloutId, RolloutAct),
    /// Its target does not exist (the runner's validation prevents this).
    Missing,
}

/// Resolves `action`; nodes added by earlier entries are looked up among
/// `pending` (names of nodes the timeline adds, with their future ids).
pub(super) fn resolve(store: &Store, pending: &[(String, NodeId)], action: &Action) -> Resolved {
    let node = |name: &str| {
        store
            .node_id(name)
            .or_else(|| pending.iter().find(|(n, _)| n == name).map(|&(_, id)| id))
    };
    let on_node =
        |name: &str, f: &dyn Fn(NodeId) -> Resolved| node(name).map_or(Resolved::Missing, f);
    match action {
        Action::Scale {
            namespace,
            deployment,
            replicas,
        } => match store.deployment_id(namespace, deployment) {
            Some(d) => Resolved::Scale {
                deployment: d,
                replicas: *replicas,
            },
            None => Resolved::Missing,
        },
        Action::SetImage {
            namespace,
            deployment,
            container,
            image,
        } => match store.deployment_id(namespace, deployment) {
            Some(d) => Resolved::SetImage {
                deployment: d,
                container: container.clone(),
                image: image.clone(),
            },
            None => Resolved::Missing,
        },
        Action::Pause {
            namespace,
            deployment,
        } => store
            .deployment_id(namespace, deployment)
            .map_or(Resolved::Missing, |d| Resolved::Pause(d, true)),
        Action::Resume {
            namespace,
            deployment,
        } => store
            .deployment_id(namespace, deployment)
            .map_or(Resolved::Missing, |d| Resolved::Pause(d, false)),
        Action::Rollback {
            namespace,
            deployment,
            to_revision,
        } => store
            .deployment_id(namespace, deployment)
            .map_or(Resolved::Missing, |d| Resolved::Rollback(d, *to_revision)),
        Action::NodeDown { node, mode } => on_node(node, &|n| Resolved::NodeDown(n, *mode)),
        Action::NodeUp { node } => on_node(node, &|n| Resolved::NodeUp(n)),
        Action::Cordon { node } => on_node(node, &|n| Resolved::Cordon(n, true)),
        Action::Uncordon { node } => on_node(node, &|n| Resolved::Cordon(n, false)),
        Action::Drain { node } => on_node(node, &|n| Resolved::Drain(n)),
        Action::RemoveNode { node } => on_node(node, &|n| Resolved::RemoveNode(n)),
        Action::AddNodes { nodes } => Resolved::AddNodes(nodes.clone()),
        Action::Rollout {
            namespace,
            rollout,
            act,
        } => store
            .rollout_id(namespace, rollout)
            .map_or(Resolved::Missing, |r| Resolved::Rollout(r, act.clone())),
    }
}

/// Applies a resolved action at `now`.
pub(super) fn apply(
    store: &mut Store,
    kubelet: &mut Kubelet,
    action: Resolved,
    now: SimTime,
    fx: &mut Effects,
) -> Result<(), LimitExceeded> {
    match action {
        Resolved::Scale {
            deployment,
            replicas,
        } => store.scale_deployment(deployment, replicas),
        Resolved::SetImage {
            deployment,
            container,
            image,
        } => set_image(store, deployment, container.as_deref(), image),
        Resolved::Pause(d, paused) => store.set_deployment_paused(d, paused),
        Resolved::Rollback(d, to) => {
            // `kubectl rollout undo` refuses a paused Deployment.
            if !store.deployment(d).paused {
                if let Some(t) = rollback_template(store, d, to) {
                    store.set_deployment_template(d, t);
                }
            }
        }
        Resolved::NodeDown(n, mode) => kubelet.node_down(store, n, mode, now),
        Resolved::NodeUp(n) => kubelet.node_up(store, n, now, fx),
        Resolved::Cordon(n, on) => store.set_node_unschedulable(n, on),
        Resolved::Drain(n) => {
            store.set_node_unschedulable(n, true);
            let pods: Vec<_> = store.pods_on_node(n).to_vec();
            for p in pods {
                store.delete_pod(p, now);
            }
        }
        Resolved::RemoveNode(n) => {
            kubelet.node_down(store, n, NodeDownMode::Crash, now);
            store.delete_node(n, now);
        }
        Resolved::AddNodes(nodes) => {
            for node in nodes {
                let id = match store.add_node(node, now) {
                    Ok(id) => id,
                    Err(kubesim_core::StoreError::Limit(l)) => return Err(l),
                    // The runner names added nodes after their pool's
                    // numbering; a clash is a validation bug, reported as
                    // the nearest limit.
                    Err(_) => return Err(LimitExceeded::Objects { limit: 0, at: now }),
                };
                kubelet.add_node(store, id, now);
            }
        }
        Resolved::Rollout(r, act) => apply_rollout(store, r, act),
        Resolved::Missing => {}
    }
    Ok(())
}

/// The `kubectl argo rollouts` patches (promote.go `getPatches`,
/// abort.go, retry.go, pause.go, undo.go, set image).
fn apply_rollout(store: &mut Store, r: RolloutId, act: RolloutAct) {
    match act {
        RolloutAct::Scale(n) => store.scale_rollout(r, n),
        RolloutAct::Pause => store.set_rollout_paused(r, true),
        RolloutAct::Resume => store.set_rollout_paused(r, false),
        RolloutAct::SetImage { container, image } => {
            let mut t = store.rollout(r).template.clone();
            if replace_image(&mut t, container.as_deref(), image) {
                store.set_rollout_template(r, t);
            }
        }
        RolloutAct::Rollback(to) => {
            if let Some(t) = rollout_rollback_template(store, r, to) {
                store.set_rollout_template(r, t);
            }
        }
        RolloutAct::Abort => store.patch_rollout_status(r, |s| s.abort = true),
        RolloutAct::Retry => store.patch_rollout_status(r, |s| {
            s.abort = false;
            s.aborted_at = None;
            s.message.clear();
        }),
        RolloutAct::Promote { full: true } => {
            let ro = store.rollout(r);
            if ro.status.current_pod_hash != ro.status.stable_rs {
                store.patch_rollout_status(r, |s| s.promote_full = true);
            }
        }
        RolloutAct::Promote { full: false } => {
            let ro = store.rollout(r);
            if ro.paused {
                store.set_rollout_paused(r, false);
            }
            let ro = store.rollout(r);
            let steps = match &ro.strategy {
                kubesim_core::RolloutStrategy::Canary(c) => Some(c.steps.len()),
                kubesim_core::RolloutStrategy::BlueGreen(_) => None,
            };
            if !ro.status.pause_conditions.is_empty() {
                store.patch_rollout_status(r, |s| s.pause_conditions.clear());
            } else if let Some(n) = steps {
                let n = i32::try_from(n).unwrap_or(i32::MAX);
                // Promoting in the middle of an analysis or a weight step
                // skips it.
                store.patch_rollout_status(r, |s| {
                    if let Some(i) = s.current_step_index.filter(|&i| i < n) {
                        s.current_step_index = Some(i + 1);
                    }
                });
            }
        }
    }
}

/// The container's image in a template (`None`: the only container).
fn replace_image(t: &mut PodTemplate, container: Option<&str>, image: String) -> bool {
    let only = t.spec.containers.len() == 1;
    let target = t
        .spec
        .containers
        .iter_mut()
        .chain(t.spec.init_containers.iter_mut())
        .find(|c| container.map_or(only, |n| c.name == n));
    match target {
        Some(c) => {
            c.image = image;
            true
        }
        None => false,
    }
}

/// `kubectl argo rollouts undo`: the template of revision `to`, or of
/// the highest revision below the current one.
fn rollout_rollback_template(store: &Store, r: RolloutId, to: Option<i64>) -> Option<PodTemplate> {
    use crate::controllers::rollout::{ROLLOUT_HASH_LABEL, ROLLOUT_REVISION_ANNOTATION};
    let rev = |rs: &kubesim_core::ReplicaSet| -> i64 {
        rs.metadata
            .annotations
            .get(ROLLOUT_REVISION_ANNOTATION)
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    let mut owned: Vec<(i64, &PodTemplate)> = store
        .replica_sets()
        .filter(|(_, rs)| {
            rs.metadata.deletion_timestamp.is_none()
                && rs.metadata.controller_of().map(|o| o.owner) == Some(ObjectRef::Rollout(r))
        })
        .map(|(_, rs)| (rev(rs), &rs.template))
        .collect();
    owned.sort_by_key(|(v, _)| *v);
    let pick = match to {
        Some(want) => owned.iter().find(|(v, _)| *v == want),
        None => owned.len().checked_sub(2).and_then(|i| owned.get(i)),
    }?;
    let mut t = pick.1.clone();
    t.labels.remove(ROLLOUT_HASH_LABEL);
    (t != store.rollout(r).template).then_some(t)
}

/// `kubectl set image`: the container's image in the template (the
/// runner checked the container exists; a template with one container
/// needs no name).
fn set_image(store: &mut Store, d: DeploymentId, container: Option<&str>, image: String) {
    let mut t = store.deployment(d).template.clone();
    let only = t.spec.containers.len() == 1;
    let target = t
        .spec
        .containers
        .iter_mut()
        .chain(t.spec.init_containers.iter_mut())
        .find(|c| container.map_or(only, |n| c.name == n));
    if let Some(c) = target {
        c.image = image;
        store.set_deployment_template(d, t);
    }
}

/// `kubectl rollout undo` (polymorphichelpers/rollback.go
/// `deploymentRevision`): the template of the ReplicaSet of revision
/// `to`, or of the highest revision below the newest; without the
/// `pod-template-hash` label. `None` when there is no such revision or it
/// is already the template ("skipped rollback").
pub(super) fn rollback_template(
    store: &Store,
    d: DeploymentId,
    to: Option<i64>,
) -> Option<PodTemplate> {
    let mut latest: Option<(i64, &PodTemplate)> = None;
    let mut previous: Option<(i64, &PodTemplate)> = None;
    for (_, rs) in store.replica_sets() {
        let owned = rs.metadata.controller_of().map(|o| o.owner) == Some(ObjectRef::Deployment(d));
        if !owned || rs.metadata.deletion_timestamp.is_some() {
            continue;
        }
        let v = revision(&rs.metadata.annotations);
        match to {
            Some(want) if want == v => {
                latest = Some((v, &rs.template));
                previous = latest;
                break;
            }
            Some(_) => {}
            None => {
                if latest.is_none_or(|(l, _)| l < v) {
                    previous = latest;
                    latest = Some((v, &rs.template));
                } else if previous.is_none_or(|(p, _)| p < v) {
                    previous = Some((v, &rs.template));
                }
            }
        }
    }
    let (_, t) = previous?;
    let mut t = t.clone();
    t.labels.remove(POD_TEMPLATE_HASH_LABEL);
    (t != store.deployment(d).template).then_some(t)
}

/// The names of the nodes the timeline adds, with the ids they will get
/// (nodes are numbered in the order they join; entries apply in time
/// order, ties in file order).
pub(super) fn pending_nodes(first_id: usize, entries: &[TimelineEntry]) -> Vec<(String, NodeId)> {
    let mut order: Vec<&TimelineEntry> = entries.iter().collect();
    order.sort_by_key(|e| e.at);
    let mut out = Vec::new();
    let mut next = first_id;
    for e in order {
        if let Action::AddNodes { nodes } = &e.action {
            for n in nodes {
                out.push((n.name().to_string(), NodeId(next as u32)));
                next += 1;
            }
        }
    }
    out
}
