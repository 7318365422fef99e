//! Typed ids of the objects in the [`Store`](super::Store).
//!
//! Each id is a dense index into the store's table of that kind, assigned
//! at creation and never reused within a run (a deleted object keeps its
//! row). Ids are `u32`: the store refuses to create an object once a kind
//! would overflow, long before memory runs out (see `RunLimits`).

use std::fmt;

macro_rules! id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(pub u32);

        impl $name {
            /// The index into the store's table.
            pub fn index(self) -> usize {
                self.0 as usize
            }
        }
    };
}

id!(
    /// A node.
    NodeId
);
id!(
    /// A pod.
    PodId
);
id!(
    /// A container of a pod: init containers first, then app containers,
    /// numbered across all pods of the run.
    ContainerId
);
id!(
    /// A Deployment.
    DeploymentId
);
id!(
    /// A ReplicaSet.
    ReplicaSetId
);
id!(
    /// A Job.
    JobId
);
id!(
    /// A CronJob.
    CronJobId
);
id!(
    /// A Service.
    ServiceId
);
id!(
    /// An Argo Rollout.
    RolloutId
);

/// A typed reference to a stored object: what an owner reference points
/// at, and where a notice about an owned pod is routed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ObjectRef {
    /// A node.
    Node(NodeId),
    /// A pod.
    Pod(PodId),
    /// A Deployment.
    Deployment(DeploymentId),
    /// A ReplicaSet.
    ReplicaSet(ReplicaSetId),
    /// A Job.
    Job(JobId),
    /// A CronJob.
    CronJob(CronJobId),
    /// An Argo Rollout.
    Rollout(RolloutId),
}

impl ObjectRef {
    /// The object's `kind`, as the API names it.
    pub fn kind(self) -> &'static str {
        match self {
            ObjectRef::Node(_) => "Node",
            ObjectRef::Pod(_) => "Pod",
            ObjectRef::Deployment(_) => "Deployment",
            ObjectRef::ReplicaSet(_) => "ReplicaSet",
            ObjectRef::Job(_) => "Job",
            ObjectRef::CronJob(_) => "CronJob",
            ObjectRef::Rollout(_) => "Rollout",
        }
    }
}

impl fmt::Display for ObjectRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (kind, i) = match *self {
            ObjectRef::Node(id) => ("Node", id.0),
            ObjectRef::Pod(id) => ("Pod", id.0),
            ObjectRef::Deployment(id) => ("Deployment", id.0),
            ObjectRef::ReplicaSet(id) => ("ReplicaSet", id.0),
            ObjectRef::Job(id) => ("Job", id.0),
            ObjectRef::CronJob(id) => ("CronJob", id.0),
            ObjectRef::Rollout(id) => ("Rollout", id.0),
        };
        write!(f, "{kind}#{i}")
    }
}
