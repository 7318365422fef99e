//! Scenario errors and warnings: every problem names the file, the line
//! and column of the offending key or value, the field path and what was
//! expected, and renders through miette with the line quoted.
//!
//! Quoting is careful: only files that parsed as YAML mappings are quoted
//! (a `manifests:` entry naming some other file never has its lines
//! echoed), and a long line — a scenario written as one JSON line — is
//! cut to a window around the error column, so the snippet stays short
//! and miette never sees a column it cannot format.

use miette::{
    Diagnostic, LabeledSpan, MietteError, MietteSpanContents, SourceCode, SourceSpan, SpanContents,
};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// Whether a problem stops the scenario.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    /// The scenario is refused.
    Error,
    /// Worth knowing; the scenario runs.
    Warning,
}

/// One problem in one scenario (or manifest) file.
#[derive(Debug, Clone)]
pub struct ScenarioError {
    /// The file.
    pub file: PathBuf,
    /// 1-based line; 0 for a problem with the whole file (no position).
    pub line: usize,
    /// 1-based column, in characters; 0 with `line` 0.
    pub column: usize,
    /// Field path, e.g. `cluster.nodes[0].capacity.cpu` (empty if none).
    pub path: String,
    /// What is wrong and what was expected.
    pub message: String,
    /// A hint ("did you mean …").
    pub help: Option<String>,
    /// Error or warning.
    pub severity: Severity,
    snippet: Option<Snippet>,
}

impl std::fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:", self.file.display())?;
        if self.line > 0 {
            write!(f, "{}:{}:", self.line, self.column)?;
        }
        f.write_str(" ")?;
        if !self.path.is_empty() {
            write!(f, "{}: ", self.path)?;
        }
        f.write_str(&self.message)
    }
}

impl std::error::Error for ScenarioError {}

impl Diagnostic for ScenarioError {
    fn help<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn std::fmt::Display>)
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        })
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.snippet.as_ref().map(|s| s as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let s = self.snippet.as_ref()?;
        Some(Box::new(std::iter::once(LabeledSpan::new_with_span(
            Some("here".into()),
            s.span,
        ))))
    }
}

impl ScenarioError {
    /// The same problem with a hint.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// The same problem as a warning.
    pub fn warning(mut self) -> Self {
        self.severity = Severity::Warning;
        self
    }

    /// Whether it is a warning.
    pub fn is_warning(&self) -> bool {
        self.severity == Severity::Warning
    }

    /// Whether the report quotes the file.
    pub fn has_snippet(&self) -> bool {
        self.snippet.is_some()
    }

    /// The quoted lines, if any (for tests).
    pub fn snippet_text(&self) -> Option<&str> {
        self.snippet.as_ref().map(|s| s.text.as_str())
    }
}

/// A problem with a whole file (cannot read it, not a file…): no position.
pub fn file_error(file: &Path, message: impl Into<String>) -> ScenarioError {
    ScenarioError {
        file: file.to_path_buf(),
        line: 0,
        column: 0,
        path: String::new(),
        message: message.into(),
        help: None,
        severity: Severity::Error,
        snippet: None,
    }
}

/// All problems found in a set of files.
#[derive(Debug, thiserror::Error, Diagnostic)]
#[error("{} error(s) in scenario files", errors.len())]
pub struct ScenarioErrors {
    /// The problems.
    #[related]
    pub errors: Vec<ScenarioError>,
}

/// A file's text, to turn positions into errors with a quoted snippet.
pub struct Source<'s> {
    /// The file.
    pub file: &'s Path,
    /// Its text.
    pub text: &'s str,
    /// Whether errors may quote it (it parsed as a YAML mapping).
    pub quote: bool,
    lines: OnceLock<Vec<usize>>,
}

/// Characters of a line shown around the error column.
const WINDOW: usize = 120;
/// How far left of the error column the window starts.
const LEAD: usize = 60;

impl<'s> Source<'s> {
    /// The text of `file`; `quote` says whether errors may quote it.
    pub fn new(file: &'s Path, text: &'s str, quote: bool) -> Self {
        Source {
            file,
            text,
            quote,
            lines: OnceLock::new(),
        }
    }

    fn line_starts(&self) -> &[usize] {
        self.lines.get_or_init(|| {
            std::iter::once(0)
                .chain(memchr_newlines(self.text).map(|i| i + 1))
                .collect()
        })
    }

    /// Line `n` (1-based), without its newline.
    fn line(&self, n: usize) -> Option<&'s str> {
        let starts = self.line_starts();
        let start = *starts.get(n.checked_sub(1)?)?;
        let end = starts.get(n).map_or(self.text.len(), |&e| e - 1);
        let line = self.text.get(start..end)?;
        Some(line.strip_suffix('\r').unwrap_or(line))
    }

    /// An error at 1-based `line` and `column` (characters).
    pub fn error(
        &self,
        line: usize,
        column: usize,
        path: impl Into<String>,
        message: impl Into<String>,
    ) -> ScenarioError {
        let snippet = if self.quote && line > 0 {
            self.snippet(line, column)
        } else {
            None
        };
        ScenarioError {
            file: self.file.to_path_buf(),
            line,
            column,
            path: path.into(),
            message: message.into(),
            help: None,
            severity: Severity::Error,
            snippet,
        }
    }

    /// The error line and one line either side, each cut to the same
    /// window of characters around `column`.
    fn snippet(&self, line: usize, column: usize) -> Option<Snippet> {
        let err_line = self.line(line)?;
        let col0 = column.saturating_sub(1);
        let long = err_line.len() > WINDOW + LEAD && err_line.chars().count() > WINDOW + LEAD;
        let cut = if long && col0 > LEAD { col0 - LEAD } else { 0 };
        let first = line.saturating_sub(1).max(1);
        let mut text = String::new();
        let mut span = None;
        for n in first..=line + 1 {
            let Some(l) = self.line(n) else { break };
            let start = text.len();
            let long_line = l.len() > WINDOW + LEAD && l.chars().count() > WINDOW + LEAD;
            window(l, cut, long_line, &mut text);
            if n == line {
                // Byte offset of the error column in the windowed line.
                let local_col = col0 - cut;
                let body = &text[start..];
                let off = body
                    .char_indices()
                    .nth(local_col)
                    .map_or(body.len(), |(b, _)| b);
                let rest = &body[off..];
                let len = token_len(rest);
                span = Some(SourceSpan::new((start + off).into(), len));
            }
            text.push('\n');
        }
        Some(Snippet {
            name: self.file.display().to_string(),
            text,
            first_line: first,
            cut,
            span: span?,
        })
    }
}

/// Appends `line` cut to the window starting `cut` characters in: `...`
/// stands for what was cut on either side (replacing three characters,
/// so that columns stay where they were).
fn window(line: &str, cut: usize, long: bool, out: &mut String) {
    if !long {
        out.push_str(line);
        return;
    }
    let mut chars = line.chars().skip(cut);
    let mut n = 0;
    if cut > 0 {
        out.push_str("...");
        chars.by_ref().take(3).for_each(drop);
        n = 3;
    }
    for c in chars.by_ref() {
        if n == WINDOW + LEAD {
            out.push_str("...");
            break;
        }
        out.push(c);
        n += 1;
    }
}

/// Length in bytes of the token at the start of `rest`: up to the end of
/// a key (`: `), a flow separator or the line's end; at least one
/// character.
fn token_len(rest: &str) -> usize {
    let mut end = rest.len();
    for (i, c) in rest.char_indices() {
        if matches!(c, ',' | '}' | ']' | '#')
            || (c == ':' && rest[i + 1..].starts_with([' ', '\t']))
            || (c == ':' && i + 1 == rest.len())
        {
            end = i;
            break;
        }
    }
    let end = rest[..end].trim_end().len();
    if end == 0 {
        rest.chars().next().map_or(0, char::len_utf8)
    } else {
        end
    }
}

fn memchr_newlines(text: &str) -> impl Iterator<Item = usize> + '_ {
    text.bytes()
        .enumerate()
        .filter(|&(_, b)| b == b'\n')
        .map(|(i, _)| i)
}

/// The lines an error quotes: a few lines, each at most a window wide,
/// with the line numbers and columns of the whole file.
#[derive(Debug, Clone)]
struct Snippet {
    name: String,
    text: String,
    /// 1-based line number of the first line of `text`.
    first_line: usize,
    /// Characters cut from the left of every line.
    cut: usize,
    /// The error, in `text`.
    span: SourceSpan,
}

impl SourceCode for Snippet {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let inner = self.text.as_str().read_span(span, before, after)?;
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            inner.data(),
            *inner.span(),
            inner.line() + self.first_line - 1,
            inner.column() + self.cut,
            inner.line_count(),
        )))
    }
}

/// "did you mean" for a misspelt word among `candidates`.
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

#[cfg(test)]
mod tests {
    use super::*;

    fn render(e: &ScenarioError) -> String {
        let mut out = String::new();
        miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode_nocolor())
            .render_report(&mut out, e)
            .unwrap();
        out
    }

    #[test]
    fn short_lines_are_quoted_whole() {
        let text = "a: 1\nb: x\nc: 3\n";
        let src = Source::new(Path::new("f.yaml"), text, true);
        let e = src.error(2, 4, "b", "bad");
        assert_eq!(e.to_string(), "f.yaml:2:4: b: bad");
        let r = render(&e);
        assert!(r.contains("[f.yaml:2:4]"), "{r}");
        assert!(r.contains("2 │ b: x"), "{r}");
    }

    #[test]
    fn a_long_line_is_windowed_and_never_panics() {
        let mut line = String::from("{\"a\": [");
        while line.len() < 500_000 {
            line.push_str("1, ");
        }
        line.push_str("oops]}");
        let col = line.chars().count() - 5;
        let src = Source::new(Path::new("long.json"), &line, true);
        let e = src.error(1, col, "a", "bad");
        let r = render(&e);
        assert!(r.contains(&format!("[long.json:1:{col}]")), "{r}");
        assert!(r.len() < 2_000, "{} bytes", r.len());
        assert!(r.contains("oops"), "{r}");
    }

    #[test]
    fn files_that_are_not_yaml_mappings_are_not_quoted() {
        let src = Source::new(
            Path::new("/etc/passwd"),
            "root:x:0:0:root:/root:/bin/bash\n",
            false,
        );
        let e = src.error(1, 1, "", "expected a mapping");
        assert!(!e.has_snippet());
        assert!(!render(&e).contains("root:x"));
    }

    #[test]
    fn file_errors_have_no_position() {
        let e = file_error(Path::new("x.yaml"), "cannot read file: not found");
        assert_eq!(e.to_string(), "x.yaml: cannot read file: not found");
    }
}
