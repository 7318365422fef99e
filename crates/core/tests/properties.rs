//! Property tests for `kubesim-core`: the CPU solver's max-min invariants on
//! random cgroup trees, quantity and duration round trips, and the request
//! accounting of the node side (store, kubelet, books) under random binds,
//! completions and deletions, driven by the shared [`NodeHarness`].

use kubesim_core::harness::NodeHarness;
use kubesim_core::{
    parse_duration, Bytes, Container, ContainerState, CpuProfile, CpuTree, ImageBehavior,
    KubeletConfig, MilliCpu, Node, NodeId, ObjectMeta, Pod, PodSpec, Quantity, ResourceList,
    ResourceRequirements, RestartPolicy, SimTime, NANOS_PER_SEC,
};
use proptest::prelude::*;

/// `cases` cases, and no regression files written next to the sources.
fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

const INF: f64 = f64::INFINITY;
const EPS: f64 = 1e-9;

// ---------------------------------------------------------------------------
// 1. CpuTree invariants
// ---------------------------------------------------------------------------

/// `(weight, limit_cores, demand_cores)` of one cgroup.
type Cg = (f64, f64, f64);

/// A pod cgroup and its leaf containers.
type PodCg = (Cg, Vec<Cg>);
/// A QoS-group-like cgroup and its pods.
type GroupCg = (Cg, Vec<PodCg>);

/// root → groups → pods → leaf containers.
#[derive(Debug, Clone)]
struct TreeSpec {
    root: Cg,
    groups: Vec<GroupCg>,
    capacity: f64,
}

fn weight() -> impl Strategy<Value = f64> {
    (1u32..=10_000).prop_map(f64::from)
}

fn limit() -> impl Strategy<Value = f64> {
    prop_oneof![
        2 => Just(INF),
        1 => 0.05f64..24.0,
        // Integral core counts, so exact ties between limits and shares occur.
        1 => (1u32..=16).prop_map(f64::from),
    ]
}

fn demand() -> impl Strategy<Value = f64> {
    prop_oneof![
        1 => Just(0.0),
        4 => 0.0f64..16.0,
        1 => (1u32..=16).prop_map(f64::from),
    ]
}

fn cg() -> impl Strategy<Value = Cg> {
    (weight(), limit(), demand())
}

fn tree_spec(root_limited: bool) -> impl Strategy<Value = TreeSpec> {
    let leaves = prop::collection::vec(cg(), 1..=3);
    let pods = prop::collection::vec((cg(), leaves), 0..=6);
    let groups = prop::collection::vec((cg(), pods), 0..=4);
    let root_limit = if root_limited {
        limit().boxed()
    } else {
        Just(INF).boxed()
    };
    (
        (weight(), root_limit, demand()),
        groups,
        prop_oneof![0.5f64..64.0, (1u32..=64).prop_map(f64::from)],
    )
        .prop_map(|(root, groups, capacity)| TreeSpec {
            root,
            groups,
            capacity,
        })
}

/// A built and solved tree, with the structure kept for checking.
struct Built {
    tree: CpuTree,
    parent: Vec<Option<usize>>,
    children: Vec<Vec<usize>>,
    spec: Vec<Cg>,
}

fn build(s: &TreeSpec, tree: &mut CpuTree) -> Built {
    tree.clear();
    let mut parent = Vec::new();
    let mut spec = Vec::new();
    let mut add = |tree: &mut CpuTree, p: Option<usize>, c: Cg| -> usize {
        let idx = tree.add(p.map(|p| p as u32), c.0, c.1, c.2) as usize;
        assert_eq!(
            idx,
            parent.len(),
            "indices are dense and in insertion order"
        );
        parent.push(p);
        spec.push(c);
        idx
    };
    let root = add(tree, None, s.root);
    for (g, pods) in &s.groups {
        let gi = add(tree, Some(root), *g);
        for (p, leaves) in pods {
            let pi = add(tree, Some(gi), *p);
            for l in leaves {
                add(tree, Some(pi), *l);
            }
        }
    }
    let mut children = vec![Vec::new(); parent.len()];
    for (i, p) in parent.iter().enumerate() {
        if let Some(p) = p {
            children[*p].push(i);
        }
    }
    tree.solve(s.capacity);
    Built {
        tree: tree.clone(),
        parent,
        children,
        spec,
    }
}

fn rel_close(a: f64, b: f64, rel: f64) -> bool {
    (a - b).abs() <= rel * a.abs().max(b.abs()) + 1e-12
}

fn check_tree(s: &TreeSpec, b: &Built) -> Result<(), TestCaseError> {
    let t = &b.tree;
    let n = b.parent.len();
    prop_assert_eq!(t.len(), n);
    let alloc = |i: usize| t.alloc(i as u32);
    let need = |i: usize| t.need(i as u32);
    let is_leaf = |i: usize| b.children[i].is_empty();

    // need: leaf = min(demand, limit); internal = min(sum of children's needs, limit).
    for i in 0..n {
        let (_, lim, dem) = b.spec[i];
        let own = if is_leaf(i) {
            dem
        } else {
            b.children[i].iter().map(|&c| need(c)).sum()
        };
        prop_assert!(
            rel_close(need(i), own.min(lim), 1e-12),
            "need[{}] = {} but min(own {}, limit {}) = {}",
            i,
            need(i),
            own,
            lim,
            own.min(lim)
        );
    }

    // (a) the leaves together get no more than the node has.
    let leaf_sum: f64 = (0..n).filter(|&i| is_leaf(i)).map(alloc).sum();
    prop_assert!(
        leaf_sum <= s.capacity + EPS,
        "leaves got {} > capacity {}",
        leaf_sum,
        s.capacity
    );
    prop_assert!(alloc(0) <= s.capacity + EPS);
    // The root gets what it can use, up to the capacity.
    prop_assert!(rel_close(alloc(0), need(0).min(s.capacity), 1e-12));

    for i in 0..n {
        let (_, lim, dem) = b.spec[i];
        let a = alloc(i);
        // (b) never negative, never above own quota or own need.
        prop_assert!(a >= 0.0, "alloc[{}] = {} < 0", i, a);
        prop_assert!(a <= lim + EPS, "alloc[{}] = {} > limit {}", i, a, lim);
        prop_assert!(
            a <= need(i) + EPS,
            "alloc[{}] = {} > need {}",
            i,
            a,
            need(i)
        );
        if is_leaf(i) {
            prop_assert!(a <= dem + EPS, "leaf {} alloc {} > demand {}", i, a, dem);
        }
    }

    for i in (0..n).filter(|&i| !is_leaf(i)) {
        let kids = &b.children[i];
        let a = alloc(i);
        let kid_alloc: f64 = kids.iter().map(|&c| alloc(c)).sum();
        let kid_need: f64 = kids.iter().map(|&c| need(c)).sum();
        // (c) a parent's allocation is exactly divided among its children.
        prop_assert!(
            (kid_alloc - a).abs() <= EPS,
            "children of {} got {} but it has {}",
            i,
            kid_alloc,
            a
        );
        // (d) work conservation at every level: if the children want more
        // than the parent has, all of it is used; if not, each child gets
        // its whole need.
        if kid_need > a + EPS {
            prop_assert!((kid_alloc - a).abs() <= EPS);
        } else {
            for &c in kids {
                prop_assert!(
                    (alloc(c) - need(c)).abs() <= EPS,
                    "parent {} has enough ({} >= {}) but child {} got {} of {}",
                    i,
                    a,
                    kid_need,
                    c,
                    alloc(c),
                    need(c)
                );
            }
        }
        // (e) weighted max-min: unsatisfied siblings get equal alloc/weight,
        // and no sibling gets more per weight than an unsatisfied one.
        let unsat: Vec<usize> = kids
            .iter()
            .copied()
            .filter(|&c| alloc(c) < need(c) - EPS)
            .collect();
        for w in unsat.windows(2) {
            let (x, y) = (w[0], w[1]);
            let rx = alloc(x) / b.spec[x].0;
            let ry = alloc(y) / b.spec[y].0;
            prop_assert!(
                rel_close(rx, ry, 1e-6),
                "unsatisfied siblings {} and {} under {}: alloc/weight {} vs {}",
                x,
                y,
                i,
                rx,
                ry
            );
        }
        if let Some(&u) = unsat.first() {
            let level = alloc(u) / b.spec[u].0;
            for &c in kids {
                let r = alloc(c) / b.spec[c].0;
                prop_assert!(
                    r <= level * (1.0 + 1e-6) + 1e-12,
                    "sibling {} gets {} per weight, more than unsatisfied {} ({})",
                    c,
                    r,
                    u,
                    level
                );
            }
        }
    }

    // (d) at the top: spare capacity means the root got all it can use, and
    // so did every cgroup with no quota above it (the quotas of limited
    // ancestors are checked level by level above).
    if alloc(0) < s.capacity - EPS {
        for i in 0..n {
            let mut a = b.parent[i];
            let mut free = true;
            while let Some(p) = a {
                free &= b.spec[p].1 == INF;
                a = b.parent[p];
            }
            if free {
                prop_assert!(
                    (alloc(i) - need(i)).abs() <= EPS,
                    "capacity left ({} < {}) but cgroup {} got {} of need {}",
                    alloc(0),
                    s.capacity,
                    i,
                    alloc(i),
                    need(i)
                );
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn cpu_tree_invariants(s in tree_spec(false)) {
        let mut tree = CpuTree::default();
        let b = build(&s, &mut tree);
        check_tree(&s, &b)?;
    }

    #[test]
    fn cpu_tree_invariants_with_root_quota(s in tree_spec(true)) {
        let mut tree = CpuTree::default();
        let b = build(&s, &mut tree);
        check_tree(&s, &b)?;
    }

    /// Reusing one tree (clear + rebuild) gives bit-identical results, and
    /// solving twice is idempotent.
    #[test]
    fn cpu_tree_reuse_is_clean(a in tree_spec(false), s in tree_spec(false)) {
        let mut fresh = CpuTree::default();
        let want = build(&s, &mut fresh).tree;
        let mut reused = CpuTree::default();
        build(&a, &mut reused);
        let got = build(&s, &mut reused).tree;
        prop_assert_eq!(want.len(), got.len());
        for i in 0..want.len() as u32 {
            prop_assert_eq!(want.alloc(i).to_bits(), got.alloc(i).to_bits());
            prop_assert_eq!(want.need(i).to_bits(), got.need(i).to_bits());
        }
        let mut again = got.clone();
        again.solve(s.capacity);
        for i in 0..want.len() as u32 {
            prop_assert_eq!(again.alloc(i).to_bits(), got.alloc(i).to_bits());
        }
    }

    /// More capacity never gives the root less, and never takes CPU from a
    /// direct child of the root.
    #[test]
    fn cpu_tree_monotone_in_capacity(s in tree_spec(false), extra in 0.0f64..32.0) {
        let mut t1 = CpuTree::default();
        let b1 = build(&s, &mut t1);
        let bigger = TreeSpec { capacity: s.capacity + extra, ..s.clone() };
        let mut t2 = CpuTree::default();
        let b2 = build(&bigger, &mut t2);
        prop_assert!(b2.tree.alloc(0) + EPS >= b1.tree.alloc(0));
        for &c in &b1.children[0] {
            prop_assert!(
                b2.tree.alloc(c as u32) + EPS >= b1.tree.alloc(c as u32),
                "child {} went from {} to {} with more capacity",
                c,
                b1.tree.alloc(c as u32),
                b2.tree.alloc(c as u32)
            );
        }
    }
}

// ---------------------------------------------------------------------------
// 2. Quantity round trip
// ---------------------------------------------------------------------------

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn quantity_millicores_round_trip(m in 0i64..1_000_000_000) {
        let text = format!("{m}m");
        let q = Quantity::parse(&text).unwrap();
        prop_assert_eq!(q.milli_value(), m);
        let shown = q.to_string();
        let back = Quantity::parse(&shown).unwrap();
        prop_assert_eq!(&back, &q, "{} -> {} -> {:?}", text, shown, back);
        prop_assert_eq!(back.milli_value(), m);
        // Display is a fixed point: printing the re-parsed value gives the same text.
        prop_assert_eq!(back.to_string(), shown);
    }

    /// Whole cores written as millicores and as cores are the same quantity.
    #[test]
    fn quantity_cores_equal_millicores(c in 0i64..1_000_000) {
        let a = Quantity::parse(&format!("{c}")).unwrap();
        let b = Quantity::parse(&format!("{}m", c * 1000)).unwrap();
        prop_assert_eq!(&a, &b);
        prop_assert_eq!(a.milli_value(), c * 1000);
        prop_assert_eq!(a.value(), c);
    }
}

// ---------------------------------------------------------------------------
// 3. parse_duration round trip
// ---------------------------------------------------------------------------

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn parse_duration_components(
        h in prop::option::of(0u64..200),
        m in prop::option::of(0u64..120),
        s in prop::option::of(0u64..120),
        ms in prop::option::of(0u64..5000),
    ) {
        prop_assume!(h.is_some() || m.is_some() || s.is_some() || ms.is_some());
        let mut text = String::new();
        let mut want = 0u64;
        for (v, unit, ns) in [
            (h, "h", 3600 * NANOS_PER_SEC),
            (m, "m", 60 * NANOS_PER_SEC),
            (s, "s", NANOS_PER_SEC),
            (ms, "ms", 1_000_000),
        ] {
            if let Some(v) = v {
                text.push_str(&format!("{v}{unit}"));
                want += v * ns;
            }
        }
        let got = parse_duration(&text).unwrap();
        prop_assert_eq!(got, SimTime(want), "{}", text);
        // Go-style Display parses back to the same duration.
        let shown = got.to_string();
        prop_assert_eq!(parse_duration(&shown).unwrap(), got, "{} -> {}", text, shown);
    }

    /// Any nanosecond count survives Display → parse_duration.
    #[test]
    fn simtime_display_round_trip(ns in 0u64..(400 * 3600 * NANOS_PER_SEC)) {
        let t = SimTime(ns);
        let shown = t.to_string();
        prop_assert_eq!(parse_duration(&shown).unwrap(), t, "{}", shown);
    }

    /// Decimal seconds with millisecond precision.
    #[test]
    fn parse_duration_decimal_seconds(whole in 0u64..100_000, milli in 0u64..1000) {
        let text = format!("{whole}.{milli:03}s");
        prop_assert_eq!(
            parse_duration(&text).unwrap(),
            SimTime(whole * NANOS_PER_SEC + milli * 1_000_000),
            "{}",
            text
        );
    }
}

// ---------------------------------------------------------------------------
// 4. Cluster request accounting
// ---------------------------------------------------------------------------

#[derive(Debug, Clone)]
struct PodGen {
    /// (cpu request m, memory request bytes, cpu limit m) per app container.
    apps: Vec<(Option<i64>, Option<i64>, Option<i64>)>,
    /// (cpu request m, memory request bytes, is sidecar) per init container.
    inits: Vec<(Option<i64>, Option<i64>, bool)>,
    /// Finite work (CPU-seconds) of the app image, if any.
    finite: bool,
    node: usize,
}

fn pod_gen(nodes: usize) -> impl Strategy<Value = PodGen> {
    let req = prop::option::of(0i64..4000);
    let mem = prop::option::of(0i64..(8 << 30));
    let apps = prop::collection::vec(
        (req.clone(), mem.clone(), prop::option::of(1i64..8000)),
        1..=3,
    );
    let inits = prop::collection::vec((req, mem, any::<bool>()), 0..=2);
    (apps, inits, any::<bool>(), 0..nodes).prop_map(|(apps, inits, finite, node)| PodGen {
        apps,
        inits,
        finite,
        node,
    })
}

fn gen_pod(i: usize, g: &PodGen) -> Pod {
    let containers = g
        .apps
        .iter()
        .enumerate()
        .map(|(k, &(cpu, mem, lim))| Container {
            name: format!("app{k}"),
            image: if g.finite { "batch" } else { "web" }.into(),
            resources: ResourceRequirements {
                cpu_request_m: cpu.map(MilliCpu),
                memory_request_bytes: mem.map(Bytes),
                cpu_limit_m: lim.map(MilliCpu),
                ..Default::default()
            },
            restart_policy: None,
            ..Default::default()
        })
        .collect();
    let init_containers = g
        .inits
        .iter()
        .enumerate()
        .map(|(k, &(cpu, mem, sidecar))| Container {
            name: format!("init{k}"),
            image: "init".into(),
            resources: ResourceRequirements {
                cpu_request_m: cpu.map(MilliCpu),
                memory_request_bytes: mem.map(Bytes),
                ..Default::default()
            },
            restart_policy: sidecar.then_some(RestartPolicy::Always),
            ..Default::default()
        })
        .collect();
    Pod {
        metadata: ObjectMeta::named(format!("pod-{i}")),
        spec: PodSpec {
            containers,
            init_containers,
            restart_policy: RestartPolicy::Never,
            ..Default::default()
        },
        ..Default::default()
    }
}

/// Node requests agree with the bound pods (the harness's state checker
/// runs the same check after every step; this states it in the test).
fn check_accounting(h: &NodeHarness) -> Result<(), TestCaseError> {
    let books = h.kubelet.accounting();
    for (nid, node) in h.store.nodes() {
        let n = books.node(nid);
        let mut want = ResourceList::default();
        let mut nonzero = (0i64, 0i64);
        let mut pods = Vec::new();
        for (pid, p) in h.store.pods() {
            if p.node() == Some(nid) && p.is_active_on_node() {
                want.add(p.requests());
                want.pods += 1;
                nonzero.0 += p.nonzero_requests().0;
                nonzero.1 += p.nonzero_requests().1;
                pods.push(pid);
            }
        }
        prop_assert_eq!(n.requested(), &want, "node {}", node.name());
        prop_assert_eq!(n.nonzero_requested(), nonzero, "node {}", node.name());
        let mut listed = n.pods().to_vec();
        listed.sort();
        prop_assert_eq!(listed, pods, "node {} pod list", node.name());
    }
    Ok(())
}

proptest! {
    #![proptest_config(config(128))]

    #[test]
    fn node_requested_matches_active_pods(
        n_nodes in 1usize..=4,
        pods in prop::collection::vec(pod_gen(4), 1..=24),
        deletes in prop::collection::vec(any::<prop::sample::Index>(), 0..=12),
        run_for in 0u64..300,
    ) {
        let images = [
            (
                "batch".to_string(),
                ImageBehavior {
                    startup: SimTime::from_secs(2),
                    cpu: CpuProfile::constant(1.0),
                    cpu_seconds: Some(30.0),
                    ..Default::default()
                },
            ),
            (
                "web".to_string(),
                ImageBehavior {
                    startup: SimTime::from_secs(5),
                    cpu: CpuProfile::constant(0.5),
                    ..Default::default()
                },
            ),
            (
                "init".to_string(),
                ImageBehavior {
                    startup: SimTime::from_secs(1),
                    ..Default::default()
                },
            ),
        ];
        let images: Vec<(&str, ImageBehavior)> =
            images.iter().map(|(n, b)| (n.as_str(), b.clone())).collect();
        let mut h = NodeHarness::new(KubeletConfig::default(), images);
        for i in 0..n_nodes {
            let cap = ResourceList { milli_cpu: 4000, memory: 16 << 30, pods: 110, scalar: vec![] };
            h.add_node(Node::new(ObjectMeta::named(format!("node-{i}")), cap, ResourceList::default()));
        }
        let mut ids = Vec::new();
        for (i, g) in pods.iter().enumerate() {
            let pid = h.add_pod(gen_pod(i, g));
            ids.push(pid);
            // Leave every fifth pod unbound.
            if i % 5 != 4 {
                h.bind(pid, NodeId((g.node % n_nodes) as u32));
            }
            check_accounting(&h)?;
        }
        h.run_until(SimTime::from_secs(run_for));
        check_accounting(&h)?;
        for d in &deletes {
            let pid = ids[d.index(ids.len())];
            h.delete(pid);
            // Deleting twice is a no-op.
            h.delete(pid);
            check_accounting(&h)?;
            prop_assert!(h.pod(pid).times().finished.is_some());
        }
        h.run_until(SimTime::from_secs(run_for + 600));
        check_accounting(&h)?;
        // A finished pod holds no running containers.
        for &pid in &ids {
            let p = h.pod(pid);
            if p.times().finished.is_some() {
                prop_assert!(p
                    .pod()
                    .status
                    .container_statuses
                    .iter()
                    .all(|k| k.state != ContainerState::Running));
            }
        }
        let books = h.kubelet.accounting();
        for (nid, _) in h.store.nodes() {
            let n = books.node(nid);
            let cores: f64 = n
                .pods()
                .iter()
                .flat_map(|p| h.pod(*p).container_ids())
                .map(|k| books.container(k).used_cores)
                .sum();
            prop_assert!((cores - n.used_cores()).abs() < 1e-9);
            prop_assert!(n.used_cores() <= 4.0 + 1e-9);
        }
    }
}
