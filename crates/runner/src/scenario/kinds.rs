//! The kinds kubesim reads: one table, [`KINDS`], drives dispatch,
//! apiVersion checks and strict field validation of every object in
//! `workloads:` and `manifests:`.
//!
//! Each row names a built-in kind of Kubernetes 1.35 (its `k8s-openapi`
//! type gives the apiVersion, the kind and the complete field list, so
//! strict validation covers every field of every built-in kind, modelled
//! or not) and what kubesim does with it ([`Handling`]):
//!
//! - [`Handling::Model`]: converted into the simulation (`Pod`,
//!   `Deployment`, `Job`, `CronJob`, `PriorityClass`);
//! - [`Handling::Skip`]: read, validated and skipped — kinds that run no
//!   pods (ConfigMap, Service, RBAC, storage, webhooks, CRDs…);
//! - [`Handling::NotYet`]: workloads kubesim does not model yet
//!   (StatefulSet, DaemonSet, ReplicaSet, ReplicationController): an
//!   error until their issue lands;
//! - [`Handling::NotFromManifests`]: `Node` — nodes come from
//!   `cluster.nodes`.
//!
//! [`lookup`] resolves an (apiVersion, kind) pair: a row, a `List` to
//! unpack, a custom resource (a group that is not built in: skipped with a
//! warning), or an error in kubectl's words (`no matches for kind
//! "Deploymnet" in version "apps/v1"`) with a "did you mean".

use super::error::did_you_mean;
use super::yaml::{At, Id, Issue, Reader};
use k8s_openapi::Resource;
use std::collections::HashMap;
use std::sync::OnceLock;

/// What kubesim does with objects of a kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Handling {
    /// Converted into the model.
    Model(Modelled),
    /// Validated and skipped: the kind runs no pods.
    Skip,
    /// A workload kind kubesim does not model yet: an error.
    NotYet,
    /// Not read from manifests (nodes come from `cluster.nodes`).
    NotFromManifests,
}

/// The kinds converted into the model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Modelled {
    /// `v1` Pod.
    Pod,
    /// `apps/v1` Deployment.
    Deployment,
    /// `batch/v1` Job.
    Job,
    /// `batch/v1` CronJob.
    CronJob,
    /// `scheduling.k8s.io/v1` PriorityClass.
    PriorityClass,
    /// `v1` Service.
    Service,
    /// `argoproj.io/v1alpha1` Rollout.
    Rollout,
    /// `argoproj.io/v1alpha1` AnalysisTemplate.
    AnalysisTemplate,
}

/// An object read with its kind's type.
#[derive(Debug)]
pub enum Object {
    /// A Pod.
    Pod(Box<k8s_openapi::api::core::v1::Pod>),
    /// A Deployment.
    Deployment(Box<k8s_openapi::api::apps::v1::Deployment>),
    /// A Job.
    Job(Box<k8s_openapi::api::batch::v1::Job>),
    /// A CronJob.
    CronJob(Box<k8s_openapi::api::batch::v1::CronJob>),
    /// A PriorityClass.
    PriorityClass(Box<k8s_openapi::api::scheduling::v1::PriorityClass>),
    /// A Service.
    Service(Box<k8s_openapi::api::core::v1::Service>),
    /// An Argo Rollout.
    Rollout(Box<super::convert::rollouts::RawRollout>),
    /// An Argo AnalysisTemplate.
    AnalysisTemplate(Box<super::convert::rollouts::RawAnalysisTemplate>),
    /// Validated, not kept.
    Skipped,
}

type ReadFn = fn(&Reader<'_, '_>, Id, &At<'_>) -> Result<Object, Issue>;

/// One built-in kind.
#[derive(Debug, Clone, Copy)]
pub struct KindInfo {
    /// `apiVersion`, e.g. `apps/v1`.
    pub api_version: &'static str,
    /// The API group (`""` for the core group).
    pub group: &'static str,
    /// `kind`.
    pub kind: &'static str,
    /// What kubesim does with it.
    pub handling: Handling,
    read: ReadFn,
}

impl KindInfo {
    /// Reads an object of this kind at `node` with its `k8s-openapi` type:
    /// strict field validation of every field (unknown ones become the
    /// reader's issues).
    pub fn read(&self, r: &Reader<'_, '_>, node: Id, at: &At<'_>) -> Result<Object, Issue> {
        (self.read)(r, node, at)
    }
}

fn skip<T: serde::de::DeserializeOwned>(
    r: &Reader<'_, '_>,
    n: Id,
    at: &At<'_>,
) -> Result<Object, Issue> {
    r.read::<T>(n, at).map(|_| Object::Skipped)
}

fn pod(r: &Reader<'_, '_>, n: Id, at: &At<'_>) -> Result<Object, Issue> {
    r.read(n, at).map(|p| Object::Pod(Box::new(p)))
}

fn deployment(r: &Reader<'_, '_>, n: Id, at: &At<'_>) -> Result<Object, Issue> {
    r.read(n, at).map(|d| Object::Deployment(Box::new(d)))
}

fn job(r: &Reader<'_, '_>, n: Id, at: &At<'_>) -> Result<Object, Issue> {
    r.read(n, at).map(|j| Object::Job(Box::new(j)))
}

fn cron_job(r: &Reader<'_, '_>, n: Id, at: &At<'_>) -> Result<Object, Issue> {
    r.read(n, at).map(|c| Object::CronJob(Box::new(c)))
}

fn priority_class(r: &Reader<'_, '_>, n: Id, at: &At<'_>) -> Result<Object, Issue> {
    r.read(n, at).map(|c| Object::PriorityClass(Box::new(c)))
}

fn service(r: &Reader<'_, '_>, n: Id, at: &At<'_>) -> Result<Object, Issue> {
    r.read(n, at).map(|s| Object::Service(Box::new(s)))
}

fn argo_rollout(r: &Reader<'_, '_>, n: Id, at: &At<'_>) -> Result<Object, Issue> {
    r.read(n, at).map(|o| Object::Rollout(Box::new(o)))
}

fn argo_analysis_template(r: &Reader<'_, '_>, n: Id, at: &At<'_>) -> Result<Object, Issue> {
    r.read(n, at).map(|o| Object::AnalysisTemplate(Box::new(o)))
}

/// The Argo Rollouts kinds kubesim models (custom resources with a
/// controller of kubesim's own); other `argoproj.io` kinds are custom
/// resources like any other.
pub static ARGO_KINDS: [KindInfo; 2] = [
    KindInfo {
        api_version: "argoproj.io/v1alpha1",
        group: "argoproj.io",
        kind: "Rollout",
        handling: Handling::Model(Modelled::Rollout),
        read: argo_rollout,
    },
    KindInfo {
        api_version: "argoproj.io/v1alpha1",
        group: "argoproj.io",
        kind: "AnalysisTemplate",
        handling: Handling::Model(Modelled::AnalysisTemplate),
        read: argo_analysis_template,
    },
];

macro_rules! row {
    ($ty:ty, Pod) => {
        row!(@ $ty, Handling::Model(Modelled::Pod), pod)
    };
    ($ty:ty, Deployment) => {
        row!(@ $ty, Handling::Model(Modelled::Deployment), deployment)
    };
    ($ty:ty, Job) => {
        row!(@ $ty, Handling::Model(Modelled::Job), job)
    };
    ($ty:ty, CronJob) => {
        row!(@ $ty, Handling::Model(Modelled::CronJob), cron_job)
    };
    ($ty:ty, PriorityClass) => {
        row!(@ $ty, Handling::Model(Modelled::PriorityClass), priority_class)
    };
    ($ty:ty, Service) => {
        row!(@ $ty, Handling::Model(Modelled::Service), service)
    };
    ($ty:ty, $h:ident) => {
        row!(@ $ty, Handling::$h, skip::<$ty>)
    };
    (@ $ty:ty, $h:expr, $read:expr) => {
        KindInfo {
            api_version: <$ty as Resource>::API_VERSION,
            group: <$ty as Resource>::GROUP,
            kind: <$ty as Resource>::KIND,
            handling: $h,
            read: $read,
        }
    };
}

macro_rules! kinds {
    ($($ty:ty => $h:ident,)*) => {
        /// Every built-in kind of Kubernetes 1.35 that can appear in a
        /// manifest, and what kubesim does with it.
        pub static KINDS: &[KindInfo] = &[
            $(row!($ty, $h),)*
        ];
    };
}

use k8s_openapi::*;

kinds! {
    api::admissionregistration::v1::MutatingWebhookConfiguration => Skip,
    api::admissionregistration::v1::ValidatingAdmissionPolicy => Skip,
    api::admissionregistration::v1::ValidatingAdmissionPolicyBinding => Skip,
    api::admissionregistration::v1::ValidatingWebhookConfiguration => Skip,
    api::admissionregistration::v1alpha1::MutatingAdmissionPolicy => Skip,
    api::admissionregistration::v1alpha1::MutatingAdmissionPolicyBinding => Skip,
    api::admissionregistration::v1beta1::MutatingAdmissionPolicy => Skip,
    api::admissionregistration::v1beta1::MutatingAdmissionPolicyBinding => Skip,
    api::apiserverinternal::v1alpha1::StorageVersion => Skip,
    api::apps::v1::ControllerRevision => Skip,
    api::apps::v1::DaemonSet => NotYet,
    api::apps::v1::Deployment => Deployment,
    api::apps::v1::ReplicaSet => NotYet,
    api::apps::v1::StatefulSet => NotYet,
    api::authentication::v1::SelfSubjectReview => Skip,
    api::authentication::v1::TokenRequest => Skip,
    api::authentication::v1::TokenReview => Skip,
    api::authorization::v1::LocalSubjectAccessReview => Skip,
    api::authorization::v1::SelfSubjectAccessReview => Skip,
    api::authorization::v1::SelfSubjectRulesReview => Skip,
    api::authorization::v1::SubjectAccessReview => Skip,
    api::autoscaling::v1::HorizontalPodAutoscaler => Skip,
    api::autoscaling::v1::Scale => Skip,
    api::autoscaling::v2::HorizontalPodAutoscaler => Skip,
    api::batch::v1::CronJob => CronJob,
    api::batch::v1::Job => Job,
    api::certificates::v1::CertificateSigningRequest => Skip,
    api::certificates::v1alpha1::ClusterTrustBundle => Skip,
    api::certificates::v1beta1::ClusterTrustBundle => Skip,
    api::certificates::v1beta1::PodCertificateRequest => Skip,
    api::coordination::v1::Lease => Skip,
    api::coordination::v1alpha2::LeaseCandidate => Skip,
    api::coordination::v1beta1::LeaseCandidate => Skip,
    api::core::v1::Binding => Skip,
    api::core::v1::ComponentStatus => Skip,
    api::core::v1::ConfigMap => Skip,
    api::core::v1::Endpoints => Skip,
    api::core::v1::Event => Skip,
    api::core::v1::LimitRange => Skip,
    api::core::v1::Namespace => Skip,
    api::core::v1::Node => NotFromManifests,
    api::core::v1::PersistentVolume => Skip,
    api::core::v1::PersistentVolumeClaim => Skip,
    api::core::v1::Pod => Pod,
    api::core::v1::PodTemplate => Skip,
    api::core::v1::ReplicationController => NotYet,
    api::core::v1::ResourceQuota => Skip,
    api::core::v1::Secret => Skip,
    api::core::v1::Service => Service,
    api::core::v1::ServiceAccount => Skip,
    api::discovery::v1::EndpointSlice => Skip,
    api::events::v1::Event => Skip,
    api::flowcontrol::v1::FlowSchema => Skip,
    api::flowcontrol::v1::PriorityLevelConfiguration => Skip,
    api::networking::v1::Ingress => Skip,
    api::networking::v1::IngressClass => Skip,
    api::networking::v1::IPAddress => Skip,
    api::networking::v1::NetworkPolicy => Skip,
    api::networking::v1::ServiceCIDR => Skip,
    api::networking::v1beta1::IPAddress => Skip,
    api::networking::v1beta1::ServiceCIDR => Skip,
    api::node::v1::RuntimeClass => Skip,
    api::policy::v1::Eviction => Skip,
    api::policy::v1::PodDisruptionBudget => Skip,
    api::rbac::v1::ClusterRole => Skip,
    api::rbac::v1::ClusterRoleBinding => Skip,
    api::rbac::v1::Role => Skip,
    api::rbac::v1::RoleBinding => Skip,
    api::resource::v1::DeviceClass => Skip,
    api::resource::v1::ResourceClaim => Skip,
    api::resource::v1::ResourceClaimTemplate => Skip,
    api::resource::v1::ResourceSlice => Skip,
    api::resource::v1alpha3::DeviceTaintRule => Skip,
    api::resource::v1beta1::DeviceClass => Skip,
    api::resource::v1beta1::ResourceClaim => Skip,
    api::resource::v1beta1::ResourceClaimTemplate => Skip,
    api::resource::v1beta1::ResourceSlice => Skip,
    api::resource::v1beta2::DeviceClass => Skip,
    api::resource::v1beta2::ResourceClaim => Skip,
    api::resource::v1beta2::ResourceClaimTemplate => Skip,
    api::resource::v1beta2::ResourceSlice => Skip,
    api::scheduling::v1::PriorityClass => PriorityClass,
    api::scheduling::v1alpha1::Workload => Skip,
    api::storage::v1::CSIDriver => Skip,
    api::storage::v1::CSINode => Skip,
    api::storage::v1::CSIStorageCapacity => Skip,
    api::storage::v1::StorageClass => Skip,
    api::storage::v1::VolumeAttachment => Skip,
    api::storage::v1::VolumeAttributesClass => Skip,
    api::storage::v1beta1::VolumeAttributesClass => Skip,
    api::storagemigration::v1beta1::StorageVersionMigration => Skip,
    apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition => Skip,
    kube_aggregator::pkg::apis::apiregistration::v1::APIService => Skip,
}

fn index() -> &'static HashMap<(&'static str, &'static str), &'static KindInfo> {
    static INDEX: OnceLock<HashMap<(&'static str, &'static str), &'static KindInfo>> =
        OnceLock::new();
    INDEX.get_or_init(|| KINDS.iter().map(|k| ((k.api_version, k.kind), k)).collect())
}

/// What an (apiVersion, kind) pair is.
#[derive(Debug, Clone)]
pub enum Lookup {
    /// A built-in kind.
    Known(&'static KindInfo),
    /// `kind: List` (what `kubectl get -o yaml` prints) or a `…List` of a
    /// known kind: its `items` are objects.
    List,
    /// A kind of an API group that is not built in: a custom resource,
    /// skipped with a warning.
    Custom,
    /// An error (kubectl's wording) and a hint; `at_api_version` says
    /// whether the apiVersion (not the kind) is what is wrong.
    Unknown {
        /// The message.
        message: String,
        /// A hint.
        help: Option<String>,
        /// Whether to point at `apiVersion` rather than `kind`.
        at_api_version: bool,
    },
}

/// The API group of an apiVersion (`apps/v1` → `apps`, `v1` → `""`).
pub fn group_of(api_version: &str) -> &str {
    api_version.rsplit_once('/').map_or("", |(g, _)| g)
}

fn is_builtin_group(group: &str) -> bool {
    KINDS.iter().any(|k| k.group == group)
}

/// Resolves an object's apiVersion and kind.
pub fn lookup(api_version: &str, kind: &str) -> Lookup {
    if let Some(k) = index().get(&(api_version, kind)) {
        return Lookup::Known(k);
    }
    if let Some(k) = ARGO_KINDS
        .iter()
        .find(|k| k.api_version == api_version && k.kind == kind)
    {
        return Lookup::Known(k);
    }
    if kind == "List" && api_version == "v1" {
        return Lookup::List;
    }
    if let Some(item) = kind.strip_suffix("List") {
        if index().contains_key(&(api_version, item)) {
            return Lookup::List;
        }
    }
    let group = group_of(api_version);
    // Custom resource groups are DNS subdomains with at least one dot
    // (apiextensions validation); a dotless group that is not built in
    // is a typo, not a CRD.
    if !is_builtin_group(group) && group.contains('.') {
        return Lookup::Custom;
    }
    let no_match = format!("no matches for kind {kind:?} in version {api_version:?}");
    // The kind exists, in other versions.
    let served: Vec<&str> = KINDS
        .iter()
        .filter(|k| k.kind == kind)
        .map(|k| k.api_version)
        .collect();
    if !served.is_empty() {
        return Lookup::Unknown {
            message: no_match,
            help: Some(format!("{kind} is served as {}", served.join(", "))),
            at_api_version: true,
        };
    }
    if !is_builtin_group(group) {
        let groups: Vec<&str> = KINDS.iter().map(|k| k.api_version).collect();
        return Lookup::Unknown {
            message: no_match,
            help: did_you_mean(api_version, groups.iter().copied()),
            at_api_version: true,
        };
    }
    let in_group: Vec<&str> = KINDS
        .iter()
        .filter(|k| k.group == group)
        .map(|k| k.kind)
        .collect();
    let help = did_you_mean(kind, in_group.iter().copied())
        .or_else(|| did_you_mean(kind, KINDS.iter().map(|k| k.kind)));
    Lookup::Unknown {
        message: no_match,
        help,
        at_api_version: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_consistent() {
        let mut seen = std::collections::BTreeSet::new();
        for k in KINDS {
            assert!(seen.insert((k.api_version, k.kind)), "{} twice", k.kind);
            assert_eq!(group_of(k.api_version), k.group, "{}", k.kind);
        }
        let modelled: Vec<&str> = KINDS
            .iter()
            .filter(|k| matches!(k.handling, Handling::Model(_)))
            .map(|k| k.kind)
            .collect();
        assert_eq!(
            modelled,
            [
                "Deployment",
                "CronJob",
                "Job",
                "Pod",
                "Service",
                "PriorityClass"
            ]
        );
    }

    #[test]
    fn lookups() {
        assert!(
            matches!(lookup("apps/v1", "Deployment"), Lookup::Known(k) if k.handling == Handling::Model(Modelled::Deployment))
        );
        assert!(
            matches!(lookup("rbac.authorization.k8s.io/v1", "ClusterRole"), Lookup::Known(k) if k.handling == Handling::Skip)
        );
        assert!(
            matches!(lookup("apps/v1", "StatefulSet"), Lookup::Known(k) if k.handling == Handling::NotYet)
        );
        assert!(matches!(lookup("v1", "List"), Lookup::List));
        assert!(matches!(lookup("v1", "PodList"), Lookup::List));
        assert!(matches!(
            lookup("cert-manager.io/v1", "Certificate"),
            Lookup::Custom
        ));
        assert!(matches!(
            lookup("gateway.networking.k8s.io/v1", "Gateway"),
            Lookup::Custom
        ));
        match lookup("apps/v1", "Deploymnet") {
            Lookup::Unknown {
                message,
                help,
                at_api_version,
            } => {
                assert_eq!(
                    message,
                    "no matches for kind \"Deploymnet\" in version \"apps/v1\""
                );
                assert_eq!(help.as_deref(), Some("did you mean `Deployment`?"));
                assert!(!at_api_version);
            }
            other => panic!("{other:?}"),
        }
        match lookup("extensions/v1beta1", "Deployment") {
            Lookup::Unknown {
                help,
                at_api_version,
                ..
            } => {
                assert_eq!(help.as_deref(), Some("Deployment is served as apps/v1"));
                assert!(at_api_version);
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(lookup("app/v1", "Foo"), Lookup::Unknown { .. }));
    }
}
