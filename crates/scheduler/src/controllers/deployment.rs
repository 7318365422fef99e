//! The Deployment controller, replica management only: each Deployment owns
//! one ReplicaSet named `<deployment>-<pod-template-hash>`, whose pods are
//! named `<replicaset>-<5 random characters>` like the API server's
//! `generateName`. Scaling up creates pods; scaling down deletes the pods
//! ranked first by upstream's `ActivePodsWithRanks` order (see
//! [`super::active_pods`]). A pod that goes away (deleted, completed) is
//! replaced, as the ReplicaSet controller does.

use super::active_pods::ActivePodRank;
use kubesim_core::{
    Cluster, EventType, KubeEvent, Labels, ObjectMeta, OwnerReference, Pod, PodId, PodSpec, SimTime,
};
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use std::cmp::Ordering;

/// `v1.PodTemplateSpec`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PodTemplate {
    pub labels: Labels,
    pub annotations: Labels,
    pub spec: PodSpec,
}

/// `apps/v1.Deployment`, the parts this release models.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deployment {
    pub metadata: ObjectMeta,
    pub replicas: i32,
    /// `spec.selector.matchLabels`.
    pub selector: Labels,
    pub template: PodTemplate,
}

/// Characters `rand.SafeEncodeString` and `utilrand.String` draw from
/// (staging/src/k8s.io/apimachinery/pkg/util/rand/rand.go): no vowels, no
/// look-alikes.
const ALPHANUMS: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";

/// `rand.SafeEncodeString`.
pub fn safe_encode_string(s: &str) -> String {
    s.bytes()
        .map(|b| ALPHANUMS[b as usize % ALPHANUMS.len()] as char)
        .collect()
}

/// `controller.ComputeHash`: FNV-32a over the template, safe-encoded.
/// Upstream hashes a spew dump of the Go struct; kubesim hashes
/// [`template_fingerprint`], so the value differs from a real cluster's but
/// changes only when the template does — not when a Rust type gains a
/// field or its `Debug` output changes.
pub fn compute_hash(template: &PodTemplate) -> String {
    let text = template_fingerprint(template);
    let mut h: u32 = 0x811c_9dc5;
    for b in text.bytes() {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    }
    safe_encode_string(&h.to_string())
}

/// A stable, explicit rendering of everything in a pod template that
/// kubesim models. A field added to the model must be added here too (and
/// then changes pod names, as a template change does in Kubernetes).
pub fn template_fingerprint(t: &PodTemplate) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    // Writing to a String cannot fail.
    let mut w = |args: std::fmt::Arguments<'_>| {
        let _ = out.write_fmt(args);
    };
    for (k, v) in &t.labels {
        w(format_args!("label {k}={v}\n"));
    }
    for (k, v) in &t.annotations {
        w(format_args!("annotation {k}={v}\n"));
    }
    let s = &t.spec;
    w(format_args!(
        "restartPolicy {} nodeName {} priority {} priorityClassName {} grace {}\n",
        s.restart_policy.as_str(),
        s.node_name.as_deref().unwrap_or(""),
        s.priority,
        s.priority_class_name,
        s.termination_grace_period_s
    ));
    for (k, v) in &s.node_selector {
        w(format_args!("nodeSelector {k}={v}\n"));
    }
    for tol in &s.tolerations {
        w(format_args!(
            "toleration {} {:?} {} {} {:?}\n",
            tol.key,
            tol.operator,
            tol.value,
            tol.effect.map_or("", |e| e.as_str()),
            tol.toleration_seconds
        ));
    }
    if let Some(a) = &s.node_affinity {
        let term = |t: &kubesim_core::NodeSelectorTerm| {
            let req = |r: &kubesim_core::NodeSelectorRequirement| {
                format!("{} {:?} {}", r.key, r.operator, r.values.join(","))
            };
            let e: Vec<String> = t.match_expressions.iter().map(req).collect();
            let f: Vec<String> = t.match_fields.iter().map(req).collect();
            format!("[{}][{}]", e.join(";"), f.join(";"))
        };
        for t in a.required.iter().flatten() {
            w(format_args!("required {}\n", term(t)));
        }
        for p in &a.preferred {
            w(format_args!(
                "preferred {} {}\n",
                p.weight,
                term(&p.preference)
            ));
        }
    }
    let containers = s
        .init_containers
        .iter()
        .map(|c| ("init", c))
        .chain(s.containers.iter().map(|c| ("app", c)));
    for (kind, c) in containers {
        let r = &c.resources;
        w(format_args!(
            "{kind} {} image {} restart {} cpu {:?}/{:?} memory {:?}/{:?} extended {:?}/{:?}\n",
            c.name,
            c.image,
            c.restart_policy.map_or("", |p| p.as_str()),
            r.cpu_request_m.map(|m| m.0),
            r.cpu_limit_m.map(|m| m.0),
            r.memory_request_bytes.map(|b| b.0),
            r.memory_limit_bytes.map(|b| b.0),
            r.extended_requests,
            r.extended_limits
        ));
    }
    out
}

/// Runtime state of one Deployment.
#[derive(Debug)]
pub struct DeploymentState {
    pub deployment: Deployment,
    pub replica_set: String,
    /// Pods owned and not yet gone (not deleted, not finished).
    pub pods: std::collections::BTreeSet<PodId>,
    rng: ChaCha8Rng,
}

/// All Deployments of a run.
#[derive(Debug, Default)]
pub struct DeploymentController {
    pub deployments: Vec<DeploymentState>,
}

/// What a reconcile asks the simulation to do.
#[derive(Debug, Default)]
pub struct ReconcileOutput {
    pub created: Vec<PodId>,
    pub deleted: Vec<PodId>,
}

impl DeploymentController {
    /// Registers a Deployment; `rng` is its own random stream.
    pub fn add(&mut self, deployment: Deployment, rng: ChaCha8Rng) -> usize {
        let replica_set = format!(
            "{}-{}",
            deployment.metadata.name,
            compute_hash(&deployment.template)
        );
        self.deployments.push(DeploymentState {
            deployment,
            replica_set,
            pods: Default::default(),
            rng,
        });
        self.deployments.len() - 1
    }

    pub fn find(&self, name: &str) -> Option<usize> {
        self.deployments
            .iter()
            .position(|d| d.deployment.metadata.name == name)
    }

    /// Sets `spec.replicas` (the `scale` action).
    pub fn scale(&mut self, idx: usize, replicas: i32) {
        self.deployments[idx].deployment.replicas = replicas;
    }

    /// Drops pods that finished or were deleted from the owned set.
    pub fn pod_gone(&mut self, idx: usize, pid: PodId) {
        self.deployments[idx].pods.remove(&pid);
    }

    /// Brings the number of pods to `spec.replicas`: creates pods into
    /// `cluster` (returned for the scheduling queue) or picks pods to
    /// delete (returned; the caller deletes them). Records events.
    pub fn reconcile(
        &mut self,
        idx: usize,
        cluster: &mut Cluster,
        now: SimTime,
        events: &mut Vec<KubeEvent>,
    ) -> ReconcileOutput {
        let mut out = ReconcileOutput::default();
        let d = &mut self.deployments[idx];
        let want = d.deployment.replicas.max(0) as usize;
        let have = d.pods.len();
        let dep_name = d.deployment.metadata.name.clone();
        match want.cmp(&have) {
            Ordering::Equal => {}
            Ordering::Greater => {
                events.push(KubeEvent {
                    time: now,
                    kind: EventType::Normal,
                    reason: "ScalingReplicaSet",
                    object: format!("deployment/{dep_name}"),
                    message: format!(
                        "Scaled up replica set {} from {have} to {want}",
                        d.replica_set
                    ),
                });
                for _ in have..want {
                    let pod = new_pod(d, cluster, now);
                    let name = pod.metadata.name.clone();
                    let pid = cluster.add_pod(pod, format!("deployment/{dep_name}"), now);
                    d.pods.insert(pid);
                    out.created.push(pid);
                    events.push(KubeEvent {
                        time: now,
                        kind: EventType::Normal,
                        reason: "SuccessfulCreate",
                        object: format!("replicaset/{}", d.replica_set),
                        message: format!("Created pod: {name}"),
                    });
                }
            }
            Ordering::Less => {
                events.push(KubeEvent {
                    time: now,
                    kind: EventType::Normal,
                    reason: "ScalingReplicaSet",
                    object: format!("deployment/{dep_name}"),
                    message: format!(
                        "Scaled down replica set {} from {have} to {want}",
                        d.replica_set
                    ),
                });
                let owned: Vec<PodId> = d.pods.iter().copied().collect();
                let mut ranked = ActivePodRank::rank_all(cluster, &owned);
                ranked.sort_by(|a, b| a.cmp_delete_first(b, now));
                ranked.truncate(have - want);
                for r in ranked {
                    d.pods.remove(&r.pod);
                    out.deleted.push(r.pod);
                    events.push(KubeEvent {
                        time: now,
                        kind: EventType::Normal,
                        reason: "SuccessfulDelete",
                        object: format!("replicaset/{}", d.replica_set),
                        message: format!("Deleted pod: {}", cluster.pod(r.pod).name()),
                    });
                }
            }
        }
        out
    }
}

fn new_pod(d: &mut DeploymentState, cluster: &Cluster, now: SimTime) -> Pod {
    let name = loop {
        let suffix: String = (0..5)
            .map(|_| ALPHANUMS[d.rng.random_range(0..ALPHANUMS.len())] as char)
            .collect();
        let candidate = format!("{}-{suffix}", d.replica_set);
        if cluster.pod_id(&candidate).is_none() {
            break candidate;
        }
    };
    let mut labels = d.deployment.template.labels.clone();
    let hash = d
        .replica_set
        .rsplit('-')
        .next()
        .unwrap_or_default()
        .to_string();
    labels.insert("pod-template-hash".into(), hash);
    Pod {
        metadata: ObjectMeta {
            name,
            namespace: d.deployment.metadata.namespace.clone(),
            labels,
            annotations: d.deployment.template.annotations.clone(),
            owner_references: vec![OwnerReference {
                kind: "ReplicaSet".into(),
                name: d.replica_set.clone(),
                controller: true,
            }],
            creation_timestamp: now,
            deletion_timestamp: None,
            generation: 0,
        },
        spec: d.deployment.template.spec.clone(),
        status: Default::default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn safe_encode_maps_digits_into_alphabet() {
        // '0' is byte 48; 48 % 27 = 21 → '4'.
        assert_eq!(safe_encode_string("0"), "4");
        assert!(safe_encode_string("1234567890")
            .bytes()
            .all(|b| ALPHANUMS.contains(&b)));
    }

    #[test]
    fn hash_is_stable_and_template_sensitive() {
        let a = PodTemplate::default();
        let mut b = PodTemplate::default();
        b.labels.insert("app".into(), "web".into());
        assert_eq!(compute_hash(&a), compute_hash(&a.clone()));
        assert_ne!(compute_hash(&a), compute_hash(&b));
    }
}
