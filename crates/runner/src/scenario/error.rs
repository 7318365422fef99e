//! Scenario errors: every problem in a scenario file is reported with the
//! file, line and column, the field path and what was expected, and can be
//! rendered by miette with the offending line underlined.

use miette::{Diagnostic, NamedSource, SourceSpan};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// One problem in one scenario (or manifest) file.
#[derive(Debug, thiserror::Error, Diagnostic)]
#[error("{}:{line}:{column}: {}{message}", file.display(), path_prefix(path))]
pub struct ScenarioError {
    pub file: PathBuf,
    pub line: usize,
    pub column: usize,
    /// Field path, e.g. `cluster.nodes[0].capacity.cpu` (empty if unknown).
    pub path: String,
    pub message: String,
    #[source_code]
    src: Option<NamedSource<Arc<str>>>,
    #[label("here")]
    span: Option<SourceSpan>,
    #[help]
    pub help: Option<String>,
}

fn path_prefix(path: &str) -> String {
    if path.is_empty() {
        String::new()
    } else {
        format!("{path}: ")
    }
}

/// A file's text with a line index, to turn positions into spans.
#[derive(Debug, Clone)]
pub struct Source {
    pub file: PathBuf,
    pub text: Arc<str>,
}

impl Source {
    pub fn new(file: &Path, text: impl Into<Arc<str>>) -> Self {
        Source {
            file: file.to_path_buf(),
            text: text.into(),
        }
    }

    /// An error at 1-based `line`/`column` of this source.
    pub fn error(
        &self,
        line: usize,
        column: usize,
        path: impl Into<String>,
        message: impl Into<String>,
    ) -> ScenarioError {
        let span = self.offset_of(line, column).map(|o| {
            let rest = &self.text[o..];
            let end = rest.find(['\n', ',', '}', ']']).unwrap_or(rest.len());
            // At least one whole character, so the span ends on a boundary.
            let len = if end == 0 {
                rest.chars().next().map_or(0, char::len_utf8)
            } else {
                end
            };
            SourceSpan::new(o.into(), len)
        });
        ScenarioError {
            file: self.file.clone(),
            line,
            column,
            path: path.into(),
            message: message.into(),
            src: Some(NamedSource::new(
                self.file.display().to_string(),
                self.text.clone(),
            )),
            span,
            help: None,
        }
    }

    /// Byte offset of 1-based `line` and (character) `column`.
    fn offset_of(&self, line: usize, column: usize) -> Option<usize> {
        if line == 0 {
            return None;
        }
        let mut offset = 0;
        for (i, l) in self.text.split_inclusive('\n').enumerate() {
            if i + 1 == line {
                let body = l.trim_end_matches('\n');
                let col = body
                    .char_indices()
                    .nth(column.saturating_sub(1))
                    .map_or(body.len(), |(b, _)| b);
                return Some(offset + col);
            }
            offset += l.len();
        }
        None
    }
}

/// An error about a whole file (cannot read it, no location).
pub fn file_error(file: &Path, message: impl Into<String>) -> ScenarioError {
    ScenarioError {
        file: file.to_path_buf(),
        line: 0,
        column: 0,
        path: String::new(),
        message: message.into(),
        src: None,
        span: None,
        help: None,
    }
}

impl ScenarioError {
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

/// All problems found in a set of files.
#[derive(Debug, thiserror::Error, Diagnostic)]
#[error("{} error(s) in scenario files", errors.len())]
pub struct ScenarioErrors {
    #[related]
    pub errors: Vec<ScenarioError>,
}

/// "did you mean" for a misspelt key among `candidates`.
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<String> {
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(word, c), c))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| format!("did you mean `{c}`?"))
}
