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
//! Objects are converted as the parser completes them: a big file is
//! parsed on a thread of its own, which hands every finished object
//! (a `workloads` item, a manifest document) over as a small tree of its
//! own, so that reading and converting objects runs beside parsing.
//! Pods, Deployments, Jobs and CronJobs are admitted (the Priority
//! admission plugin, on their pod templates) once every PriorityClass is
//! known: a class may come after the pods that use it, as `kubectl apply
//! -f DIR` allows.

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
use convert::{
    batch, cluster, images, services, settings, timeline, traffic, workloads, Ctx, Doc, Report,
};
use error::{did_you_mean, Source};
use kinds::{Handling, Lookup, Object};
use kubesim_core::{CronJob, Deployment, Job, Pod, PriorityClasses, Service, SimTime};
use kubesim_scheduler::{SimulationConfig, SimulationInput};

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use yaml::{At, Id, Kind, Mode, Reader, Split, SplitObject, Tree, YamlLimits};

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

/// Files at least this big are parsed on a thread of their own while
/// their objects are converted.
const STREAM_BYTES: usize = 256 << 10;
/// Objects handed over per message from the parser thread.
const BATCH: usize = 32;

/// Where an object is.
#[derive(Debug, Clone, Copy)]
struct Loc {
    /// Index of the file: 0 is the scenario, then the manifest files.
    file: usize,
    /// The index in `workloads` (scenario), or the line the object starts
    /// on (manifest): objects sort by it.
    top: usize,
    /// The item of a `List`.
    item: Option<usize>,
    /// Which tree holds it.
    home: Home,
}

#[derive(Debug, Clone, Copy)]
enum Home {
    /// An object tree of its own (the index among the file's).
    Split(usize),
    /// Document `doc` of the file's main tree `chunk` (a big manifest file
    /// is parsed in chunks, split at document markers).
    Main { chunk: usize, doc: usize },
}

impl Loc {
    /// Runs `f` with the object's field path.
    fn with<R>(self, f: impl FnOnce(&At<'_>) -> R) -> R {
        let root = At::ROOT;
        let wl = root.key("workloads");
        let base = if self.file == 0 {
            wl.idx(self.top)
        } else {
            root
        };
        let items = base.key("items");
        let at = match self.item {
            Some(j) => items.idx(j),
            None => base,
        };
        f(&at)
    }

    /// Path segments before the object's own root.
    fn prefix(self) -> usize {
        if self.file == 0 {
            2
        } else {
            0
        }
    }
}

/// A parsed file: its text's source, main trees (one per chunk) and
/// split-off objects.
struct Parsed<'s> {
    src: Source<'s>,
    trees: Vec<Tree<'s>>,
    objects: Vec<Tree<'s>>,
}

impl<'s> Parsed<'s> {
    /// The document that holds the object at `loc`, for errors.
    fn doc<'a>(&'a self, loc: Loc) -> Doc<'a> {
        match loc.home {
            Home::Split(k) => Doc {
                src: &self.src,
                tree: &self.objects[k],
                root: 0,
                prefix: loc.prefix(),
            },
            Home::Main { chunk, doc } => Doc {
                src: &self.src,
                tree: &self.trees[chunk],
                root: self.trees[chunk].documents().get(doc).copied().unwrap_or(0),
                prefix: 0,
            },
        }
    }
}

/// A Pod, Deployment, Job or CronJob, converted but not yet admitted.
struct Entry {
    loc: Loc,
    object: Converted,
    priority: convert::pod::PriorityRequest,
}

/// A converted Pod, Deployment, Job or CronJob.
enum Converted {
    Pod(Pod),
    Deployment(Deployment),
    Job(Box<Job>),
    CronJob(Box<CronJob>),
    Rollout(Box<kubesim_core::Rollout>),
}

impl Converted {
    fn spec_mut(&mut self) -> &mut kubesim_core::PodSpec {
        match self {
            Converted::Pod(p) => &mut p.spec,
            Converted::Deployment(d) => &mut d.template.spec,
            Converted::Job(j) => &mut j.template.spec,
            Converted::CronJob(c) => &mut c.job_template.template.spec,
            Converted::Rollout(r) => &mut r.template.spec,
        }
    }
    fn meta(&self) -> &kubesim_core::ObjectMeta {
        match self {
            Converted::Pod(p) => &p.metadata,
            Converted::Deployment(d) => &d.metadata,
            Converted::Job(j) => &j.metadata,
            Converted::CronJob(c) => &c.metadata,
            Converted::Rollout(r) => &r.metadata,
        }
    }
    /// The resource, as the API server names it in `AlreadyExists`.
    fn resource(&self) -> &'static str {
        match self {
            Converted::Pod(_) => "pods",
            Converted::Deployment(_) => "deployments.apps",
            Converted::Job(_) => "jobs.batch",
            Converted::CronJob(_) => "cronjobs.batch",
            Converted::Rollout(_) => "rollouts.argoproj.io",
        }
    }
}

/// Parses `text`, handing each split-off object to `on` (with the index
/// of the chunk it came from). A big file is parsed on threads of its
/// own while `on` converts on this one; a big manifest file is cut at
/// document markers (`---` at the start of a line, which YAML reserves
/// for them) and its two halves are parsed in parallel. Returns the main
/// tree of each chunk.
fn parse_streaming<'s>(
    text: &'s str,
    split: Split,
    on: &mut dyn FnMut(usize, SplitObject<'s>),
) -> Vec<Result<Tree<'s>, yaml::SyntaxError>> {
    let limits = YamlLimits::default();
    if text.len() < STREAM_BYTES {
        return vec![Tree::parse_split(text, limits, split, &mut |o| on(0, o))];
    }
    let chunks = match split {
        Split::Documents => halves(text),
        _ => vec![(text, 0)],
    };
    std::thread::scope(|scope| {
        let (tx, rx) = std::sync::mpsc::sync_channel::<(usize, Vec<SplitObject<'s>>)>(64);
        let parsers: Vec<_> = chunks
            .iter()
            .enumerate()
            .map(|(c, &(chunk, line_offset))| {
                let tx = tx.clone();
                scope.spawn(move || {
                    let mut batch = Vec::with_capacity(BATCH);
                    let result = {
                        let mut send = |o: SplitObject<'s>| {
                            batch.push(o);
                            if batch.len() >= BATCH {
                                let full = std::mem::replace(&mut batch, Vec::with_capacity(BATCH));
                                let _ = tx.send((c, full));
                            }
                        };
                        Tree::parse_split_at(chunk, limits, split, line_offset, &mut send)
                    };
                    let _ = tx.send((c, batch));
                    result
                })
            })
            .collect();
        drop(tx);
        for (c, batch) in rx {
            for o in batch {
                on(c, o);
            }
        }
        parsers
            .into_iter()
            .map(|p| {
                p.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    })
}

/// `text` cut in two at the document marker nearest its middle, with the
/// line each part starts on; the whole text when there is none (or when
/// directives, which belong to the next document, are used).
fn halves(text: &str) -> Vec<(&str, u32)> {
    let whole = vec![(text, 0)];
    if text.starts_with('%') || text.contains("\n%") {
        return whole;
    }
    let mid = text.len() / 2;
    let is_marker = |at: usize| {
        let rest = &text.as_bytes()[at..];
        rest.starts_with(b"---") && matches!(rest.get(3), None | Some(b' ' | b'\n' | b'\r' | b'\t'))
    };
    let mut at = None;
    let mut from = mid;
    while let Some(i) = text.get(from..).and_then(|t| t.find("\n---")) {
        let start = from + i + 1;
        if is_marker(start) {
            at = Some(start);
            break;
        }
        from = start;
    }
    let Some(at) = at else { return whole };
    let lines = text[..at].bytes().filter(|&b| b == b'\n').count();
    let Ok(lines) = u32::try_from(lines) else {
        return whole;
    };
    vec![(&text[..at], 0), (&text[at..], lines)]
}

/// Reads and validates the scenario at `path`.
pub fn load(path: &Path) -> Result<Scenario, Vec<ScenarioError>> {
    let text = files::read_text(path).map_err(|e| vec![e])?;
    load_text(path, &text)
}

/// Validates `text` as the scenario file `path` (which names it in errors;
/// `manifests:` are read relative to its folder).
pub fn load_text(path: &Path, text: &str) -> Result<Scenario, Vec<ScenarioError>> {
    let mut objects = Objects::default();
    // Objects of the scenario file are converted as they are parsed.
    let src = Source::new(path, text, true);
    let mut split: Vec<Tree<'_>> = Vec::new();
    let tree = parse_streaming(text, Split::Workloads, &mut |_, o| {
        let loc = Loc {
            file: 0,
            top: o.index,
            item: None,
            home: Home::Split(split.len()),
        };
        let doc = Doc {
            src: &src,
            tree: &o.tree,
            root: 0,
            prefix: 2,
        };
        objects.object(doc, 0, loc, true);
        split.push(o.tree);
    });
    let tree = match tree.into_iter().next() {
        Some(Ok(t)) => t,
        None => Tree::empty(),
        Some(Err(e)) => {
            let mut errors = objects.report.errors;
            errors.push(syntax_error(path, text, &e));
            sort(&mut errors);
            return Err(errors);
        }
    };
    let root = match tree.documents() {
        [] => {
            return Err(vec![file_error(
                path,
                "empty file: a scenario needs at least name, duration and cluster",
            )])
        }
        [root, rest @ ..] => {
            if let Some(&second) = rest.first() {
                let src = Source::new(path, text, tree.kind(*root) == Kind::Map);
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
        let src = Source::new(path, text, false);
        let (l, c) = tree.position(root);
        return Err(vec![src.error(
            l,
            c,
            "",
            "expected a mapping (a scenario: name, duration, cluster, …)",
        )]);
    }
    let scenario = Parsed {
        src,
        trees: vec![tree],
        objects: split,
    };
    let doc = Doc {
        src: &scenario.src,
        tree: &scenario.trees[0],
        root,
        prefix: 0,
    };
    let reader = Reader::new(&scenario.trees[0], Mode::Kubesim);
    let raw: raw::ScenarioFile = match reader.read(root, &At::ROOT) {
        Ok(f) => f,
        Err(e) => {
            let mut errors = objects.report.errors;
            errors.extend(reader.take_issues().into_iter().map(|i| doc.issue(i)));
            errors.push(doc.issue(e));
            sort(&mut errors);
            return Err(errors);
        }
    };
    for i in reader.take_issues() {
        objects.report.errors.push(doc.issue(i));
    }
    // Workloads the parser kept (they use anchors): converted now.
    for (i, node) in raw.workloads.iter().enumerate() {
        if scenario.trees[0].kind(node.0) == Kind::Moved {
            continue;
        }
        let loc = Loc {
            file: 0,
            top: i,
            item: None,
            home: Home::Main { chunk: 0, doc: 0 },
        };
        objects.object(doc, node.0, loc, true);
    }

    // kubesim's own sections.
    let mut ctx = Ctx {
        doc,
        report: &mut objects.report,
    };
    let limits = settings::limits(&mut ctx, raw.limits.as_ref());
    let duration = settings::duration(&mut ctx, &raw.duration, &limits);
    let clock_origin_unix_s = settings::start_time(&mut ctx, raw.start_time.as_deref());
    let sample_interval =
        settings::sample_interval(&mut ctx, raw.sample_interval.as_deref(), duration);
    let metrics = settings::metrics(&mut ctx, raw.metrics.as_ref(), sample_interval);
    ctx.dns_subdomain(&raw.name, &At::ROOT.key("name"));
    let pools = cluster::pools(&mut ctx, &raw.cluster.nodes);
    let profile = cluster::profile(&mut ctx, raw.cluster.scheduler.as_ref());
    let kubelet = cluster::kubelet_config(&mut ctx, &raw.cluster);
    let controller_manager =
        cluster::controller_manager(&mut ctx, raw.cluster.controller_manager.as_ref());
    let images = images::images(&mut ctx, &reader, &raw.images);
    let traffic_specs = traffic::traffic(&mut ctx, &reader, &raw.traffic);

    // Manifest files: read them all, then parse each (trees borrow texts).
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut manifest_files: Vec<(PathBuf, String)> = Vec::new();
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
                            Ok(text) => manifest_files.push((f, text)),
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
    let mut parsed: Vec<Parsed<'_>> = Vec::with_capacity(manifest_files.len());
    for (n, (mpath, mtext)) in manifest_files.iter().enumerate() {
        let file = n + 1;
        let src = Source::new(mpath, mtext, true);
        let mut split: Vec<Tree<'_>> = Vec::new();
        let trees = parse_streaming(mtext, Split::Documents, &mut |_, o| {
            let loc = Loc {
                file,
                top: o.tree.position(0).0,
                item: None,
                home: Home::Split(split.len()),
            };
            let doc = Doc {
                src: &src,
                tree: &o.tree,
                root: 0,
                prefix: 0,
            };
            objects.object(doc, 0, loc, true);
            split.push(o.tree);
        });
        let trees = trees
            .into_iter()
            .map(|t| {
                t.unwrap_or_else(|e| {
                    objects.report.errors.push(syntax_error(mpath, mtext, &e));
                    Tree::empty()
                })
            })
            .collect();
        parsed.push(Parsed {
            src,
            trees,
            objects: split,
        });
    }
    // Documents the parser kept: not mappings, or using anchors.
    for (n, p) in parsed.iter().enumerate() {
        for (chunk, t) in p.trees.iter().enumerate() {
            for (doc, &node) in t.documents().iter().enumerate() {
                if t.kind(node) == Kind::Moved || t.is_null(node) {
                    continue; // converted already, or an empty document
                }
                let loc = Loc {
                    file: n + 1,
                    top: t.position(node).0,
                    item: None,
                    home: Home::Main { chunk, doc },
                };
                if t.kind(node) != Kind::Map {
                    // Not a Kubernetes object: no quoting (it may be any file).
                    let (l, c) = t.position(node);
                    let e = Source::new(p.src.file, p.src.text, false).error(
                        l,
                        c,
                        "",
                        "expected a Kubernetes object (a mapping with apiVersion, kind, metadata…)",
                    );
                    objects.report.errors.push(e);
                    continue;
                }
                objects.object(p.doc(loc), node, loc, true);
            }
        }
    }

    // Admission, in file order, once every PriorityClass is known.
    let files: Vec<&Parsed<'_>> = std::iter::once(&scenario).chain(parsed.iter()).collect();
    let Objects {
        mut report,
        mut counts,
        mut classes,
        custom,
        mut entries,
        mut pending_classes,
        services: mut pending_services,
        analysis_templates: mut pending_templates,
        references,
    } = objects;
    pending_classes.sort_by_key(|(loc, _)| (loc.file, loc.top, loc.item));
    let mut user_classes = 0;
    for (loc, c) in &pending_classes {
        let mut ctx = Ctx {
            doc: files[loc.file].doc(*loc),
            report: &mut report,
        };
        if loc.with(|at| workloads::priority_class(&mut ctx, c, at, &mut classes)) {
            user_classes += 1;
        }
    }
    entries.sort_by_key(|e| (e.loc.file, e.loc.top, e.loc.item));
    let mut pods: Vec<Pod> = Vec::new();
    let mut deployments: Vec<Deployment> = Vec::new();
    let mut jobs: Vec<Job> = Vec::new();
    let mut cron_jobs: Vec<CronJob> = Vec::new();
    let mut pod_at: Vec<Loc> = Vec::new();
    let mut dep_at: Vec<Loc> = Vec::new();
    let mut job_at: Vec<Loc> = Vec::new();
    let mut cron_at: Vec<Loc> = Vec::new();
    let mut argo_rollouts: Vec<kubesim_core::Rollout> = Vec::new();
    let mut rollout_at: Vec<Loc> = Vec::new();
    let mut names: std::collections::HashSet<(&str, String, String)> = Default::default();
    for mut e in entries {
        let d = files[e.loc.file].doc(e.loc);
        let mut ctx = Ctx {
            doc: d,
            report: &mut report,
        };
        let ok = e.loc.with(|at| {
            let spec = at.key("spec");
            let template = spec.key("template");
            let template_spec = template.key("spec");
            let job_template = spec.key("jobTemplate");
            let jt_spec = job_template.key("spec");
            let jt_template = jt_spec.key("template");
            let jt_template_spec = jt_template.key("spec");
            let spec_at = match e.object {
                Converted::Pod(_) => &spec,
                Converted::Deployment(_) | Converted::Job(_) | Converted::Rollout(_) => {
                    &template_spec
                }
                Converted::CronJob(_) => &jt_template_spec,
            };
            workloads::admit(
                &mut ctx,
                &classes,
                e.object.spec_mut(),
                &e.priority,
                spec_at,
            );
            let meta = e.object.meta();
            let what = e.object.resource();
            if !names.insert((what, meta.namespace.clone(), meta.name.clone())) {
                ctx.err(
                    &at.key("metadata").key("name"),
                    format!(
                        "Duplicate value: {what} {:?} already exists in namespace {:?}",
                        meta.name, meta.namespace
                    ),
                );
                return false;
            }
            true
        });
        if !ok {
            continue;
        }
        match e.object {
            Converted::Pod(p) => {
                pods.push(p);
                pod_at.push(e.loc);
            }
            Converted::Deployment(d) => {
                deployments.push(d);
                dep_at.push(e.loc);
            }
            Converted::Job(j) => {
                jobs.push(*j);
                job_at.push(e.loc);
            }
            Converted::CronJob(c) => {
                cron_jobs.push(*c);
                cron_at.push(e.loc);
            }
            Converted::Rollout(r) => {
                argo_rollouts.push(*r);
                rollout_at.push(e.loc);
            }
        }
    }

    // Services, in file order; names are unique per namespace.
    pending_services.sort_by_key(|(loc, _)| (loc.file, loc.top, loc.item));
    let mut services: Vec<Service> = Vec::new();
    for (loc, s) in pending_services {
        let mut ctx = Ctx {
            doc: files[loc.file].doc(loc),
            report: &mut report,
        };
        let key = (
            "services",
            s.metadata.namespace.clone(),
            s.metadata.name.clone(),
        );
        if names.contains(&key) {
            loc.with(|at| {
                ctx.err(
                    &at.key("metadata").key("name"),
                    format!(
                        "Duplicate value: services {:?} already exists in namespace {:?}",
                        s.metadata.name, s.metadata.namespace
                    ),
                )
            });
            continue;
        }
        names.insert(key);
        services.push(s);
    }

    // AnalysisTemplates, in file order; then every reference a Rollout
    // or a template makes.
    pending_templates.sort_by_key(|(loc, _)| (loc.file, loc.top, loc.item));
    let mut analysis_templates: Vec<kubesim_core::AnalysisTemplate> = Vec::new();
    for (loc, t) in pending_templates {
        let key = (
            "analysistemplates",
            t.metadata.namespace.clone(),
            t.metadata.name.clone(),
        );
        if !names.insert(key) {
            let mut ctx = Ctx {
                doc: files[loc.file].doc(loc),
                report: &mut report,
            };
            loc.with(|at| {
                ctx.err(
                    &at.key("metadata").key("name"),
                    format!(
                        "Duplicate value: analysistemplates.argoproj.io {:?} already exists in namespace {:?}",
                        t.metadata.name, t.metadata.namespace
                    ),
                )
            });
            continue;
        }
        analysis_templates.push(t);
    }
    for r in references {
        let table = if r.kind == "Service" {
            "services"
        } else {
            "analysistemplates"
        };
        if !names.contains(&(table, r.namespace.clone(), r.name.clone())) {
            report.errors.push(r.error);
        }
    }

    // The timeline, then the budget.
    let mut ctx = Ctx {
        doc,
        report: &mut report,
    };
    traffic::check_services(&mut ctx, &traffic_specs, &services);
    let targets: Vec<timeline::Target> = deployments
        .iter()
        .map(|d| {
            let spec = &d.template.spec;
            timeline::Target {
                namespace: d.metadata.namespace.clone(),
                name: d.metadata.name.clone(),
                containers: spec
                    .containers
                    .iter()
                    .chain(&spec.init_containers)
                    .map(|c| c.name.clone())
                    .collect(),
                app_containers: spec.containers.len(),
                rollout: false,
            }
        })
        .chain(argo_rollouts.iter().map(|r| {
            let spec = &r.template.spec;
            timeline::Target {
                namespace: r.metadata.namespace.clone(),
                name: r.metadata.name.clone(),
                containers: spec
                    .containers
                    .iter()
                    .chain(&spec.init_containers)
                    .map(|c| c.name.clone())
                    .collect(),
                app_containers: spec.containers.len(),
                rollout: true,
            }
        }))
        .collect();
    let timeline::Timeline {
        entries: mut timeline,
        scales,
        rollouts,
        images: set_images,
        added,
    } = timeline::timeline(&mut ctx, &raw.timeline, &targets, &pools, duration);
    let pool_counts: Vec<u64> = pools.iter().map(|p| p.count).collect();
    // Rollouts count as Deployments do (their targets follow the
    // Deployments' in the timeline).
    let initial: Vec<i32> = deployments
        .iter()
        .map(|d| d.replicas)
        .chain(argo_rollouts.iter().map(|r| r.replicas))
        .collect();
    dep_at.extend(rollout_at.iter().copied());
    let job_objects: Vec<u64> = jobs
        .iter()
        .map(|j| budget::job_pods(j).saturating_add(1))
        .collect();
    // A CronJob's start times are counted only as far as the limit needs.
    let max_objects = limits.run.max_objects;
    let cron_runs: Vec<u64> = cron_jobs
        .iter()
        .map(|c| {
            let cap = (max_objects / budget::cron_run_objects(c)).saturating_add(1);
            budget::cron_runs(c, clock_origin_unix_s, duration, cap)
        })
        .collect();
    let cron_objects: Vec<u64> = cron_jobs
        .iter()
        .zip(&cron_runs)
        .map(|(c, &runs)| {
            runs.saturating_mul(budget::cron_run_objects(c))
                .saturating_add(1)
        })
        .collect();
    let mut over_budget = false;
    let peaks = match budget::objects(
        max_objects,
        &budget::Creates {
            pools: &pool_counts,
            pods: pods.len(),
            deployments: &initial,
            scales: &scales,
            rollouts: &rollouts,
            jobs: &job_objects,
            cron_jobs: &cron_objects,
            added: &added,
        },
    ) {
        Ok(p) => p,
        Err(over) => {
            over_budget = true;
            let msg = format!(
                "the scenario creates {} or more objects (nodes, pods, Jobs, CronJobs) here, more than limits.maxObjects ({max_objects})",
                over.total
            );
            let help = "raise limits.maxObjects (at most 4294967294), or make the scenario smaller"
                .to_string();
            let object =
                |locs: &[Loc], k: usize, f: &dyn Fn(&Doc<'_>, &At<'_>) -> ScenarioError| {
                    let loc = locs[k];
                    let d = files[loc.file].doc(loc);
                    loc.with(|at| f(&d, at))
                };
            let e = match over.culprit {
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
                    doc.error(&p.key(field), msg)
                }
                Culprit::Pod(k) => object(&pod_at, k, &|d, at| {
                    d.error(&at.key("metadata").key("name"), msg.clone())
                }),
                Culprit::Deployment(k) => object(&dep_at, k, &|d, at| {
                    let spec = at.key("spec");
                    let rat = spec.key("replicas");
                    if d.has(&rat) {
                        d.error(&rat, msg.clone())
                    } else {
                        d.error(
                            &at.key("metadata").key("name"),
                            format!("{msg} (spec.replicas defaults to 1)"),
                        )
                    }
                }),
                Culprit::Scale(i) => {
                    let r = At::ROOT;
                    let t = r.key("timeline");
                    let e = t.idx(i);
                    doc.error(&e.key("replicas"), msg)
                }
                Culprit::Rollout(i) => {
                    let r = At::ROOT;
                    let t = r.key("timeline");
                    let e = t.idx(i);
                    doc.error(
                        &e.key("action"),
                        format!("{msg} (a new revision creates up to the Deployment's replicas in new pods)"),
                    )
                }
                Culprit::Job(k) => {
                    let j = &jobs[k];
                    let detail = format!(
                        "{msg}: Job {} makes up to {} pods ({} to succeed, backoffLimit {})",
                        j.metadata.name,
                        budget::job_pods(j),
                        j.completions.unwrap_or(j.parallelism),
                        j.backoff_limit
                    );
                    object(&job_at, k, &|d, at| {
                        let spec = at.key("spec");
                        // The field that weighs most, if it is written.
                        let succeed = i64::from(j.completions.unwrap_or(j.parallelism));
                        let fields = if i64::from(j.backoff_limit) > succeed {
                            ["backoffLimit", "completions", "parallelism"]
                        } else {
                            ["completions", "parallelism", "backoffLimit"]
                        };
                        match fields.iter().map(|f| spec.key(f)).find(|f| d.has(f)) {
                            Some(f) => d.error(&f, detail.clone()),
                            None => d.error(&at.key("metadata").key("name"), detail.clone()),
                        }
                    })
                }
                Culprit::CronJob(k) => {
                    let c = &cron_jobs[k];
                    let per_run = budget::cron_run_objects(c);
                    let runs = cron_runs[k];
                    // Counting stopped at what passes the limit, or
                    // extrapolated past MAX_CRON_STEPS.
                    let runs = if runs > max_objects / per_run {
                        format!("{runs} or more")
                    } else if runs >= budget::MAX_CRON_STEPS {
                        format!("about {runs}")
                    } else {
                        runs.to_string()
                    };
                    let detail = format!(
                        "{msg}: schedule {:?} starts {runs} Jobs in {duration}, each with up to {} pods",
                        c.schedule.as_str(),
                        per_run - 1
                    );
                    object(&cron_at, k, &|d, at| {
                        d.error(&at.key("spec").key("schedule"), detail.clone())
                    })
                }
                Culprit::AddNodes(i) => {
                    let r = At::ROOT;
                    let t = r.key("timeline");
                    let e = t.idx(i);
                    doc.error(&e.key("count"), msg)
                }
            };
            ctx.report.errors.push(e.with_help(help));
            Vec::new()
        }
    };
    let added_nodes = added.iter().fold(0u64, |n, a| n.saturating_add(a.count));
    let node_count: u64 = pool_counts
        .iter()
        .fold(added_nodes, |n, &c| n.saturating_add(c));
    if !over_budget {
        estimates(
            &mut ctx,
            &Estimate {
                services: services.iter().filter(|s| s.selector.is_some()).count() as u64,
                traffic: traffic_specs.len() as u64,
                duration,
                sample_interval,
                metrics: &metrics,
                limits: &limits,
                nodes: node_count,
                pods: &pods,
                deployments: &deployments,
                peaks: &peaks,
                jobs: &jobs,
                cron_jobs: &cron_jobs,
                cron_runs: &cron_runs,
                images: &images,
                timeline_entries: timeline.len() as u64,
                rollouts: rollouts.len() as u64,
                argo_rollouts: argo_rollouts.len() as u64,
                sample_interval_given: raw.sample_interval.is_some(),
            },
        );
    }
    let specs: Vec<&kubesim_core::PodSpec> = pods
        .iter()
        .map(|p| &p.spec)
        .chain(deployments.iter().map(|d| &d.template.spec))
        .chain(argo_rollouts.iter().map(|r| &r.template.spec))
        .chain(jobs.iter().map(|j| &j.template.spec))
        .chain(cron_jobs.iter().map(|c| &c.job_template.template.spec))
        .collect();
    unused_images(&mut ctx, &images, &specs, &set_images);
    let nodes = if ctx.report.errors.is_empty() {
        let nodes = cluster::expand(&mut ctx, &pools);
        timeline::add_nodes(&mut ctx, &pools, &added, &mut timeline);
        nodes
    } else {
        Vec::new()
    };
    for ((api_version, kind), (n, _, mut first)) in custom {
        first.message = format!(
            "skipped {n} custom resource{} of kind {kind} ({api_version}): kubesim does not model custom resources",
            if n == 1 { "" } else { "s" }
        );
        report.warnings.push(
            first
                .warning()
                .with_help("custom resources need their controllers, which kubesim does not have"),
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
        ("Job", jobs.len()),
        ("CronJob", cron_jobs.len()),
        ("Service", services.len()),
        ("Rollout", argo_rollouts.len()),
        ("AnalysisTemplate", analysis_templates.len()),
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
            argo: kubesim_scheduler::ArgoInput {
                rollouts: argo_rollouts,
                analysis_templates,
            },
            config: SimulationConfig {
                scenario: raw.name.clone(),
                seed: raw.seed.unwrap_or(1),
                duration,
                sample_interval,
                limits: limits.run,
                metrics,
                kubelet,
                profile,
                controller_manager,
                check_invariants: false,
                clock_origin_unix_s,
            },
            nodes,
            images: images.into_iter().map(|i| (i.name, i.behavior)).collect(),
            pods,
            deployments,
            jobs,
            cron_jobs,
            services,
            timeline,
            traffic: traffic_specs.into_iter().map(|(_, s)| s).collect(),
        },
    })
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

/// Custom resources of one kind: how many, and the first (file index,
/// line, column) with its warning.
type CustomKind = (usize, (usize, usize, usize), ScenarioError);

/// What the objects of a scenario came to.
#[derive(Default)]
struct Objects {
    report: Report,
    counts: ObjectCounts,
    classes: PriorityClasses,
    /// Custom resources by (apiVersion, kind): how many, and where the
    /// first one is.
    custom: BTreeMap<(String, String), CustomKind>,
    entries: Vec<Entry>,
    pending_classes: Vec<(Loc, Box<k8s_openapi::api::scheduling::v1::PriorityClass>)>,
    services: Vec<(Loc, Service)>,
    analysis_templates: Vec<(Loc, kubesim_core::AnalysisTemplate)>,
    references: Vec<convert::rollouts::Reference>,
}

/// The fields of a `List`.
const LIST_FIELDS: &[&str] = &["apiVersion", "kind", "metadata", "items"];

impl Objects {
    /// Keeps a converted workload, to be admitted in file order once
    /// every object is read.
    fn entry(
        entries: &mut Vec<Entry>,
        loc: Loc,
        converted: Option<(Converted, convert::pod::PriorityRequest)>,
    ) {
        if let Some((object, priority)) = converted {
            entries.push(Entry {
                loc,
                object,
                priority,
            });
        }
    }

    /// Dispatches the object at `node` by kind: reads it with its type,
    /// converts what kubesim models, counts what it skips.
    fn object(&mut self, doc: Doc<'_>, node: Id, loc: Loc, list_allowed: bool) {
        let tree = doc.tree;
        let reader = Reader::new(tree, Mode::Kubernetes);
        let mut ctx = Ctx {
            doc,
            report: &mut self.report,
        };
        let field = |name: &str| -> Option<&str> {
            let (_, v) = tree.get(node, name)?;
            (tree.kind(v) == Kind::Scalar && !tree.is_null(v)).then(|| tree.text(v))
        };
        if tree.kind(node) != Kind::Map {
            loc.with(|at| {
                ctx.err(
                    at,
                    "expected a Kubernetes object (a mapping with apiVersion, kind, metadata…)",
                )
            });
            return;
        }
        let (Some(api_version), Some(kind)) = (field("apiVersion"), field("kind")) else {
            loc.with(|at| {
                for f in ["apiVersion", "kind"] {
                    if field(f).is_none() {
                        ctx.err(&at.key(f), format!("Required value: {f} not set"));
                    }
                }
            });
            return;
        };
        let read = |ctx: &mut Ctx<'_, '_>, info: &kinds::KindInfo, at: &At<'_>| {
            let obj = info.read(&reader, node, at);
            for i in reader.take_issues() {
                ctx.issue(i);
            }
            obj.map_err(|i| ctx.issue(i)).ok()
        };
        match kinds::lookup(api_version, kind) {
            Lookup::Known(info) => match info.handling {
                Handling::Model(_) => loc.with(|at| match read(&mut ctx, info, at) {
                    // Added in file order once every object is read (the
                    // order objects complete in may vary).
                    Some(Object::PriorityClass(c)) => self.pending_classes.push((loc, c)),
                    Some(Object::Pod(k)) => {
                        let e = workloads::pod(&mut ctx, &k, at);
                        Self::entry(&mut self.entries, loc, e.map(|(p, pr)| (Converted::Pod(p), pr)));
                    }
                    Some(Object::Deployment(k)) => {
                        let e = workloads::deployment(&mut ctx, &k, at);
                        Self::entry(&mut self.entries, loc, e.map(|(d, pr)| (Converted::Deployment(d), pr)));
                    }
                    Some(Object::Job(k)) => {
                        let e = batch::job(&mut ctx, &k, at);
                        Self::entry(&mut self.entries, loc, e.map(|(j, pr)| (Converted::Job(Box::new(j)), pr)));
                    }
                    Some(Object::CronJob(k)) => {
                        let e = batch::cron_job(&mut ctx, &k, at);
                        Self::entry(&mut self.entries, loc, e.map(|(c, pr)| (Converted::CronJob(Box::new(c)), pr)));
                    }
                    Some(Object::Service(k)) => {
                        if let Some(s) = services::service(&mut ctx, &k, at) {
                            self.services.push((loc, s));
                        }
                    }
                    Some(Object::Rollout(k)) => {
                        let e = convert::rollouts::rollout(&mut ctx, &k, at, &mut self.references);
                        Self::entry(&mut self.entries, loc, e.map(|(r, pr)| (Converted::Rollout(Box::new(r)), pr)));
                    }
                    Some(Object::AnalysisTemplate(k)) => {
                        if let Some(t) = convert::rollouts::analysis_template(&mut ctx, &k, at, &mut self.references) {
                            self.analysis_templates.push((loc, t));
                        }
                    }
                    Some(Object::Skipped) | None => {}
                }),
                Handling::Skip => {
                    loc.with(|at| read(&mut ctx, info, at));
                    *self.counts.skipped.entry(info.kind.to_string()).or_default() += 1;
                }
                Handling::NotYet => loc.with(|at| {
                    ctx.err(
                        &at.key("kind"),
                        format!("kind {kind} ({api_version}) is not modelled yet: this release models Pod, Deployment, Job, CronJob, Service and PriorityClass"),
                    )
                }),
                Handling::NotFromManifests => loc.with(|at| {
                    ctx.err(
                        &at.key("kind"),
                        "Node objects are not read from manifests: declare nodes under cluster.nodes",
                    )
                }),
            },
            Lookup::List => {
                if !list_allowed {
                    loc.with(|at| ctx.err(&at.key("kind"), "a List inside a List is not supported"));
                    return;
                }
                for (k, _) in tree.entries(node) {
                    let key = tree.text(k);
                    if !LIST_FIELDS.contains(&key) {
                        loc.with(|at| {
                            let e = ctx.doc.key_error(
                                &at.key(key),
                                format!("unknown field {key:?}: List has no such field"),
                            );
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
                    loc.with(|at| ctx.err(&at.key("items"), "expected a list of objects"));
                    return;
                }
                let items: Vec<Id> = tree.children(items).collect();
                for (j, item) in items.into_iter().enumerate() {
                    let item_loc = Loc {
                        item: Some(j),
                        ..loc
                    };
                    self.object(doc, item, item_loc, false);
                }
            }
            Lookup::Custom => {
                *self.counts.skipped.entry(kind.to_string()).or_default() += 1;
                // One warning per kind, at the first object in file order.
                let key = (api_version.to_string(), kind.to_string());
                let e = loc.with(|at| doc.error(&at.key("kind"), ""));
                let here = (loc.file, e.line, e.column);
                let entry = self.custom.entry(key).or_insert((0, here, e.clone()));
                entry.0 += 1;
                if here < entry.1 {
                    entry.1 = here;
                    entry.2 = e;
                }
            }
            Lookup::Unknown {
                message,
                help,
                at_api_version,
            } => loc.with(|at| {
                let f = if at_api_version { "apiVersion" } else { "kind" };
                ctx.err_help(&at.key(f), message, help)
            }),
        }
    }
}

/// What the estimates need.
struct Estimate<'a> {
    /// Services with a selector: one `endpoints` row per sample each.
    services: u64,
    /// `traffic:` entries.
    traffic: u64,
    duration: SimTime,
    sample_interval: SimTime,
    metrics: &'a kubesim_scheduler::MetricsConfig,
    limits: &'a Limits,
    nodes: u64,
    pods: &'a [Pod],
    deployments: &'a [Deployment],
    peaks: &'a [u64],
    jobs: &'a [Job],
    cron_jobs: &'a [CronJob],
    /// Start times of each CronJob within the run.
    cron_runs: &'a [u64],
    images: &'a [Image],
    timeline_entries: u64,
    /// The timeline's `setImage` and `rollback` actions.
    rollouts: u64,
    /// Argo Rollouts.
    argo_rollouts: u64,
    sample_interval_given: bool,
}

/// Refuses a scenario whose metric rows or events are sure to exceed the
/// limits, with the estimate.
fn estimates(ctx: &mut Ctx<'_, '_>, e: &Estimate<'_>) {
    // Containers alive at most, and started, per image: a pod template
    // with the pods alive at once and the pods created over the run. A
    // CronJob counts as one Job at a time (Forbid and Replace ensure it;
    // under Allow runs overlap only when a Job outlasts the gap between
    // start times).
    let mut per_image: BTreeMap<&str, (u64, u64)> = BTreeMap::new();
    let mut containers: u64 = 0;
    let specs: Vec<(&kubesim_core::PodSpec, u64, u64, bool)> = e
        .pods
        .iter()
        .map(|p| (&p.spec, 1, 1, false))
        .chain(
            e.deployments
                .iter()
                .zip(e.peaks)
                .map(|(d, &peak)| (&d.template.spec, peak, peak, false)),
        )
        .chain(e.jobs.iter().map(|j| {
            let made = budget::job_pods(j);
            (&j.template.spec, budget::job_peak_pods(j), made, true)
        }))
        .chain(e.cron_jobs.iter().zip(e.cron_runs).map(|(c, &runs)| {
            let job = c.job_template.job(Default::default());
            let made = runs.saturating_mul(budget::job_pods(&job));
            let alive = if runs == 0 {
                0
            } else {
                budget::job_peak_pods(&job)
            };
            (&c.job_template.template.spec, alive, made, true)
        }))
        .collect();
    let job_pods = specs
        .iter()
        .filter(|s| s.3)
        .fold(0u64, |n, s| n.saturating_add(s.2));
    for (spec, alive, made, _) in specs {
        for c in spec.containers.iter().chain(&spec.init_containers) {
            containers = containers.saturating_add(alive);
            let e = per_image.entry(c.image.as_str()).or_default();
            e.0 = e.0.saturating_add(alive);
            e.1 = e.1.saturating_add(made);
        }
    }
    let samples = budget::samples(e.duration, e.sample_interval);
    // A Rollout writes a Deployment's rows and `canary_weight`.
    let deployment_rows = budget::deployment_rows(
        (e.deployments.len() as u64).saturating_add(e.argo_rollouts),
        e.rollouts,
    )
    .saturating_add(e.argo_rollouts);
    let rows = budget::metric_rows(samples, e.nodes, containers, deployment_rows, e.metrics)
        .saturating_add(u128::from(samples) * u128::from(e.services))
        // Six rows per traffic entry and sample, and as many for each
        // revision serving it (two during a release): about 18.
        .saturating_add(u128::from(samples) * u128::from(e.traffic) * 18);
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
                "the run would write about {rows} metric rows ({samples} samples of {} cluster metrics, {} nodes × {} metrics and {containers} containers × {} metrics), more than limits.maxOutputRows ({})",
                budget::CLUSTER_METRICS,
                e.nodes,
                budget::NODE_METRICS,
                budget::CONTAINER_METRICS,
                e.limits.max_output_rows
            ),
            Some("sample less often (sampleInterval, metrics.containerInterval), turn metrics off (metrics.nodes, metrics.containers), or raise limits.maxOutputRows".into()),
        );
    }
    // Events: one per sample, one per timeline entry; per container one
    // per change of its CPU demand, two per piece of its memory profile
    // (its node's OOM watch and eviction check re-arm), and a few per
    // restart its image's exits cause (each restart starts the profiles
    // over); and a few for each pod of a Job (scheduling, start, end, the
    // Job's sync) and each start of a CronJob.
    let secs = e.duration.as_secs_f64();
    let mut worst: Option<(&Image, EventCulprit, f64)> = None;
    let mut profile_events = 0.0;
    for img in e.images {
        let (alive, made) = per_image.get(img.name.as_str()).copied().unwrap_or((0, 0));
        let (alive, made) = (alive as f64, made as f64);
        let restarts = alive * img.restarts_per_sec * secs;
        let starts = made + restarts;
        let per = |c: &convert::images::Changes| c.per_sec * secs * alive + c.per_start * starts;
        let parts = [
            (EventCulprit::Cpu, per(&img.changes)),
            (
                EventCulprit::Memory,
                MEMORY_EVENTS_PER_PIECE * per(&img.memory_changes),
            ),
            (EventCulprit::Exit, EVENTS_PER_RESTART * restarts),
        ];
        for (culprit, ev) in parts {
            profile_events += ev;
            if worst.is_none_or(|(_, _, w)| ev > w) {
                worst = Some((img, culprit, ev));
            }
        }
    }
    let runs: u64 = e.cron_runs.iter().fold(0, |n, &r| n.saturating_add(r));
    let batch_events = job_pods as f64 * budget::EVENTS_PER_JOB_POD + runs as f64;
    let events = samples as f64 + e.timeline_entries as f64 + profile_events + batch_events;
    if events > e.limits.run.max_events as f64 {
        let msg = format!(
            "the run would take about {:.3e} events ({samples} samples, {:.3e} CPU demand changes, memory profile pieces and restarts of {containers} containers, {:.3e} for {job_pods} pods of Jobs), more than limits.maxEvents ({})",
            events, profile_events, batch_events, e.limits.run.max_events
        );
        let help = Some("make CPU and memory profiles change less often (longer period or resolution), exit less often, sample less often, or raise limits.maxEvents".to_string());
        match worst {
            Some((img, culprit, w)) if w * 2.0 > events => {
                let sec = root.key("images");
                let at = sec.key(&img.name);
                let (field, periodic) = match culprit {
                    EventCulprit::Cpu => ("cpu", img.changes.periodic()),
                    EventCulprit::Memory => ("memory", img.memory_changes.periodic()),
                    EventCulprit::Exit => ("exit", false),
                };
                let f = at.key(field);
                if periodic {
                    ctx.err_help(&f.key("period"), msg, help);
                } else {
                    ctx.err_help(&f, msg, help);
                }
            }
            _ => ctx.err_help(&interval_at, msg, help),
        }
    }
}

/// Which part of an image dominates the event estimate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum EventCulprit {
    Cpu,
    Memory,
    Exit,
}

/// Events per piece boundary of a memory profile: the node's OOM watch
/// and its eviction check are both re-armed.
const MEMORY_EVENTS_PER_PIECE: f64 = 2.0;
/// Events per restart: the exit, the back-off timer, the process coming
/// up, and the re-armed watches of the new run.
const EVENTS_PER_RESTART: f64 = 4.0;

/// Warns about `images:` entries no container uses (a typo there leaves
/// every container of the real image at 0 CPU). `specs` are every pod
/// spec and pod template of the scenario; `set_images` the images the
/// timeline's `setImage` actions name.
fn unused_images(
    ctx: &mut Ctx<'_, '_>,
    images: &[Image],
    specs: &[&kubesim_core::PodSpec],
    set_images: &[String],
) {
    let mut used: std::collections::BTreeSet<&str> =
        set_images.iter().map(String::as_str).collect();
    for spec in specs {
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
