//! The logic of an Argo `AnalysisTemplate` metric as pure functions:
//!
//! - [`Condition`]: `successCondition` / `failureCondition`. Upstream
//!   compiles them with expr-lang; kubesim accepts the part of that
//!   language its own provider needs — comparisons (`<` `<=` `>` `>=`
//!   `==` `!=`) of `result` or `result[0]` with numbers, joined by `&&` /
//!   `||` (or expr-lang's `and` / `or`), in parentheses if wanted.
//!   `&&` binds tighter than `||`, both short-circuit, as in expr-lang.
//! - [`resolve_args`]: `{{args.NAME}}` substitution
//!   (`utils/template/template.go`, `ResolveArgs`).
//! - [`evaluate_result`]: one measurement's phase from the two
//!   conditions (`utils/evaluate/evaluate.go`, `EvaluateResult`).
//! - [`MetricResult::record`], [`assess_metric_status`] and
//!   [`assess_run_status`]: how measurements add up to a metric's phase
//!   and the run's (`analysis/analysis.go`: `runMeasurements`,
//!   `assessMetricStatus`, `assessMetricFailureInconclusiveOrError`,
//!   `assessRunStatus`; `utils/analysis/helpers.go`: `IsWorse`,
//!   `IsTerminating`).
//!
//! A measurement's value is one number, or none when the provider had no
//! data (upstream's nil result). `result[0]` reads the same number: the
//! kubesim provider returns a single value, where Prometheus returns a
//! vector. Dry-run metrics are not modelled.

use std::fmt;

/// `DefaultConsecutiveErrorLimit`.
pub const DEFAULT_CONSECUTIVE_ERROR_LIMIT: i32 = 4;

/// How deeply parentheses may nest (a bound, so that parsing any input
/// stays within the stack).
pub const MAX_NESTING: usize = 64;

/// `AnalysisPhase`, of a measurement, a metric or a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AnalysisPhase {
    /// Not started.
    Pending,
    /// In progress.
    Running,
    /// Completed: passed.
    Successful,
    /// Completed: failed.
    Failed,
    /// Completed: the measurement could not be taken or evaluated.
    Error,
    /// Completed: neither passed nor failed.
    Inconclusive,
}

impl AnalysisPhase {
    /// `Completed()`: Successful, Failed, Error or Inconclusive.
    pub fn completed(self) -> bool {
        !matches!(self, AnalysisPhase::Pending | AnalysisPhase::Running)
    }

    /// The phase as upstream spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            AnalysisPhase::Pending => "Pending",
            AnalysisPhase::Running => "Running",
            AnalysisPhase::Successful => "Successful",
            AnalysisPhase::Failed => "Failed",
            AnalysisPhase::Error => "Error",
            AnalysisPhase::Inconclusive => "Inconclusive",
        }
    }

    /// Position in `analysisStatusOrder`, best first.
    fn rank(self) -> u8 {
        match self {
            AnalysisPhase::Successful => 0,
            AnalysisPhase::Running => 1,
            AnalysisPhase::Pending => 2,
            AnalysisPhase::Inconclusive => 3,
            AnalysisPhase::Error => 4,
            AnalysisPhase::Failed => 5,
        }
    }

    /// `IsWorse(current, new)`: Successful < Running < Pending <
    /// Inconclusive < Error < Failed.
    pub fn is_worse(current: AnalysisPhase, new: AnalysisPhase) -> bool {
        new.rank() > current.rank()
    }
}

impl fmt::Display for AnalysisPhase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

// ---------------------------------------------------------------------
// Conditions

/// Why a condition does not parse.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ConditionErrorKind {
    /// Nothing to evaluate.
    #[error("empty condition")]
    Empty,
    /// A character that starts no token.
    #[error("unexpected character {0:?}")]
    UnexpectedCharacter(char),
    /// A name other than `result`, `and`, `or` (expr-lang's wording).
    #[error("unknown name {0}")]
    UnknownName(String),
    /// A number that does not read as a finite `f64`.
    #[error("invalid number {0:?}")]
    InvalidNumber(String),
    /// `result[i]` with `i` other than 0: the result has one value.
    #[error("index out of range: result has one value, index {0}")]
    IndexOutOfRange(String),
    /// A token where another was expected.
    #[error("expected {expected}, found {found}")]
    Unexpected {
        /// What the grammar allows here.
        expected: &'static str,
        /// What is there.
        found: String,
    },
    /// Parentheses nested deeper than [`MAX_NESTING`].
    #[error("parentheses nested deeper than {MAX_NESTING}")]
    TooDeep,
}

/// A condition that does not parse, with the 1-based column (in
/// characters) where the problem starts.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("column {column}: {kind}")]
pub struct ConditionError {
    /// 1-based column, in characters.
    pub column: usize,
    /// What is wrong.
    pub kind: ConditionErrorKind,
}

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CmpOp {
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `==`
    Eq,
    /// `!=`
    Ne,
}

/// One side of a comparison.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Operand {
    /// `result` (`indexed: false`) or `result[0]` (`indexed: true`).
    Result {
        /// Written as `result[0]`.
        indexed: bool,
    },
    /// A number literal.
    Number(f64),
}

/// A parsed condition. Chains of `||` and `&&` are flat lists, so that
/// only parentheses nest (and [`MAX_NESTING`] bounds them).
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// `a || b || …` (two or more).
    Or(Vec<Expr>),
    /// `a && b && …` (two or more).
    And(Vec<Expr>),
    /// `lhs op rhs`.
    Cmp(Operand, CmpOp, Operand),
}

/// Evaluating a condition needed the result and there was none
/// (upstream: comparing or indexing a nil result).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("metric result is nil or empty: no data returned from the metric provider")]
pub struct NoData;

/// A parsed `successCondition` or `failureCondition`.
#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    /// The text as written (after args substitution).
    pub source: String,
    /// Its tree.
    pub expr: Expr,
}

impl Condition {
    /// Parses a condition.
    pub fn parse(source: &str) -> Result<Condition, ConditionError> {
        let tokens = lex(source)?;
        let mut parser = Parser {
            tokens: &tokens,
            pos: 0,
            depth: 0,
            end_column: source.chars().count() + 1,
        };
        if tokens.is_empty() {
            return Err(ConditionError {
                column: 1,
                kind: ConditionErrorKind::Empty,
            });
        }
        let expr = parser.or()?;
        if let Some(t) = parser.peek() {
            return Err(unexpected("&&, || or the end", t));
        }
        Ok(Condition {
            source: source.to_string(),
            expr,
        })
    }

    /// `EvalCondition` on a measured value (None: no data).
    pub fn evaluate(&self, result: Option<f64>) -> Result<bool, NoData> {
        eval(&self.expr, result)
    }
}

fn eval(expr: &Expr, result: Option<f64>) -> Result<bool, NoData> {
    match expr {
        // Left to right, stopping at the first that decides (an error
        // after it is never reached, as in expr-lang).
        Expr::Or(terms) => {
            for t in terms {
                if eval(t, result)? {
                    return Ok(true);
                }
            }
            Ok(false)
        }
        Expr::And(terms) => {
            for t in terms {
                if !eval(t, result)? {
                    return Ok(false);
                }
            }
            Ok(true)
        }
        Expr::Cmp(l, op, r) => compare(*l, *op, *r, result),
    }
}

/// A comparison as expr-lang does it on `float64`: NaN compares false
/// except with `!=`; a missing result is only equal to nothing (`==`
/// false, `!=` true) and cannot be ordered or indexed.
fn compare(l: Operand, op: CmpOp, r: Operand, result: Option<f64>) -> Result<bool, NoData> {
    let value = |o: Operand| -> Result<Option<f64>, NoData> {
        match o {
            Operand::Number(n) => Ok(Some(n)),
            Operand::Result { indexed: true } => result.map(Some).ok_or(NoData),
            Operand::Result { indexed: false } => Ok(result),
        }
    };
    let (a, b) = match (value(l)?, value(r)?, op) {
        (Some(a), Some(b), _) => (a, b),
        (a, b, CmpOp::Eq) => return Ok(a.is_none() && b.is_none()),
        (a, b, CmpOp::Ne) => return Ok(a.is_some() || b.is_some()),
        _ => return Err(NoData),
    };
    Ok(match op {
        CmpOp::Lt => a < b,
        CmpOp::Le => a <= b,
        CmpOp::Gt => a > b,
        CmpOp::Ge => a >= b,
        CmpOp::Eq => a == b,
        CmpOp::Ne => a != b,
    })
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Result,
    Number(f64),
    LBracket,
    RBracket,
    LParen,
    RParen,
    And,
    Or,
    Cmp(CmpOp),
}

impl fmt::Display for Tok {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Tok::Result => f.write_str("result"),
            Tok::Number(n) => write!(f, "{n}"),
            Tok::LBracket => f.write_str("["),
            Tok::RBracket => f.write_str("]"),
            Tok::LParen => f.write_str("("),
            Tok::RParen => f.write_str(")"),
            Tok::And => f.write_str("&&"),
            Tok::Or => f.write_str("||"),
            Tok::Cmp(op) => f.write_str(match op {
                CmpOp::Lt => "<",
                CmpOp::Le => "<=",
                CmpOp::Gt => ">",
                CmpOp::Ge => ">=",
                CmpOp::Eq => "==",
                CmpOp::Ne => "!=",
            }),
        }
    }
}

/// A token and its 1-based column.
type Spanned = (Tok, usize);

fn lex(source: &str) -> Result<Vec<Spanned>, ConditionError> {
    let chars: Vec<char> = source.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while let Some(&c) = chars.get(i) {
        let column = i + 1;
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        let (tok, len) = lex_one(&chars[i..], column)?;
        tokens.push((tok, column));
        i += len;
    }
    Ok(tokens)
}

/// The token at the start of `rest` and how many characters it takes.
fn lex_one(rest: &[char], column: usize) -> Result<(Tok, usize), ConditionError> {
    let err = |kind| ConditionError { column, kind };
    let next = rest.get(1).copied();
    let two = |t| Ok((t, 2));
    let one = |t| Ok((t, 1));
    match (rest[0], next) {
        ('&', Some('&')) => two(Tok::And),
        ('|', Some('|')) => two(Tok::Or),
        ('<', Some('=')) => two(Tok::Cmp(CmpOp::Le)),
        ('>', Some('=')) => two(Tok::Cmp(CmpOp::Ge)),
        ('=', Some('=')) => two(Tok::Cmp(CmpOp::Eq)),
        ('!', Some('=')) => two(Tok::Cmp(CmpOp::Ne)),
        ('<', _) => one(Tok::Cmp(CmpOp::Lt)),
        ('>', _) => one(Tok::Cmp(CmpOp::Gt)),
        ('(', _) => one(Tok::LParen),
        (')', _) => one(Tok::RParen),
        ('[', _) => one(Tok::LBracket),
        (']', _) => one(Tok::RBracket),
        (c, _) if c.is_ascii_digit() || c == '.' || c == '-' => lex_number(rest, column),
        (c, _) if c.is_alphabetic() || c == '_' => {
            let len = rest
                .iter()
                .take_while(|c| c.is_alphanumeric() || **c == '_')
                .count();
            let word: String = rest[..len].iter().collect();
            match word.as_str() {
                "result" => Ok((Tok::Result, len)),
                "and" => Ok((Tok::And, len)),
                "or" => Ok((Tok::Or, len)),
                _ => Err(err(ConditionErrorKind::UnknownName(word))),
            }
        }
        (c, _) => Err(err(ConditionErrorKind::UnexpectedCharacter(c))),
    }
}

/// A number: an optional `-`, digits, a fraction, an exponent.
fn lex_number(rest: &[char], column: usize) -> Result<(Tok, usize), ConditionError> {
    let mut len = usize::from(rest[0] == '-');
    let digits = |from: usize| {
        rest[from..]
            .iter()
            .take_while(|c| c.is_ascii_digit())
            .count()
    };
    len += digits(len);
    if rest.get(len) == Some(&'.') {
        len += 1 + digits(len + 1);
    }
    if matches!(rest.get(len), Some('e' | 'E')) {
        let sign = usize::from(matches!(rest.get(len + 1), Some('+' | '-')));
        let exp = digits(len + 1 + sign);
        if exp > 0 {
            len += 1 + sign + exp;
        }
    }
    let text: String = rest[..len].iter().collect();
    match text.parse::<f64>() {
        Ok(n) if n.is_finite() => Ok((Tok::Number(n), len)),
        _ => Err(ConditionError {
            column,
            kind: ConditionErrorKind::InvalidNumber(text),
        }),
    }
}

/// Recursive descent over the tokens: `or := and (|| and)*`,
/// `and := atom (&& atom)*`, `atom := ( or ) | operand op operand`.
struct Parser<'a> {
    tokens: &'a [Spanned],
    pos: usize,
    depth: usize,
    end_column: usize,
}

impl<'a> Parser<'a> {
    fn peek(&self) -> Option<&'a Spanned> {
        self.tokens.get(self.pos)
    }

    fn next(&mut self, expected: &'static str) -> Result<&'a Spanned, ConditionError> {
        let Some(t) = self.tokens.get(self.pos) else {
            return Err(ConditionError {
                column: self.end_column,
                kind: ConditionErrorKind::Unexpected {
                    expected,
                    found: "the end".into(),
                },
            });
        };
        self.pos += 1;
        Ok(t)
    }

    fn or(&mut self) -> Result<Expr, ConditionError> {
        let mut terms = vec![self.and()?];
        while matches!(self.peek(), Some((Tok::Or, _))) {
            self.pos += 1;
            terms.push(self.and()?);
        }
        Ok(flatten(terms, Expr::Or))
    }

    fn and(&mut self) -> Result<Expr, ConditionError> {
        let mut terms = vec![self.atom()?];
        while matches!(self.peek(), Some((Tok::And, _))) {
            self.pos += 1;
            terms.push(self.atom()?);
        }
        Ok(flatten(terms, Expr::And))
    }

    fn atom(&mut self) -> Result<Expr, ConditionError> {
        let Some(&(Tok::LParen, column)) = self.peek() else {
            return self.comparison();
        };
        if self.depth >= MAX_NESTING {
            return Err(ConditionError {
                column,
                kind: ConditionErrorKind::TooDeep,
            });
        }
        self.pos += 1;
        self.depth += 1;
        let inner = self.or()?;
        self.depth -= 1;
        match self.next(")")? {
            (Tok::RParen, _) => Ok(inner),
            t => Err(unexpected(")", t)),
        }
    }

    fn comparison(&mut self) -> Result<Expr, ConditionError> {
        let lhs = self.operand()?;
        let op = match self.next("a comparison (< <= > >= == !=)")? {
            (Tok::Cmp(op), _) => *op,
            t => return Err(unexpected("a comparison (< <= > >= == !=)", t)),
        };
        let rhs = self.operand()?;
        Ok(Expr::Cmp(lhs, op, rhs))
    }

    fn operand(&mut self) -> Result<Operand, ConditionError> {
        const EXPECTED: &str = "result, result[0], a number or (";
        match self.next(EXPECTED)? {
            &(Tok::Number(n), _) => Ok(Operand::Number(n)),
            (Tok::Result, _) => self.index(),
            t => Err(unexpected(EXPECTED, t)),
        }
    }

    /// An optional `[0]` after `result`.
    fn index(&mut self) -> Result<Operand, ConditionError> {
        if !matches!(self.peek(), Some((Tok::LBracket, _))) {
            return Ok(Operand::Result { indexed: false });
        }
        self.pos += 1;
        match self.next("0")? {
            &(Tok::Number(n), column) => {
                if n != 0.0 {
                    let kind = ConditionErrorKind::IndexOutOfRange(n.to_string());
                    return Err(ConditionError { column, kind });
                }
            }
            t => return Err(unexpected("0", t)),
        }
        match self.next("]")? {
            (Tok::RBracket, _) => Ok(Operand::Result { indexed: true }),
            t => Err(unexpected("]", t)),
        }
    }
}

/// One term stays itself; more become a chain.
fn flatten(mut terms: Vec<Expr>, chain: fn(Vec<Expr>) -> Expr) -> Expr {
    if terms.len() == 1 {
        if let Some(only) = terms.pop() {
            return only;
        }
    }
    chain(terms)
}

fn unexpected(expected: &'static str, (tok, column): &Spanned) -> ConditionError {
    ConditionError {
        column: *column,
        kind: ConditionErrorKind::Unexpected {
            expected,
            found: tok.to_string(),
        },
    }
}

// ---------------------------------------------------------------------
// Args

/// Why `{{...}}` substitution failed (`ResolveArgs`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ArgsError {
    /// A `{{` with no `}}` after it (fasttemplate's wording).
    #[error("Cannot find end tag=\"}}}}\" in the template={template:?} starting from {rest:?}")]
    UnterminatedTag {
        /// The whole template.
        template: String,
        /// What follows the `{{`.
        rest: String,
    },
    /// An argument without a value.
    #[error("argument \"{0}\" was not supplied")]
    NotSupplied(String),
    /// A tag that names no argument (the last such tag, as upstream).
    #[error("failed to resolve {{{{{0}}}}}")]
    Unresolved(String),
}

/// `ResolveArgs`: replaces each `{{args.NAME}}` (spaces inside the braces
/// allowed) with the argument's value. An argument with no value, a tag
/// without its `}}`, or a tag naming no argument is an error; upstream
/// checks them in that order after the tags (a malformed template first).
pub fn resolve_args(template: &str, args: &[(&str, Option<&str>)]) -> Result<String, ArgsError> {
    check_tags_closed(template)?;
    if let Some((name, _)) = args.iter().find(|(_, v)| v.is_none()) {
        return Err(ArgsError::NotSupplied((*name).to_string()));
    }
    let mut out = String::with_capacity(template.len());
    let mut unresolved = None;
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        // check_tags_closed saw a `}}` after every `{{`.
        let end = after.find("}}").unwrap_or(after.len());
        let tag = &after[..end];
        let value = tag
            .trim()
            .strip_prefix("args.")
            .and_then(|name| args.iter().rev().find(|(n, _)| *n == name))
            .and_then(|(_, v)| *v);
        match value {
            Some(v) => out.push_str(v),
            None => unresolved = Some(tag.to_string()),
        }
        rest = after.get(end + 2..).unwrap_or("");
    }
    out.push_str(rest);
    match unresolved {
        Some(tag) => Err(ArgsError::Unresolved(tag)),
        None => Ok(out),
    }
}

fn check_tags_closed(template: &str) -> Result<(), ArgsError> {
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else {
            return Err(ArgsError::UnterminatedTag {
                template: template.to_string(),
                rest: after.to_string(),
            });
        };
        rest = &after[end + 2..];
    }
    Ok(())
}

// ---------------------------------------------------------------------
// Measurements, metrics, runs

/// A measurement's phase and, for Error, why (`EvaluateResult`).
pub fn evaluate_result(
    result: Option<f64>,
    success: Option<&Condition>,
    failure: Option<&Condition>,
) -> (AnalysisPhase, Option<String>) {
    let eval = |c: Option<&Condition>, what: &str| -> Result<Option<bool>, String> {
        let Some(c) = c else { return Ok(None) };
        c.evaluate(result)
            .map(Some)
            .map_err(|e| format!("could not evaluate {what} \"{}\": {e}", c.source))
    };
    let (succeeded, failed) = match (
        eval(success, "successCondition"),
        eval(failure, "failureCondition"),
    ) {
        (Err(e), _) | (_, Err(e)) => return (AnalysisPhase::Error, Some(e)),
        (Ok(s), Ok(f)) => (s, f),
    };
    let (succeeded, failed) = match (succeeded, failed) {
        // Neither condition: successful unless there is an error.
        (None, None) => (true, false),
        // Without a failure condition, not succeeding is failing; and
        // the other way round.
        (Some(s), None) => (s, !s),
        (None, Some(f)) => (!f, f),
        (Some(s), Some(f)) => (s, f),
    };
    let phase = if failed {
        AnalysisPhase::Failed
    } else if succeeded {
        AnalysisPhase::Successful
    } else {
        AnalysisPhase::Inconclusive
    };
    (phase, None)
}

/// The fields of an AnalysisTemplate metric the assessment reads.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Metric {
    /// `name`.
    pub name: String,
    /// Whether `interval` is set (any value: an interval means "measure
    /// again", and without `count` "indefinitely").
    pub has_interval: bool,
    /// `count` (unset or 0: see [`Metric::effective_count`]).
    pub count: Option<i32>,
    /// `failureLimit` (default 0; −1 disables it).
    pub failure_limit: Option<i32>,
    /// `inconclusiveLimit` (default 0).
    pub inconclusive_limit: Option<i32>,
    /// `consecutiveErrorLimit` (default 4).
    pub consecutive_error_limit: Option<i32>,
    /// `consecutiveSuccessLimit` (default 0: not applicable).
    pub consecutive_success_limit: Option<i32>,
}

impl Metric {
    /// `EffectiveCount`: `count`; when unset or 0, one measurement
    /// without `interval` and no limit (None) with one.
    pub fn effective_count(&self) -> Option<i32> {
        match self.count {
            Some(c) if c != 0 => Some(c),
            _ => (!self.has_interval).then_some(1),
        }
    }

    fn consecutive_success_applicable(&self) -> Option<i32> {
        self.consecutive_success_limit.filter(|&l| l > 0)
    }
}

/// `MetricResult`: a metric's counters so far. Upstream keeps every
/// measurement; the assessment reads only the last one's phase, which is
/// what is kept here.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MetricResult {
    /// `phase` (upstream starts a result as Running).
    pub phase: Option<AnalysisPhase>,
    /// The phase of the last measurement (None: none taken yet).
    pub last_measurement: Option<AnalysisPhase>,
    /// `message`: the last measurement's message.
    pub message: String,
    /// `count`: completed measurements other than errors.
    pub count: i32,
    /// `successful`.
    pub successful: i32,
    /// `failed`.
    pub failed: i32,
    /// `inconclusive`.
    pub inconclusive: i32,
    /// `error`.
    pub error: i32,
    /// `consecutiveError`.
    pub consecutive_error: i32,
    /// `consecutiveSuccess`.
    pub consecutive_success: i32,
}

impl MetricResult {
    /// A measurement finished with `phase` (the counters of
    /// `runMeasurements`); a phase that is not completed only replaces
    /// the in-flight one.
    pub fn record(&mut self, phase: AnalysisPhase, message: &str) {
        if self.phase.is_none() {
            self.phase = Some(AnalysisPhase::Running);
        }
        self.last_measurement = Some(phase);
        self.message = message.to_string();
        let (count, ok, bad) = (
            &mut self.count,
            &mut self.consecutive_success,
            &mut self.consecutive_error,
        );
        match phase {
            AnalysisPhase::Successful => {
                self.successful = self.successful.saturating_add(1);
                *ok = ok.saturating_add(1);
            }
            AnalysisPhase::Failed => self.failed = self.failed.saturating_add(1),
            AnalysisPhase::Inconclusive => self.inconclusive = self.inconclusive.saturating_add(1),
            AnalysisPhase::Error => {
                self.error = self.error.saturating_add(1);
                *bad = bad.saturating_add(1);
                *ok = 0;
                return;
            }
            AnalysisPhase::Pending | AnalysisPhase::Running => return,
        }
        *count = count.saturating_add(1);
        *bad = 0;
        if phase != AnalysisPhase::Successful {
            *ok = 0;
        }
    }
}

/// `assessMetricFailureInconclusiveOrError`: Failed, Inconclusive or
/// Error once a limit is passed (the last of them wins), with upstream's
/// message.
pub fn assess_metric_failure_inconclusive_or_error(
    metric: &Metric,
    result: &MetricResult,
) -> Option<(AnalysisPhase, String)> {
    let mut verdict = None;
    let failure_limit = metric.failure_limit.unwrap_or(0);
    if failure_limit >= 0 && result.failed > failure_limit {
        let msg = format!(
            "failed ({}) > failureLimit ({failure_limit})",
            result.failed
        );
        verdict = Some((AnalysisPhase::Failed, msg));
    }
    let inconclusive_limit = metric.inconclusive_limit.unwrap_or(0);
    if result.inconclusive > inconclusive_limit {
        let msg = format!(
            "inconclusive ({}) > inconclusiveLimit ({inconclusive_limit})",
            result.inconclusive
        );
        verdict = Some((AnalysisPhase::Inconclusive, msg));
    }
    let error_limit = metric
        .consecutive_error_limit
        .unwrap_or(DEFAULT_CONSECUTIVE_ERROR_LIMIT);
    if result.consecutive_error > error_limit {
        let msg = format!(
            "consecutiveErrors ({}) > consecutiveErrorLimit ({error_limit})",
            result.consecutive_error
        );
        verdict = Some((AnalysisPhase::Error, msg));
    }
    verdict
}

/// `assessMetricStatus`: a metric's phase from its measurements so far;
/// `terminating` (the run is being stopped) ends a metric that could go
/// on as Successful.
pub fn assess_metric_status(
    metric: &Metric,
    result: &MetricResult,
    terminating: bool,
) -> AnalysisPhase {
    if let Some(phase) = result.phase.filter(|p| p.completed()) {
        return phase;
    }
    let Some(last) = result.last_measurement else {
        return if terminating {
            AnalysisPhase::Successful
        } else {
            AnalysisPhase::Pending
        };
    };
    if !last.completed() {
        return AnalysisPhase::Running;
    }
    if let Some((phase, _)) = assess_metric_failure_inconclusive_or_error(metric, result) {
        return phase;
    }
    let success_limit = metric.consecutive_success_applicable();
    if success_limit.is_some_and(|l| result.consecutive_success >= l) {
        return AnalysisPhase::Successful;
    }
    if metric.effective_count().is_some_and(|c| result.count >= c) {
        // The failure limit was not passed (checked above).
        let failure_applicable = metric.failure_limit.is_none_or(|l| l >= 0);
        return match (failure_applicable, success_limit.is_some()) {
            (true, true) => AnalysisPhase::Inconclusive,
            (false, true) => AnalysisPhase::Failed,
            _ => AnalysisPhase::Successful,
        };
    }
    if terminating {
        AnalysisPhase::Successful
    } else {
        AnalysisPhase::Running
    }
}

/// `IsTerminating`: the run was told to stop, or a metric already
/// completed Failed, Error or Inconclusive.
pub fn is_terminating(terminate: bool, results: &[Option<MetricResult>]) -> bool {
    terminate
        || results.iter().flatten().any(|r| {
            matches!(
                r.phase,
                Some(AnalysisPhase::Failed | AnalysisPhase::Error | AnalysisPhase::Inconclusive)
            )
        })
}

/// `RunSummary`: how many metrics ended how.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RunSummary {
    /// Metrics.
    pub count: i32,
    /// Completed Successful.
    pub successful: i32,
    /// Completed Failed.
    pub failed: i32,
    /// Completed Inconclusive.
    pub inconclusive: i32,
    /// Completed Error.
    pub error: i32,
}

/// What `assessRunStatus` answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunAssessment {
    /// The run's phase.
    pub phase: AnalysisPhase,
    /// Why, for the worst metric (empty while running).
    pub message: String,
    /// The summary of the metrics.
    pub summary: RunSummary,
}

/// `assessRunStatus`: updates each metric's phase from its measurements
/// and answers the run's: Running while any metric is not completed (or
/// has not started), else the worst completed phase — the first metric
/// with it gives the message. A terminating run ends with the worst phase
/// so far (Successful if none completed). `results[i]` belongs to
/// `metrics[i]` (None: not started).
pub fn assess_run_status(
    metrics: &[Metric],
    results: &mut [Option<MetricResult>],
    terminate: bool,
) -> RunAssessment {
    let terminating = is_terminating(terminate, results);
    let mut worst: Option<AnalysisPhase> = None;
    let mut message = if terminate {
        "Run Terminated".to_string()
    } else {
        String::new()
    };
    let mut summary = RunSummary::default();
    let mut everything_completed = true;
    for (i, metric) in metrics.iter().enumerate() {
        summary.count = summary.count.saturating_add(1);
        let Some(result) = results.get_mut(i).and_then(Option::as_mut) else {
            everything_completed = false;
            continue;
        };
        let status = assess_metric_status(metric, result, terminating);
        result.phase = Some(status);
        if !status.completed() {
            everything_completed = false;
            continue;
        }
        let verdict = assess_metric_failure_inconclusive_or_error(metric, result);
        if worst.is_none_or(|w| AnalysisPhase::is_worse(w, status)) {
            worst = Some(status);
            if let Some((_, why)) = &verdict {
                message = format!("Metric \"{}\" assessed {status} due to {why}", metric.name);
                if !result.message.is_empty() {
                    message.push_str(&format!(": \"Error Message: {}\"", result.message));
                }
            }
        }
        let tally = match verdict.map(|(p, _)| p) {
            Some(AnalysisPhase::Error) => &mut summary.error,
            Some(AnalysisPhase::Failed) => &mut summary.failed,
            Some(AnalysisPhase::Inconclusive) => &mut summary.inconclusive,
            _ => &mut summary.successful,
        };
        *tally = tally.saturating_add(1);
    }
    let message = message.trim().to_string();
    let phase = match (terminating, worst) {
        (true, None) => AnalysisPhase::Successful,
        (true, Some(w)) => w,
        (false, Some(w)) if everything_completed => w,
        _ => {
            return RunAssessment {
                phase: AnalysisPhase::Running,
                message: String::new(),
                summary,
            }
        }
    };
    RunAssessment {
        phase,
        message,
        summary,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use AnalysisPhase::*;

    fn cond(s: &str) -> Condition {
        Condition::parse(s).unwrap()
    }

    fn parse_err(s: &str) -> ConditionError {
        Condition::parse(s).unwrap_err()
    }

    // Upstream's evaluate tests write conditions `true` and `false`,
    // which kubesim's grammar has no literal for; with result 1 these
    // read the same.
    const TRUE: &str = "result >= 0";
    const FALSE: &str = "result < 0";

    fn evaluate(
        result: Option<f64>,
        success: &str,
        failure: &str,
    ) -> (AnalysisPhase, Option<String>) {
        let s = (!success.is_empty()).then(|| cond(success));
        let f = (!failure.is_empty()).then(|| cond(failure));
        evaluate_result(result, s.as_ref(), f.as_ref())
    }

    /// Upstream evaluate_test.go: `TestEvaluateResultWithSuccess`,
    /// `TestEvaluateResultWithFailure`, `TestEvaluateResultInconclusive`,
    /// `TestEvaluateResultNoSuccessConditionAndNotFailing`,
    /// `TestEvaluateResultNoFailureConditionAndNotSuccessful`,
    /// `TestEvaluateResultNoFailureConditionAndNoSuccessCondition`.
    #[test]
    fn test_evaluate_result() {
        let rows = [
            ("WithSuccess", TRUE, FALSE, Successful),
            ("WithFailure", TRUE, TRUE, Failed),
            ("Inconclusive", FALSE, FALSE, Inconclusive),
            ("NoSuccessConditionAndNotFailing", "", FALSE, Successful),
            ("NoFailureConditionAndNotSuccessful", FALSE, "", Failed),
            (
                "NoFailureConditionAndNoSuccessCondition",
                "",
                "",
                Successful,
            ),
        ];
        for (name, success, failure, expected) in rows {
            assert_eq!(
                evaluate(Some(1.0), success, failure),
                (expected, None),
                "{name}"
            );
        }
    }

    /// Upstream `TestEvaluateResultWithErrorOnSuccessCondition`,
    /// `TestEvaluateResultWithErrorOnFailureCondition`,
    /// `TestEvaluateResultErrorMessageWithInvalidExpression`,
    /// `TestEvaluateResultErrorMessageOnFailureCondition`,
    /// `TestErrorWithInvalidReference`: an unknown name. kubesim refuses
    /// it when the condition is parsed (a template error with the column)
    /// rather than at each measurement.
    #[test]
    fn test_invalid_reference_is_a_parse_error() {
        let e = parse_err("a == true");
        assert_eq!(
            (e.column, e.kind),
            (1, ConditionErrorKind::UnknownName("a".into()))
        );
        let e = parse_err("invalidVar == true");
        assert_eq!(e.to_string(), "column 1: unknown name invalidVar");
        assert_eq!(
            parse_err("invalidVariable").kind.to_string(),
            "unknown name invalidVariable"
        );
    }

    /// Upstream `TestEvaluateResultErrorMessageWithNilResult` and
    /// `...WithEmptySlice`: no data is an Error measurement, and the
    /// message says which condition and why.
    #[test]
    fn test_evaluate_result_error_message_with_nil_result() {
        let (phase, message) = evaluate(None, "result[0] >= 0.95", "");
        assert_eq!(phase, Error);
        let message = message.unwrap();
        assert!(
            message.contains("metric result is nil or empty"),
            "{message}"
        );
        assert!(message.contains("successCondition"), "{message}");
        let (phase, message) = evaluate(None, "", "result > 0.1");
        assert_eq!(phase, Error);
        assert!(message
            .unwrap()
            .contains("could not evaluate failureCondition \"result > 0.1\""));
    }

    /// Upstream `TestEvaluateConditionWithSuccess`,
    /// `TestEvaluateConditionWithFailure`, `TestEvaluateFloat64`.
    #[test]
    fn test_evaluate_condition() {
        assert_eq!(cond("result == 1").evaluate(Some(1.0)), Ok(true));
        assert_eq!(cond("result == 0").evaluate(Some(1.0)), Ok(false));
        assert_eq!(cond("result > 1").evaluate(Some(5.0)), Ok(true));
    }

    /// Upstream `TestErrorWithNonBoolReturn`: `1` is not a condition.
    #[test]
    fn test_error_with_non_bool_return() {
        let e = parse_err("1");
        assert_eq!(e.column, 2);
        assert!(matches!(e.kind, ConditionErrorKind::Unexpected { .. }));
    }

    #[test]
    fn operators_precedence_and_parentheses() {
        let at = |s: &str, v: f64| cond(s).evaluate(Some(v)).unwrap();
        assert!(at("result < 0.01", 0.005));
        assert!(at("result[0] <= 0.01", 0.01));
        assert!(at("result >= 2 && result != 3", 2.0));
        assert!(!at("result >= 2 && result != 3", 3.0));
        // && binds tighter: 1 > 2 || (result == 5 && result > 4)
        assert!(at("1 > 2 || result == 5 && result > 4", 5.0));
        assert!(!at("(1 > 2 || result == 5) && result > 6", 5.0));
        assert!(at("result > 1 and result < 3 or result == 10", 10.0));
        assert!(at("-1 < result", 0.0));
        assert!(at("result < 1e-2", 0.001));
        assert!(at("((result > 0))", 1.0));
    }

    /// NaN compares false except `!=` (Go's float64, as expr-lang).
    #[test]
    fn nan_compares_false() {
        let c = cond("result < 1 || result >= 1");
        assert_eq!(c.evaluate(Some(f64::NAN)), Ok(false));
        assert_eq!(cond("result != 1").evaluate(Some(f64::NAN)), Ok(true));
    }

    /// No data: `==` is false and `!=` true, an order or an index is an
    /// error; `||` and `&&` short-circuit before reaching it.
    #[test]
    fn missing_result() {
        assert_eq!(cond("result == 1").evaluate(None), Ok(false));
        assert_eq!(cond("result != 1").evaluate(None), Ok(true));
        assert_eq!(cond("result > 1").evaluate(None), Err(NoData));
        assert_eq!(cond("result[0] == 1").evaluate(None), Err(NoData));
        assert_eq!(cond("1 < 2 || result > 1").evaluate(None), Ok(true));
        assert_eq!(cond("1 > 2 && result > 1").evaluate(None), Ok(false));
    }

    #[test]
    fn parse_errors_carry_the_column() {
        let kind = |s: &str| parse_err(s);
        assert_eq!(kind("").kind, ConditionErrorKind::Empty);
        assert_eq!(kind("   ").kind, ConditionErrorKind::Empty);
        let e = kind("result > 0.5 &");
        assert_eq!(
            (e.column, e.kind),
            (14, ConditionErrorKind::UnexpectedCharacter('&'))
        );
        let e = kind("result > ");
        assert_eq!(e.column, 10);
        assert_eq!(
            e.to_string(),
            "column 10: expected result, result[0], a number or (, found the end"
        );
        let e = kind("result[1] > 0");
        assert_eq!(
            (e.column, e.kind),
            (8, ConditionErrorKind::IndexOutOfRange("1".into()))
        );
        let e = kind("(result > 0");
        assert_eq!(e.column, 12);
        let e = kind("result > 0)");
        assert_eq!(e.column, 11);
        let e = kind("result > 1 < 2");
        assert_eq!(e.column, 12);
        let e = kind("résultat > 1");
        assert_eq!(
            (e.column, e.kind),
            (1, ConditionErrorKind::UnknownName("résultat".into()))
        );
        let e = kind("result > 1 && é");
        assert_eq!(e.column, 15);
        let e = kind("result > 1e999");
        assert_eq!(
            (e.column, e.kind),
            (10, ConditionErrorKind::InvalidNumber("1e999".into()))
        );
        let deep = format!("{}result > 0{}", "(".repeat(100), ")".repeat(100));
        assert_eq!(kind(&deep).kind, ConditionErrorKind::TooDeep);
        let fine = format!(
            "{}result > 0{}",
            "(".repeat(MAX_NESTING),
            ")".repeat(MAX_NESTING)
        );
        assert!(Condition::parse(&fine).is_ok());
    }

    /// A long chain is flat: no deep recursion to evaluate or drop it.
    #[test]
    fn long_chains_stay_flat() {
        let long = vec!["result > 0"; 50_000].join(" && ");
        let c = cond(&long);
        assert!(matches!(&c.expr, Expr::And(t) if t.len() == 50_000));
        assert_eq!(c.evaluate(Some(1.0)), Ok(true));
        assert_eq!(c.evaluate(Some(-1.0)), Ok(false));
    }

    /// Upstream template_test.go: `TestResolveArgsWithNoSubstitution`,
    /// `TestResolveArgsRemoveWhiteSpace`, `TestResolveArgsWithSubstitution`,
    /// `TestInvalidTemplate`, `TestMissingArgs`,
    /// `TestResolveArgsValueNotSupplied`.
    #[test]
    fn test_resolve_args() {
        let var = [("var", Some("foo"))];
        assert_eq!(resolve_args("test", &[]), Ok("test".into()));
        assert_eq!(
            resolve_args("test-{{ args.var }}", &var),
            Ok("test-foo".into())
        );
        assert_eq!(
            resolve_args("test-{{args.var}}", &var),
            Ok("test-foo".into())
        );
        assert_eq!(
            resolve_args("test-{{args.var", &[]).unwrap_err().to_string(),
            "Cannot find end tag=\"}}\" in the template=\"test-{{args.var\" starting from \"args.var\""
        );
        assert_eq!(
            resolve_args("test-{{args.var}}", &[])
                .unwrap_err()
                .to_string(),
            "failed to resolve {{args.var}}"
        );
        assert_eq!(
            resolve_args("{{args.test}}", &[("test", None)])
                .unwrap_err()
                .to_string(),
            "argument \"test\" was not supplied"
        );
    }

    #[test]
    fn args_in_a_condition() {
        let args = [("threshold", Some("0.05")), ("other", Some("1"))];
        let text = resolve_args("result[0] < {{args.threshold}} && result >= 0", &args).unwrap();
        assert_eq!(text, "result[0] < 0.05 && result >= 0");
        assert!(cond(&text).evaluate(Some(0.01)).unwrap());
    }

    fn metric() -> Metric {
        Metric {
            name: "success-rate".into(),
            ..Metric::default()
        }
    }

    fn result(last: AnalysisPhase) -> MetricResult {
        MetricResult {
            phase: Some(Running),
            last_measurement: Some(last),
            ..MetricResult::default()
        }
    }

    /// Upstream `TestAssessMetricStatusNoMeasurements`.
    #[test]
    fn test_assess_metric_status_no_measurements() {
        let r = MetricResult::default();
        assert_eq!(assess_metric_status(&metric(), &r, false), Pending);
        assert_eq!(assess_metric_status(&metric(), &r, true), Successful);
    }

    /// Upstream `TestAssessMetricStatusInFlightMeasurement`.
    #[test]
    fn test_assess_metric_status_in_flight_measurement() {
        let mut r = MetricResult::default();
        r.record(Successful, "");
        r.record(Running, "");
        assert_eq!(assess_metric_status(&metric(), &r, false), Running);
        assert_eq!(assess_metric_status(&metric(), &r, true), Running);
    }

    /// Upstream `TestAssessMetricStatusFailureLimit`.
    #[test]
    fn test_assess_metric_status_failure_limit() {
        let mut m = Metric {
            failure_limit: Some(2),
            has_interval: true,
            ..metric()
        };
        let r = MetricResult {
            failed: 3,
            count: 3,
            ..result(Failed)
        };
        assert_eq!(assess_metric_status(&m, &r, false), Failed);
        assert_eq!(assess_metric_status(&m, &r, true), Failed);
        m.failure_limit = Some(3);
        assert_eq!(assess_metric_status(&m, &r, false), Running);
        assert_eq!(assess_metric_status(&m, &r, true), Successful);
    }

    /// Upstream `TestAssessMetricStatusConsecutiveSuccessLimit`.
    #[test]
    fn test_assess_metric_status_consecutive_success_limit() {
        let mut m = Metric {
            consecutive_success_limit: Some(3),
            failure_limit: Some(-1),
            has_interval: true,
            ..metric()
        };
        let r = MetricResult {
            failed: 3,
            successful: 4,
            consecutive_success: 3,
            count: 7,
            ..result(Failed)
        };
        let both = |m: &Metric| {
            (
                assess_metric_status(m, &r, false),
                assess_metric_status(m, &r, true),
            )
        };
        // Indefinite (no count).
        assert_eq!(both(&m), (Successful, Successful));
        m.consecutive_success_limit = Some(5);
        assert_eq!(both(&m), (Running, Successful));
        // Count reached.
        m.count = Some(7);
        assert_eq!(both(&m), (Failed, Failed));
        m.consecutive_success_limit = Some(3);
        assert_eq!(both(&m), (Successful, Successful));
        // Count not reached.
        m.count = Some(9);
        assert_eq!(both(&m), (Successful, Successful));
        m.consecutive_success_limit = Some(5);
        assert_eq!(both(&m), (Running, Successful));
    }

    /// (failed, successful, count, consecutiveSuccess) → (phase, phase
    /// when terminating).
    type CountsRow = ((i32, i32, i32, i32), (AnalysisPhase, AnalysisPhase));

    /// Upstream `TestAssessMetricStatusFailureLimitAndConsecutiveSuccessLimit`:
    /// (failed, successful, count, consecutiveSuccess) → (phase, phase
    /// when terminating), first indefinite, then with count 10.
    #[test]
    fn test_assess_metric_status_failure_limit_and_consecutive_success_limit() {
        let indefinite = [
            ((3, 4, 7, 3), (Running, Successful)),
            ((5, 9, 9, 0), (Failed, Failed)),
            ((3, 5, 8, 4), (Successful, Successful)),
            ((5, 5, 10, 4), (Failed, Failed)),
        ];
        let counted = [
            ((4, 6, 10, 3), (Inconclusive, Inconclusive)),
            ((5, 5, 10, 3), (Failed, Failed)),
            ((4, 6, 10, 4), (Successful, Successful)),
            ((5, 5, 10, 4), (Failed, Failed)),
            ((3, 5, 8, 3), (Running, Successful)),
            ((5, 3, 8, 3), (Failed, Failed)),
            ((3, 5, 8, 4), (Successful, Successful)),
            ((5, 4, 9, 4), (Failed, Failed)),
        ];
        let mut m = Metric {
            consecutive_success_limit: Some(4),
            failure_limit: Some(4),
            has_interval: true,
            ..metric()
        };
        let check = |m: &Metric, rows: &[CountsRow]| {
            for &((failed, successful, count, consecutive_success), expected) in rows {
                let r = MetricResult {
                    failed,
                    successful,
                    count,
                    consecutive_success,
                    ..result(Failed)
                };
                let got = (
                    assess_metric_status(m, &r, false),
                    assess_metric_status(m, &r, true),
                );
                assert_eq!(
                    got, expected,
                    "{failed} {successful} {count} {consecutive_success} {:?}",
                    m.count
                );
            }
        };
        check(&m, &indefinite);
        m.count = Some(10);
        check(&m, &counted);
    }

    /// Upstream `TestAssessMetricStatusInconclusiveLimit`.
    #[test]
    fn test_assess_metric_status_inconclusive_limit() {
        let mut m = Metric {
            inconclusive_limit: Some(2),
            has_interval: true,
            ..metric()
        };
        let r = MetricResult {
            inconclusive: 3,
            count: 3,
            ..result(Inconclusive)
        };
        assert_eq!(assess_metric_status(&m, &r, false), Inconclusive);
        assert_eq!(assess_metric_status(&m, &r, true), Inconclusive);
        m.inconclusive_limit = Some(3);
        assert_eq!(assess_metric_status(&m, &r, false), Running);
        assert_eq!(assess_metric_status(&m, &r, true), Successful);
    }

    /// Upstream `TestAssessMetricStatusConsecutiveErrors`.
    #[test]
    fn test_assess_metric_status_consecutive_errors() {
        let m = Metric {
            has_interval: true,
            ..metric()
        };
        let mut r = MetricResult {
            consecutive_error: 5,
            count: 5,
            ..result(Error)
        };
        assert_eq!(assess_metric_status(&m, &r, false), Error);
        assert_eq!(assess_metric_status(&m, &r, true), Error);
        r.consecutive_error = 4;
        assert_eq!(assess_metric_status(&m, &r, true), Successful);
        assert_eq!(assess_metric_status(&m, &r, false), Running);
    }

    /// Upstream `TestAssessMetricStatusCountReached`.
    #[test]
    fn test_assess_metric_status_count_reached() {
        let m = Metric {
            count: Some(10),
            ..metric()
        };
        let mut r = MetricResult {
            successful: 10,
            count: 10,
            ..result(Successful)
        };
        assert_eq!(assess_metric_status(&m, &r, false), Successful);
        r.successful = 5;
        r.inconclusive = 5;
        assert_eq!(assess_metric_status(&m, &r, false), Inconclusive);
    }

    /// Upstream `TestAssessMetricFailureInconclusiveOrError`.
    #[test]
    fn test_assess_metric_failure_inconclusive_or_error() {
        let m = Metric::default();
        let rows = [
            (
                MetricResult {
                    failed: 1,
                    ..result(Failed)
                },
                Failed,
                "failed (1) > failureLimit (0)",
            ),
            (
                MetricResult {
                    inconclusive: 1,
                    ..result(Inconclusive)
                },
                Inconclusive,
                "inconclusive (1) > inconclusiveLimit (0)",
            ),
            (
                MetricResult {
                    consecutive_error: 5,
                    ..result(Error)
                },
                Error,
                "consecutiveErrors (5) > consecutiveErrorLimit (4)",
            ),
        ];
        for (r, phase, message) in rows {
            assert_eq!(
                assess_metric_failure_inconclusive_or_error(&m, &r),
                Some((phase, message.to_string()))
            );
            assert_eq!(assess_metric_status(&m, &r, true), phase);
        }
    }

    fn two_metrics(a: &str, b: &str) -> Vec<Metric> {
        vec![
            Metric {
                name: a.into(),
                ..Metric::default()
            },
            Metric {
                name: b.into(),
                ..Metric::default()
            },
        ]
    }

    /// Upstream `TestAssessRunStatus`.
    #[test]
    fn test_assess_run_status() {
        let metrics = two_metrics("latency", "success-rate");
        let with_phase = |p| {
            Some(MetricResult {
                phase: Some(p),
                ..MetricResult::default()
            })
        };
        let mut results = [with_phase(Successful), with_phase(Running)];
        let got = assess_run_status(&metrics, &mut results, false);
        assert_eq!((got.phase, got.message.as_str()), (Running, ""));
        let mut results = [with_phase(Successful), with_phase(Failed)];
        let got = assess_run_status(&metrics, &mut results, false);
        assert_eq!((got.phase, got.message.as_str()), (Failed, ""));
    }

    /// Upstream `TestAssessRunStatusUpdateResult`: a metric's phase
    /// follows its measurements even while the run is running.
    #[test]
    fn test_assess_run_status_update_result() {
        let metrics = two_metrics("sleep-infinity", "fail-after-30");
        let mut results = [
            Some(result(Running)),
            Some(MetricResult {
                count: 1,
                failed: 1,
                ..result(Failed)
            }),
        ];
        let got = assess_run_status(&metrics, &mut results, false);
        assert_eq!((got.phase, got.message.as_str()), (Running, ""));
        assert_eq!(results[1].as_ref().and_then(|r| r.phase), Some(Failed));
    }

    /// Upstream's `newTerminatingRun(Failed, false)`: "run-forever" in
    /// flight, "failed-metric" Failed with one failure.
    fn terminating_run() -> (Vec<Metric>, [Option<MetricResult>; 2]) {
        let failed = MetricResult {
            phase: Some(Failed),
            count: 1,
            failed: 1,
            ..result(Failed)
        };
        (
            two_metrics("run-forever", "failed-metric"),
            [Some(result(Running)), Some(failed)],
        )
    }

    /// Upstream `TestAssessRunStatusErrorMessageAnalysisPhaseFail`.
    #[test]
    fn test_assess_run_status_error_message_analysis_phase_fail() {
        let (metrics, mut results) = terminating_run();
        results[0].as_mut().unwrap().phase = Some(Successful);
        let got = assess_run_status(&metrics, &mut results, false);
        assert_eq!(got.phase, Failed);
        assert_eq!(
            got.message,
            "Metric \"failed-metric\" assessed Failed due to failed (1) > failureLimit (0)"
        );
        assert_eq!(
            got.summary,
            RunSummary {
                count: 2,
                successful: 1,
                failed: 1,
                ..RunSummary::default()
            }
        );
    }

    /// Upstream `TestAssessRunStatusErrorMessageFromProvider`.
    #[test]
    fn test_assess_run_status_error_message_from_provider() {
        let (metrics, mut results) = terminating_run();
        results[0].as_mut().unwrap().phase = Some(Successful);
        results[1].as_mut().unwrap().message = "Provider Error".into();
        let got = assess_run_status(&metrics, &mut results, false);
        assert_eq!(got.phase, Failed);
        assert_eq!(
            got.message,
            "Metric \"failed-metric\" assessed Failed due to failed (1) > failureLimit (0): \"Error Message: Provider Error\""
        );
    }

    /// Upstream `TestAssessRunStatusMultipleFailures`: the first of
    /// equally bad metrics gives the message.
    #[test]
    fn test_assess_run_status_multiple_failures() {
        let (metrics, mut results) = terminating_run();
        let first = results[0].as_mut().unwrap();
        first.phase = Some(Failed);
        first.failed = 1;
        let got = assess_run_status(&metrics, &mut results, false);
        assert_eq!(got.phase, Failed);
        assert_eq!(
            got.message,
            "Metric \"run-forever\" assessed Failed due to failed (1) > failureLimit (0)"
        );
    }

    /// A terminated run with nothing measured ends Successful, "Run
    /// Terminated"; a metric not started keeps a run Running.
    #[test]
    fn terminated_and_not_started() {
        let metrics = two_metrics("a", "b");
        let got = assess_run_status(&metrics, &mut [None, None], true);
        assert_eq!(
            (got.phase, got.message.as_str()),
            (Successful, "Run Terminated")
        );
        let done = Some(MetricResult {
            phase: Some(Successful),
            ..MetricResult::default()
        });
        let got = assess_run_status(&metrics, &mut [done, None], false);
        assert_eq!(got.phase, Running);
    }

    /// `runMeasurements`' counters.
    #[test]
    fn record_counts_as_upstream() {
        let mut r = MetricResult::default();
        for p in [
            Successful,
            Successful,
            Error,
            Error,
            Failed,
            Inconclusive,
            Successful,
        ] {
            r.record(p, "");
        }
        assert_eq!(
            (r.count, r.successful, r.failed, r.inconclusive, r.error),
            (5, 3, 1, 1, 2)
        );
        assert_eq!((r.consecutive_error, r.consecutive_success), (0, 1));
        r.record(Error, "boom");
        assert_eq!(
            (r.count, r.consecutive_error, r.consecutive_success),
            (5, 1, 0)
        );
        assert_eq!(r.message, "boom");
    }

    /// `EffectiveCount`.
    #[test]
    fn effective_count() {
        let m = |count, has_interval| Metric {
            count,
            has_interval,
            ..Metric::default()
        };
        assert_eq!(m(None, false).effective_count(), Some(1));
        assert_eq!(m(Some(0), false).effective_count(), Some(1));
        assert_eq!(m(None, true).effective_count(), None);
        assert_eq!(m(Some(5), true).effective_count(), Some(5));
    }

    /// `IsWorse`.
    #[test]
    fn is_worse_order() {
        let order = [Successful, Running, Pending, Inconclusive, Error, Failed];
        for (i, a) in order.iter().enumerate() {
            for (j, b) in order.iter().enumerate() {
                assert_eq!(AnalysisPhase::is_worse(*a, *b), j > i);
            }
        }
    }

    proptest! {
        /// No input makes the parser panic.
        #[test]
        fn parse_never_panics(s in "[ result\\[\\]0-9.eE+\\-<>=!&|()andor]{0,60}") {
            let _ = Condition::parse(&s);
        }

        /// A measurement is Failed exactly when the failure condition
        /// holds, else Successful when the success condition holds.
        #[test]
        fn evaluate_follows_the_conditions(v in -10.0..10.0f64, s in -10.0..10.0f64, f in -10.0..10.0f64) {
            let success = cond(&format!("result >= {s}"));
            let failure = cond(&format!("result[0] < {f}"));
            let (phase, _) = evaluate_result(Some(v), Some(&success), Some(&failure));
            let expected = if v < f { Failed } else if v >= s { Successful } else { Inconclusive };
            prop_assert_eq!(phase, expected);
        }
    }
}
