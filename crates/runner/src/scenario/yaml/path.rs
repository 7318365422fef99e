//! Field paths: where a value is, as kubesim prints it
//! (`workloads[2].spec.template.spec.containers[0].resources`).
//!
//! [`At`] is a path built on the stack while reading (a linked list of
//! borrowed segments: no allocation until an error needs the text).

use super::tree::PathSeg;

/// A field path as a chain of segments, innermost last.
#[derive(Debug, Clone, Copy)]
pub struct At<'a> {
    parent: Option<&'a At<'a>>,
    seg: Option<PathSeg<'a>>,
}

impl At<'static> {
    /// The document's root.
    pub const ROOT: At<'static> = At {
        parent: None,
        seg: None,
    };
}

impl<'a> At<'a> {
    /// The field `key` of this mapping.
    #[inline]
    pub fn key(&'a self, key: &'a str) -> At<'a> {
        At {
            parent: Some(self),
            seg: Some(PathSeg::Key(key)),
        }
    }

    /// The item `index` of this sequence.
    #[inline]
    pub fn idx(&'a self, index: usize) -> At<'a> {
        At {
            parent: Some(self),
            seg: Some(PathSeg::Index(index)),
        }
    }

    /// The segments from the root.
    pub fn segments(&self) -> Vec<PathSeg<'a>> {
        let mut out = Vec::new();
        let mut cur = Some(self);
        while let Some(a) = cur {
            if let Some(s) = a.seg {
                out.push(s);
            }
            cur = a.parent;
        }
        out.reverse();
        out
    }

    /// The last key of the path, if it ends with one.
    pub fn last_key(&self) -> Option<&'a str> {
        match self.seg {
            Some(PathSeg::Key(k)) => Some(k),
            _ => None,
        }
    }
}

impl std::fmt::Display for At<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&display(&self.segments()))
    }
}

/// `a.b[0].c`; keys that would read ambiguously (empty, with dots,
/// brackets or spaces) are written `["…"]`.
pub fn display(segments: &[PathSeg<'_>]) -> String {
    let mut out = String::new();
    for s in segments {
        match s {
            PathSeg::Index(i) => {
                out.push('[');
                out.push_str(&i.to_string());
                out.push(']');
            }
            PathSeg::Key(k) if needs_quoting(k) => {
                out.push('[');
                out.push_str(&format!("{k:?}"));
                out.push(']');
            }
            PathSeg::Key(k) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(k);
            }
        }
    }
    out
}

fn needs_quoting(k: &str) -> bool {
    k.is_empty()
        || k.chars().any(|c| {
            matches!(c, '.' | '[' | ']' | '"' | '\\') || c.is_whitespace() || c.is_control()
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_paths() {
        let root = At::ROOT;
        let w = root.key("workloads");
        let i = w.idx(2);
        let s = i.key("spec");
        assert_eq!(s.to_string(), "workloads[2].spec");
        let l = s.key("kubernetes.io/os");
        assert_eq!(l.to_string(), "workloads[2].spec[\"kubernetes.io/os\"]");
        let e = root.key("");
        assert_eq!(e.to_string(), "[\"\"]");
    }
}
