//! The Deployment controller, replica management only: each Deployment
//! owns one ReplicaSet named `<deployment>-<pod-template-hash>` (stored,
//! with an owner reference to its Deployment), whose pods are named
//! `<replicaset>-<5 random characters>` like the API server's
//! `generateName`. Scaling up creates pods; scaling down deletes the pods
//! ranked first by upstream's `ActivePodsWithRanks` order (see
//! [`super::active_pods`]). A pod that goes away (deleted, completed) is
//! replaced, as the ReplicaSet controller does.
//!
//! State per Deployment ([`DeploymentState`]) is indexed by its
//! [`DeploymentId`]; the controller reads and writes objects only through
//! the [`Store`].

use super::active_pods::ActivePodRank;
use kubesim_core::{
    Deployment, DeploymentId, KubeEvent, LimitExceeded, ModelLimits, ObjectMeta, ObjectRef,
    OwnerReference, Pod, PodId, PodTemplate, ReplicaSet, ReplicaSetId, SimTime, Store, StoreError,
};
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use std::cmp::Ordering;
use std::collections::BTreeSet;

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
        // Fields added later are written only when set, so that templates
        // without them keep their hash.
        for (probe, p) in [
            ("startupProbe", c.startup_probe),
            ("livenessProbe", c.liveness_probe),
            ("readinessProbe", c.readiness_probe),
        ] {
            if let Some(p) = p {
                w(format_args!("  {probe} {p:?}\n"));
            }
        }
        if let Some(h) = c.pre_stop {
            w(format_args!("  preStop {h:?}\n"));
        }
        if let Some(p) = c.image_pull_policy {
            w(format_args!("  imagePullPolicy {}\n", p.as_str()));
        }
    }
    out
}

/// The controller's state of one Deployment.
#[derive(Debug)]
pub struct DeploymentState {
    /// Its ReplicaSet.
    pub replica_set: ReplicaSetId,
    /// Pods owned and not yet gone (not deleted, not finished).
    pub pods: BTreeSet<PodId>,
    rng: ChaCha8Rng,
}

/// All Deployments of a run, indexed by [`DeploymentId`].
#[derive(Debug, Default)]
pub struct DeploymentController {
    states: Vec<Option<DeploymentState>>,
}

/// The ReplicaSet's name: `<deployment>-<pod-template-hash>`.
pub fn replica_set_name(d: &Deployment) -> String {
    format!("{}-{}", d.metadata.name, compute_hash(&d.template))
}

impl DeploymentController {
    /// Takes over Deployment `id`: creates its ReplicaSet in the store.
    /// `rng` is the Deployment's own random stream.
    pub fn add(
        &mut self,
        store: &mut Store,
        id: DeploymentId,
        rng: ChaCha8Rng,
    ) -> Result<(), StoreError> {
        let d = store.deployment(id);
        let hash = compute_hash(&d.template);
        let mut template = d.template.clone();
        template
            .labels
            .insert("pod-template-hash".into(), hash.clone());
        let mut selector = d.selector.clone();
        selector
            .match_labels
            .insert("pod-template-hash".into(), hash);
        let mut metadata = ObjectMeta::named(replica_set_name(d));
        metadata.namespace = d.metadata.namespace.clone();
        metadata.owner_references = vec![OwnerReference {
            owner: ObjectRef::Deployment(id),
            name: d.metadata.name.clone(),
            controller: true,
        }];
        let rs = store.create_replica_set(ReplicaSet {
            metadata,
            replicas: 0,
            selector,
            template,
        })?;
        if self.states.len() <= id.index() {
            self.states.resize_with(id.index() + 1, || None);
        }
        self.states[id.index()] = Some(DeploymentState {
            replica_set: rs,
            pods: BTreeSet::new(),
            rng,
        });
        Ok(())
    }

    /// The state of Deployment `id`, if this controller manages it.
    pub fn state(&self, id: DeploymentId) -> Option<&DeploymentState> {
        self.states.get(id.index()).and_then(Option::as_ref)
    }

    /// Drops a pod that finished or is being deleted from the owned set;
    /// `true` if it was there.
    pub fn pod_gone(&mut self, id: DeploymentId, pid: PodId) -> bool {
        match self.states.get_mut(id.index()) {
            Some(Some(s)) => s.pods.remove(&pid),
            _ => false,
        }
    }

    /// Brings the number of pods to `spec.replicas`: creates pods in the
    /// store, or deletes the pods ranked first. Records events. Refuses
    /// (before creating any) when the pods would not fit the object limit.
    pub fn reconcile(
        &mut self,
        store: &mut Store,
        id: DeploymentId,
        now: SimTime,
        events: &mut Vec<KubeEvent>,
    ) -> Result<(), LimitExceeded> {
        let Some(Some(st)) = self.states.get_mut(id.index()) else {
            return Ok(());
        };
        let d = store.deployment(id);
        let want_replicas = d.replicas.max(0);
        let want = want_replicas as usize;
        let have = st.pods.len();
        let dep_object = format!("deployment/{}", d.metadata.qualified_name());
        let rs = store.replica_set(st.replica_set);
        let rs_name = rs.metadata.name.clone();
        // The Deployment controller scales its ReplicaSet (and says so with
        // `ScalingReplicaSet`, from the old `spec.replicas`) only when the
        // Deployment's replicas change; replacing a pod that went away is
        // the ReplicaSet controller's work and gives only `SuccessfulCreate`.
        let rs_replicas = rs.replicas;
        let rescale = rs_replicas != want_replicas;
        let rs_object = format!("replicaset/{}", rs.metadata.qualified_name());
        match want.cmp(&have) {
            Ordering::Equal => {}
            Ordering::Greater => {
                store.check_room((want - have) as u64, now)?;
                if rescale {
                    events.push(KubeEvent::normal(
                        now,
                        "ScalingReplicaSet",
                        dep_object,
                        format!("Scaled up replica set {rs_name} from {rs_replicas} to {want}"),
                    ));
                    store.scale_replica_set(st.replica_set, want_replicas);
                }
                for _ in have..want {
                    let pod = new_pod(st, store, now)?;
                    let name = pod.metadata.name.clone();
                    let pid = store.create_pod(pod, now).map_err(|e| match e {
                        StoreError::Limit(l) => l,
                        // Names were checked free; anything else is a bug.
                        other => panic!("creating a Deployment's pod: {other}"),
                    })?;
                    st.pods.insert(pid);
                    events.push(KubeEvent::normal(
                        now,
                        "SuccessfulCreate",
                        rs_object.clone(),
                        format!("Created pod: {name}"),
                    ));
                }
            }
            Ordering::Less => {
                if rescale {
                    events.push(KubeEvent::normal(
                        now,
                        "ScalingReplicaSet",
                        dep_object,
                        format!("Scaled down replica set {rs_name} from {rs_replicas} to {want}"),
                    ));
                    store.scale_replica_set(st.replica_set, want_replicas);
                }
                let owned: Vec<PodId> = st.pods.iter().copied().collect();
                let mut ranked = ActivePodRank::rank_all(store, &owned);
                ranked.sort_by(|a, b| a.cmp_delete_first(b, now));
                ranked.truncate(have - want);
                for r in ranked {
                    st.pods.remove(&r.pod);
                    events.push(KubeEvent::normal(
                        now,
                        "SuccessfulDelete",
                        rs_object.clone(),
                        format!("Deleted pod: {}", store.pod(r.pod).name()),
                    ));
                    store.delete_pod(r.pod, now);
                }
            }
        }
        Ok(())
    }

    /// Checks that each Deployment's owned set is exactly its live pods.
    pub fn check_invariants(&self, store: &Store) -> Result<(), String> {
        for (i, st) in self.states.iter().enumerate() {
            let Some(st) = st else { continue };
            for &p in &st.pods {
                let e = store.pod(p);
                if e.is_finished() || e.is_deleting() {
                    return Err(format!(
                        "deployment #{i} still counts pod {} which is gone",
                        e.name()
                    ));
                }
                if e.controller() != Some(ObjectRef::ReplicaSet(st.replica_set)) {
                    return Err(format!(
                        "deployment #{i} counts pod {} it does not own",
                        e.name()
                    ));
                }
            }
        }
        Ok(())
    }
}

/// A new pod of the Deployment's ReplicaSet, with a free generated name.
fn new_pod(st: &mut DeploymentState, store: &Store, now: SimTime) -> Result<Pod, LimitExceeded> {
    let rs = store.replica_set(st.replica_set);
    let prefix = &rs.metadata.name;
    let namespace = rs.metadata.namespace_or_default();
    let mut name = None;
    for _ in 0..ModelLimits::MAX_NAME_ATTEMPTS {
        let suffix: String = (0..5)
            .map(|_| ALPHANUMS[st.rng.random_range(0..ALPHANUMS.len())] as char)
            .collect();
        let candidate = format!("{prefix}-{suffix}");
        if store.pod_id(namespace, &candidate).is_none() {
            name = Some(candidate);
            break;
        }
    }
    let name = name.ok_or_else(|| LimitExceeded::Names {
        what: format!("pods of replica set {prefix}"),
        attempts: ModelLimits::MAX_NAME_ATTEMPTS,
        at: now,
    })?;
    Ok(Pod {
        metadata: ObjectMeta {
            name,
            namespace: rs.metadata.namespace.clone(),
            labels: rs.template.labels.clone(),
            annotations: rs.template.annotations.clone(),
            owner_references: vec![OwnerReference {
                owner: ObjectRef::ReplicaSet(st.replica_set),
                name: prefix.clone(),
                controller: true,
            }],
            creation_timestamp: now,
            deletion_timestamp: None,
            deletion_grace_period_s: None,
            generation: 0,
        },
        spec: rs.template.spec.clone(),
        status: Default::default(),
    })
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
