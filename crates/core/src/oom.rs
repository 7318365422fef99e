//! The kernel OOM killer's choice of victim (mm/oom_kill.c).
//!
//! `oom_badness`: points = resident pages (+ swap and page tables, which
//! kubesim does not model) + `oom_score_adj × (totalpages / 1000)`, in
//! integer arithmetic, where `totalpages` is the limit of the memory
//! cgroup that ran out (or the node's RAM for a global OOM) in 4 KiB
//! pages. A task with `oom_score_adj = -1000` (`OOM_SCORE_ADJ_MIN`) is
//! never chosen. `oom_evaluate_task` keeps the candidate with the most
//! points and replaces it whenever a later one has *as many or more*
//! (`if (points < oc->chosen_points) goto next;`): on a tie the task
//! evaluated later wins.
//!
//! kubesim evaluates candidates in a fixed order — pods in the order they
//! were bound to the node, containers in spec order (init containers
//! first) — which stands in for the kernel's walk of the cgroup tree.

/// Page size the kernel counts in.
pub const PAGE_SIZE_BYTES: i64 = 4096;
/// `OOM_SCORE_ADJ_MIN`: never killed.
pub const OOM_SCORE_ADJ_MIN: i64 = -1000;

/// `oom_badness` for a task with `rss_bytes` resident and `oom_score_adj`
/// `adj`, in a context of `total_pages`. `None` for an unkillable task.
pub fn oom_badness(rss_bytes: i64, adj: i64, total_pages: i64) -> Option<i64> {
    if adj == OOM_SCORE_ADJ_MIN {
        return None;
    }
    let points = rss_bytes.max(0) / PAGE_SIZE_BYTES;
    // `adj *= totalpages / 1000` with unsigned division of totalpages.
    let scaled = adj.saturating_mul(total_pages.max(0) / 1000);
    Some(points.saturating_add(scaled))
}

/// `totalpages` of a context limited to `limit_bytes`.
pub fn total_pages(limit_bytes: i64) -> i64 {
    (limit_bytes.max(0) / PAGE_SIZE_BYTES).max(1)
}

/// The index of the victim among `points` (in evaluation order), as
/// `select_bad_process` picks it: the most points, the later one on a
/// tie; `None` when every candidate is unkillable.
pub fn select_victim(points: &[Option<i64>]) -> Option<usize> {
    let mut chosen: Option<(usize, i64)> = None;
    for (i, p) in points.iter().enumerate() {
        let Some(p) = *p else { continue };
        if chosen.is_some_and(|(_, c)| p < c) {
            continue;
        }
        chosen = Some((i, p));
    }
    chosen.map(|(i, _)| i)
}

#[cfg(test)]
mod tests {
    use super::*;

    const GI: i64 = 1 << 30;
    const MI: i64 = 1 << 20;

    #[test]
    fn badness_formula() {
        // 8 GiB of RAM: 2,097,152 pages; /1000 = 2097.
        let total = total_pages(8 * GI);
        assert_eq!(total, 2_097_152);
        // A BestEffort process (adj 1000) with 100 MiB: 25600 + 2097000.
        assert_eq!(oom_badness(100 * MI, 1000, total), Some(25_600 + 2_097_000));
        // A Guaranteed one (-997) with 4 GiB: 1048576 − 997·2097.
        assert_eq!(
            oom_badness(4 * GI, -997, total),
            Some(1_048_576 - 997 * 2097)
        );
        assert_eq!(oom_badness(GI, OOM_SCORE_ADJ_MIN, total), None);
    }

    #[test]
    fn victim_is_the_highest_and_the_later_on_a_tie() {
        assert_eq!(select_victim(&[Some(5), Some(9), Some(3)]), Some(1));
        assert_eq!(select_victim(&[Some(9), Some(9)]), Some(1));
        assert_eq!(select_victim(&[None, Some(-5), None]), Some(1));
        assert_eq!(select_victim(&[None, None]), None);
        assert_eq!(select_victim(&[]), None);
    }

    /// The classroom case: a BestEffort pod using little memory is still
    /// chosen over a leaking Burstable one (which requested half the node,
    /// so its `oom_score_adj` is 500), because 1000 adds a whole node's
    /// worth of pages.
    #[test]
    fn besteffort_goes_first_even_when_small() {
        let total = total_pages(8 * GI);
        let guaranteed = oom_badness(2 * GI, -997, total);
        let burstable_leaking = oom_badness(3 * GI, 500, total);
        let besteffort_small = oom_badness(50 * MI, 1000, total);
        assert_eq!(
            select_victim(&[guaranteed, burstable_leaking, besteffort_small]),
            Some(2)
        );
    }
}
