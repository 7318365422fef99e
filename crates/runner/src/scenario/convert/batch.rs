//! `batch/v1` Jobs and CronJobs.
//!
//! Validation follows the API server (pkg/apis/batch/validation/validation.go):
//! `ValidateJob` (`validateGeneratedSelector`, `ValidateJobSpec`,
//! `validateJobSpec`), `ValidateCronJobCreate` (`validateCronJobSpec`,
//! `validateScheduleFormat`, `validateTimeZone`, `validateConcurrencyPolicy`,
//! `ValidateJobTemplateSpec`) and `validatePodReplacementPolicy`, with
//! their messages. What kubesim's Job controller does not model — Indexed
//! Jobs, `podFailurePolicy`, suspended Jobs, a manual selector, another
//! controller's `managedBy`, `podReplacementPolicy: Failed` — is an error
//! saying so, rather than a Job that would quietly run differently.
//!
//! The pod template goes through the same converter as a Deployment's
//! ([`pod_spec`]); its Priority admission happens with the other pods'
//! once every PriorityClass is known.

use super::pod::{pod_spec, PriorityRequest};
use super::workloads::{label_selector, object_meta};
use super::Ctx;
use crate::scenario::yaml::At;
use k8s_openapi::api::batch::v1 as batch;
use k8s_openapi::api::core::v1 as core;
use kubesim_core::{
    ConcurrencyPolicy, CronJob, CronSchedule, Job, JobTemplate, Labels, PodTemplate, TimeZone,
};

/// `batch.CompletionMode` values.
const COMPLETION_MODES: &[&str] = &["NonIndexed", "Indexed"];
/// `batch.PodReplacementPolicy` values (`sets.List`: sorted).
const POD_REPLACEMENT_POLICIES: &[&str] = &["Failed", "TerminatingOrFailed"];
/// `batch.ConcurrencyPolicy` values.
const CONCURRENCY_POLICIES: &[&str] = &["Allow", "Forbid", "Replace"];
/// The Job controller's `managedBy` value (`batch.JobControllerName`).
const JOB_CONTROLLER_NAME: &str = "kubernetes.io/job-controller";
/// Longest Job name: it becomes the value of the pod template's
/// `job-name` label.
pub const MAX_JOB_NAME: usize = 63;
/// Longest CronJob name: a Job's name is the CronJob's plus `-` and up to
/// 10 digits, and must fit 63 characters
/// (`apimachineryvalidation.DNS1035LabelMaxLength - 11`).
pub const MAX_CRON_JOB_NAME: usize = 52;

/// Where a Job spec is: a Job's `spec`, or a CronJob's
/// `spec.jobTemplate.spec`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SpecOf<'n> {
    /// A Job named so (its selector must be what the API server
    /// generates).
    Job(&'n str),
    /// A CronJob's `jobTemplate` (the selector is generated per Job).
    Template,
}

fn nonnegative(ctx: &mut Ctx<'_, '_>, v: Option<i64>, at: &At<'_>) {
    if let Some(v) = v.filter(|v| *v < 0) {
        // ValidateNonnegativeField.
        ctx.err(
            at,
            format!("Invalid value: {v}: must be greater than or equal to 0"),
        );
    }
}

fn not_modelled(ctx: &mut Ctx<'_, '_>, at: &At<'_>, what: &str) {
    ctx.err(at, format!("Forbidden: not modelled yet: {what}"));
}

/// `validateJobSpec` (and, for a Job, the selector rules of `ValidateJob`)
/// → the spec as a template the model defaults (`SetDefaults_Job`) when
/// the Job is created.
fn job_spec(
    ctx: &mut Ctx<'_, '_>,
    spec: &batch::JobSpec,
    at: &At<'_>,
    of: SpecOf<'_>,
) -> Option<(JobTemplate, PriorityRequest)> {
    for (field, v) in [
        ("parallelism", spec.parallelism.map(i64::from)),
        ("completions", spec.completions.map(i64::from)),
        ("activeDeadlineSeconds", spec.active_deadline_seconds),
        ("backoffLimit", spec.backoff_limit.map(i64::from)),
        (
            "ttlSecondsAfterFinished",
            spec.ttl_seconds_after_finished.map(i64::from),
        ),
        (
            "backoffLimitPerIndex",
            spec.backoff_limit_per_index.map(i64::from),
        ),
        ("maxFailedIndexes", spec.max_failed_indexes.map(i64::from)),
    ] {
        nonnegative(ctx, v, &at.key(field));
    }
    if spec.max_failed_indexes.is_some() && spec.backoff_limit_per_index.is_none() {
        ctx.err(
            &at.key("backoffLimitPerIndex"),
            "Required value: when maxFailedIndexes is specified",
        );
    }
    if let Some(m) = spec.managed_by.as_deref() {
        if m != JOB_CONTROLLER_NAME {
            not_modelled(
                ctx,
                &at.key("managedBy"),
                &format!("a Job managed by {m:?} (kubesim runs only the built-in Job controller, {JOB_CONTROLLER_NAME:?})"),
            );
        }
    }
    let mode_at = at.key("completionMode");
    let indexed = match spec.completion_mode.as_deref() {
        None => false,
        Some(m) => match ctx.one_of(m, COMPLETION_MODES, &mode_at) {
            Some("Indexed") => {
                not_modelled(ctx, &mode_at, "Indexed Jobs (kubesim runs NonIndexed Jobs)");
                true
            }
            _ => false,
        },
    };
    if !indexed {
        for (field, v) in [
            ("backoffLimitPerIndex", spec.backoff_limit_per_index),
            ("maxFailedIndexes", spec.max_failed_indexes),
        ] {
            if let Some(v) = v {
                ctx.err(
                    &at.key(field),
                    format!("Invalid value: {v}: requires indexed completion mode"),
                );
            }
        }
        if spec.success_policy.is_some() {
            ctx.err(
                &at.key("successPolicy"),
                "Invalid value: requires indexed completion mode",
            );
        }
    }
    if spec.pod_failure_policy.is_some() {
        not_modelled(
            ctx,
            &at.key("podFailurePolicy"),
            "podFailurePolicy (every failed pod counts against backoffLimit)",
        );
    }
    if let Some(p) = spec.pod_replacement_policy.as_deref() {
        let pat = at.key("podReplacementPolicy");
        if spec.pod_failure_policy.is_some() {
            if p != "Failed" {
                ctx.err(
                    &pat,
                    format!("Unsupported value: {p:?}: supported values: \"Failed\""),
                );
            }
        } else if ctx.one_of(p, POD_REPLACEMENT_POLICIES, &pat) == Some("Failed") {
            not_modelled(
                ctx,
                &pat,
                "podReplacementPolicy Failed (a replacement pod is created as soon as a pod is terminating, as with TerminatingOrFailed)",
            );
        }
    }
    if spec.suspend == Some(true) {
        not_modelled(ctx, &at.key("suspend"), "suspended Jobs");
    }
    let manual = spec.manual_selector == Some(true);
    let sel_at = at.key("selector");
    match of {
        SpecOf::Template => {
            // ValidateJobTemplateSpec.
            if spec.selector.is_some() {
                ctx.err(&sel_at, "Invalid value: `selector` will be auto-generated");
            }
            if manual {
                ctx.err(
                    &at.key("manualSelector"),
                    "Unsupported value: true: supported values: \"nil\", \"false\"",
                );
            }
        }
        SpecOf::Job(_) if manual => not_modelled(
            ctx,
            &at.key("manualSelector"),
            "manualSelector (kubesim's Job controller finds its pods by owner reference)",
        ),
        SpecOf::Job(name) => {
            // The API server generates the selector (job/strategy.go
            // `generateSelector`: the template's controller-uid and
            // job-name labels), keeping what the user wrote, and
            // `validateGeneratedSelector` requires that it still select
            // the generated labels.
            if let Some(s) = &spec.selector {
                let selector = label_selector(ctx, s, &sel_at);
                let generated: Labels = [
                    ("batch.kubernetes.io/controller-uid", "uid"),
                    ("batch.kubernetes.io/job-name", name),
                    ("controller-uid", "uid"),
                    ("job-name", name),
                ]
                .into_iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
                let uid_keys = ["batch.kubernetes.io/controller-uid", "controller-uid"];
                // A value for a controller-uid key cannot be the UID the
                // API server has yet to assign.
                let names_uid = selector
                    .match_labels
                    .keys()
                    .any(|k| uid_keys.contains(&k.as_str()))
                    || selector
                        .match_expressions
                        .iter()
                        .any(|r| uid_keys.contains(&r.key.as_str()) && !r.values.is_empty());
                if names_uid || !selector.matches(&generated) {
                    ctx.err_help(
                        &sel_at,
                        "Invalid value: `selector` not auto-generated",
                        Some("leave spec.selector out: the API server generates it from the Job's UID".into()),
                    );
                }
            }
        }
    }
    // The pod template.
    let tat = at.key("template");
    let tmeta = spec.template.metadata.clone().unwrap_or_default();
    let labels = tmeta.labels.clone().unwrap_or_default();
    let mat = tat.key("metadata");
    ctx.labels(&labels, &mat.key("labels"));
    let tspec_at = tat.key("spec");
    let default_spec = core::PodSpec::default();
    let tspec = spec.template.spec.as_ref().unwrap_or(&default_spec);
    let (pod, req) = pod_spec(ctx, tspec, &tspec_at)?;
    // validateJobSpec: SetDefaults_PodSpec makes a missing restartPolicy
    // `Always`, and either is refused with one message; any other value
    // than OnFailure and Never was refused by the pod spec's own check.
    match tspec.restart_policy.as_deref() {
        None | Some("" | "Always") => ctx.err(
            &tspec_at.key("restartPolicy"),
            "Required value: valid values: \"OnFailure\", \"Never\"",
        ),
        _ => {}
    }
    Some((
        JobTemplate {
            labels: Labels::new(),
            annotations: Labels::new(),
            completions: spec.completions,
            parallelism: spec.parallelism,
            backoff_limit: spec.backoff_limit,
            active_deadline_s: spec.active_deadline_seconds,
            ttl_seconds_after_finished: spec.ttl_seconds_after_finished,
            template: PodTemplate {
                labels,
                annotations: tmeta.annotations.unwrap_or_default(),
                spec: pod,
            },
        },
        req,
    ))
}

/// A Job, defaulted (`SetDefaults_Job`), and what admission of its pods
/// needs.
pub fn job(ctx: &mut Ctx<'_, '_>, j: &batch::Job, at: &At<'_>) -> Option<(Job, PriorityRequest)> {
    let meta = object_meta(ctx, &j.metadata, at, true);
    if let Some(m) = meta.as_ref().filter(|m| m.name.len() > MAX_JOB_NAME) {
        // The API server labels the pod template `job-name: NAME`
        // (job/strategy.go `generateSelector`), and label values have at
        // most 63 characters: upstream refuses such a Job at
        // spec.template.metadata.labels.
        ctx.err(
            &at.key("metadata").key("name"),
            format!(
                "Invalid value: {:?}: must be no more than {MAX_JOB_NAME} characters (the job-name label the API server adds to the pod template must be a valid label value)",
                m.name
            ),
        );
    }
    let spec_at = at.key("spec");
    let Some(spec) = &j.spec else {
        ctx.err(&spec_at, "Required value");
        return None;
    };
    let name = meta.as_ref().map_or("", |m| m.name.as_str());
    let (template, req) = job_spec(ctx, spec, &spec_at, SpecOf::Job(name))?;
    Some((template.job(meta?), req))
}

/// A CronJob (`SetDefaults_CronJob` for what is not given), and what
/// admission of its Jobs' pods needs.
pub fn cron_job(
    ctx: &mut Ctx<'_, '_>,
    c: &batch::CronJob,
    at: &At<'_>,
) -> Option<(CronJob, PriorityRequest)> {
    let meta = object_meta(ctx, &c.metadata, at, true);
    if let Some(m) = &meta {
        if m.name.len() > MAX_CRON_JOB_NAME {
            ctx.err(
                &at.key("metadata").key("name"),
                format!(
                    "Invalid value: {:?}: must be no more than {MAX_CRON_JOB_NAME} characters",
                    m.name
                ),
            );
        }
    }
    let spec_at = at.key("spec");
    let Some(spec) = &c.spec else {
        ctx.err(&spec_at, "Required value");
        return None;
    };
    let sched_at = spec_at.key("schedule");
    let schedule = if spec.schedule.is_empty() {
        ctx.err(&sched_at, "Required value");
        None
    } else {
        match CronSchedule::parse(&spec.schedule) {
            Ok(s) => Some(s),
            Err(e) => {
                ctx.err(
                    &sched_at,
                    format!("Invalid value: {:?}: {e}", spec.schedule),
                );
                None
            }
        }
    };
    nonnegative(
        ctx,
        spec.starting_deadline_seconds,
        &spec_at.key("startingDeadlineSeconds"),
    );
    let time_zone = spec.time_zone.as_deref().and_then(|tz| {
        TimeZone::parse(tz)
            .map_err(|e| {
                ctx.err(
                    &spec_at.key("timeZone"),
                    format!("Invalid value: {tz:?}: {e}"),
                )
            })
            .ok()
    });
    // SetDefaults_CronJob makes an empty policy Allow.
    let concurrency_policy = match spec.concurrency_policy.as_deref() {
        None | Some("") => ConcurrencyPolicy::Allow,
        Some(p) => match ctx.one_of(p, CONCURRENCY_POLICIES, &spec_at.key("concurrencyPolicy")) {
            Some("Forbid") => ConcurrencyPolicy::Forbid,
            Some("Replace") => ConcurrencyPolicy::Replace,
            _ => ConcurrencyPolicy::Allow,
        },
    };
    for (field, v) in [
        (
            "successfulJobsHistoryLimit",
            spec.successful_jobs_history_limit,
        ),
        ("failedJobsHistoryLimit", spec.failed_jobs_history_limit),
    ] {
        nonnegative(ctx, v.map(i64::from), &spec_at.key(field));
    }
    let jt_at = spec_at.key("jobTemplate");
    let jt_meta = spec.job_template.metadata.clone().unwrap_or_default();
    let jt_mat = jt_at.key("metadata");
    let labels = jt_meta.labels.unwrap_or_default();
    ctx.labels(&labels, &jt_mat.key("labels"));
    let annotations = jt_meta.annotations.unwrap_or_default();
    let aat = jt_mat.key("annotations");
    for k in annotations.keys() {
        if let Err(m) = super::qualified_name(&k.to_lowercase()) {
            ctx.err_key(&aat.key(k), format!("Invalid value: {k:?}: {m}"));
        }
    }
    let jspec_at = jt_at.key("spec");
    let template = match &spec.job_template.spec {
        Some(s) => job_spec(ctx, s, &jspec_at, SpecOf::Template),
        None => {
            // An empty template: its pod spec has no containers.
            let empty = batch::JobSpec::default();
            job_spec(ctx, &empty, &jspec_at, SpecOf::Template)
        }
    };
    let (mut template, req) = template?;
    template.labels = labels;
    template.annotations = annotations;
    let mut cj = CronJob::new(meta?, schedule?, template);
    cj.time_zone = time_zone;
    cj.starting_deadline_s = spec.starting_deadline_seconds;
    cj.concurrency_policy = concurrency_policy;
    cj.suspend = spec.suspend.unwrap_or(false);
    if let Some(l) = spec.successful_jobs_history_limit {
        cj.successful_jobs_history_limit = l;
    }
    if let Some(l) = spec.failed_jobs_history_limit {
        cj.failed_jobs_history_limit = l;
    }
    Some((cj, req))
}
