//! `timeline`: actions at points in simulated time.
//!
//! - `scale` targets `deployment/NAME` (unique across namespaces) or
//!   `deployment/NAMESPACE/NAME`, with `replicas`;
//! - `setImage` (with `image`, and `container` unless the template has
//!   one container), `pause`, `resume` and `rollback` (with an optional
//!   `toRevision`) target a Deployment the same way, or an Argo Rollout
//!   (`rollout/NAME`, `rollout/NAMESPACE/NAME`) — as `scale` does;
//! - `promote` (with an optional `full`), `abort` and `retry` target a
//!   Rollout only;
//! - `nodeDown` (with an optional `mode`: `crash`, the default, or
//!   `partition`), `nodeUp`, `cordon`, `uncordon`, `drain` and
//!   `removeNode` target `node/NAME`;
//! - `addNodes` targets `pool/NAME` (a pool of `cluster.nodes`), with
//!   `count`.
//!
//! Entries are checked in the order they happen — by time, ties in file
//! order, as the engine applies them — so that a node is known to exist
//! (a pool's node, or one an earlier `addNodes` added), `nodeUp` finds it
//! down, `nodeDown` finds it up, and nothing targets a removed node.
//!
//! **Names of added nodes.** A pool of `count: N` has nodes `NAME-1` …
//! `NAME-N` (a pool of one node is `NAME`); nodes added to it go on from
//! there: `NAME-(N+1)`, … (`NAME-2`, … for a pool of one), across every
//! `addNodes` of the pool in the order they happen. Numbered names of
//! two pools never collide (the number is what follows the last `-`); an
//! added name that is another single-node pool's name is an error.
//!
//! The nodes themselves are built once the object budget has passed
//! ([`add_nodes`]), from the pool the same way as its first nodes
//! ([`cluster::expand`]).

use super::cluster::{self, Pool};
use super::Ctx;
use crate::scenario::error::did_you_mean;
use crate::scenario::raw;
use crate::scenario::yaml::At;
use kubesim_core::{ModelLimits, NodeDownMode, SimTime};
use kubesim_scheduler::{Action, RolloutAct, TimelineEntry};
use std::collections::BTreeMap;

/// Every action, as written in a scenario.
pub const ACTIONS: &[&str] = &[
    "scale",
    "setImage",
    "pause",
    "resume",
    "rollback",
    "nodeDown",
    "nodeUp",
    "cordon",
    "uncordon",
    "drain",
    "removeNode",
    "addNodes",
    "promote",
    "abort",
    "retry",
];
/// `nodeDown`'s `mode` values.
const MODES: &[&str] = &["crash", "partition"];
/// Node names are kubelet's `kubernetes.io/hostname` label value.
const MAX_NODE_NAME: usize = 63;
/// "Did you mean"s for unknown nodes one timeline computes at most.
const MAX_HINTS: usize = 100;
/// Pools a "did you mean" looks at.
const MAX_HINT_POOLS: usize = 1_000;

/// A checked scale action, for the object budget.
#[derive(Debug, Clone, Copy)]
pub struct Scale {
    /// Index in `timeline`.
    pub entry: usize,
    /// Index of the Deployment (in the scenario's Deployments).
    pub deployment: usize,
    /// New `spec.replicas`.
    pub replicas: i32,
}

/// A checked action that changes a Deployment's template (`setImage`,
/// `rollback`), for the object budget: each may create a ReplicaSet's
/// worth of pods.
#[derive(Debug, Clone, Copy)]
pub struct Rollout {
    /// Index in `timeline`.
    pub entry: usize,
    /// Index of the Deployment.
    pub deployment: usize,
}

/// A Deployment as the timeline targets it.
#[derive(Debug, Clone, Default)]
pub struct Target {
    /// Its namespace.
    pub namespace: String,
    /// Its name.
    pub name: String,
    /// Its template's containers (init containers too), by name.
    pub containers: Vec<String>,
    /// Its template's app containers.
    pub app_containers: usize,
    /// An Argo Rollout (`rollout/NAME`), not a Deployment.
    pub rollout: bool,
}

/// A checked `addNodes`: the nodes are built by [`add_nodes`] once the
/// budget has passed.
#[derive(Debug, Clone, Copy)]
pub struct Added {
    /// Index in `timeline` (the file's).
    pub entry: usize,
    /// Index in [`Timeline::entries`].
    pub out: usize,
    /// Index of the pool in the checked pools.
    pub pool: usize,
    /// The number of the first node added (`NAME-first`).
    pub first: u64,
    /// How many nodes (at least one).
    pub count: u64,
}

impl Added {
    /// The number of the last node added.
    pub fn last(&self) -> u64 {
        self.first.saturating_add(self.count.saturating_sub(1))
    }
}

/// The checked timeline.
#[derive(Debug, Default)]
pub struct Timeline {
    /// The entries, in file order (`addNodes` entries without their nodes
    /// until [`add_nodes`]).
    pub entries: Vec<TimelineEntry>,
    /// The scale actions, for the budget.
    pub scales: Vec<Scale>,
    /// The `setImage` and `rollback` actions, for the budget.
    pub rollouts: Vec<Rollout>,
    /// Images `setImage` names (so `images:` entries for them are used).
    pub images: Vec<String>,
    /// The `addNodes` actions, for the budget and [`add_nodes`].
    pub added: Vec<Added>,
}

/// What happens to a node.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NodeAct {
    Down(NodeDownMode),
    Up,
    Cordon,
    Uncordon,
    Drain,
    Remove,
}

impl NodeAct {
    fn action(self, node: String) -> Action {
        match self {
            NodeAct::Down(mode) => Action::NodeDown { node, mode },
            NodeAct::Up => Action::NodeUp { node },
            NodeAct::Cordon => Action::Cordon { node },
            NodeAct::Uncordon => Action::Uncordon { node },
            NodeAct::Drain => Action::Drain { node },
            NodeAct::Remove => Action::RemoveNode { node },
        }
    }
}

/// An entry after its own checks.
#[derive(Debug)]
enum Item {
    Scale { deployment: usize, replicas: i32 },
    Deploy { deployment: usize, act: DeployAct },
    Node { act: NodeAct, name: String },
    Add { pool: usize, count: u64 },
}

/// What happens to a Deployment (besides `scale`).
#[derive(Debug)]
enum DeployAct {
    SetImage {
        container: Option<String>,
        image: String,
    },
    Pause,
    Resume,
    Rollback(Option<i64>),
    Promote(bool),
    Abort,
    Retry,
}

/// A node's state as the timeline goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Down since (time, entry).
    Down(SimTime, usize),
    /// Removed at (time, entry).
    Removed(SimTime, usize),
}

/// `NAME-k`, or `NAME` for the one node of a single-node pool.
pub fn node_name(pool: &Pool, k: u64) -> String {
    if pool.count == 1 && k == 1 {
        pool.name.clone()
    } else {
        format!("{}-{k}", pool.name)
    }
}

/// The decimal number `s` is, written without leading zeros.
fn number(s: &str) -> Option<u64> {
    let canonical =
        !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) && (s == "0" || !s.starts_with('0'));
    canonical.then(|| s.parse().ok()).flatten()
}

/// The pools, looked up by name (the first pool of a name: a repeated
/// name is an error of its own).
struct Pools<'p> {
    pools: &'p [Pool],
    by_name: BTreeMap<&'p str, usize>,
}

impl<'p> Pools<'p> {
    fn new(pools: &'p [Pool]) -> Self {
        let mut by_name = BTreeMap::new();
        for (i, p) in pools.iter().enumerate() {
            by_name.entry(p.name.as_str()).or_insert(i);
        }
        Pools { pools, by_name }
    }

    /// The pool and number of the node `name`, if its shape names one
    /// (whether that node exists is the caller's question).
    fn resolve(&self, name: &str) -> Option<(usize, u64)> {
        if let Some(&p) = self.by_name.get(name) {
            if self.pools[p].count == 1 {
                return Some((p, 1));
            }
        }
        let (prefix, k) = name.rsplit_once('-')?;
        let k = number(k)?;
        let &p = self.by_name.get(prefix)?;
        let first = if self.pools[p].count == 1 { 2 } else { 1 };
        (k >= first).then_some((p, k))
    }
}

/// `timeline` → entries. `deployments` are the scenario's Deployments as
/// (namespace, name); `pools` the checked node pools.
pub fn timeline(
    ctx: &mut Ctx<'_, '_>,
    entries: &[raw::TimelineSection],
    deployments: &[Target],
    pools: &[Pool],
    duration: SimTime,
) -> Timeline {
    let root = At::ROOT;
    let tat = root.key("timeline");
    if entries.len() > ModelLimits::MAX_TIMELINE_ENTRIES {
        ctx.err_key(
            &tat,
            format!(
                "Too many: {}: a timeline may have at most {} entries",
                entries.len(),
                ModelLimits::MAX_TIMELINE_ENTRIES
            ),
        );
        return Timeline::default();
    }
    let pools = Pools::new(pools);
    // Each entry on its own.
    let mut items: Vec<(Option<SimTime>, Option<Item>)> = Vec::with_capacity(entries.len());
    for (i, e) in entries.iter().enumerate() {
        let at = tat.idx(i);
        let t = ctx.duration(&e.at, &at.key("at"));
        if let Some(t) = t {
            if t > duration && duration > SimTime::ZERO {
                ctx.err(
                    &at.key("at"),
                    format!("at {t} is after the scenario's duration {duration}"),
                );
            }
        }
        items.push((t, item(ctx, e, &at, deployments, &pools)));
    }
    // In the order they happen.
    let mut order: Vec<(SimTime, usize)> = items
        .iter()
        .enumerate()
        .filter_map(|(i, (t, item))| Some(((*t)?, i)).filter(|_| item.is_some()))
        .collect();
    order.sort();
    // Nodes added, per pool: numbers, names, clashes.
    let mut last: Vec<u64> = pools.pools.iter().map(|p| p.count).collect();
    let mut added: Vec<Added> = Vec::new();
    // Per entry, its index in `added`; per pool, its additions in order.
    let mut by_entry: Vec<Option<usize>> = vec![None; items.len()];
    let mut by_pool: Vec<Vec<usize>> = vec![Vec::new(); pools.pools.len()];
    // Per pool `P`, the single-node pools named `P-k`, by k.
    let mut numbered_pools: BTreeMap<usize, Vec<(u64, usize)>> = BTreeMap::new();
    for &(_, i) in &order {
        let Some(Item::Add { pool, count }) = items[i].1 else {
            continue;
        };
        let at = tat.idx(i);
        let p = &pools.pools[pool];
        let first = last[pool].saturating_add(1);
        let end = last[pool].saturating_add(count);
        last[pool] = end;
        let longest = format!("{}-{end}", p.name);
        if longest.len() > MAX_NODE_NAME {
            ctx.err(
                &at.key("count"),
                format!("Invalid value: {count}: node name {longest:?} is longer than 63 characters (the kubernetes.io/hostname label kubelet sets must be a valid label value)"),
            );
            continue;
        }
        // A numbered name can only be another single-node pool's name.
        let others = numbered_pools.entry(pool).or_insert_with(|| {
            let prefix = format!("{}-", p.name);
            let mut v: Vec<(u64, usize)> = pools
                .by_name
                .range(prefix.as_str()..)
                .take_while(|(q, _)| q.starts_with(&prefix))
                .filter(|&(_, &qi)| pools.pools[qi].count == 1)
                .filter_map(|(q, &qi)| Some((number(q.get(prefix.len()..)?)?, qi)))
                .collect();
            v.sort_unstable();
            v
        });
        let from = others.partition_point(|&(k, _)| k < first);
        if let Some(&(k, qi)) = others.get(from).filter(|&&(k, _)| k <= end) {
            let q = &pools.pools[qi];
            ctx.err_help(
                &at.key("count"),
                format!("Duplicate value: node \"{}-{k}\", which this entry adds to pool {:?}, is also the node of pool {:?} (cluster.nodes[{}])", p.name, p.name, q.name, q.index),
                Some("rename one of the pools".into()),
            );
            continue;
        }
        by_entry[i] = Some(added.len());
        by_pool[pool].push(added.len());
        added.push(Added {
            entry: i,
            out: 0,
            pool,
            first,
            count,
        });
    }
    // What happens to each node, in order.
    let mut now_last: Vec<u64> = pools.pools.iter().map(|p| p.count).collect();
    let mut states: BTreeMap<String, State> = BTreeMap::new();
    let mut hints = MAX_HINTS;
    for &(t, i) in &order {
        let entry_at = tat.idx(i);
        let target_at = entry_at.key("target");
        let (act, name) = match &items[i].1 {
            Some(Item::Add { pool, .. }) => {
                if let Some(a) = by_entry[i] {
                    now_last[*pool] = added[a].last();
                }
                continue;
            }
            Some(Item::Node { act, name }) => (*act, name),
            _ => continue,
        };
        let Some((p, k)) = pools.resolve(name) else {
            unknown_node(ctx, &target_at, name, &pools, &last, &mut hints);
            continue;
        };
        if k > now_last[p] {
            let list = &by_pool[p];
            let adds = list
                .get(list.partition_point(|&a| added[a].last() < k))
                .map(|&a| &added[a])
                .filter(|a| a.first <= k);
            match adds {
                Some(a) => {
                    let when = items[a.entry].0.unwrap_or_default();
                    ctx.err(
                        &target_at,
                        format!("node {name:?} does not exist yet at {t}: timeline[{}] adds it at {when}", a.entry),
                    );
                }
                None => unknown_node(ctx, &target_at, name, &pools, &last, &mut hints),
            }
            continue;
        }
        let state = states.get(name.as_str()).copied();
        let problem = match (state, act) {
            (Some(State::Removed(when, j)), _) => Some(format!(
                "node {name:?} was removed at {when} (timeline[{j}])"
            )),
            (Some(State::Down(when, j)), NodeAct::Down(_)) => Some(format!(
                "node {name:?} is already down at {t} (timeline[{j}] took it down at {when})"
            )),
            (None, NodeAct::Up) => Some(format!(
                "node {name:?} is not down at {t}: nodeUp needs an earlier nodeDown"
            )),
            _ => None,
        };
        if let Some(m) = problem {
            ctx.err(&target_at, m);
            continue;
        }
        match act {
            NodeAct::Down(_) => {
                states.insert(name.clone(), State::Down(t, i));
            }
            NodeAct::Up => {
                states.remove(name.as_str());
            }
            NodeAct::Remove => {
                states.insert(name.clone(), State::Removed(t, i));
            }
            NodeAct::Cordon | NodeAct::Uncordon | NodeAct::Drain => {}
        }
    }
    // The entries, in file order.
    let mut out = Timeline::default();
    for (i, (t, item)) in items.into_iter().enumerate() {
        let (Some(t), Some(item)) = (t, item) else {
            continue;
        };
        let action = match item {
            Item::Scale {
                deployment,
                replicas,
            } => {
                out.scales.push(Scale {
                    entry: i,
                    deployment,
                    replicas,
                });
                let t = &deployments[deployment];
                if t.rollout {
                    Action::Rollout {
                        namespace: t.namespace.clone(),
                        rollout: t.name.clone(),
                        act: RolloutAct::Scale(replicas),
                    }
                } else {
                    Action::Scale {
                        namespace: t.namespace.clone(),
                        deployment: t.name.clone(),
                        replicas,
                    }
                }
            }
            Item::Deploy { deployment, act } if deployments[deployment].rollout => {
                let t = &deployments[deployment];
                let act = match act {
                    DeployAct::SetImage { container, image } => {
                        out.rollouts.push(Rollout {
                            entry: i,
                            deployment,
                        });
                        out.images.push(image.clone());
                        RolloutAct::SetImage { container, image }
                    }
                    DeployAct::Pause => RolloutAct::Pause,
                    DeployAct::Resume => RolloutAct::Resume,
                    DeployAct::Rollback(to) => {
                        out.rollouts.push(Rollout {
                            entry: i,
                            deployment,
                        });
                        RolloutAct::Rollback(to)
                    }
                    DeployAct::Promote(full) => RolloutAct::Promote { full },
                    DeployAct::Abort => RolloutAct::Abort,
                    DeployAct::Retry => RolloutAct::Retry,
                };
                Action::Rollout {
                    namespace: t.namespace.clone(),
                    rollout: t.name.clone(),
                    act,
                }
            }
            Item::Deploy { deployment, act } => {
                let t = &deployments[deployment];
                let (namespace, name) = (t.namespace.clone(), t.name.clone());
                match act {
                    DeployAct::SetImage { container, image } => {
                        out.rollouts.push(Rollout {
                            entry: i,
                            deployment,
                        });
                        out.images.push(image.clone());
                        Action::SetImage {
                            namespace,
                            deployment: name,
                            container,
                            image,
                        }
                    }
                    DeployAct::Pause => Action::Pause {
                        namespace,
                        deployment: name,
                    },
                    DeployAct::Resume => Action::Resume {
                        namespace,
                        deployment: name,
                    },
                    DeployAct::Rollback(to_revision) => {
                        out.rollouts.push(Rollout {
                            entry: i,
                            deployment,
                        });
                        Action::Rollback {
                            namespace,
                            deployment: name,
                            to_revision,
                        }
                    }
                    // Refused for Deployments by `deploy`.
                    DeployAct::Promote(_) | DeployAct::Abort | DeployAct::Retry => continue,
                }
            }
            Item::Node { act, name } => act.action(name),
            Item::Add { .. } => {
                if let Some(a) = by_entry[i] {
                    added[a].out = out.entries.len();
                }
                Action::AddNodes { nodes: Vec::new() }
            }
        };
        out.entries.push(TimelineEntry { at: t, action });
    }
    out.added = added;
    out
}

/// One entry's own checks: its action, its keys, its target.
fn item(
    ctx: &mut Ctx<'_, '_>,
    e: &raw::TimelineSection,
    at: &At<'_>,
    deployments: &[Target],
    pools: &Pools<'_>,
) -> Option<Item> {
    let Some(&action) = ACTIONS.iter().find(|a| **a == e.action) else {
        ctx.one_of(&e.action, ACTIONS, &at.key("action"));
        return None;
    };
    // Keys only some actions take.
    let mut ok = true;
    for (key, given, takes) in [
        ("replicas", e.replicas.is_some(), "scale"),
        ("mode", e.mode.is_some(), "nodeDown"),
        ("count", e.count.is_some(), "addNodes"),
        ("container", e.container.is_some(), "setImage"),
        ("image", e.image.is_some(), "setImage"),
        ("toRevision", e.to_revision.is_some(), "rollback"),
        ("full", e.full.is_some(), "promote"),
    ] {
        if given && action != takes {
            ctx.err_key(
                &at.key(key),
                format!("Forbidden: {key} may only be set with action {takes}, not {action}"),
            );
            ok = false;
        }
    }
    let target_at = at.key("target");
    let item = match action {
        "scale" => scale(ctx, e, at, deployments),
        "setImage" | "pause" | "resume" | "rollback" | "promote" | "abort" | "retry" => {
            deploy(ctx, e, at, action, deployments)
        }
        "addNodes" => {
            let Some(name) = e.target.strip_prefix("pool/") else {
                ctx.err(
                    &target_at,
                    format!("Invalid value: {:?}: addNodes needs a target of the form pool/NAME (a pool of cluster.nodes)", e.target),
                );
                return None;
            };
            let pool = pools.by_name.get(name).copied();
            if pool.is_none() {
                let hint = did_you_mean(name, pools.by_name.keys().copied());
                ctx.err_help(
                    &target_at,
                    format!("no node pool named {name:?} in cluster.nodes"),
                    hint,
                );
            }
            let c_at = at.key("count");
            let count = match e.count {
                None => {
                    ctx.err(&c_at, "Required value: addNodes needs count");
                    None
                }
                Some(c) if c < 1 => {
                    ctx.err(
                        &c_at,
                        format!("Invalid value: {c}: count must be at least 1"),
                    );
                    None
                }
                Some(c) => u64::try_from(c).ok(),
            };
            Some(Item::Add {
                pool: pool?,
                count: count?,
            })
        }
        node_action => {
            let act = match node_action {
                "nodeDown" => {
                    let mode = match e.mode.as_deref() {
                        None => Some(NodeDownMode::Crash),
                        Some(m) => match ctx.one_of(m, MODES, &at.key("mode")) {
                            Some("crash") => Some(NodeDownMode::Crash),
                            Some(_) => Some(NodeDownMode::Partition),
                            None => None,
                        },
                    };
                    NodeAct::Down(mode?)
                }
                "nodeUp" => NodeAct::Up,
                "cordon" => NodeAct::Cordon,
                "uncordon" => NodeAct::Uncordon,
                "drain" => NodeAct::Drain,
                _ => NodeAct::Remove,
            };
            let Some(name) = e.target.strip_prefix("node/") else {
                ctx.err(
                    &target_at,
                    format!(
                        "Invalid value: {:?}: {node_action} needs a target of the form node/NAME",
                        e.target
                    ),
                );
                return None;
            };
            Some(Item::Node {
                act,
                name: name.to_string(),
            })
        }
    };
    item.filter(|_| ok)
}

/// A `setImage`, `pause`, `resume` or `rollback` entry's target and
/// fields.
fn deploy(
    ctx: &mut Ctx<'_, '_>,
    e: &raw::TimelineSection,
    at: &At<'_>,
    action: &str,
    deployments: &[Target],
) -> Option<Item> {
    let deployment = deployment_target(ctx, e, at, action, deployments)?;
    let rollout_only = matches!(action, "promote" | "abort" | "retry");
    if rollout_only && !deployments[deployment].rollout {
        ctx.err(
            &at.key("target"),
            format!("Invalid value: {:?}: {action} is an Argo Rollouts action: its target is rollout/NAME", e.target),
        );
        return None;
    }
    let act = match action {
        "pause" => DeployAct::Pause,
        "resume" => DeployAct::Resume,
        "promote" => DeployAct::Promote(e.full.unwrap_or(false)),
        "abort" => DeployAct::Abort,
        "retry" => DeployAct::Retry,
        "rollback" => match e.to_revision {
            Some(r) if r < 1 => {
                ctx.err(
                    &at.key("toRevision"),
                    format!("Invalid value: {r}: toRevision is a revision, 1 or more (omit it for the previous revision)"),
                );
                return None;
            }
            r => DeployAct::Rollback(r),
        },
        _ => set_image(ctx, e, at, &deployments[deployment])?,
    };
    Some(Item::Deploy { deployment, act })
}

/// A `setImage` entry's container and image.
fn set_image(
    ctx: &mut Ctx<'_, '_>,
    e: &raw::TimelineSection,
    at: &At<'_>,
    t: &Target,
) -> Option<DeployAct> {
    let image = match e.image.as_deref().map(str::trim) {
        Some(i) if !i.is_empty() => i.to_string(),
        _ => {
            ctx.err(&at.key("image"), "Required value: setImage needs image");
            return None;
        }
    };
    match &e.container {
        Some(c) if !t.containers.contains(c) => {
            let hint = did_you_mean(c, t.containers.iter().map(String::as_str))
                .or_else(|| Some(format!("its containers: {}", t.containers.join(", "))));
            ctx.err_help(
                &at.key("container"),
                format!(
                    "{} {:?} has no container named {c:?}",
                    if t.rollout { "Rollout" } else { "Deployment" },
                    t.name
                ),
                hint,
            );
            None
        }
        None if t.app_containers != 1 => {
            ctx.err_help(
                &at.key("container"),
                format!(
                    "Required value: {} {:?} has {} containers: name the one to change with container",
                    if t.rollout { "Rollout" } else { "Deployment" }, t.name, t.app_containers
                ),
                Some(format!("its containers: {}", t.containers.join(", "))),
            );
            None
        }
        c => Some(DeployAct::SetImage {
            container: c.clone(),
            image,
        }),
    }
}

/// A `scale` entry's target and replicas.
fn scale(
    ctx: &mut Ctx<'_, '_>,
    e: &raw::TimelineSection,
    at: &At<'_>,
    deployments: &[Target],
) -> Option<Item> {
    let index = deployment_target(ctx, e, at, "scale", deployments)?;
    let r_at = at.key("replicas");
    let Some(replicas) = e.replicas else {
        ctx.err(&r_at, "Required value: scale needs replicas");
        return None;
    };
    match i32::try_from(replicas) {
        Ok(r) if r >= 0 => Some(Item::Scale {
            deployment: index,
            replicas: r,
        }),
        _ if replicas < 0 => {
            ctx.err(
                &r_at,
                format!("Invalid value: {replicas}: must be greater than or equal to 0"),
            );
            None
        }
        _ => {
            ctx.err(
                &r_at,
                format!(
                    "Invalid value: {replicas}: replicas is an int32 (at most {})",
                    i32::MAX
                ),
            );
            None
        }
    }
}

/// The Deployment `deployment/NAME` or `deployment/NAMESPACE/NAME` names,
/// as an index in `deployments`.
fn deployment_target(
    ctx: &mut Ctx<'_, '_>,
    e: &raw::TimelineSection,
    at: &At<'_>,
    action: &str,
    deployments: &[Target],
) -> Option<usize> {
    let target_at = at.key("target");
    let (rollout, rest) = match (
        e.target.strip_prefix("deployment/"),
        e.target.strip_prefix("rollout/"),
    ) {
        (Some(rest), _) => (false, rest),
        (_, Some(rest)) => (true, rest),
        _ => {
            ctx.err(
                &target_at,
                format!("Invalid value: {:?}: {action} needs a target of the form deployment/NAME, rollout/NAME, deployment/NAMESPACE/NAME or rollout/NAMESPACE/NAME", e.target),
            );
            return None;
        }
    };
    let kind = if rollout { "Rollout" } else { "Deployment" };
    let (ns, name) = match rest.split_once('/') {
        Some((ns, name)) => (Some(ns), name),
        None => (None, rest),
    };
    let matches: Vec<usize> = deployments
        .iter()
        .enumerate()
        .filter(|(_, t)| {
            t.rollout == rollout && t.name == name && ns.is_none_or(|n| n == t.namespace)
        })
        .map(|(i, _)| i)
        .collect();
    let index = match matches.as_slice() {
        [one] => *one,
        [] => {
            let names: Vec<String> = deployments
                .iter()
                .filter(|t| t.rollout == rollout)
                .map(|t| match ns {
                    Some(_) => format!("{}/{}", t.namespace, t.name),
                    None => t.name.clone(),
                })
                .collect();
            let hint = did_you_mean(rest, names.iter().map(String::as_str));
            let msg = match ns {
                Some(ns) => {
                    format!("no {kind} named {name:?} in namespace {ns:?} in this scenario")
                }
                None => format!("no {kind} named {name:?} in this scenario"),
            };
            ctx.err_help(&target_at, msg, hint);
            return None;
        }
        many => {
            let nss: Vec<&str> = many
                .iter()
                .map(|&i| deployments[i].namespace.as_str())
                .collect();
            ctx.err_help(
                &target_at,
                format!(
                    "ambiguous target: {kind}s named {name:?} exist in namespaces {}",
                    nss.join(", ")
                ),
                Some(format!(
                    "name the namespace: {}/{}/{name}",
                    kind.to_lowercase(),
                    nss[0]
                )),
            );
            return None;
        }
    };
    Some(index)
}

/// An unknown node, with what its pool holds (`web-9` of a pool of 3)
/// or a "did you mean" among the pools' nodes. `hints` bounds the
/// "did you mean"s one timeline computes.
fn unknown_node(
    ctx: &mut Ctx<'_, '_>,
    at: &At<'_>,
    name: &str,
    pools: &Pools<'_>,
    last: &[u64],
    hints: &mut usize,
) {
    let msg = format!("no node named {name:?} in this scenario");
    let numbered = name
        .rsplit_once('-')
        .and_then(|(p, k)| Some((*pools.by_name.get(p)?, number(k)?)));
    if let Some((p, _)) = numbered {
        let pool = &pools.pools[p];
        let end = last[p];
        let n = &pool.name;
        let holds = match (pool.count, end) {
            (1, 1) => format!("pool {n:?} has one node, {n:?}"),
            (1, _) => format!(
                "pool {n:?} has nodes {n:?} and {n}-2 … {n}-{end} (with those the timeline adds)"
            ),
            _ => format!("pool {n:?} has nodes {n}-1 … {n}-{end}"),
        };
        ctx.err_help(at, msg, Some(holds));
        return;
    }
    if *hints == 0 {
        ctx.err(at, msg);
        return;
    }
    *hints -= 1;
    // Each pool's first and last node, and its node with the number
    // `name` ends in (a typo in the pool's part).
    let k = name.rsplit_once('-').and_then(|(_, k)| number(k));
    let mut names: Vec<String> = Vec::new();
    for (p, &end) in pools.pools.iter().zip(last).take(MAX_HINT_POOLS) {
        names.push(node_name(p, 1));
        if end > 1 {
            names.push(format!("{}-{end}", p.name));
        }
        if let Some(k) = k.filter(|&k| k >= 2 && k < end) {
            names.push(format!("{}-{k}", p.name));
        }
    }
    let hint = did_you_mean(name, names.iter().map(String::as_str));
    ctx.err_help(at, msg, hint);
}

/// Builds the nodes of every `addNodes` entry, from its pool as the
/// pool's first nodes were built, once the budget has passed.
pub fn add_nodes(
    ctx: &mut Ctx<'_, '_>,
    pools: &[Pool],
    added: &[Added],
    entries: &mut [TimelineEntry],
) {
    for a in added {
        let Some(pool) = pools.get(a.pool) else {
            continue;
        };
        let named: Vec<Pool> = (a.first..=a.last())
            .map(|k| {
                let mut p = pool.clone();
                p.name = node_name(pool, k);
                p.count = 1;
                p
            })
            .collect();
        let nodes = cluster::expand(ctx, &named);
        if let Some(TimelineEntry {
            action: Action::AddNodes { nodes: slot },
            ..
        }) = entries.get_mut(a.out)
        {
            *slot = nodes;
        }
    }
}
