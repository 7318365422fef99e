//! A YAML stream as a compact tree of positioned nodes.
//!
//! The parser ([`saphyr_parser`]) emits events; [`Tree::parse`] lays them
//! out in pre-order in one `Vec<Node>`, each node knowing its line and
//! column, each collection where its subtree ends. Scalars stay slices of
//! the source text where the parser could borrow them (plain scalars
//! without folding), so a 100 MB file costs one vector of 20-byte nodes
//! plus the escaped strings, not a heap object per value.
//!
//! Every position kubesim reports comes from here: the deserializer
//! ([`super::de`]) knows the node it reads, and conversion code finds a
//! field's node again from its path ([`Tree::find`]).
//!
//! Parsing is bounded by [`YamlLimits`]: nesting depth (the deserializer
//! recurses), and the size aliases expand to (a "billion laughs" document
//! is refused before anything reads it).

use saphyr_parser::{Event, Parser, ScalarStyle, Span};
use std::borrow::Cow;

/// Bounds on one YAML file's structure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct YamlLimits {
    /// Deepest nesting of mappings and sequences.
    pub max_depth: usize,
    /// Most nodes a document may expand to when its aliases are followed
    /// (a document without aliases expands to its own node count).
    pub max_expanded_nodes: u64,
}

impl Default for YamlLimits {
    fn default() -> Self {
        YamlLimits {
            max_depth: MAX_DEPTH,
            max_expanded_nodes: MAX_EXPANDED_NODES,
        }
    }
}

/// Deepest nesting kubesim reads. Kubernetes objects nest about 15 deep;
/// a CRD's schema perhaps 40.
pub const MAX_DEPTH: usize = 128;
/// Most nodes one document may expand to through aliases: about what a
/// 1 GB file of plain YAML holds.
pub const MAX_EXPANDED_NODES: u64 = 100_000_000;

/// What a node is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A scalar; `style` tells how it was written.
    Scalar,
    /// A mapping: children are key, value, key, value, …
    Map,
    /// A sequence.
    Seq,
    /// An alias (`*name`) of an earlier node.
    Alias,
    /// An object moved to a tree of its own ([`Tree::parse_split`]).
    Moved,
}

/// How a scalar was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// Unquoted: its type is resolved from its text.
    Plain,
    /// Quoted or a block scalar: always a string.
    Quoted,
}

/// One node: 20 bytes.
#[derive(Debug, Clone, Copy)]
pub struct Node {
    kind: Kind,
    style: Style,
    /// Scalar: a `!!str` tag forced a string. Mapping: it has a `<<`
    /// merge key.
    tagged_str: bool,
    /// 1-based line.
    pub line: u32,
    /// 1-based column, in characters.
    pub column: u32,
    /// Scalar: text offset (high bit: in `owned`). Collection: index one
    /// past its subtree. Alias: the target node.
    a: u32,
    /// Scalar: text length. Collection: expanded size (saturating).
    b: u32,
}

const OWNED: u32 = 1 << 31;

/// A parse failure: position (1-based) and the parser's message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// What went wrong.
    pub message: String,
    /// Whether the document had begun as a mapping (its text may be
    /// quoted in the error report).
    pub in_mapping: bool,
}

/// A parsed YAML stream.
#[derive(Debug)]
pub struct Tree<'s> {
    text: &'s str,
    nodes: Vec<Node>,
    owned: String,
    docs: Vec<u32>,
}

/// A node index.
pub type Id = u32;

impl<'s> Tree<'s> {
    /// Parses every document of `text`.
    pub fn parse(text: &'s str, limits: YamlLimits) -> Result<Tree<'s>, SyntaxError> {
        Builder::new(text, limits, Split::None, None).run()
    }

    /// Parses `text`, handing each object `split` names to `sink` as soon
    /// as it is complete, as a tree of its own; the returned tree keeps a
    /// [`Kind::Moved`] placeholder in its place. An object that defines an
    /// anchor, or uses one defined outside it, stays in the returned tree.
    pub fn parse_split(
        text: &'s str,
        limits: YamlLimits,
        split: Split,
        sink: &mut dyn FnMut(SplitObject<'s>),
    ) -> Result<Tree<'s>, SyntaxError> {
        Builder::new(text, limits, split, Some(sink)).run()
    }

    /// [`parse_split`](Self::parse_split) of a part of a file that starts
    /// `line_offset` lines into it: positions are the file's.
    pub fn parse_split_at(
        text: &'s str,
        limits: YamlLimits,
        split: Split,
        line_offset: u32,
        sink: &mut dyn FnMut(SplitObject<'s>),
    ) -> Result<Tree<'s>, SyntaxError> {
        let mut b = Builder::new(text, limits, split, Some(sink));
        b.line_offset = line_offset;
        b.run()
    }

    /// A stream of no documents.
    pub fn empty() -> Tree<'static> {
        Tree {
            text: "",
            nodes: Vec::new(),
            owned: String::new(),
            docs: Vec::new(),
        }
    }

    /// The root node of each document, in order.
    pub fn documents(&self) -> &[Id] {
        &self.docs
    }

    /// The node `id`, aliases followed.
    #[inline]
    pub fn node(&self, id: Id) -> &Node {
        &self.nodes[self.resolve(id) as usize]
    }

    /// The node `id` itself (an alias stays an alias: its position is
    /// where the alias is written).
    #[inline]
    pub fn raw(&self, id: Id) -> &Node {
        &self.nodes[id as usize]
    }

    /// Follows an alias to its target.
    #[inline]
    pub fn resolve(&self, id: Id) -> Id {
        let n = &self.nodes[id as usize];
        if n.kind == Kind::Alias {
            n.a
        } else {
            id
        }
    }

    /// The kind of `id`, aliases followed.
    #[inline]
    pub fn kind(&self, id: Id) -> Kind {
        self.node(id).kind
    }

    /// The text of a scalar (empty for collections).
    #[inline]
    pub fn text(&self, id: Id) -> &str {
        let n = self.node(id);
        if n.kind != Kind::Scalar {
            return "";
        }
        scalar_text(self.text, &self.owned, n)
    }

    /// Whether `id` is a scalar whose type comes from its text (plain and
    /// untagged).
    #[inline]
    pub fn is_plain(&self, id: Id) -> bool {
        let n = self.node(id);
        n.kind == Kind::Scalar && n.style == Style::Plain && !n.tagged_str
    }

    /// Whether mapping `id` has a `<<` merge key.
    #[inline]
    pub fn has_merge(&self, id: Id) -> bool {
        let n = self.node(id);
        n.kind == Kind::Map && n.tagged_str
    }

    /// Whether `id` is a plain `null` (`~`, `null`, or nothing at all).
    pub fn is_null(&self, id: Id) -> bool {
        self.is_plain(id) && is_null_text(self.text(id))
    }

    /// The children of a collection (keys and values alternate in a
    /// mapping); empty for scalars.
    pub fn children(&self, id: Id) -> Children<'_, 's> {
        let id = self.resolve(id);
        let n = &self.nodes[id as usize];
        let end = match n.kind {
            Kind::Map | Kind::Seq => n.a,
            _ => id + 1,
        };
        Children {
            tree: self,
            next: id + 1,
            end,
        }
    }

    /// The entries of a mapping as (key, value) pairs.
    pub fn entries(&self, id: Id) -> Entries<'_, 's> {
        Entries {
            inner: self.children(id),
        }
    }

    /// Number of children (entries × 2 for a mapping).
    pub fn len(&self, id: Id) -> usize {
        self.children(id).count()
    }

    /// The value of `key` in mapping `id` (the first one, keys are unique
    /// once validated), with the key node.
    pub fn get(&self, id: Id, key: &str) -> Option<(Id, Id)> {
        if self.kind(id) != Kind::Map {
            return None;
        }
        self.entries(id)
            .find(|&(k, _)| self.kind(k) == Kind::Scalar && self.text(k) == key)
    }

    /// The `index`th item of sequence `id`.
    pub fn item(&self, id: Id, index: usize) -> Option<Id> {
        if self.kind(id) != Kind::Seq {
            return None;
        }
        self.children(id).nth(index)
    }

    /// (line, column) of a node as written (an alias: where `*name` is).
    pub fn position(&self, id: Id) -> (usize, usize) {
        let n = self.raw(id);
        (n.line as usize, n.column as usize)
    }

    /// Walks `path` from `root`. Returns the deepest node reached, the key
    /// node that named it (if it was reached through a mapping key), and
    /// whether the whole path was found.
    pub fn find(&self, root: Id, path: &[PathSeg<'_>]) -> Found {
        let mut found = Found {
            node: root,
            key: None,
            complete: true,
        };
        for seg in path {
            let next = match seg {
                PathSeg::Key(k) => self.get(found.node, k).map(|(k, v)| (Some(k), v)),
                PathSeg::Index(i) => self.item(found.node, *i).map(|v| (None, v)),
            };
            match next {
                Some((key, node)) => {
                    found.node = node;
                    found.key = key;
                }
                None => {
                    found.complete = false;
                    break;
                }
            }
        }
        found
    }

    /// Total nodes parsed.
    pub fn node_count(&self) -> usize {
        self.nodes.len()
    }
}

/// One step of a path: a mapping key or a sequence index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PathSeg<'a> {
    /// A mapping key.
    Key(&'a str),
    /// A sequence index.
    Index(usize),
}

/// Where [`Tree::find`] got to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Found {
    /// The deepest node reached.
    pub node: Id,
    /// The key that named it, when it is a mapping value.
    pub key: Option<Id>,
    /// Whether every segment was found.
    pub complete: bool,
}

/// Iterator over a collection's children.
pub struct Children<'t, 's> {
    tree: &'t Tree<'s>,
    next: u32,
    end: u32,
}

impl Iterator for Children<'_, '_> {
    type Item = Id;
    #[inline]
    fn next(&mut self) -> Option<Id> {
        if self.next >= self.end {
            return None;
        }
        let id = self.next;
        let n = &self.tree.nodes[id as usize];
        self.next = match n.kind {
            Kind::Map | Kind::Seq => n.a,
            _ => id + 1,
        };
        Some(id)
    }
}

/// Iterator over a mapping's (key, value) pairs.
pub struct Entries<'t, 's> {
    inner: Children<'t, 's>,
}

impl Iterator for Entries<'_, '_> {
    type Item = (Id, Id);
    #[inline]
    fn next(&mut self) -> Option<(Id, Id)> {
        let k = self.inner.next()?;
        let v = self.inner.next()?;
        Some((k, v))
    }
}

/// The text of scalar node `n`, from the source or the escaped strings.
#[inline]
fn scalar_text<'a>(text: &'a str, owned: &'a str, n: &Node) -> &'a str {
    let (start, len) = ((n.a & !OWNED) as usize, n.b as usize);
    if n.a & OWNED != 0 {
        &owned[start..start + len]
    } else {
        &text[start..start + len]
    }
}

/// `~`, `null`, `Null`, `NULL` or empty: YAML's null (go-yaml's
/// resolve.go, which kubectl uses).
pub fn is_null_text(s: &str) -> bool {
    matches!(s, "" | "~" | "null" | "Null" | "NULL")
}

struct Open {
    id: u32,
    /// Expanded size so far (1 for the node itself).
    size: u64,
    /// Its anchor id (0: none).
    anchor: usize,
    /// Children so far (in a mapping, even = the next is a key).
    children: u32,
    /// The scenario's `workloads` sequence: its items are objects.
    objects_inside: bool,
}

/// Which nodes are objects to hand over as they complete (see
/// [`Tree::parse_split`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Split {
    /// None: one tree.
    None,
    /// The items of the first document's top-level `workloads` sequence
    /// (a scenario file).
    Workloads,
    /// Every document root (a manifest file).
    Documents,
}

/// An object taken out of the stream as soon as it was complete: its own
/// tree (root node 0) and where it was (the index in `workloads`, or the
/// document's index).
#[derive(Debug)]
pub struct SplitObject<'s> {
    /// The object.
    pub tree: Tree<'s>,
    /// Its index among the split points.
    pub index: usize,
}

/// An object being built that may be split off.
#[derive(Debug, Clone, Copy)]
struct Candidate {
    start: u32,
    owned_start: usize,
    depth: usize,
    index: usize,
    /// It defines an anchor or uses one defined outside it: it stays.
    pinned: bool,
}

struct Builder<'s, 'k> {
    text: &'s str,
    limits: YamlLimits,
    nodes: Vec<Node>,
    owned: String,
    docs: Vec<u32>,
    /// Open collections, innermost last.
    stack: Vec<Open>,
    /// Anchor id → node, and whether it is complete.
    anchors: Vec<(u32, bool)>,
    /// Expanded size of each completed node with an anchor, by node id
    /// (sparse: only anchored ones).
    anchored_sizes: std::collections::BTreeMap<u32, u64>,
    doc_expanded: u64,
    doc_is_mapping: bool,
    split: Split,
    sink: Option<&'k mut dyn FnMut(SplitObject<'s>)>,
    candidate: Option<Candidate>,
    /// Lines before `text` in its file.
    line_offset: u32,
    /// The text is ASCII: character offsets are byte offsets.
    ascii: bool,
}

impl<'s, 'k> Builder<'s, 'k> {
    fn new(
        text: &'s str,
        limits: YamlLimits,
        split: Split,
        sink: Option<&'k mut dyn FnMut(SplitObject<'s>)>,
    ) -> Self {
        let split = if sink.is_some() { split } else { Split::None };
        Builder {
            text,
            limits,
            // A node per ~10 bytes is typical of block YAML (objects that
            // are split off give theirs back).
            nodes: Vec::with_capacity(if split == Split::None {
                text.len() / 8 + 4
            } else {
                1024
            }),
            owned: String::new(),
            docs: Vec::new(),
            stack: Vec::new(),
            anchors: Vec::new(),
            anchored_sizes: Default::default(),
            doc_expanded: 0,
            doc_is_mapping: false,
            split,
            sink,
            candidate: None,
            line_offset: 0,
            ascii: text.is_ascii(),
        }
    }

    fn err(&self, span: &Span, message: impl Into<String>) -> SyntaxError {
        SyntaxError {
            line: span.start.line() + self.line_offset as usize,
            column: span.start.col() + 1,
            message: message.into(),
            in_mapping: self.doc_is_mapping,
        }
    }

    fn next_id(&self, span: &Span) -> Result<u32, SyntaxError> {
        u32::try_from(self.nodes.len())
            .ok()
            .filter(|&n| n < OWNED)
            .ok_or_else(|| self.err(span, "too many YAML nodes in one file"))
    }

    fn position(&self, span: &Span) -> (u32, u32) {
        let line = u32::try_from(span.start.line())
            .unwrap_or(u32::MAX)
            .saturating_add(self.line_offset);
        let col = u32::try_from(span.start.col() + 1).unwrap_or(u32::MAX);
        (line, col)
    }

    /// Counts `size` more nodes in the document (a node, or what an alias
    /// expands to); the limit is checked here, at the node that passes it.
    fn count(&mut self, size: u64, span: &Span) -> Result<(), SyntaxError> {
        self.doc_expanded = self.doc_expanded.saturating_add(size);
        if self.doc_expanded > self.limits.max_expanded_nodes {
            return Err(self.err(
                span,
                format!(
                    "the document expands to more than {} YAML nodes when its aliases are followed (kubesim's limit on one document)",
                    self.limits.max_expanded_nodes
                ),
            ));
        }
        Ok(())
    }

    /// A node of expanded size `size` is complete: add it to its parent.
    fn add_size(&mut self, size: u64) {
        if let Some(parent) = self.stack.last_mut() {
            parent.size = parent.size.saturating_add(size);
        }
    }

    fn anchor(&mut self, anchor: usize, id: u32, complete: bool) {
        if anchor == 0 {
            return;
        }
        if let Some(c) = &mut self.candidate {
            c.pinned = true;
        }
        if self.anchors.len() <= anchor {
            self.anchors.resize(anchor + 1, (u32::MAX, false));
        }
        self.anchors[anchor] = (id, complete);
    }

    fn scalar(&mut self, value: Cow<'s, str>, span: &Span) -> (u32, u32) {
        // The parser hands every scalar over as a new String; when the
        // text is ASCII (character offsets are byte offsets) and the value
        // is the source between its span's ends (or its quotes), keep the
        // offsets instead of a copy.
        if self.ascii {
            let (s, e) = (span.start.index(), span.end.index());
            for (s, e) in [(s, e), (s + 1, e.saturating_sub(1))] {
                if self.text.get(s..e) == Some(&*value) {
                    if let (Ok(off), Ok(len)) = (u32::try_from(s), u32::try_from(e - s)) {
                        if off < OWNED {
                            return (off, len);
                        }
                    }
                }
            }
        }
        let base = self.text.as_ptr() as usize;
        if let Cow::Borrowed(s) = &value {
            let p = s.as_ptr() as usize;
            if p >= base && p + s.len() <= base + self.text.len() {
                if let (Ok(off), Ok(len)) = (u32::try_from(p - base), u32::try_from(s.len())) {
                    if off < OWNED {
                        return (off, len);
                    }
                }
            }
        }
        let off = u32::try_from(self.owned.len()).unwrap_or(OWNED - 1) | OWNED;
        self.owned.push_str(&value);
        (off, u32::try_from(value.len()).unwrap_or(u32::MAX))
    }

    fn run(mut self) -> Result<Tree<'s>, SyntaxError> {
        let text = self.text;
        for ev in Parser::new_from_str(text) {
            let (ev, span) = ev.map_err(|e| self.scan_error(&e))?;
            self.event(ev, span)?;
        }
        Ok(Tree {
            text,
            nodes: self.nodes,
            owned: self.owned,
            docs: self.docs,
        })
    }

    fn scan_error(&self, e: &saphyr_parser::ScanError) -> SyntaxError {
        SyntaxError {
            line: e.marker().line() + self.line_offset as usize,
            column: e.marker().col() + 1,
            message: e.info().to_string(),
            in_mapping: self.doc_is_mapping,
        }
    }

    /// Whether a collection starting now (with `id`) is an object to split.
    fn starts_object(&self, id: u32) -> Option<usize> {
        match self.split {
            Split::None => None,
            Split::Documents => self.stack.is_empty().then(|| self.docs.len() - 1),
            Split::Workloads => {
                let parent = self.stack.last()?;
                let _ = id;
                parent
                    .objects_inside
                    .then(|| parent.children.saturating_sub(1) as usize)
            }
        }
    }

    /// Whether a sequence starting now (with `id`) is the scenario's
    /// top-level `workloads`.
    fn is_workloads(&self, id: u32) -> bool {
        self.split == Split::Workloads
            && self.docs.len() == 1
            && self.stack.len() == 1
            && self.nodes[self.stack[0].id as usize].kind == Kind::Map
            && self.stack[0].children.is_multiple_of(2)
            && id > 0
            && {
                let k = &self.nodes[id as usize - 1];
                k.kind == Kind::Scalar && scalar_text(self.text, &self.owned, k) == "workloads"
            }
    }

    /// The object that began at `c` is complete: hand it over, leaving a
    /// placeholder.
    fn finish_object(&mut self, c: Candidate) {
        let Some(sink) = self.sink.as_mut() else {
            return;
        };
        let start = c.start as usize;
        let mut nodes: Vec<Node> = self.nodes.drain(start..).collect();
        for n in &mut nodes {
            match n.kind {
                Kind::Map | Kind::Seq | Kind::Alias => n.a -= c.start,
                Kind::Scalar if n.a & OWNED != 0 => {
                    n.a = ((n.a & !OWNED) - c.owned_start as u32) | OWNED;
                }
                _ => {}
            }
        }
        let owned = self.owned.split_off(c.owned_start);
        let first = nodes[0];
        self.nodes.push(Node {
            kind: Kind::Moved,
            style: Style::Plain,
            tagged_str: false,
            line: first.line,
            column: first.column,
            a: 0,
            b: 0,
        });
        sink(SplitObject {
            tree: Tree {
                text: self.text,
                nodes,
                owned,
                docs: vec![0],
            },
            index: c.index,
        });
    }

    fn event(&mut self, ev: Event<'s>, span: Span) -> Result<(), SyntaxError> {
        match ev {
            Event::DocumentStart(_) => {
                self.anchors.clear();
                self.anchored_sizes.clear();
                self.doc_expanded = 0;
                self.doc_is_mapping = false;
            }
            Event::Scalar(value, style, anchor, tag) => {
                let id = self.next_id(&span)?;
                self.root_if_top(id);
                let is_key = self.child_started();
                if is_key && matches!(style, ScalarStyle::Plain) && value == "<<" {
                    if let Some(parent) = self.stack.last() {
                        self.nodes[parent.id as usize].tagged_str = true;
                    }
                }
                let tagged_str = tag
                    .as_ref()
                    .is_some_and(|t| t.suffix == "str" || t.suffix == "tag:yaml.org,2002:str");
                let quoted = !matches!(style, ScalarStyle::Plain);
                let (a, b) = self.scalar(value, &span);
                let (line, column) = self.position(&span);
                self.nodes.push(Node {
                    kind: Kind::Scalar,
                    style: if quoted { Style::Quoted } else { Style::Plain },
                    tagged_str,
                    line,
                    column,
                    a,
                    b,
                });
                self.anchor(anchor, id, true);
                if anchor != 0 {
                    self.anchored_sizes.insert(id, 1);
                }
                self.count(1, &span)?;
                self.add_size(1);
            }
            Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) => {
                let kind = if matches!(ev, Event::MappingStart(..)) {
                    Kind::Map
                } else {
                    Kind::Seq
                };
                let id = self.next_id(&span)?;
                if self.stack.is_empty() {
                    self.doc_is_mapping = kind == Kind::Map;
                }
                self.root_if_top(id);
                self.child_started();
                if self.stack.len() >= self.limits.max_depth {
                    return Err(self.err(
                        &span,
                        format!(
                            "mappings and sequences nest deeper than {} levels (kubesim's limit)",
                            self.limits.max_depth
                        ),
                    ));
                }
                if self.candidate.is_none() {
                    if let Some(index) = self.starts_object(id) {
                        self.candidate = Some(Candidate {
                            start: id,
                            owned_start: self.owned.len(),
                            depth: self.stack.len(),
                            index,
                            pinned: false,
                        });
                    }
                }
                let objects_inside = kind == Kind::Seq && self.is_workloads(id);
                let (line, column) = self.position(&span);
                self.nodes.push(Node {
                    kind,
                    style: Style::Plain,
                    tagged_str: false,
                    line,
                    column,
                    a: 0,
                    b: 0,
                });
                self.anchor(anchor, id, false);
                self.count(1, &span)?;
                self.stack.push(Open {
                    id,
                    size: 1,
                    anchor,
                    children: 0,
                    objects_inside,
                });
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let Some(open) = self.stack.pop() else {
                    return Err(self.err(&span, "unbalanced collection end"));
                };
                let end = self.next_id(&span)?;
                let n = &mut self.nodes[open.id as usize];
                n.a = end;
                n.b = u32::try_from(open.size).unwrap_or(u32::MAX);
                // Anchored and now complete: aliases may use it.
                if open.anchor != 0 {
                    self.anchor(open.anchor, open.id, true);
                    self.anchored_sizes.insert(open.id, open.size);
                }
                self.add_size(open.size);
                if let Some(c) = self.candidate {
                    if c.depth == self.stack.len() {
                        self.candidate = None;
                        if !c.pinned {
                            self.finish_object(c);
                        }
                    }
                }
            }
            Event::Alias(anchor) => {
                let id = self.next_id(&span)?;
                self.root_if_top(id);
                self.child_started();
                let Some(&(target, complete)) = self.anchors.get(anchor) else {
                    return Err(self.err(&span, "alias of an unknown anchor"));
                };
                if target == u32::MAX {
                    return Err(self.err(&span, "alias of an unknown anchor"));
                }
                if !complete {
                    return Err(
                        self.err(&span, "an alias may not refer to a node that contains it")
                    );
                }
                if let Some(c) = &mut self.candidate {
                    if target < c.start {
                        c.pinned = true;
                    }
                }
                let size = self.anchored_sizes.get(&target).copied().unwrap_or(1);
                let (line, column) = self.position(&span);
                self.nodes.push(Node {
                    kind: Kind::Alias,
                    style: Style::Plain,
                    tagged_str: false,
                    line,
                    column,
                    a: target,
                    b: 0,
                });
                self.count(size, &span)?;
                self.add_size(size);
            }
            Event::DocumentEnd | Event::StreamStart | Event::StreamEnd | Event::Nothing => {}
        }
        Ok(())
    }

    /// Counts a new child of the innermost collection; whether it is a
    /// mapping key.
    fn child_started(&mut self) -> bool {
        let Some(open) = self.stack.last_mut() else {
            return false;
        };
        let is_key = open.children % 2 == 0 && self.nodes[open.id as usize].kind == Kind::Map;
        open.children = open.children.wrapping_add(1);
        is_key
    }

    fn root_if_top(&mut self, id: u32) {
        if self.stack.is_empty() {
            self.docs.push(id);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Tree<'_> {
        Tree::parse(s, YamlLimits::default()).unwrap()
    }

    #[test]
    fn positions_and_lookup() {
        let t = parse("a: 1\nb:\n  - x\n  - {c: \"q\\n\"}\n");
        let root = t.documents()[0];
        let f = t.find(
            root,
            &[PathSeg::Key("b"), PathSeg::Index(1), PathSeg::Key("c")],
        );
        assert!(f.complete);
        assert_eq!(t.position(f.node), (4, 9));
        assert_eq!(t.text(f.node), "q\n");
        assert_eq!(t.position(f.key.unwrap()), (4, 6));
        let f = t.find(root, &[PathSeg::Key("b"), PathSeg::Index(5)]);
        assert!(!f.complete);
        assert_eq!(t.position(f.key.unwrap()), (2, 1));
    }

    #[test]
    fn documents_and_aliases() {
        let t = parse("a: &x {k: v}\nb: *x\n---\n# only a comment\n---\nc: 1\n");
        // The comment-only document is a null.
        assert_eq!(t.documents().len(), 3);
        assert!(t.is_null(t.documents()[1]));
        let (_, b) = t.get(t.documents()[0], "b").unwrap();
        assert_eq!(t.kind(b), Kind::Map);
        assert_eq!(t.position(b), (2, 4));
    }

    #[test]
    fn billion_laughs_is_refused() {
        let mut s = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..12 {
            let p = i - 1;
            s.push_str(&format!(
                "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
            ));
        }
        let e = Tree::parse(&s, YamlLimits::default()).unwrap_err();
        assert!(e.message.contains("expands to more than"), "{e:?}");
    }

    #[test]
    fn depth_is_bounded() {
        let s = "[".repeat(200) + &"]".repeat(200);
        let e = Tree::parse(&s, YamlLimits::default()).unwrap_err();
        assert!(e.message.contains("nest deeper"), "{e:?}");
    }

    #[test]
    fn recursive_alias_is_refused() {
        assert!(Tree::parse("a: &x [*x]\n", YamlLimits::default()).is_err());
    }
}

#[cfg(test)]
mod split_tests {
    use super::*;

    #[test]
    fn workloads_items_are_split_off() {
        let text =
            "name: x\nworkloads:\n  - {a: 1}\n  - b: [2]\n  - &p {c: 3}\n  - *p\n  - plain\n";
        let mut got = Vec::new();
        let t = Tree::parse_split(text, YamlLimits::default(), Split::Workloads, &mut |o| {
            got.push((o.index, o.tree.node_count(), o.tree.position(0)));
        })
        .unwrap();
        assert_eq!(got, vec![(0, 3, (3, 5)), (1, 4, (4, 5))]);
        let (_, w) = t.get(t.documents()[0], "workloads").unwrap();
        let kinds: Vec<Kind> = t.children(w).map(|c| t.raw(c).kind).collect();
        assert_eq!(
            kinds,
            [
                Kind::Moved,
                Kind::Moved,
                Kind::Map,
                Kind::Alias,
                Kind::Scalar
            ]
        );
    }
}
