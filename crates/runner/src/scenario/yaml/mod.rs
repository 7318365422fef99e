//! YAML in: text → [`Tree`] of positioned nodes → typed values through
//! [`Reader`], with the field path and the position of every problem.
//!
//! - [`tree`]: the parser's events laid out as a compact tree, bounded by
//!   [`YamlLimits`]; [`Tree::find`] finds a field's node from its path.
//! - [`de`]: a serde deserializer over the tree with strict field
//!   validation, kubectl's scalar typing for Kubernetes objects, and
//!   non-fatal [`Issue`]s for unknown fields and duplicate keys.
//! - [`path`]: [`At`], field paths built on the stack.

pub mod de;
pub mod path;
pub mod tree;

pub use de::{Issue, Mode, NodeRef, Reader};
pub use path::At;
pub use tree::{Id, Kind, PathSeg, Split, SplitObject, SyntaxError, Tree, YamlLimits};
