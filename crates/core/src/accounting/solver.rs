//! The CPU contention solver: hierarchical weighted max-min fairness.
//!
//! CFS divides a busy CPU among sibling cgroups in proportion to their
//! weights (`cpu.shares` in v1, `cpu.weight` in v2); a cgroup whose
//! `cpu.cfs_quota_us` caps it, or that needs less than its share, keeps only
//! what it needs, and the rest goes to its siblings (CFS is work-conserving).
//! In the fluid limit this is water-filling, applied level by level down the
//! tree kubelet builds (`kubepods` → QoS groups → pods → containers).
//!
//! [`CpuTree`] holds one node's tree in flat vectors that are cleared and
//! refilled on each solve, so solving allocates nothing once warm. Build it
//! with [`CpuTree::add`], then call [`CpuTree::solve`]; read each leaf's
//! allocation with [`CpuTree::alloc`].
//!
//! Cost: O(n log n) in the number of cgroups (a sort per level).

/// Index of a cgroup in a [`CpuTree`].
pub type CgroupIdx = u32;

const NONE: u32 = u32::MAX;

/// One node's cgroup tree for CPU division.
#[derive(Debug, Default, Clone)]
pub struct CpuTree {
    weight: Vec<f64>,
    /// Quota cap in cores (`f64::INFINITY` = unlimited).
    limit: Vec<f64>,
    /// Demand in cores; meaningful for leaves only.
    demand: Vec<f64>,
    first_child: Vec<u32>,
    last_child: Vec<u32>,
    next_sibling: Vec<u32>,
    /// Bottom-up: what the subtree can use (min of quota and summed needs).
    need: Vec<f64>,
    /// Top-down: what the subtree gets.
    alloc: Vec<f64>,
    scratch: Vec<u32>,
    order: Vec<u32>,
}

impl CpuTree {
    /// Empties the tree, keeping its buffers.
    pub fn clear(&mut self) {
        self.weight.clear();
        self.limit.clear();
        self.demand.clear();
        self.first_child.clear();
        self.last_child.clear();
        self.next_sibling.clear();
        self.need.clear();
        self.alloc.clear();
    }

    /// Number of cgroups in the tree.
    pub fn len(&self) -> usize {
        self.weight.len()
    }
    /// Whether the tree has no cgroup.
    pub fn is_empty(&self) -> bool {
        self.weight.is_empty()
    }

    /// Adds a cgroup under `parent` (`None` for the root, which must come
    /// first) and returns its index. `limit_cores` is its quota cap,
    /// `demand_cores` what a leaf would use if unconstrained.
    pub fn add(
        &mut self,
        parent: Option<CgroupIdx>,
        weight: f64,
        limit_cores: f64,
        demand_cores: f64,
    ) -> CgroupIdx {
        let idx = self.weight.len() as u32;
        self.weight.push(weight.max(f64::MIN_POSITIVE));
        self.limit.push(limit_cores);
        self.demand.push(demand_cores.max(0.0));
        self.first_child.push(NONE);
        self.last_child.push(NONE);
        self.next_sibling.push(NONE);
        self.need.push(0.0);
        self.alloc.push(0.0);
        if let Some(p) = parent {
            let p = p as usize;
            if self.first_child[p] == NONE {
                self.first_child[p] = idx;
            } else {
                let last = self.last_child[p] as usize;
                self.next_sibling[last] = idx;
            }
            self.last_child[p] = idx;
        }
        idx
    }

    /// Divides `capacity_cores` from the root (index 0) down.
    pub fn solve(&mut self, capacity_cores: f64) {
        let n = self.weight.len();
        if n == 0 {
            return;
        }
        // Children always have larger indices than their parent, so a reverse
        // sweep computes needs bottom-up and a forward sweep allocates top-down.
        for i in (0..n).rev() {
            let own = if self.first_child[i] == NONE {
                self.demand[i]
            } else {
                let mut sum = 0.0;
                let mut c = self.first_child[i];
                while c != NONE {
                    sum += self.need[c as usize];
                    c = self.next_sibling[c as usize];
                }
                sum
            };
            self.need[i] = own.min(self.limit[i]);
        }
        self.alloc[0] = self.need[0].min(capacity_cores.max(0.0));
        for i in 0..n {
            if self.first_child[i] != NONE {
                self.water_fill(i);
            }
        }
    }

    /// Weighted max-min division of `alloc[parent]` among its children.
    fn water_fill(&mut self, parent: usize) {
        self.scratch.clear();
        let mut c = self.first_child[parent];
        while c != NONE {
            self.scratch.push(c);
            c = self.next_sibling[c as usize];
        }
        let (need, weight) = (&self.need, &self.weight);
        self.order.clear();
        self.order.extend_from_slice(&self.scratch);
        // Ascending need per unit weight; ties by index keep it deterministic.
        self.order.sort_unstable_by(|&a, &b| {
            let ra = need[a as usize] / weight[a as usize];
            let rb = need[b as usize] / weight[b as usize];
            ra.total_cmp(&rb).then(a.cmp(&b))
        });
        let mut remaining = self.alloc[parent];
        let mut wsum: f64 = self.order.iter().map(|&i| self.weight[i as usize]).sum();
        let mut k = 0;
        while k < self.order.len() {
            let i = self.order[k] as usize;
            let fair = remaining * self.weight[i] / wsum;
            if self.need[i] <= fair {
                self.alloc[i] = self.need[i];
                remaining -= self.need[i];
                wsum -= self.weight[i];
                k += 1;
            } else {
                break;
            }
        }
        // Everyone left wants more than a fair share: split by weight.
        let lambda = if wsum > 0.0 {
            remaining.max(0.0) / wsum
        } else {
            0.0
        };
        for &i in &self.order[k..] {
            let i = i as usize;
            self.alloc[i] = (self.weight[i] * lambda).min(self.need[i]);
        }
    }

    /// Cores allocated to cgroup `idx` by the last [`solve`](Self::solve).
    pub fn alloc(&self, idx: CgroupIdx) -> f64 {
        self.alloc[idx as usize]
    }
    /// What cgroup `idx` could use: its demand (or its children's) capped by quota.
    pub fn need(&self, idx: CgroupIdx) -> f64 {
        self.need[idx as usize]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    const INF: f64 = f64::INFINITY;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn equal_weights_split_evenly() {
        let mut t = CpuTree::default();
        let r = t.add(None, 1.0, INF, 0.0);
        let a = t.add(Some(r), 1.0, INF, 10.0);
        let b = t.add(Some(r), 1.0, INF, 10.0);
        t.solve(4.0);
        assert!(close(t.alloc(a), 2.0) && close(t.alloc(b), 2.0));
    }

    #[test]
    fn small_demand_is_met_and_rest_redistributed() {
        let mut t = CpuTree::default();
        let r = t.add(None, 1.0, INF, 0.0);
        let a = t.add(Some(r), 1.0, INF, 0.5);
        let b = t.add(Some(r), 1.0, INF, 10.0);
        t.solve(4.0);
        assert!(close(t.alloc(a), 0.5) && close(t.alloc(b), 3.5));
    }

    #[test]
    fn quota_caps_and_weights_divide() {
        let mut t = CpuTree::default();
        let r = t.add(None, 1.0, INF, 0.0);
        let a = t.add(Some(r), 3.0, 1.0, 10.0); // capped at 1 core
        let b = t.add(Some(r), 1.0, INF, 10.0);
        let c = t.add(Some(r), 2.0, INF, 10.0);
        t.solve(10.0);
        assert!(close(t.alloc(a), 1.0));
        assert!(close(t.alloc(b), 3.0));
        assert!(close(t.alloc(c), 6.0));
    }

    #[test]
    fn hierarchy_divides_group_share_among_members() {
        let mut t = CpuTree::default();
        let r = t.add(None, 1.0, INF, 0.0);
        let g = t.add(Some(r), 1.0, INF, 0.0);
        let x = t.add(Some(r), 1.0, INF, 8.0);
        let g1 = t.add(Some(g), 1.0, INF, 8.0);
        let g2 = t.add(Some(g), 3.0, INF, 8.0);
        t.solve(8.0);
        assert!(close(t.alloc(x), 4.0));
        assert!(close(t.alloc(g1), 1.0));
        assert!(close(t.alloc(g2), 3.0));
    }
}
