//! A serde `Deserializer` over a [`Tree`]: every error knows the node it
//! is about (so its line and column) and its field path.
//!
//! Strict field validation happens here, for every type read: a struct's
//! field list comes with `deserialize_struct`, so a key that is not one of
//! them is reported at the key itself, with a "did you mean" — for
//! kubesim's own sections and for every Kubernetes type of `k8s-openapi`
//! alike (kubectl's `--validate=strict`, its default). A key with a dot in
//! it or an empty key is just a key that no type has. Duplicate keys are
//! errors, as in kubectl (`mapping key "x" already defined at line N`).
//!
//! Two [`Mode`]s type scalars:
//! - [`Mode::Kubernetes`] mirrors kubectl: plain scalars resolve as
//!   go-yaml v2 (YAML 1.1: `yes`/`no`/`on`/`off` are booleans, `0755` is
//!   octal) and a string field given a number or boolean is an error
//!   (`invalid type for EnvVar.value: got "integer", expected "string"`);
//!   `Quantity` fields take numbers as written (`cpu: 2`).
//! - [`Mode::Kubesim`] for kubesim's own sections: a string field takes
//!   any scalar as written (`cpu: 2`, `name: 2024`).
//!
//! Unknown fields and duplicates are collected as [`Issue`]s and reading
//! goes on, so that one run reports all of them; a wrong type stops the
//! value being read.

use super::path::At;
use super::tree::{is_null_text, Id, Kind, Tree};
use crate::scenario::error::did_you_mean;
use serde::de::{self, DeserializeOwned, DeserializeSeed, IntoDeserializer, Visitor};
use std::cell::RefCell;

/// How scalars are typed (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Kubernetes objects, as kubectl reads them.
    Kubernetes,
    /// kubesim's own sections.
    Kubesim,
}

/// A problem at a node of the tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issue {
    /// The node (its position is where the problem is).
    pub node: Id,
    /// The field path.
    pub path: String,
    /// What is wrong.
    pub message: String,
    /// A hint.
    pub help: Option<String>,
}

/// The error type of the deserializer: an [`Issue`] whose node and path
/// are filled in by the innermost reader that sees it.
#[derive(Debug)]
pub struct DeError {
    node: Option<Id>,
    path: Option<String>,
    message: String,
    help: Option<String>,
    missing: Option<&'static str>,
}

impl std::fmt::Display for DeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for DeError {}

impl de::Error for DeError {
    fn custom<T: std::fmt::Display>(msg: T) -> Self {
        DeError {
            node: None,
            path: None,
            message: msg.to_string(),
            help: None,
            missing: None,
        }
    }

    fn missing_field(field: &'static str) -> Self {
        DeError {
            node: None,
            path: None,
            message: "Required value".into(),
            help: None,
            missing: Some(field),
        }
    }
}

impl DeError {
    fn at(node: Id, path: &At<'_>, message: String, help: Option<String>) -> Self {
        DeError {
            node: Some(node),
            path: Some(path.to_string()),
            message,
            help,
            missing: None,
        }
    }
}

/// Reads typed values out of a tree, collecting non-fatal issues.
pub struct Reader<'t, 's> {
    /// The tree.
    pub tree: &'t Tree<'s>,
    mode: Mode,
    issues: RefCell<Vec<Issue>>,
}

/// The magic newtype name [`NodeRef`] asks for: the reader answers with
/// the node's id instead of reading it.
const NODE_REF: &str = "__kubesim_node_ref";

/// A value left unread: its node, to be read later (for instance a
/// manifest whose type depends on its `kind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NodeRef(pub Id);

impl<'de> de::Deserialize<'de> for NodeRef {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = NodeRef;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a YAML node")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<NodeRef, E> {
                u32::try_from(v)
                    .map(NodeRef)
                    .map_err(|_| E::custom("node id out of range"))
            }
        }
        d.deserialize_newtype_struct(NODE_REF, V)
    }
}

impl<'t, 's> Reader<'t, 's> {
    /// A reader of `tree` in `mode`.
    pub fn new(tree: &'t Tree<'s>, mode: Mode) -> Self {
        Reader {
            tree,
            mode,
            issues: RefCell::new(Vec::new()),
        }
    }

    /// The same tree in another mode (issues are not shared).
    pub fn with_mode(&self, mode: Mode) -> Reader<'t, 's> {
        Reader::new(self.tree, mode)
    }

    /// Reads the value at `node` (whose path is `at`). Unknown fields and
    /// duplicate keys are kept for [`take_issues`](Self::take_issues); a
    /// wrong type is returned.
    pub fn read<T: DeserializeOwned>(&self, node: Id, at: &At<'_>) -> Result<T, Issue> {
        let de = De {
            r: self,
            node,
            at,
            key: None,
            owner: None,
        };
        T::deserialize(de).map_err(|e| {
            let e = de.locate(e);
            Issue {
                node: e.node.unwrap_or(node),
                path: e.path.unwrap_or_default(),
                message: e.message,
                help: e.help,
            }
        })
    }

    /// The issues found so far (unknown fields, duplicate keys).
    pub fn take_issues(&self) -> Vec<Issue> {
        std::mem::take(&mut *self.issues.borrow_mut())
    }

    fn issue(&self, node: Id, path: &At<'_>, message: String, help: Option<String>) {
        self.issues.borrow_mut().push(Issue {
            node,
            path: path.to_string(),
            message,
            help,
        });
    }
}

/// What a plain scalar resolves to (go-yaml v2's resolve.go, which
/// kubectl's YAML decoding uses).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Scalar {
    /// `~`, `null`, empty.
    Null,
    /// `true`, `yes`, `on`, … (YAML 1.1).
    Bool(bool),
    /// An integer that fits `i64`.
    Int(i64),
    /// An integer above `i64::MAX`.
    Uint(u64),
    /// A float.
    Float(f64),
    /// Anything else: a string.
    Str,
}

/// Resolves a plain scalar's type from its text.
pub fn resolve_plain(s: &str) -> Scalar {
    if is_null_text(s) {
        return Scalar::Null;
    }
    match s {
        "y" | "Y" | "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => {
            return Scalar::Bool(true)
        }
        "n" | "N" | "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => {
            return Scalar::Bool(false)
        }
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
            return Scalar::Float(f64::INFINITY)
        }
        "-.inf" | "-.Inf" | "-.INF" => return Scalar::Float(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => return Scalar::Float(f64::NAN),
        _ => {}
    }
    let first = s.as_bytes()[0];
    if !(first.is_ascii_digit() || matches!(first, b'-' | b'+' | b'.')) {
        return Scalar::Str;
    }
    let plain: std::borrow::Cow<'_, str> = if s.contains('_') {
        s.replace('_', "").into()
    } else {
        s.into()
    };
    if let Some(v) = parse_go_int(&plain) {
        return v;
    }
    if is_yaml_float(&plain) {
        if let Ok(f) = plain.parse::<f64>() {
            return Scalar::Float(f);
        }
    }
    Scalar::Str
}

/// `strconv.ParseInt(s, 0, 64)`, then `ParseUint`: sign, `0x`, `0o`, `0b`
/// and leading-zero octal.
fn parse_go_int(s: &str) -> Option<Scalar> {
    let (neg, body) = match s.as_bytes().first()? {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    let (radix, digits) = if let Some(d) = body.strip_prefix("0x").or(body.strip_prefix("0X")) {
        (16, d)
    } else if let Some(d) = body.strip_prefix("0b").or(body.strip_prefix("0B")) {
        (2, d)
    } else if let Some(d) = body.strip_prefix("0o").or(body.strip_prefix("0O")) {
        (8, d)
    } else if body.len() > 1 && body.starts_with('0') {
        (8, &body[1..])
    } else {
        (10, body)
    };
    if digits.is_empty() || !digits.bytes().all(|b| (b as char).is_digit(radix)) {
        return None;
    }
    let mag = u128::from_str_radix(digits, radix).ok()?;
    if neg {
        let v = i128::try_from(mag).ok()?.checked_neg()?;
        i64::try_from(v).ok().map(Scalar::Int)
    } else if let Ok(v) = i64::try_from(mag) {
        Some(Scalar::Int(v))
    } else {
        u64::try_from(mag).ok().map(Scalar::Uint)
    }
}

/// go-yaml's `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`.
fn is_yaml_float(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    if i < b.len() && matches!(b[i], b'-' | b'+') {
        i += 1;
    }
    let digits = |i: &mut usize| {
        let start = *i;
        while *i < b.len() && b[*i].is_ascii_digit() {
            *i += 1;
        }
        *i - start
    };
    if i < b.len() && b[i] == b'.' {
        i += 1;
        if digits(&mut i) == 0 {
            return false;
        }
    } else {
        if digits(&mut i) == 0 {
            return false;
        }
        if i < b.len() && b[i] == b'.' {
            i += 1;
            digits(&mut i);
        }
    }
    if i < b.len() && matches!(b[i], b'e' | b'E') {
        i += 1;
        if i < b.len() && matches!(b[i], b'-' | b'+') {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

#[derive(Clone, Copy)]
enum Expected {
    Str,
    Int,
    Float,
    Bool,
    Map,
    Seq,
    Null,
}

impl Expected {
    /// The OpenAPI type name kubectl prints.
    fn k8s(self) -> &'static str {
        match self {
            Expected::Str => "string",
            Expected::Int => "integer",
            Expected::Float => "number",
            Expected::Bool => "boolean",
            Expected::Map => "object",
            Expected::Seq => "array",
            Expected::Null => "null",
        }
    }
    fn plain(self) -> &'static str {
        match self {
            Expected::Str => "a string",
            Expected::Int => "a whole number",
            Expected::Float => "a number",
            Expected::Bool => "true or false",
            Expected::Map => "a mapping",
            Expected::Seq => "a list",
            Expected::Null => "nothing",
        }
    }
}

#[derive(Clone, Copy)]
struct De<'a, 't, 's> {
    r: &'a Reader<'t, 's>,
    node: Id,
    at: &'a At<'a>,
    /// The key whose value this is.
    key: Option<Id>,
    /// The struct this value is a field of (for kubectl-style messages).
    owner: Option<&'static str>,
}

type R<T> = Result<T, DeError>;

impl<'a, 't, 's> De<'a, 't, 's> {
    fn tree(&self) -> &'t Tree<'s> {
        self.r.tree
    }

    fn locate(&self, mut e: DeError) -> DeError {
        if e.node.is_none() {
            match e.missing {
                Some(field) => {
                    e.node = Some(self.key.unwrap_or(self.node));
                    e.path = Some(self.at.key(field).to_string());
                }
                None => {
                    e.node = Some(self.node);
                    e.path = Some(self.at.to_string());
                }
            }
        }
        e
    }

    fn text(&self) -> &'t str {
        self.tree().text(self.node)
    }

    fn scalar(&self) -> Option<Scalar> {
        let t = self.tree();
        match t.kind(self.node) {
            Kind::Scalar if t.is_plain(self.node) => Some(resolve_plain(t.text(self.node))),
            Kind::Scalar => Some(Scalar::Str),
            _ => None,
        }
    }

    fn got(&self) -> &'static str {
        match self.tree().kind(self.node) {
            Kind::Map => "object",
            Kind::Seq => "array",
            _ => match self.scalar() {
                Some(Scalar::Null) => "null",
                Some(Scalar::Bool(_)) => "boolean",
                Some(Scalar::Int(_) | Scalar::Uint(_)) => "integer",
                Some(Scalar::Float(_)) => "number",
                _ => "string",
            },
        }
    }

    fn found(&self) -> String {
        match self.tree().kind(self.node) {
            Kind::Map => "a mapping".into(),
            Kind::Seq => "a list".into(),
            _ if self.tree().is_null(self.node) => "nothing (null)".into(),
            _ => format!("{:?}", short(self.text())),
        }
    }

    fn invalid(&self, expected: Expected) -> DeError {
        let (message, help) = match self.r.mode {
            Mode::Kubernetes => {
                let target = match (self.owner, self.at.last_key()) {
                    (Some(o), Some(f)) => format!(" for {o}.{f}"),
                    _ => String::new(),
                };
                let help = matches!(expected, Expected::Str)
                    .then(|| self.scalar().filter(|s| *s != Scalar::Str))
                    .flatten()
                    .map(|_| format!("quote it to make it a string: \"{}\"", self.text()));
                (
                    format!(
                        "invalid type{target}: got \"{}\", expected \"{}\"",
                        self.got(),
                        expected.k8s()
                    ),
                    help,
                )
            }
            Mode::Kubesim => (
                format!("expected {}, found {}", expected.plain(), self.found()),
                None,
            ),
        };
        DeError::at(self.node, self.at, message, help)
    }

    fn out_of_range(&self, v: i128, ty: &str, min: i128, max: i128) -> DeError {
        let message = if v < 0 && min == 0 {
            format!("invalid value: {v}: must not be negative")
        } else {
            format!("invalid value: {v} does not fit in {ty} ({min}..={max})")
        };
        DeError::at(self.node, self.at, message, None)
    }

    /// An integer, as this mode reads it.
    fn integer(&self) -> R<i128> {
        match self.scalar() {
            Some(Scalar::Int(v)) => Ok(v.into()),
            Some(Scalar::Uint(v)) => Ok(v.into()),
            Some(Scalar::Str) if self.r.mode == Mode::Kubesim => {
                match resolve_plain(self.text().trim()) {
                    Scalar::Int(v) => Ok(v.into()),
                    Scalar::Uint(v) => Ok(v.into()),
                    _ => Err(self.invalid(Expected::Int)),
                }
            }
            // 5.0 is not an integer to Go's JSON decoder either.
            _ => Err(self.invalid(Expected::Int)),
        }
    }

    fn child(
        &self,
        node: Id,
        at: &'a At<'a>,
        key: Option<Id>,
        owner: Option<&'static str>,
    ) -> Self {
        De {
            r: self.r,
            node,
            at,
            key,
            owner,
        }
    }
}

/// At most 60 characters of a value, for messages.
fn short(s: &str) -> String {
    if s.chars().count() <= 60 {
        s.to_string()
    } else {
        s.chars().take(57).collect::<String>() + "…"
    }
}

macro_rules! int_method {
    ($name:ident, $ty:ty, $visit:ident, $label:expr) => {
        fn $name<V: Visitor<'de>>(self, visitor: V) -> R<V::Value> {
            let v = self.integer().map_err(|e| self.locate(e))?;
            if v < <$ty>::MIN as i128 || v > <$ty>::MAX as i128 {
                return Err(self.out_of_range(v, $label, <$ty>::MIN as i128, <$ty>::MAX as i128));
            }
            visitor.$visit(v as $ty).map_err(|e| self.locate(e))
        }
    };
}

impl<'de, 'a, 't, 's> de::Deserializer<'de> for De<'a, 't, 's> {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> R<V::Value> {
        let t = self.tree();
        let r = match t.kind(self.node) {
            Kind::Map => visitor.visit_map(MapAcc::new(self, None)?),
            Kind::Seq => visitor.visit_seq(SeqAcc::new(self)),
            _ => match self.scalar() {
                Some(Scalar::Null) => visitor.visit_unit(),
                Some(Scalar::Bool(b)) => visitor.visit_bool(b),
                Some(Scalar::Int(v)) => visitor.visit_i64(v),
                Some(Scalar::Uint(v)) => visitor.visit_u64(v),
                Some(Scalar::Float(v)) => visitor.visit_f64(v),
                _ => visitor.visit_str(self.text()),
            },
        };
        r.map_err(|e| self.locate(e))
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> R<V::Value> {
        let b = match self.scalar() {
            Some(Scalar::Bool(b)) => b,
            Some(Scalar::Str) if self.r.mode == Mode::Kubesim => match self.text() {
                "true" => true,
                "false" => false,
                _ => return Err(self.invalid(Expected::Bool)),
            },
            _ => return Err(self.invalid(Expected::Bool)),
        };
        visitor.visit_bool(b).map_err(|e| self.locate(e))
    }

    int_method!(deserialize_i8, i8, visit_i8, "an int8");
    int_method!(deserialize_i16, i16, visit_i16, "an int16");
    int_method!(deserialize_i32, i32, visit_i32, "an int32");
    int_method!(deserialize_i64, i64, visit_i64, "an int64");
    int_method!(deserialize_u8, u8, visit_u8, "a uint8");
    int_method!(deserialize_u16, u16, visit_u16, "a uint16");
    int_method!(deserialize_u32, u32, visit_u32, "a uint32");
    int_method!(deserialize_u64, u64, visit_u64, "a uint64");

    fn deserialize_f32<V: Visitor<'de>>(self, visitor: V) -> R<V::Value> {
        self.deserialize_f64(visitor)
    }

    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> R<V::Value> {
        let v = match self.scalar() {
            Some(Scalar::Int(v)) => v as f64,
            Some(Scalar::Uint(v)) => v as f64,
            Some(Scalar::Float(v)) => v,
            Some(Scalar::Str) if self.r.mode == Mode::Kubesim => {
                match resolve_plain(self.text().trim()) {
                    Scalar::Int(v) => v as f64,
                    Scalar::Uint(v) => v as f64,
                    Scalar::Float(v) => v,
                    _ => return Err(self.invalid(Expected::Float)),
                }
            }
            _ => return Err(self.invalid(Expected::Float)),
        };
        visitor.visit_f64(v).map_err(|e| self.locate(e))
    }

    fn deserialize_char<V: Visitor<'de>>(self, visitor: V) -> R<V::Value> {
        self.deserialize_str(visitor)
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> R<V::Value> {
        let r = match (self.scalar(), self.r.mode) {
            (None, _) => return Err(self.invalid(Expected::Str)),
            (Some(Scalar::Str), _) => visitor.visit_str(self.text()),
            // Go decodes a JSON null into a string field as "".
            (Some(Scalar::Null), Mode::Kubernetes) => visitor.visit_str(""),
            (Some(Scalar::Null), Mode::Kubesim) => return Err(self.invalid(Expected::Str)),
            (Some(_), Mode::Kubesim) => visitor.visit_str(self.text()),
            (Some(_), Mode::Kubernetes) => return Err(self.invalid(Expected::Str)),
        };
        r.map_err(|e| self.locate(e))
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> R<V::Value> {
        self.deserialize_str(visitor)
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, visitor: V) -> R<V::Value> {
        self.deserialize_str(visitor)
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, visitor: V) -> R<V::Value> {
        self.deserialize_str(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> R<V::Value> {
        let r = if self.tree().is_null(self.node) {
            visitor.visit_none()
        } else {
            visitor.visit_some(self)
        };
        r.map_err(|e| self.locate(e))
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> R<V::Value> {
        if !self.tree().is_null(self.node) {
            return Err(self.invalid(Expected::Null));
        }
        visitor.visit_unit().map_err(|e| self.locate(e))
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> R<V::Value> {
        self.deserialize_unit(visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> R<V::Value> {
        let r = if name == NODE_REF {
            visitor.visit_u64(u64::from(self.node))
        } else if name == "Quantity"
            && self.r.mode == Mode::Kubernetes
            && self.tree().kind(self.node) == Kind::Scalar
            && !self.tree().is_null(self.node)
        {
            // resource.Quantity's UnmarshalJSON takes a number as written.
            visitor.visit_newtype_struct(self.text().into_deserializer())
        } else {
            visitor.visit_newtype_struct(self)
        };
        r.map_err(|e| self.locate(e))
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> R<V::Value> {
        let t = self.tree();
        let r = match t.kind(self.node) {
            Kind::Seq => visitor.visit_seq(SeqAcc::new(self)),
            Kind::Scalar if t.is_null(self.node) => visitor.visit_seq(SeqAcc::empty(self)),
            _ => return Err(self.invalid(Expected::Seq)),
        };
        r.map_err(|e| self.locate(e))
    }

    fn deserialize_tuple<V: Visitor<'de>>(self, _len: usize, visitor: V) -> R<V::Value> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> R<V::Value> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> R<V::Value> {
        let t = self.tree();
        let r = match t.kind(self.node) {
            Kind::Map => visitor.visit_map(MapAcc::new(self, None)?),
            Kind::Scalar if t.is_null(self.node) => visitor.visit_map(MapAcc::empty(self)),
            _ => return Err(self.invalid(Expected::Map)),
        };
        r.map_err(|e| self.locate(e))
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> R<V::Value> {
        let t = self.tree();
        let r = match t.kind(self.node) {
            Kind::Map => visitor.visit_map(MapAcc::new(self, Some((name, fields)))?),
            Kind::Scalar if t.is_null(self.node) => visitor.visit_map(MapAcc::empty(self)),
            _ => return Err(self.invalid(Expected::Map)),
        };
        r.map_err(|e| self.locate(e))
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> R<V::Value> {
        if self.tree().kind(self.node) != Kind::Scalar {
            return Err(self.invalid(Expected::Str));
        }
        let text = self.text();
        if !variants.contains(&text) {
            let list: Vec<String> = variants.iter().map(|v| format!("{v:?}")).collect();
            return Err(DeError::at(
                self.node,
                self.at,
                format!(
                    "Unsupported value: {:?}: supported values: {}",
                    short(text),
                    list.join(", ")
                ),
                did_you_mean(text, variants.iter().copied()),
            ));
        }
        visitor
            .visit_enum(text.into_deserializer())
            .map_err(|e: DeError| self.locate(e))
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> R<V::Value> {
        visitor.visit_str(self.text()).map_err(|e| self.locate(e))
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> R<V::Value> {
        visitor.visit_unit()
    }
}

struct SeqAcc<'a, 't, 's> {
    de: De<'a, 't, 's>,
    items: super::tree::Children<'t, 's>,
    index: usize,
}

impl<'a, 't, 's> SeqAcc<'a, 't, 's> {
    fn new(de: De<'a, 't, 's>) -> Self {
        SeqAcc {
            de,
            items: de.r.tree.children(de.node),
            index: 0,
        }
    }
    fn empty(de: De<'a, 't, 's>) -> Self {
        let mut s = Self::new(de);
        s.items.by_ref().for_each(drop);
        s
    }
}

impl<'de> de::SeqAccess<'de> for SeqAcc<'_, '_, '_> {
    type Error = DeError;

    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> R<Option<T::Value>> {
        let Some(item) = self.items.next() else {
            return Ok(None);
        };
        let at = self.de.at.idx(self.index);
        self.index += 1;
        let de = self.de.child(item, &at, None, None);
        seed.deserialize(de).map(Some).map_err(|e| de.locate(e))
    }
}

enum EntrySource<'t, 's> {
    Lazy(super::tree::Entries<'t, 's>),
    Merged(std::vec::IntoIter<(Id, Id)>),
}

struct MapAcc<'a, 't, 's> {
    de: De<'a, 't, 's>,
    entries: EntrySource<'t, 's>,
    strukt: Option<(&'static str, &'static [&'static str])>,
    /// Fields seen (struct), as a bitset over `fields`.
    seen_fields: Vec<u64>,
    /// Keys seen (plain maps), for duplicate detection.
    seen_keys: Vec<Id>,
    seen_set: Option<std::collections::HashMap<&'t str, Id>>,
    pending: Option<(Id, Id)>,
}

impl<'a, 't, 's> MapAcc<'a, 't, 's> {
    fn new(de: De<'a, 't, 's>, strukt: Option<(&'static str, &'static [&'static str])>) -> R<Self> {
        let t = de.r.tree;
        let entries = if t.has_merge(de.node) {
            EntrySource::Merged(merged_entries(&de)?.into_iter())
        } else {
            EntrySource::Lazy(t.entries(de.node))
        };
        let words = strukt.map_or(0, |(_, f)| f.len().div_ceil(64));
        Ok(MapAcc {
            de,
            entries,
            strukt,
            seen_fields: vec![0; words],
            seen_keys: Vec::new(),
            seen_set: None,
            pending: None,
        })
    }

    fn empty(de: De<'a, 't, 's>) -> Self {
        MapAcc {
            de,
            entries: EntrySource::Merged(Vec::new().into_iter()),
            strukt: None,
            seen_fields: Vec::new(),
            seen_keys: Vec::new(),
            seen_set: None,
            pending: None,
        }
    }

    fn next_entry(&mut self) -> Option<(Id, Id)> {
        match &mut self.entries {
            EntrySource::Lazy(e) => e.next(),
            EntrySource::Merged(e) => e.next(),
        }
    }

    /// The earlier key equal to `key`, if any (and records `key`).
    fn duplicate_of(&mut self, key: Id, text: &'t str) -> Option<Id> {
        let t = self.de.r.tree;
        if let Some(set) = &mut self.seen_set {
            return match set.get(text) {
                Some(&prev) => Some(prev),
                None => {
                    set.insert(text, key);
                    None
                }
            };
        }
        if let Some(&prev) = self.seen_keys.iter().find(|&&k| t.text(k) == text) {
            return Some(prev);
        }
        self.seen_keys.push(key);
        if self.seen_keys.len() > 16 {
            let set = self.seen_keys.drain(..).map(|k| (t.text(k), k)).collect();
            self.seen_set = Some(set);
        }
        None
    }
}

/// A mapping's entries with YAML merge keys (`<<: *base`, as go-yaml
/// supports them) applied: explicit keys first, then merged keys that
/// are not already present.
fn merged_entries(de: &De<'_, '_, '_>) -> R<Vec<(Id, Id)>> {
    let t = de.r.tree;
    let mut out: Vec<(Id, Id)> = Vec::new();
    let mut merges = Vec::new();
    for (k, v) in t.entries(de.node) {
        if t.is_plain(k) && t.text(k) == "<<" {
            match t.kind(v) {
                Kind::Map => merges.push(v),
                Kind::Seq => {
                    for item in t.children(v) {
                        if t.kind(item) != Kind::Map {
                            return Err(DeError::at(
                                item,
                                de.at,
                                "a merge key (<<) takes a mapping or a list of mappings".into(),
                                None,
                            ));
                        }
                        merges.push(item);
                    }
                }
                _ => {
                    return Err(DeError::at(
                        v,
                        de.at,
                        "a merge key (<<) takes a mapping or a list of mappings".into(),
                        None,
                    ))
                }
            }
        } else {
            out.push((k, v));
        }
    }
    for m in merges {
        for (k, v) in t.entries(m) {
            let text = t.text(k);
            if !out.iter().any(|&(ok, _)| t.text(ok) == text) {
                out.push((k, v));
            }
        }
    }
    Ok(out)
}

impl<'de, 'a, 't, 's> de::MapAccess<'de> for MapAcc<'a, 't, 's> {
    type Error = DeError;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> R<Option<K::Value>> {
        let t = self.de.r.tree;
        loop {
            let Some((k, v)) = self.next_entry() else {
                return Ok(None);
            };
            if t.kind(k) != Kind::Scalar {
                return Err(DeError::at(
                    k,
                    self.de.at,
                    "a mapping key must be a string, not a mapping or a list".into(),
                    None,
                ));
            }
            let text = t.text(k);
            if let Some((name, fields)) = self.strukt {
                let Some(i) = fields.iter().position(|f| *f == text) else {
                    let at = self.de.at.key(text);
                    let message = match self.de.r.mode {
                        Mode::Kubernetes => {
                            format!("unknown field {:?}: {name} has no such field", short(text))
                        }
                        Mode::Kubesim => format!("unknown field {:?}", short(text)),
                    };
                    let help = did_you_mean(text, fields.iter().copied()).or_else(|| {
                        (fields.len() <= 16)
                            .then(|| format!("expected one of: {}", fields.join(", ")))
                    });
                    self.de.r.issue(k, &at, message, help);
                    continue;
                };
                let (w, bit) = (i / 64, 1u64 << (i % 64));
                if self.seen_fields[w] & bit != 0 {
                    self.duplicate(k, text);
                    continue;
                }
                self.seen_fields[w] |= bit;
            } else if self.duplicate_of(k, text).is_some() {
                self.duplicate(k, text);
                continue;
            }
            self.pending = Some((k, v));
            return seed
                .deserialize(KeyDe(text))
                .map(Some)
                .map_err(|e: DeError| DeError::at(k, self.de.at, e.message, e.help));
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> R<V::Value> {
        let Some((k, v)) = self.pending.take() else {
            return Err(de::Error::custom("value without a key"));
        };
        let t = self.de.r.tree;
        let at = self.de.at.key(t.text(k));
        let owner = self.strukt.map(|(n, _)| n);
        let de = self.de.child(v, &at, Some(k), owner);
        seed.deserialize(de).map_err(|e| de.locate(e))
    }
}

impl MapAcc<'_, '_, '_> {
    fn duplicate(&self, key: Id, text: &str) {
        let t = self.de.r.tree;
        let first = t
            .entries(self.de.node)
            .map(|(k, _)| k)
            .find(|&k| k != key && t.text(k) == text)
            .unwrap_or(key);
        let at = self.de.at.key(text);
        self.de.r.issue(
            key,
            &at,
            format!(
                "mapping key {:?} already defined at line {}",
                short(text),
                t.position(first).0
            ),
            None,
        );
    }
}

/// A key as an identifier or string.
struct KeyDe<'t>(&'t str);

impl<'de> de::Deserializer<'de> for KeyDe<'_> {
    type Error = DeError;
    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> R<V::Value> {
        visitor.visit_str(self.0)
    }
    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf option unit unit_struct newtype_struct seq tuple
        tuple_struct map struct enum identifier ignored_any
    }
}

#[cfg(test)]
mod tests {
    use super::super::tree::{Tree, YamlLimits};
    use super::*;
    use serde::Deserialize;
    use std::collections::BTreeMap;

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(rename_all = "camelCase")]
    struct S {
        name: String,
        #[serde(default)]
        count: Option<u32>,
        #[serde(default)]
        labels: BTreeMap<String, String>,
    }

    fn read<T: DeserializeOwned>(text: &str, mode: Mode) -> (Result<T, Issue>, Vec<Issue>) {
        let tree = Tree::parse(text, YamlLimits::default()).unwrap();
        let r = Reader::new(&tree, mode);
        let v = r.read::<T>(tree.documents()[0], &At::ROOT);
        let issues = r.take_issues();
        let pos = |i: &Issue| tree.position(i.node);
        let v = v.map_err(|mut i| {
            let (l, c) = pos(&i);
            i.message = format!("{l}:{c} {}", i.message);
            i
        });
        let issues = issues
            .into_iter()
            .map(|mut i| {
                let (l, c) = pos(&i);
                i.message = format!("{l}:{c} {}", i.message);
                i
            })
            .collect();
        (v, issues)
    }

    #[test]
    fn unknown_fields_are_issues_at_the_key() {
        let (v, issues) = read::<S>("name: a\ncoutn: 3\n\"\": 1\nspec.x: 2\n", Mode::Kubesim);
        assert_eq!(v.unwrap().name, "a");
        let msgs: Vec<_> = issues.iter().map(|i| i.message.as_str()).collect();
        assert_eq!(
            msgs,
            [
                "2:1 unknown field \"coutn\"",
                "3:1 unknown field \"\"",
                "4:1 unknown field \"spec.x\""
            ]
        );
        assert_eq!(issues[0].help.as_deref(), Some("did you mean `count`?"));
        assert_eq!(issues[1].path, "[\"\"]");
    }

    #[test]
    fn type_errors_point_at_the_value() {
        let (v, _) = read::<S>("name: a\ncount: many\n", Mode::Kubesim);
        let e = v.unwrap_err();
        assert_eq!(e.message, "2:8 expected a whole number, found \"many\"");
        assert_eq!(e.path, "count");
        let (v, _) = read::<S>("name: a\ncount: -1\n", Mode::Kubesim);
        assert!(v.unwrap_err().message.contains("must not be negative"));
    }

    #[test]
    fn kubernetes_strings_are_strict() {
        let (v, _) = read::<S>("name: a\nlabels: {v: 1.0}\n", Mode::Kubernetes);
        let e = v.unwrap_err();
        assert_eq!(
            e.message,
            "2:13 invalid type: got \"number\", expected \"string\""
        );
        assert_eq!(e.path, "labels.v");
        let (v, _) = read::<S>("name: yes\n", Mode::Kubernetes);
        assert!(v.unwrap_err().message.contains("got \"boolean\""));
        let (v, _) = read::<S>("name: yes\n", Mode::Kubesim);
        assert_eq!(v.unwrap().name, "yes");
    }

    #[test]
    fn duplicates_and_missing_fields() {
        let (v, issues) = read::<S>("name: a\nname: b\n", Mode::Kubesim);
        assert_eq!(v.unwrap().name, "a");
        assert_eq!(
            issues[0].message,
            "2:1 mapping key \"name\" already defined at line 1"
        );
        let (v, _) = read::<S>("count: 1\n", Mode::Kubesim);
        let e = v.unwrap_err();
        assert_eq!(e.path, "name");
        assert!(e.message.ends_with("Required value"), "{e:?}");
    }

    #[test]
    fn merge_keys() {
        let (v, issues) = read::<BTreeMap<String, S>>(
            "base: &b {name: x, count: 1}\nc: {<<: *b, count: 2}\n",
            Mode::Kubesim,
        );
        assert!(issues.is_empty(), "{issues:?}");
        let v = v.unwrap();
        assert_eq!(v["c"].name, "x");
        assert_eq!(v["c"].count, Some(2));
    }

    #[test]
    fn go_yaml_scalars() {
        assert_eq!(resolve_plain("0755"), Scalar::Int(493));
        assert_eq!(resolve_plain("0x1F"), Scalar::Int(31));
        assert_eq!(resolve_plain("1_000"), Scalar::Int(1000));
        assert_eq!(resolve_plain("1e3"), Scalar::Float(1000.0));
        assert_eq!(resolve_plain("on"), Scalar::Bool(true));
        assert_eq!(resolve_plain("1.2.3"), Scalar::Str);
        assert_eq!(resolve_plain("500m"), Scalar::Str);
        assert_eq!(
            resolve_plain("18446744073709551615"),
            Scalar::Uint(u64::MAX)
        );
        assert_eq!(resolve_plain("-"), Scalar::Str);
        assert_eq!(resolve_plain("."), Scalar::Str);
    }
}
