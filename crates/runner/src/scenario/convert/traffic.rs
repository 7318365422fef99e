//! `traffic:` (requests to Services) and `images.IMAGE.serve` (what
//! answering one takes): validated into the scheduler crate's
//! [`TrafficSpec`] and core's [`Serve`].
//!
//! Checks: every number finite and non-negative, shares within [0, 1],
//! rate points strictly increasing in time and within the period, one
//! entry per Service, and (once the Services are known,
//! [`check_services`]) that each names a Service of the scenario.
//!
//! Invariant: nothing here runs the model; a spec that passes is one
//! the traffic model accepts without further checks.

use super::Ctx;
use crate::scenario::raw;
use crate::scenario::yaml::{At, Kind, Mode, Reader};
use kubesim_core::{Interpolation, ModelLimits, Serve, Service, SimTime};
use kubesim_scheduler::traffic::{RateProfile, Slo, TrafficSpec, DEFAULT_TIMEOUT};

/// The most requests per second one entry may ask for (a billion: far
/// beyond any Service, and small enough that counts stay exact in f64).
pub const MAX_RPS: f64 = 1e9;
/// The most retries of one request.
pub const MAX_RETRIES: i64 = 10;

/// A non-negative finite number at most `max`.
fn number(ctx: &mut Ctx<'_, '_>, v: f64, max: f64, what: &str, at: &At<'_>) -> Option<f64> {
    if v.is_finite() && (0.0..=max).contains(&v) {
        Some(v)
    } else {
        ctx.err(
            at,
            format!("Invalid value: {v}: {what} must be a number from 0 to {max}"),
        );
        None
    }
}

/// `images.IMAGE.serve`: `cpuSeconds`, `latency`, `errorRate` (all 0 by
/// default).
pub fn serve(ctx: &mut Ctx<'_, '_>, sv: &raw::ServeSection, at: &At<'_>) -> Serve {
    let mut s = Serve::default();
    if let Some(c) = sv.cpu_seconds {
        let at = at.key("cpuSeconds");
        s.cpu_seconds = number(ctx, c, 3600.0, "cpuSeconds per request", &at).unwrap_or(0.0);
    }
    if let Some(l) = &sv.latency {
        s.latency = ctx.duration(l, &at.key("latency")).unwrap_or_default();
    }
    if let Some(e) = sv.error_rate {
        s.error_rate = number(ctx, e, 1.0, "errorRate", &at.key("errorRate")).unwrap_or(0.0);
    }
    s
}

/// `traffic:` → specs (in file order) with the index of their entry.
pub fn traffic(
    ctx: &mut Ctx<'_, '_>,
    r: &Reader<'_, '_>,
    entries: &[raw::TrafficSection],
) -> Vec<(usize, TrafficSpec)> {
    let sec = At::ROOT.key("traffic");
    let mut out: Vec<(usize, TrafficSpec)> = Vec::new();
    for (i, e) in entries.iter().enumerate() {
        let at = sec.idx(i);
        let (namespace, service) = match e.service.split_once('/') {
            Some((ns, name)) => (ns.to_string(), name.to_string()),
            None => (String::new(), e.service.clone()),
        };
        if service.is_empty() {
            ctx.err(&at.key("service"), "Required value: the Service's name");
            continue;
        }
        let ns_of = |n: &str| {
            if n.is_empty() {
                "default".to_string()
            } else {
                n.to_string()
            }
        };
        if out
            .iter()
            .any(|(_, s)| s.service == service && ns_of(&s.namespace) == ns_of(&namespace))
        {
            ctx.err(
                &at.key("service"),
                format!(
                    "Duplicate value: {:?}: one traffic entry per Service",
                    e.service
                ),
            );
            continue;
        }
        let Some(rate) = rate(ctx, r, e.rate, &at.key("rate")) else {
            continue;
        };
        let timeout = match &e.timeout {
            Some(t) => match ctx.duration(t, &at.key("timeout")) {
                Some(d) if d > SimTime::ZERO => d,
                Some(_) => {
                    ctx.err(
                        &at.key("timeout"),
                        "Invalid value: a timeout must be above 0s",
                    );
                    continue;
                }
                None => continue,
            },
            None => DEFAULT_TIMEOUT,
        };
        let retries = match e.retries {
            Some(n) if (0..=MAX_RETRIES).contains(&n) => n as u32,
            Some(n) => {
                ctx.err(
                    &at.key("retries"),
                    format!("Invalid value: {n}: retries must be from 0 to {MAX_RETRIES}"),
                );
                continue;
            }
            None => 0,
        };
        let slo = e.slo.as_ref().map(|s| {
            let sat = at.key("slo");
            Slo {
                latency: s
                    .latency
                    .as_ref()
                    .and_then(|l| ctx.duration(l, &sat.key("latency")))
                    .unwrap_or(SimTime::MAX),
                error_rate: s
                    .error_rate
                    .and_then(|v| number(ctx, v, 1.0, "errorRate", &sat.key("errorRate")))
                    .unwrap_or(1.0),
            }
        });
        out.push((
            i,
            TrafficSpec {
                namespace,
                service,
                rate,
                timeout,
                retries,
                slo,
            },
        ));
    }
    out
}

/// `rate`: a number, or `{points, interpolation, period}`.
fn rate(
    ctx: &mut Ctx<'_, '_>,
    r: &Reader<'_, '_>,
    node: crate::scenario::yaml::NodeRef,
    at: &At<'_>,
) -> Option<RateProfile> {
    let tree = r.tree;
    if tree.kind(node.0) == Kind::Scalar {
        let text = tree.text(node.0).trim().to_string();
        let Ok(v) = text.parse::<f64>() else {
            ctx.err(
                at,
                format!("Invalid value: {text:?}: rate must be requests per second (a number) or a profile {{points: [{{at, rps}}], interpolation, period}}"),
            );
            return None;
        };
        return number(ctx, v, MAX_RPS, "rate (requests per second)", at)
            .map(RateProfile::constant);
    }
    let kr = r.with_mode(Mode::Kubesim);
    let p: Option<raw::RateProfileSection> = kr.read(node.0, at).map_err(|i| ctx.issue(i)).ok();
    for i in kr.take_issues() {
        ctx.issue(i);
    }
    let p = p?;
    let pts_at = at.key("points");
    if p.points.is_empty() {
        ctx.err_key(&pts_at, "Required value: at least one point {at, rps}");
        return None;
    }
    if p.points.len() > ModelLimits::MAX_PROFILE_POINTS {
        ctx.err_key(
            &pts_at,
            format!(
                "Too many: {}: must have at most {} points",
                p.points.len(),
                ModelLimits::MAX_PROFILE_POINTS
            ),
        );
        return None;
    }
    let errors = ctx.report.errors.len();
    let mut points: Vec<(SimTime, f64)> = Vec::with_capacity(p.points.len());
    for (i, pt) in p.points.iter().enumerate() {
        let pat = pts_at.idx(i);
        let t = ctx.duration(&pt.at, &pat.key("at")).unwrap_or_default();
        if points.last().is_some_and(|prev| t <= prev.0) {
            ctx.err(
                &pat.key("at"),
                "points must be in strictly increasing time order",
            );
        }
        let v = number(ctx, pt.rps, MAX_RPS, "rps", &pat.key("rps")).unwrap_or(0.0);
        points.push((t, v));
    }
    let period = match &p.period {
        Some(text) => {
            let per = ctx.interval(text, &at.key("period"), "a rate profile's period");
            if per.is_some_and(|per| points.iter().any(|pt| pt.0 >= per)) {
                ctx.err(
                    &at.key("period"),
                    "period must be longer than the last point's time",
                );
            }
            per
        }
        None => None,
    };
    if ctx.report.errors.len() != errors {
        return None;
    }
    let interpolation = match p.interpolation {
        Some(raw::InterpolationText::Linear) => Interpolation::Linear,
        _ => Interpolation::Step,
    };
    Some(RateProfile::new(points, interpolation, period))
}

/// Each entry names a Service of the scenario.
pub fn check_services(ctx: &mut Ctx<'_, '_>, specs: &[(usize, TrafficSpec)], services: &[Service]) {
    for (i, s) in specs {
        let ns = |n: &str| {
            if n.is_empty() {
                "default".to_string()
            } else {
                n.to_string()
            }
        };
        let found = services.iter().any(|svc| {
            svc.metadata.name == s.service && ns(&svc.metadata.namespace) == ns(&s.namespace)
        });
        if !found {
            let known: Vec<String> = services
                .iter()
                .map(|s| s.metadata.qualified_name().into_owned())
                .collect();
            ctx.err(
                &At::ROOT.key("traffic").idx(*i).key("service"),
                format!(
                    "Not found: Service {:?} is not in the scenario (Services: {})",
                    s.service,
                    if known.is_empty() {
                        "none".to_string()
                    } else {
                        known.join(", ")
                    }
                ),
            );
        }
    }
}
