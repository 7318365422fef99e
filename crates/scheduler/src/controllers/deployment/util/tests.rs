//! Upstream table tests of deployment_util.go, ported as data.

use super::*;
use kubesim_core::{LabelSelector, ObjectMeta};

fn pct(p: i32) -> IntOrPercent {
    IntOrPercent::Percent(p)
}

fn rolling(replicas: i32, surge: IntOrPercent, unavailable: IntOrPercent) -> Deployment {
    let mut d = Deployment::new(
        ObjectMeta::named("foo"),
        replicas,
        LabelSelector::default(),
        PodTemplate::default(),
    );
    d.strategy = DeploymentStrategy::RollingUpdate {
        max_surge: surge,
        max_unavailable: unavailable,
    };
    d
}

// deployment_util_test.go `TestResolveFenceposts` (the cases with
// unparsable strings are refused by validation in kubesim): (maxSurge,
// maxUnavailable, desired, surge, unavailable); `None` is nil.
#[test]
fn resolve_fenceposts_table() {
    let table = [
        (Some(pct(0)), Some(pct(0)), 0, 0, 1),
        (Some(pct(39)), Some(pct(39)), 10, 4, 3),
        (None, Some(pct(39)), 10, 0, 3),
        (Some(pct(39)), None, 10, 4, 0),
        (None, None, 10, 0, 1),
    ];
    for (i, (s, u, desired, ws, wu)) in table.into_iter().enumerate() {
        assert_eq!(resolve_fenceposts(s, u, desired), (ws, wu), "case {i}");
    }
}

// deployment_util_test.go `TestNewRSNewReplicas`: (name, recreate,
// deployment replicas, new RS replicas, maxSurge, expected); one other
// ReplicaSet of 5 replicas; maxUnavailable 1.
#[test]
fn new_rs_new_replicas_table() {
    let table = [
        ("can not scale up - to newRSReplicas", false, 1, 5, 1, 5),
        ("scale up - to depReplicas", false, 6, 2, 10, 6),
        ("recreate - to depReplicas", true, 3, 1, 1, 3),
    ];
    for (name, recreate, dep, new, surge, want) in table {
        let mut d = rolling(dep, IntOrPercent::Int(surge), IntOrPercent::Int(1));
        if recreate {
            d.strategy = DeploymentStrategy::Recreate;
        }
        // Upstream passes only rs5 as allRSs; the new ReplicaSet is
        // separate.
        let views = vec![RsView::new(0, 0, 5), RsView::new(1, 1, new)];
        assert_eq!(new_rs_new_replicas(&d, &views, &[0], 1), want, "{name}");
    }
}

// deployment_util_test.go `TestMaxUnavailable`: (name, replicas,
// maxUnavailable or None for a Recreate Deployment, expected); maxSurge 1.
#[test]
fn max_unavailable_table() {
    let int = IntOrPercent::Int;
    let table = [
        ("maxUnavailable less than replicas", 10, Some(int(5)), 5),
        ("maxUnavailable equal replicas", 10, Some(int(10)), 10),
        ("maxUnavailable greater than replicas", 5, Some(int(10)), 5),
        ("maxUnavailable with replicas is 0", 0, Some(int(10)), 0),
        (
            "maxUnavailable with Recreate deployment strategy",
            0,
            None,
            0,
        ),
        (
            "maxUnavailable less than replicas with percents",
            10,
            Some(pct(50)),
            5,
        ),
        (
            "maxUnavailable equal replicas with percents",
            10,
            Some(pct(100)),
            10,
        ),
        (
            "maxUnavailable greater than replicas with percents",
            5,
            Some(pct(100)),
            5,
        ),
    ];
    for (name, replicas, ua, want) in table {
        let mut d = rolling(replicas, int(1), ua.unwrap_or(int(0)));
        if ua.is_none() {
            d.strategy = DeploymentStrategy::Recreate;
        }
        assert_eq!(max_unavailable(&d), want, "{name}");
    }
}

// intstr_test.go `TestGetIntFromIntOrPercent`-style rounding: surge up,
// unavailable down.
#[test]
fn percentages_round_as_upstream() {
    assert_eq!(get_scaled_value(pct(25), 10, true), 3);
    assert_eq!(get_scaled_value(pct(25), 10, false), 2);
    assert_eq!(get_scaled_value(pct(100), 7, false), 7);
    assert_eq!(get_scaled_value(IntOrPercent::Int(4), 10, true), 4);
    let d = rolling(10, pct(25), pct(25));
    assert_eq!((max_surge(&d), max_unavailable(&d)), (3, 2));
}

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
    assert_ne!(compute_hash(&a), compute_hash_with_collisions(&a, 1));
}

// deployment_util_test.go `TestEqualIgnoreHash`: the pod-template-hash
// label alone does not make templates differ.
#[test]
fn equal_ignore_hash_ignores_only_the_hash_label() {
    let mut a = PodTemplate::default();
    a.labels.insert("app".into(), "web".into());
    let mut b = a.clone();
    b.labels
        .insert(POD_TEMPLATE_HASH_LABEL.into(), "abc".into());
    assert!(equal_ignore_hash(&a, &b));
    b.labels.insert("tier".into(), "x".into());
    assert!(!equal_ignore_hash(&a, &b));
}

// deployment_util_test.go `TestGetReplicaSetFraction`-style: a
// ReplicaSet of 3 of a max of 6 (5 + 1 surge) grows to 6 of 11.
#[test]
fn proportions_follow_the_max_replicas_annotation() {
    let d = rolling(10, IntOrPercent::Int(1), IntOrPercent::Int(0));
    let mut rs = RsView::new(0, 0, 3);
    rs.max_annotation = Some(6);
    assert_eq!(get_replica_set_fraction(&rs, &d), 3);
    assert_eq!(get_proportion(&rs, &d, 5, 0), 3);
    assert_eq!(get_proportion(&rs, &d, 5, 4), 1);
    let zero = rolling(0, IntOrPercent::Int(1), IntOrPercent::Int(0));
    assert_eq!(get_replica_set_fraction(&rs, &zero), -3);
}

/// A view named `name`, created at `created_ms`, with `replicas`.
fn named(id: u32, name: &str, created_ms: u64, replicas: i32) -> RsView {
    let mut v = RsView::new(id, 0, replicas);
    v.name = name.into();
    v.created = SimTime::from_millis(created_ms);
    v
}

// controller_utils.go `ReplicaSetsByCreationTimestamp` and
// deployment_util.go `ReplicaSetsBySizeOlder` / `ReplicaSetsBySizeNewer`
// compare `metav1.Time`s, which the API keeps at whole seconds: two
// ReplicaSets created within one second tie and go by name. (`b` is
// created 300 ms after `a` but sorts first by name.)
#[test]
fn replica_sets_created_in_one_second_sort_by_name() {
    let a = named(0, "web-b", 1_100, 1);
    let b = named(1, "web-a", 1_400, 1);
    let c = named(2, "web-0", 2_000, 1);
    assert_eq!(by_creation(&a, &b), Ordering::Greater);
    assert_eq!(by_creation(&b, &a), Ordering::Less);
    assert_eq!(
        by_creation(&a, &c),
        Ordering::Less,
        "a whole second earlier"
    );
    // Same size: older first (BySizeOlder), newer first (BySizeNewer).
    assert_eq!(by_size_older(&b, &a), Ordering::Less);
    assert_eq!(by_size_newer(&a, &b), Ordering::Less);
    // `FindActiveOrLatest` with no active ReplicaSet and no new one: the
    // newest old one — `web-b` by name, not `web-a` by nanoseconds.
    let views = vec![named(0, "web-b", 1_100, 0), named(1, "web-a", 1_400, 0)];
    assert_eq!(find_active_or_latest(&views, None, &[0, 1]), Some(0));
}

#[test]
fn whole_seconds_truncates() {
    assert_eq!(
        whole_seconds(SimTime::from_millis(1_999)),
        SimTime::from_secs(1)
    );
    assert_eq!(whole_seconds(SimTime::from_secs(7)), SimTime::from_secs(7));
    assert_eq!(whole_seconds(SimTime(999_999_999)), SimTime::ZERO);
}

// pkg/api/v1/pod/util.go `IsPodAvailable` (1.35: `LastTransitionTime +
// minReadySeconds <= now`): the Ready transition time is a `metav1.Time`,
// read at whole seconds — a pod Ready at 10.7 s with minReadySeconds 5 is
// available from 15 s, not 15.7 s.
#[test]
fn pod_available_from_whole_second_ready_time() {
    use kubesim_core::{Container, Node, Pod, PodSpec, ResourceList, Store};
    let mut store = Store::new(100);
    let node = Node::new(
        ObjectMeta::named("n1"),
        ResourceList {
            milli_cpu: 4_000,
            memory: 8 << 30,
            pods: 110,
            scalar: Vec::new(),
        },
        ResourceList::default(),
    );
    let n = store.add_node(node, SimTime::ZERO).unwrap();
    let pod = Pod {
        metadata: ObjectMeta::named("web-1"),
        spec: PodSpec {
            containers: vec![Container {
                name: "app".into(),
                image: "app".into(),
                ..Default::default()
            }],
            ..Default::default()
        },
        status: Default::default(),
    };
    let pid = store.create_pod(pod, SimTime::ZERO).unwrap();
    store.bind(pid, n, SimTime::ZERO);
    store.set_container_running(pid, 0, SimTime::from_secs(1));
    store.set_pod_ready(pid, true, SimTime::from_millis(10_700));
    let p = store.pod(pid);
    assert_eq!(available_at(p, 5), Some(SimTime::from_secs(15)));
    assert!(!is_pod_available(p, 5, SimTime::from_millis(14_999)));
    assert!(is_pod_available(p, 5, SimTime::from_secs(15)));
    assert!(is_pod_available(p, 0, SimTime::from_millis(10_700)));
}
