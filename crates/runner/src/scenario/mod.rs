//! Scenario files: YAML → a validated [`Scenario`] ready to run.
//!
//! [`load`] reads a scenario file (and the manifest files it names),
//! deserializes it ([`raw`]), checks and converts it ([`convert`]) and
//! returns either a [`Scenario`] or every [`ScenarioError`] it found, each
//! with file, line, column and field path.

mod convert;
mod error;
mod k8s_fields;
mod raw;
mod yaml;

pub use error::{file_error, ScenarioError, ScenarioErrors, Source};

use convert::{Ctx, Workload, DEFAULT_SAMPLE_INTERVAL};
use kubesim_scheduler::{SimulationConfig, SimulationInput};
use std::path::{Path, PathBuf};

/// A validated scenario.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// `name`: also the output folder's name.
    pub name: String,
    /// `description`.
    pub description: String,
    /// The scenario file.
    pub file: PathBuf,
    /// What the simulation starts from.
    pub input: SimulationInput,
    /// How many objects of each kind were modelled and skipped.
    pub objects: ObjectCounts,
}

/// What a scenario's manifests held: objects kubesim models, by kind, and
/// objects it read and skipped (kinds that run no pods, custom resources).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ObjectCounts {
    /// Modelled objects per kind (`Node`, `Pod`, `Deployment`, …).
    pub modelled: std::collections::BTreeMap<String, usize>,
    /// Skipped objects per kind.
    pub skipped: std::collections::BTreeMap<String, usize>,
}

/// `Node` → `Nodes`, `NetworkPolicy` → `NetworkPolicies`, `Ingress` →
/// `Ingresses`, as kubectl's plural resource names go.
fn plural(kind: &str, n: usize) -> String {
    if n == 1 {
        kind.to_string()
    } else if let Some(stem) = kind.strip_suffix('y') {
        format!("{stem}ies")
    } else if kind.ends_with('s') {
        format!("{kind}es")
    } else {
        format!("{kind}s")
    }
}

impl std::fmt::Display for ObjectCounts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let list = |m: &std::collections::BTreeMap<String, usize>| {
            m.iter()
                .map(|(k, n)| format!("{n} {}", plural(k, *n)))
                .collect::<Vec<_>>()
                .join(", ")
        };
        write!(f, "modelled {}", list(&self.modelled))?;
        if !self.skipped.is_empty() {
            write!(f, "; skipped {}", list(&self.skipped))?;
        }
        Ok(())
    }
}

impl Scenario {
    /// The run seed.
    pub fn seed(&self) -> u64 {
        self.input.config.seed
    }
    /// The same scenario with another seed (`--seed`).
    pub fn with_seed(mut self, seed: u64) -> Self {
        self.input.config.seed = seed;
        self
    }
}

/// Reads and validates the scenario at `path`.
pub fn load(path: &Path) -> Result<Scenario, Vec<ScenarioError>> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| vec![file_error(path, format!("cannot read file: {e}"))])?;
    let src = Source::new(path, text);
    let (file, ignored): (raw::ScenarioFile, _) =
        yaml::parse_document(&src).map_err(|e| vec![e])?;
    let mut ctx = Ctx::new(&src);
    let mut errors = Vec::new();
    for p in &ignored {
        let segs: Vec<&str> = p.split('.').collect();
        // kubesim's own sections reject unknown keys while parsing; only
        // Kubernetes objects under `workloads` skip keys.
        if let ["workloads", idx, rest @ ..] = segs.as_slice() {
            if let Some(m) = idx
                .parse::<usize>()
                .ok()
                .and_then(|i| file.workloads.get(i))
            {
                let prefix = ["workloads", idx];
                check_k8s_field(&src, &mut errors, &m.kind, &prefix, rest);
            }
        }
    }

    let duration = ctx.duration(&file.duration, "duration").unwrap_or_default();
    if duration.0 == 0 && ctx.errors.is_empty() {
        ctx.err(&file.duration, "duration", "duration must be positive");
    }
    let sample_interval = match &file.sample_interval {
        Some(t) => ctx
            .duration(t, "sampleInterval")
            .unwrap_or(DEFAULT_SAMPLE_INTERVAL),
        None => DEFAULT_SAMPLE_INTERVAL,
    };
    if sample_interval.0 == 0 {
        if let Some(t) = &file.sample_interval {
            ctx.err(t, "sampleInterval", "sampleInterval must be positive");
        }
    }
    let nodes = convert::nodes(&mut ctx, &file.cluster.nodes);
    let profile = convert::profile(&mut ctx, file.cluster.scheduler.as_ref());
    let cluster = convert::cluster_config(file.cluster.cgroup.as_ref());
    let images = convert::images(&mut ctx, &file.images);
    let metrics = convert::metrics(&mut ctx, file.metrics.as_ref(), sample_interval);
    let limits = convert::limits(&mut ctx, file.limits.as_ref());
    if duration > limits.max_sim_time {
        ctx.err(
            &file.duration,
            "duration",
            format!(
                "duration {duration} exceeds limits.maxSimTime ({})",
                limits.max_sim_time
            ),
        );
    }
    convert::check_name(&mut ctx, &file.name, "name");

    let mut workloads = Vec::new();
    for (i, m) in file.workloads.iter().enumerate() {
        let at = format!("workloads[{i}]");
        if let Some(w) = convert::manifest(&mut ctx, m, &at) {
            workloads.push(Loaded::new(w, &src, m, at));
        }
    }
    let dir = path.parent().unwrap_or(Path::new("."));
    for (i, m) in file.manifests.iter().enumerate() {
        let mpath = dir.join(&m.value);
        match std::fs::read_to_string(&mpath) {
            Ok(text) => load_manifests(&mpath, &text, &mut workloads, &mut errors),
            Err(e) => ctx.err(
                m,
                &format!("manifests[{i}]"),
                format!("cannot read {}: {e}", mpath.display()),
            ),
        }
    }

    let (mut pods, mut deployments) = (Vec::new(), Vec::new());
    let mut names = std::collections::BTreeSet::new();
    for l in workloads {
        let (kind, meta) = match &l.workload {
            Workload::Pod(p) => ("Pod", &p.metadata),
            Workload::Deployment(d) => ("Deployment", &d.metadata),
        };
        if !names.insert((kind, meta.namespace.clone(), meta.name.clone())) {
            let msg = format!(
                "duplicate {kind} {:?} in namespace {:?}",
                meta.name, meta.namespace
            );
            errors.push(
                l.src
                    .error(l.line, l.column, format!("{}.metadata.name", l.path), msg),
            );
        }
        match l.workload {
            Workload::Pod(p) => pods.push(p),
            Workload::Deployment(d) => deployments.push(d),
        }
    }
    let dep_names: Vec<String> = deployments
        .iter()
        .map(|d| d.metadata.name.clone())
        .collect();
    let timeline = convert::timeline(&mut ctx, &file.timeline, &dep_names, duration);

    errors.splice(0..0, ctx.errors);
    // Report in file order, top to bottom.
    errors.sort_by(|a, b| (&a.file, a.line, a.column).cmp(&(&b.file, b.line, b.column)));
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut objects = ObjectCounts::default();
    objects.modelled.insert("Node".into(), nodes.len());
    if !pods.is_empty() {
        objects.modelled.insert("Pod".into(), pods.len());
    }
    if !deployments.is_empty() {
        objects
            .modelled
            .insert("Deployment".into(), deployments.len());
    }
    Ok(Scenario {
        objects,
        name: file.name.value.clone(),
        description: file.description.clone().unwrap_or_default(),
        file: path.to_path_buf(),
        input: SimulationInput {
            config: SimulationConfig {
                scenario: file.name.value.clone(),
                seed: file.seed.unwrap_or(1),
                duration,
                sample_interval,
                limits,
                metrics,
                kubelet: cluster,
                profile,
                controller_manager: Default::default(),
                check_invariants: false,
                clock_origin_unix_s: 0,
            },
            nodes,
            images,
            pods,
            deployments,
            jobs: Vec::new(),
            cron_jobs: Vec::new(),
            timeline,
        },
    })
}

/// A converted workload and where it was written.
struct Loaded {
    workload: Workload,
    src: Source,
    line: usize,
    column: usize,
    path: String,
}

impl Loaded {
    fn new(workload: Workload, src: &Source, m: &raw::Manifest, path: String) -> Self {
        let at = m
            .metadata
            .name
            .as_ref()
            .map_or(m.kind.referenced, |n| n.referenced);
        Loaded {
            workload,
            src: src.clone(),
            line: at.line() as usize,
            column: at.column() as usize,
            path,
        }
    }
}

/// Parses a multi-document manifest file.
fn load_manifests(path: &Path, text: &str, out: &mut Vec<Loaded>, errors: &mut Vec<ScenarioError>) {
    for (doc_index, (line_offset, doc)) in yaml::split_documents(text).into_iter().enumerate() {
        // Pad with the lines before the document, so that positions and
        // snippets are those of the whole file.
        let src = Source::new(path, "\n".repeat(line_offset) + &doc);
        match yaml::parse_document::<raw::Manifest>(&src) {
            Ok((m, ignored)) => {
                for p in &ignored {
                    let segs: Vec<&str> = p.split('.').collect();
                    check_k8s_field(&src, errors, &m.kind, &[], &segs);
                }
                let mut ctx = Ctx::new(&src);
                let at = format!("[document {doc_index}]");
                if let Some(w) = convert::manifest(&mut ctx, &m, &at) {
                    out.push(Loaded::new(w, &src, &m, at));
                }
                errors.extend(ctx.errors);
            }
            Err(e) => errors.push(e),
        }
    }
}

/// Strict field validation of a Kubernetes object (see [`k8s_fields`]):
/// `rest` is the skipped key's path inside the object at `prefix`.
fn check_k8s_field(
    src: &Source,
    errors: &mut Vec<ScenarioError>,
    kind: &raw::Text,
    prefix: &[&str],
    rest: &[&str],
) {
    let Some(candidates) = k8s_fields::unknown_field(&kind.value, rest) else {
        return;
    };
    let key = rest.last().copied().unwrap_or_default();
    let full: Vec<&str> = prefix.iter().chain(rest).copied().collect();
    let (line, column) = yaml::find_key(&src.text, key, kind.referenced.line() as usize);
    let mut err = src.error(
        line,
        column,
        yaml::display_path(&full),
        format!("unknown field \"{key}\": {} has no such field (kubectl's strict validation rejects it too)", kind.value),
    );
    err.help = error::did_you_mean(key, candidates.iter().copied())
        .or_else(|| Some(format!("expected one of: {}", candidates.join(", "))));
    errors.push(err);
}
