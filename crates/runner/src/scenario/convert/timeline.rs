//! `timeline`: actions at points in simulated time. A target is
//! `deployment/NAME` (unique across namespaces) or
//! `deployment/NAMESPACE/NAME`.

use super::Ctx;
use crate::scenario::error::did_you_mean;
use crate::scenario::raw;
use crate::scenario::yaml::At;
use kubesim_core::{ModelLimits, SimTime};
use kubesim_scheduler::{Action, TimelineEntry};

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

/// `timeline` → entries. `deployments` are the scenario's Deployments as
/// (namespace, name).
pub fn timeline(
    ctx: &mut Ctx<'_, '_>,
    entries: &[raw::TimelineSection],
    deployments: &[(String, String)],
    duration: SimTime,
) -> (Vec<TimelineEntry>, Vec<Scale>) {
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
        return (Vec::new(), Vec::new());
    }
    let mut out = Vec::new();
    let mut scales = Vec::new();
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
        if e.action != "scale" {
            let hint = did_you_mean(&e.action, ["scale"]);
            ctx.err_help(
                &at.key("action"),
                format!(
                    "Unsupported value: {:?}: supported values: \"scale\"",
                    e.action
                ),
                hint,
            );
            continue;
        }
        let target_at = at.key("target");
        let Some(rest) = e.target.strip_prefix("deployment/") else {
            ctx.err(
                &target_at,
                format!("Invalid value: {:?}: scale needs a target of the form deployment/NAME or deployment/NAMESPACE/NAME", e.target),
            );
            continue;
        };
        let (ns, name) = match rest.split_once('/') {
            Some((ns, name)) => (Some(ns), name),
            None => (None, rest),
        };
        let matches: Vec<usize> = deployments
            .iter()
            .enumerate()
            .filter(|(_, (dns, dname))| dname == name && ns.is_none_or(|n| n == dns))
            .map(|(i, _)| i)
            .collect();
        let index = match matches.as_slice() {
            [one] => *one,
            [] => {
                let names: Vec<String> = deployments
                    .iter()
                    .map(|(dns, dname)| match ns {
                        Some(_) => format!("{dns}/{dname}"),
                        None => dname.clone(),
                    })
                    .collect();
                let hint = did_you_mean(rest, names.iter().map(String::as_str));
                let msg = match ns {
                    Some(ns) => {
                        format!("no Deployment named {name:?} in namespace {ns:?} in this scenario")
                    }
                    None => format!("no Deployment named {name:?} in this scenario"),
                };
                ctx.err_help(&target_at, msg, hint);
                continue;
            }
            many => {
                let nss: Vec<&str> = many.iter().map(|&i| deployments[i].0.as_str()).collect();
                ctx.err_help(
                    &target_at,
                    format!(
                        "ambiguous target: Deployments named {name:?} exist in namespaces {}",
                        nss.join(", ")
                    ),
                    Some(format!("name the namespace: deployment/{}/{name}", nss[0])),
                );
                continue;
            }
        };
        let r_at = at.key("replicas");
        let Some(replicas) = e.replicas else {
            ctx.err(&r_at, "Required value: scale needs replicas");
            continue;
        };
        let replicas = match i32::try_from(replicas) {
            Ok(r) if r >= 0 => r,
            _ if replicas < 0 => {
                ctx.err(
                    &r_at,
                    format!("Invalid value: {replicas}: must be greater than or equal to 0"),
                );
                continue;
            }
            _ => {
                ctx.err(
                    &r_at,
                    format!(
                        "Invalid value: {replicas}: replicas is an int32 (at most {})",
                        i32::MAX
                    ),
                );
                continue;
            }
        };
        if let Some(t) = t {
            let (dns, dname) = &deployments[index];
            out.push(TimelineEntry {
                at: t,
                action: Action::Scale {
                    namespace: dns.clone(),
                    deployment: dname.clone(),
                    replicas,
                },
            });
            scales.push(Scale {
                entry: i,
                deployment: index,
                replicas,
            });
        }
    }
    (out, scales)
}
