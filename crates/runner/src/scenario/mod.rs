//! Scenario files: YAML → a validated [`Scenario`] ready to run.
//!
//! [`load`] reads a scenario file and the manifest files it names
//! ([`files`]: regular files only, size-limited), parses each into a tree
//! of positioned nodes ([`yaml`]), reads kubesim's own sections ([`raw`])
//! and every Kubernetes object through the kinds table ([`kinds`]: one
//! row per built-in kind, its `k8s-openapi` type giving strict field
//! validation), checks and converts everything ([`convert`]), and returns
//! either a [`Scenario`] (with its warnings) or every [`ScenarioError`] it
//! found — each with file, line and column of the offending key or value,
//! the field path and what was expected.
//!
//! Objects are read in two passes: the first dispatches every object by
//! kind, validates and skips the kinds that run no pods and collects
//! PriorityClasses; the second converts Pods and Deployments, admitting
//! them against the classes (a class may be declared after the pods that
//! use it, as `kubectl apply -f DIR` allows).

mod convert;
mod error;
mod files;
pub mod kinds;
mod raw;
pub mod yaml;

pub use error::{file_error, ScenarioError, ScenarioErrors, Severity};
pub use files::MAX_FILE_BYTES;

use convert::budget::{self, Culprit};
use convert::images::Image;
use convert::settings::Limits;
use convert::{cluster, images, settings, timeline, workloads, Ctx, Doc, Report};
use error::{did_you_mean, Source};
use kinds::{Handling, Lookup, Modelled, Object};
use kubesim_core::{Deployment, Pod, PriorityClasses, SimTime};
use kubesim_scheduler::{SimulationConfig, SimulationInput};
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use yaml::{At, Id, Kind, Mode, Reader, Tree, YamlLimits};

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
    /// Problems worth knowing that do not stop the scenario (an image no
    /// container uses, skipped custom resources, …).
    pub warnings: Vec<ScenarioError>,
}

/// What a scenario's manifests held: objects kubesim models, by kind, and
/// objects it read and skipped (kinds that run no pods, custom resources).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ObjectCounts {
    /// Modelled objects per kind (`Node`, `Pod`, `Deployment`, …).
    pub modelled: BTreeMap<String, usize>,
    /// Skipped objects per kind.
    pub skipped: BTreeMap<String, usize>,
}

/// `Node` → `Nodes`, `NetworkPolicy` → `NetworkPolicies`, `Ingress` →
/// `Ingresses`, as kubectl's plural resource names go.
fn plural(kind: &str, n: usize) -> String {
    if n == 1 {
        kind.to_string()
    } else if let Some(stem) = kind
        .strip_suffix('y')
        .filter(|s| !s.ends_with(['a', 'e', 'o']))
    {
        format!("{stem}ies")
    } else if kind.ends_with('s') {
        format!("{kind}es")
    } else {
        format!("{kind}s")
    }
}

impl std::fmt::Display for ObjectCounts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let list = |m: &BTreeMap<String, usize>| {
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

/// Where an object is in its document: the scenario's `workloads[i]`, or a
/// manifest document's root; and `items[j]` inside a `List`.
#[derive(Debug, Clone, Copy)]
struct ObjPath {
    workload: Option<usize>,
    item: Option<usize>,
}

impl ObjPath {
    fn with<R>(self, f: impl FnOnce(&At<'_>) -> R) -> R {
        let root = At::ROOT;
        let wl = root.key("workloads");
        let base = match self.workload {
            Some(i) => wl.idx(i),
            None => root,
        };
        let items = base.key("items");
        let at = match self.item {
            Some(j) => items.idx(j),
            None => base,
        };
        f(&at)
    }
}

/// A Pod or Deployment found in the first pass.
#[derive(Debug, Clone, Copy)]
struct Pending {
    doc: usize,
    node: Id,
    path: ObjPath,
    kind: Modelled,
}

/// A parsed manifest file.
struct ManifestFile {
    path: PathBuf,
    text: String,
}

/// Reads and validates the scenario at `path`.
pub fn load(path: &Path) -> Result<Scenario, Vec<ScenarioError>> {
    let text = files::read_text(path).map_err(|e| vec![e])?;
    let tree = Tree::parse(&text, YamlLimits::default())
        .map_err(|e| vec![syntax_error(path, &text, &e)])?;
    let root = match tree.documents() {
        [] => {
            return Err(vec![file_error(
                path,
                "empty file: a scenario needs at least name, duration and cluster",
            )])
        }
        [root, rest @ ..] => {
            if let Some(&second) = rest.first() {
                let src = Source::new(path, &text, tree.kind(*root) == Kind::Map);
                let (l, c) = tree.position(second);
                return Err(vec![src.error(
                    l,
                    c,
                    "",
                    "a scenario file holds one YAML document: put Kubernetes objects under `workloads:`, or in files listed under `manifests:`",
                )]);
            }
            *root
        }
    };
    if tree.kind(root) != Kind::Map {
        let src = Source::new(path, &text, false);
        let (l, c) = tree.position(root);
        return Err(vec![src.error(
            l,
            c,
            "",
            "expected a mapping (a scenario: name, duration, cluster, …)",
        )]);
    }
    let src = Source::new(path, &text, true);
    let doc = Doc {
        src: &src,
        tree: &tree,
        root,
    };
    let reader = Reader::new(&tree, Mode::Kubesim);
    let raw: raw::ScenarioFile = match reader.read(root, &At::ROOT) {
        Ok(f) => f,
        Err(e) => {
            let mut errors: Vec<ScenarioError> = reader
                .take_issues()
                .into_iter()
                .map(|i| doc.issue(i))
                .collect();
            errors.push(doc.issue(e));
            sort(&mut errors);
            return Err(errors);
        }
    };
    let mut report = Report::default();
    for i in reader.take_issues() {
        report.errors.push(doc.issue(i));
    }
    let mut loader = Loader {
        report,
        counts: ObjectCounts::default(),
        classes: PriorityClasses::default(),
        custom: BTreeMap::new(),
        pending: Vec::new(),
        user_classes: 0,
    };

    // kubesim's own sections.
    let mut ctx = Ctx {
        doc,
        report: &mut loader.report,
    };
    let limits = settings::limits(&mut ctx, raw.limits.as_ref());
    let duration = settings::duration(&mut ctx, &raw.duration, &limits);
    let sample_interval =
        settings::sample_interval(&mut ctx, raw.sample_interval.as_deref(), duration);
    let metrics = settings::metrics(&mut ctx, raw.metrics.as_ref(), sample_interval);
    ctx.dns_subdomain(&raw.name, &At::ROOT.key("name"));
    let pools = cluster::pools(&mut ctx, &raw.cluster.nodes);
    let profile = cluster::profile(&mut ctx, raw.cluster.scheduler.as_ref());
    let kubelet = cluster::kubelet_config(raw.cluster.cgroup.as_ref());
    let images = images::images(&mut ctx, &reader, &raw.images);

    // Manifest files: read them all, then parse (trees borrow the texts).
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut manifest_files = Vec::new();
    {
        let root_at = At::ROOT;
        let mat = root_at.key("manifests");
        for (i, m) in raw.manifests.iter().enumerate() {
            let at = mat.idx(i);
            let mpath = dir.join(m);
            match files::manifest_files(&mpath) {
                Ok(list) => {
                    if list.is_empty() {
                        ctx.warn(
                            &at,
                            format!(
                                "directory {} holds no *.yaml or *.yml files",
                                mpath.display()
                            ),
                        );
                    }
                    for f in list {
                        match files::read_text(&f) {
                            Ok(text) => manifest_files.push(ManifestFile { path: f, text }),
                            Err(e) => {
                                ctx.err(&at, format!("cannot read {}: {}", f.display(), e.message))
                            }
                        }
                    }
                }
                Err(e) => ctx.err(
                    &at,
                    format!("cannot read {}: {}", mpath.display(), e.message),
                ),
            }
        }
    }
    let mut parsed: Vec<(Tree<'_>, bool)> = Vec::new();
    for f in &manifest_files {
        match Tree::parse(&f.text, YamlLimits::default()) {
            Ok(t) => {
                let quote = t
                    .documents()
                    .first()
                    .is_some_and(|&r| t.kind(r) == Kind::Map);
                parsed.push((t, quote));
            }
            Err(e) => {
                loader
                    .report
                    .errors
                    .push(syntax_error(&f.path, &f.text, &e));
                parsed.push((Tree::empty(), false));
            }
        }
    }
    let sources: Vec<Source<'_>> = manifest_files
        .iter()
        .zip(&parsed)
        .map(|(f, (_, quote))| Source::new(&f.path, &f.text, *quote))
        .collect();
    // Every document: the scenario's first, then each manifest document.
    let mut docs: Vec<Doc<'_>> = vec![doc];
    let mut readers: Vec<Reader<'_, '_>> = vec![Reader::new(&tree, Mode::Kubernetes)];
    for (s, (t, _)) in sources.iter().zip(&parsed) {
        for &r in t.documents() {
            docs.push(Doc {
                src: s,
                tree: t,
                root: r,
            });
        }
    }
    for d in &docs[1..] {
        readers.push(Reader::new(d.tree, Mode::Kubernetes));
    }

    // Pass 1: dispatch by kind.
    for (i, &node) in raw.workloads.iter().enumerate() {
        let path = ObjPath {
            workload: Some(i),
            item: None,
        };
        loader.object(&docs, &readers, 0, node.0, path, true);
    }
    for d in 1..docs.len() {
        let node = docs[d].root;
        if docs[d].tree.is_null(node) {
            continue; // an empty document, or comments only
        }
        let path = ObjPath {
            workload: None,
            item: None,
        };
        loader.object(&docs, &readers, d, node, path, true);
    }

    // Pass 2: Pods and Deployments.
    let mut pods: Vec<Pod> = Vec::new();
    let mut deployments: Vec<Deployment> = Vec::new();
    let mut pod_at: Vec<(usize, ObjPath)> = Vec::new();
    let mut dep_at: Vec<(usize, ObjPath)> = Vec::new();
    let pending = std::mem::take(&mut loader.pending);
    let classes = &loader.classes;
    let converted: Vec<(Option<Converted>, Report)> = pending
        .par_iter()
        .map(|p| convert_pending(p, &docs, classes))
        .collect();
    let mut names: std::collections::HashSet<(Modelled, &str, &str)> = Default::default();
    let mut dups = Vec::new();
    for (p, (c, r)) in pending.iter().zip(&converted) {
        let key = match c {
            Some(Converted::Pod(pod)) => (
                Modelled::Pod,
                pod.metadata.namespace.as_str(),
                pod.metadata.name.as_str(),
            ),
            Some(Converted::Deployment(d)) => (
                Modelled::Deployment,
                d.metadata.namespace.as_str(),
                d.metadata.name.as_str(),
            ),
            None => continue,
        };
        let _ = r;
        if !names.insert(key) {
            let what = match key.0 {
                Modelled::Deployment => "deployments.apps",
                _ => "pods",
            };
            let msg = format!(
                "Duplicate value: {what} {:?} already exists in namespace {:?}",
                key.2, key.1
            );
            dups.push(
                p.path
                    .with(|at| docs[p.doc].error(&at.key("metadata").key("name"), msg)),
            );
        }
    }
    loader.report.errors.extend(dups);
    for (p, (c, r)) in pending.iter().zip(converted) {
        loader.report.errors.extend(r.errors);
        loader.report.warnings.extend(r.warnings);
        match c {
            Some(Converted::Pod(pod)) => {
                pods.push(pod);
                pod_at.push((p.doc, p.path));
            }
            Some(Converted::Deployment(dep)) => {
                deployments.push(dep);
                dep_at.push((p.doc, p.path));
            }
            None => {}
        }
    }
    // The timeline, then the budget.
    let mut ctx = Ctx {
        doc,
        report: &mut loader.report,
    };
    let targets: Vec<(String, String)> = deployments
        .iter()
        .map(|d| (d.metadata.namespace.clone(), d.metadata.name.clone()))
        .collect();
    let (timeline, scales) = timeline::timeline(&mut ctx, &raw.timeline, &targets, duration);
    let pool_counts: Vec<u64> = pools.iter().map(|p| p.count).collect();
    let initial: Vec<i32> = deployments.iter().map(|d| d.replicas).collect();
    let over_budget;
    let peaks = match budget::objects(
        limits.run.max_objects,
        &pool_counts,
        pods.len(),
        &initial,
        &scales,
    ) {
        Ok(p) => {
            over_budget = false;
            p
        }
        Err(over) => {
            over_budget = true;
            let msg = format!(
                "the scenario holds {} or more nodes and pods here, more than limits.maxObjects ({})",
                over.total, limits.run.max_objects
            );
            let help = "raise limits.maxObjects (at most 4294967294), or make the scenario smaller"
                .to_string();
            match over.culprit {
                Culprit::Pool(i) => {
                    let r = At::ROOT;
                    let c = r.key("cluster");
                    let n = c.key("nodes");
                    let p = n.idx(i);
                    let field = if raw.cluster.nodes[i].count.is_some() {
                        "count"
                    } else {
                        "name"
                    };
                    ctx.err_help(&p.key(field), msg, Some(help));
                }
                Culprit::Pod(k) => {
                    let (d, path) = pod_at[k];
                    let e = path.with(|at| docs[d].error(&at.key("metadata").key("name"), msg));
                    ctx.report.errors.push(e.with_help(help));
                }
                Culprit::Deployment(k) => {
                    let (d, path) = dep_at[k];
                    let e = path.with(|at| {
                        let spec = at.key("spec");
                        let rat = spec.key("replicas");
                        let f = docs[d].tree.find(docs[d].root, &rat.segments());
                        if f.complete {
                            docs[d].error(&rat, msg)
                        } else {
                            docs[d].error(
                                &at.key("metadata").key("name"),
                                format!("{msg} (spec.replicas defaults to 1)"),
                            )
                        }
                    });
                    ctx.report.errors.push(e.with_help(help));
                }
                Culprit::Scale(i) => {
                    let r = At::ROOT;
                    let t = r.key("timeline");
                    let e = t.idx(i);
                    ctx.err_help(&e.key("replicas"), msg, Some(help));
                }
            }
            Vec::new()
        }
    };
    let node_count: u64 = pool_counts.iter().sum();
    if !over_budget {
        estimates(
            &mut ctx,
            &Estimate {
                duration,
                sample_interval,
                metrics: &metrics,
                limits: &limits,
                nodes: node_count,
                pods: &pods,
                deployments: &deployments,
                peaks: &peaks,
                images: &images,
                timeline_entries: timeline.len() as u64,
                sample_interval_given: raw.sample_interval.is_some(),
            },
        );
    }
    unused_images(&mut ctx, &images, &pods, &deployments);

    let nodes = if loader.report.errors.is_empty() {
        let mut ctx = Ctx {
            doc,
            report: &mut loader.report,
        };
        cluster::expand(&mut ctx, &pools)
    } else {
        Vec::new()
    };
    let Loader {
        mut report,
        mut counts,
        custom,
        user_classes,
        ..
    } = loader;
    for ((api_version, kind), (n, first)) in custom {
        report.warnings.push(
            first
                .warning()
                .with_help("custom resources need their controllers, which kubesim does not have")
                .tap_message(format!(
                    "skipped {n} custom resource{} of kind {kind} ({api_version}): kubesim does not model custom resources",
                    if n == 1 { "" } else { "s" }
                )),
        );
    }
    if !report.errors.is_empty() {
        sort(&mut report.errors);
        return Err(report.errors);
    }
    sort(&mut report.warnings);
    counts.modelled.insert("Node".into(), nodes.len());
    for (kind, n) in [
        ("Pod", pods.len()),
        ("Deployment", deployments.len()),
        ("PriorityClass", user_classes),
    ] {
        if n > 0 {
            counts.modelled.insert(kind.into(), n);
        }
    }
    Ok(Scenario {
        objects: counts,
        warnings: report.warnings,
        name: raw.name.clone(),
        description: raw.description.clone().unwrap_or_default(),
        file: path.to_path_buf(),
        input: SimulationInput {
            config: SimulationConfig {
                scenario: raw.name.clone(),
                seed: raw.seed.unwrap_or(1),
                duration,
                sample_interval,
                limits: limits.run,
                metrics,
                kubelet,
                profile,
                check_invariants: false,
            },
            nodes,
            images: images.into_iter().map(|i| (i.name, i.behavior)).collect(),
            pods,
            deployments,
            timeline,
        },
    })
}

/// A converted Pod or Deployment.
enum Converted {
    Pod(Pod),
    Deployment(Deployment),
}

/// Pass 2 for one object: read with its type, convert, admit. Runs on any
/// thread: it has its own reader and report.
fn convert_pending(
    p: &Pending,
    docs: &[Doc<'_>],
    classes: &PriorityClasses,
) -> (Option<Converted>, Report) {
    let d = docs[p.doc];
    let r = Reader::new(d.tree, Mode::Kubernetes);
    let mut report = Report::default();
    let mut ctx = Ctx {
        doc: d,
        report: &mut report,
    };
    let out = p.path.with(|at| {
        let info = match p.kind {
            Modelled::Pod => kinds::lookup("v1", "Pod"),
            Modelled::Deployment => kinds::lookup("apps/v1", "Deployment"),
            Modelled::PriorityClass => return None,
        };
        let Lookup::Known(info) = info else {
            return None;
        };
        let obj = info.read(&r, p.node, at);
        for i in r.take_issues() {
            ctx.issue(i);
        }
        match obj {
            Ok(Object::Pod(k)) => workloads::pod(&mut ctx, &k, at, classes).map(Converted::Pod),
            Ok(Object::Deployment(k)) => {
                workloads::deployment(&mut ctx, &k, at, classes).map(Converted::Deployment)
            }
            Ok(_) => None,
            Err(i) => {
                ctx.issue(i);
                None
            }
        }
    });
    (out, report)
}

trait TapMessage {
    fn tap_message(self, message: String) -> Self;
}

impl TapMessage for ScenarioError {
    fn tap_message(mut self, message: String) -> Self {
        self.message = message;
        self
    }
}

/// Errors in file order, top to bottom.
fn sort(errors: &mut [ScenarioError]) {
    errors.sort_by(|a, b| (&a.file, a.line, a.column).cmp(&(&b.file, b.line, b.column)));
}

fn syntax_error(path: &Path, text: &str, e: &yaml::SyntaxError) -> ScenarioError {
    Source::new(path, text, e.in_mapping).error(
        e.line,
        e.column,
        "",
        format!("invalid YAML: {}", e.message),
    )
}

/// State of the object passes.
struct Loader {
    report: Report,
    counts: ObjectCounts,
    classes: PriorityClasses,
    /// Custom resources by (apiVersion, kind): how many, and where the
    /// first one is.
    custom: BTreeMap<(String, String), (usize, ScenarioError)>,
    pending: Vec<Pending>,
    user_classes: usize,
}

/// The fields of a `List`.
const LIST_FIELDS: &[&str] = &["apiVersion", "kind", "metadata", "items"];

impl Loader {
    /// Pass 1 for the object at `node`.
    fn object(
        &mut self,
        docs: &[Doc<'_>],
        readers: &[Reader<'_, '_>],
        d: usize,
        node: Id,
        path: ObjPath,
        list_allowed: bool,
    ) {
        let doc = docs[d];
        let tree = doc.tree;
        let mut ctx = Ctx {
            doc,
            report: &mut self.report,
        };
        let field = |name: &str| -> Option<(Id, &str)> {
            let (k, v) = tree.get(node, name)?;
            let _ = k;
            (tree.kind(v) == Kind::Scalar && !tree.is_null(v)).then(|| (v, tree.text(v)))
        };
        if tree.kind(node) != Kind::Map {
            path.with(|at| {
                ctx.err(
                    at,
                    "expected a Kubernetes object (a mapping with apiVersion, kind, metadata…)",
                )
            });
            return;
        }
        let (Some((_, api_version)), Some((_, kind))) = (field("apiVersion"), field("kind")) else {
            path.with(|at| {
                for f in ["apiVersion", "kind"] {
                    if field(f).is_none() {
                        let fat = at.key(f);
                        ctx.err(&fat, format!("Required value: {f} not set"));
                    }
                }
            });
            return;
        };
        match kinds::lookup(api_version, kind) {
            Lookup::Known(info) => match info.handling {
                Handling::Model(Modelled::PriorityClass) => {
                    let r = &readers[d];
                    path.with(|at| {
                        let obj = info.read(r, node, at);
                        for i in r.take_issues() {
                            ctx.issue(i);
                        }
                        match obj {
                            Ok(Object::PriorityClass(c)) => {
                                let before = self.classes.iter().count();
                                workloads::priority_class(&mut ctx, &c, at, &mut self.classes);
                                if self.classes.iter().count() > before {
                                    self.user_classes += 1;
                                }
                            }
                            Ok(_) => {}
                            Err(i) => ctx.issue(i),
                        }
                    });
                }
                Handling::Model(kind) => self.pending.push(Pending {
                    doc: d,
                    node,
                    path,
                    kind,
                }),
                Handling::Skip => {
                    let r = &readers[d];
                    path.with(|at| {
                        let obj = info.read(r, node, at);
                        for i in r.take_issues() {
                            ctx.issue(i);
                        }
                        if let Err(i) = obj {
                            ctx.issue(i);
                        }
                    });
                    *self.counts.skipped.entry(info.kind.to_string()).or_default() += 1;
                }
                Handling::NotYet => path.with(|at| {
                    ctx.err(
                        &at.key("kind"),
                        format!("kind {kind} ({api_version}) is not modelled yet: this release models Pod, Deployment and PriorityClass"),
                    )
                }),
                Handling::NotFromManifests => path.with(|at| {
                    ctx.err(
                        &at.key("kind"),
                        "Node objects are not read from manifests: declare nodes under cluster.nodes",
                    )
                }),
            },
            Lookup::List => {
                if !list_allowed {
                    path.with(|at| ctx.err(&at.key("kind"), "a List inside a List is not supported"));
                    return;
                }
                for (k, _) in tree.entries(node) {
                    let key = tree.text(k);
                    if !LIST_FIELDS.contains(&key) {
                        path.with(|at| {
                            let e = ctx
                                .doc
                                .key_error(&at.key(key), format!("unknown field {key:?}: List has no such field"));
                            let e = match did_you_mean(key, LIST_FIELDS.iter().copied()) {
                                Some(h) => e.with_help(h),
                                None => e,
                            };
                            ctx.report.errors.push(e);
                        });
                    }
                }
                let Some((_, items)) = tree.get(node, "items") else {
                    return;
                };
                if tree.is_null(items) {
                    return;
                }
                if tree.kind(items) != Kind::Seq {
                    path.with(|at| ctx.err(&at.key("items"), "expected a list of objects"));
                    return;
                }
                let items: Vec<Id> = tree.children(items).collect();
                for (j, item) in items.into_iter().enumerate() {
                    let p = ObjPath {
                        workload: path.workload,
                        item: Some(j),
                    };
                    self.object(docs, readers, d, item, p, false);
                }
            }
            Lookup::Custom => {
                *self.counts.skipped.entry(kind.to_string()).or_default() += 1;
                let key = (api_version.to_string(), kind.to_string());
                if let Some(entry) = self.custom.get_mut(&key) {
                    entry.0 += 1;
                } else {
                    let e = path.with(|at| doc.error(&at.key("kind"), ""));
                    self.custom.insert(key, (1, e));
                }
            }
            Lookup::Unknown {
                message,
                help,
                at_api_version,
            } => path.with(|at| {
                let f = if at_api_version { "apiVersion" } else { "kind" };
                ctx.err_help(&at.key(f), message, help)
            }),
        }
    }
}

/// What the estimates need.
struct Estimate<'a> {
    duration: SimTime,
    sample_interval: SimTime,
    metrics: &'a kubesim_scheduler::MetricsConfig,
    limits: &'a Limits,
    nodes: u64,
    pods: &'a [Pod],
    deployments: &'a [Deployment],
    peaks: &'a [u64],
    images: &'a [Image],
    timeline_entries: u64,
    sample_interval_given: bool,
}

/// Refuses a scenario whose metric rows or events are sure to exceed the
/// limits, with the estimate.
fn estimates(ctx: &mut Ctx<'_, '_>, e: &Estimate<'_>) {
    // Containers alive at most, and per image.
    let mut per_image: BTreeMap<&str, u64> = BTreeMap::new();
    let mut containers: u64 = 0;
    let specs = e.pods.iter().map(|p| (&p.spec, 1)).chain(
        e.deployments
            .iter()
            .zip(e.peaks)
            .map(|(d, &peak)| (&d.template.spec, peak)),
    );
    for (spec, n) in specs {
        for c in spec.containers.iter().chain(&spec.init_containers) {
            containers = containers.saturating_add(n);
            let e = per_image.entry(c.image.as_str()).or_default();
            *e = e.saturating_add(n);
        }
    }
    let samples = budget::samples(e.duration, e.sample_interval);
    let rows = budget::metric_rows(
        samples,
        e.nodes,
        containers,
        e.metrics.nodes,
        e.metrics.containers,
        e.metrics.container_every,
    );
    let root = At::ROOT;
    let interval_at = if e.sample_interval_given {
        root.key("sampleInterval")
    } else {
        root.key("duration")
    };
    if rows > u128::from(e.limits.max_output_rows) {
        ctx.err_help(
            &interval_at,
            format!(
                "the run would write about {rows} metric rows ({samples} samples of {} nodes × {} metrics and {containers} containers × {} metrics), more than limits.maxOutputRows ({})",
                e.nodes,
                budget::NODE_METRICS,
                budget::CONTAINER_METRICS,
                e.limits.max_output_rows
            ),
            Some("sample less often (sampleInterval, metrics.containerInterval), turn metrics off (metrics.nodes, metrics.containers), or raise limits.maxOutputRows".into()),
        );
    }
    // Events: one per sample, one per timeline entry, one per change of a
    // container's CPU demand.
    let secs = e.duration.as_secs_f64();
    let mut worst: Option<(&str, f64)> = None;
    let mut profile_events = 0.0;
    for img in e.images {
        let n = per_image.get(img.name.as_str()).copied().unwrap_or(0) as f64;
        let ev = n * (img.changes.per_sec * secs + img.changes.per_start);
        profile_events += ev;
        if worst.is_none_or(|(_, w)| ev > w) {
            worst = Some((img.name.as_str(), ev));
        }
    }
    let events = samples as f64 + e.timeline_entries as f64 + profile_events;
    if events > e.limits.run.max_events as f64 {
        let msg = format!(
            "the run would take about {:.3e} events ({samples} samples, {:.3e} CPU demand changes of {containers} containers), more than limits.maxEvents ({})",
            events, profile_events, e.limits.run.max_events
        );
        let help = Some("make CPU profiles change less often (longer period or resolution), sample less often, or raise limits.maxEvents".to_string());
        match worst {
            Some((name, w)) if w * 2.0 > events => {
                let sec = root.key("images");
                let img = sec.key(name);
                let cpu = img.key("cpu");
                let periodic = e
                    .images
                    .iter()
                    .any(|i| i.name == name && i.changes.per_sec > 0.0);
                if periodic {
                    ctx.err_help(&cpu.key("period"), msg, help);
                } else {
                    ctx.err_help(&cpu, msg, help);
                }
            }
            _ => ctx.err_help(&interval_at, msg, help),
        }
    }
}

/// Warns about `images:` entries no container uses (a typo there leaves
/// every container of the real image at 0 CPU).
fn unused_images(
    ctx: &mut Ctx<'_, '_>,
    images: &[Image],
    pods: &[Pod],
    deployments: &[Deployment],
) {
    let mut used: std::collections::BTreeSet<&str> = Default::default();
    for spec in pods
        .iter()
        .map(|p| &p.spec)
        .chain(deployments.iter().map(|d| &d.template.spec))
    {
        for c in spec.containers.iter().chain(&spec.init_containers) {
            used.insert(c.image.as_str());
        }
    }
    let root = At::ROOT;
    let sec = root.key("images");
    for img in images {
        if !used.contains(img.name.as_str()) {
            let at = sec.key(&img.name);
            let unlisted: Vec<&str> = used
                .iter()
                .copied()
                .filter(|u| !images.iter().any(|i| i.name == *u))
                .collect();
            let e = ctx.doc.key_error(
                &at,
                format!(
                    "no container uses image {:?}: this entry has no effect",
                    img.name
                ),
            );
            let e = match did_you_mean(&img.name, unlisted.iter().copied()) {
                Some(h) => e.with_help(format!(
                    "{h} (containers of images not listed here use no CPU and no memory)"
                )),
                None => e,
            };
            ctx.report.warnings.push(e.warning());
        }
    }
}
