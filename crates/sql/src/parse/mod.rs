//! Parsing Flink SQL scripts: `CREATE TABLE`, `INSERT INTO … SELECT`, statement sets and `SET`.
//!
//! `sqlparser` tokenizes (see [`lexer`]); everything above tokens is a small recursive-descent parser of our own
//! ([`ddl`], [`expr`], [`query`]). We own it because `sqlparser`'s dialects reject Flink's DDL extras
//! (`METADATA`, `ROW<…>`, `WATERMARK`, statement sets) and Flink's SQL/JSON function syntax
//! (`JSON_VALUE(… RETURNING INT DEFAULT 0 ON EMPTY)`), and because owning the grammar gives every node an exact
//! span into the user's file — which the errors and refusals depend on. The parser recovers at `;`, so one
//! script reports all its syntax errors.

mod ast;
mod calls;
mod ddl;
mod expr;
mod lexer;
mod query;

use crate::error::{Span, SqlError};
use lexer::{SourceMap, Tok, Token2};

pub use ast::{
    BinaryOp, Expr, ExprKind, JsonBehavior, JsonExistsBehavior, JsonQueryBehavior, JsonWrapper, TrimMode,
    UnaryOp,
};
pub use ddl::{ColumnSpec, ColumnSpecKind, CreateTable, PrimaryKey, TableOption, Watermark};
pub use query::{Insert, Select, SelectItem};

/// Statements Flink has but a routing script has no use for.
const UNSUPPORTED_STATEMENTS: &[&str] = &[
    "ALTER", "DROP", "SHOW", "DESCRIBE", "DESC", "EXPLAIN", "LOAD", "UNLOAD", "ANALYZE", "TRUNCATE",
    "DELETE", "UPDATE", "ADD", "REMOVE",
];

/// The hint every refusal carries: the construct needs a real Flink cluster.
pub const FLINK_HINT: &str = "run this part on Flink: `switchyard export flink pipeline.sql`";

/// A parsed script.
#[derive(Debug, Clone, PartialEq)]
pub struct Script {
    /// Statements in file order (a statement set is one statement holding its `INSERT`s).
    pub statements: Vec<Statement>,
}

/// A statement and where it is.
#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    /// What the statement is.
    pub kind: StatementKind,
    /// From its first token to the end of that line (or of the statement, if it ends first).
    pub span: Span,
    /// Its text as written, without the trailing `;`.
    pub sql: String,
}

/// The statements Switchyard understands.
#[derive(Debug, Clone, PartialEq)]
pub enum StatementKind {
    /// `CREATE TABLE`.
    CreateTable(CreateTable),
    /// `INSERT INTO … SELECT …`.
    Insert(Insert),
    /// `EXECUTE STATEMENT SET BEGIN … END` or `BEGIN STATEMENT SET; … END`: its `INSERT`s.
    StatementSet(Vec<Statement>),
    /// `SET 'key' = 'value'`.
    Set {
        /// The key.
        key: String,
        /// The value.
        value: String,
    },
    /// `RESET ['key']`.
    Reset(Option<String>),
    /// `USE [CATALOG] name`: accepted and ignored (tables are resolved by name).
    Use(ObjectName),
}

/// An identifier as written (backticks removed) and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ident {
    /// The identifier (case preserved: Flink identifiers are case-sensitive).
    pub value: String,
    /// Where it is.
    pub span: Span,
}

/// A possibly dotted name: `t`, `db.t`, `catalog.db.t`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectName {
    /// The parts.
    pub parts: Vec<Ident>,
    /// Where the whole name is.
    pub span: Span,
}

impl ObjectName {
    /// The parts joined with `.`.
    pub fn name(&self) -> String {
        self.parts
            .iter()
            .map(|p| p.value.as_str())
            .collect::<Vec<_>>()
            .join(".")
    }

    /// The last part (the table's own name).
    pub fn last(&self) -> &str {
        self.parts.last().map(|p| p.value.as_str()).unwrap_or("")
    }
}

impl Script {
    /// Every `INSERT`, statement sets flattened, in script order (the order of [`StatementPlan::index`]).
    ///
    /// [`StatementPlan::index`]: crate::plan::StatementPlan::index
    pub fn inserts(&self) -> impl Iterator<Item = (&Statement, &Insert)> {
        self.statements
            .iter()
            .flat_map(|s| match &s.kind {
                StatementKind::StatementSet(inner) => inner.iter().collect::<Vec<_>>(),
                _ => vec![s],
            })
            .filter_map(|s| match &s.kind {
                StatementKind::Insert(i) => Some((s, i)),
                _ => None,
            })
    }
}

/// Parses a whole script, returning every syntax error found (the parser recovers at `;`).
pub fn parse_script(sql: &str) -> Result<Script, Vec<SqlError>> {
    let map = SourceMap::new(sql);
    let toks = match lexer::tokenize(&map) {
        Ok(t) => t,
        Err(e) => return Err(vec![e]),
    };
    let mut p = Parser {
        toks,
        pos: 0,
        map: &map,
        errors: Vec::new(),
    };
    let mut statements = Vec::new();
    while !p.at_eof() {
        if p.eat_sym(";") {
            continue;
        }
        match p.statement(false) {
            Ok(s) => {
                if !p.at_eof() && !p.eat_sym(";") {
                    let e = p.expected("`;` after the statement");
                    p.errors.push(e);
                    p.recover(false);
                }
                statements.push(s);
            }
            Err(e) => {
                p.errors.push(e);
                p.recover(false);
            }
        }
    }
    if p.errors.is_empty() {
        Ok(Script { statements })
    } else {
        Err(p.errors)
    }
}

/// Parses a single expression (for tools that evaluate predicates outside a script, such as the doctor).
pub fn parse_expression(sql: &str) -> Result<Expr, Vec<SqlError>> {
    let map = SourceMap::new(sql);
    let toks = lexer::tokenize(&map).map_err(|e| vec![e])?;
    let mut p = Parser {
        toks,
        pos: 0,
        map: &map,
        errors: Vec::new(),
    };
    let e = p.expr().map_err(|e| vec![e])?;
    if !p.at_eof() {
        return Err(vec![p.expected("the end of the expression")]);
    }
    Ok(e)
}

/// A refusal: a construct `switchyard run` cannot execute, with the hint to run it on Flink.
pub(crate) fn refusal(what: &str, span: Span) -> SqlError {
    SqlError::new(
        format!("{what} is not supported by `switchyard run`, which routes records one at a time"),
        span,
    )
    .with_hint(FLINK_HINT)
}

pub(crate) type PResult<T> = Result<T, SqlError>;

/// The recursive-descent parser's cursor.
pub(crate) struct Parser<'a> {
    toks: Vec<Token2>,
    pos: usize,
    map: &'a SourceMap<'a>,
    errors: Vec<SqlError>,
}

impl<'a> Parser<'a> {
    fn statement(&mut self, in_set: bool) -> PResult<Statement> {
        let start = self.tok().start;
        let first_span = self.here();
        let kind = if self.is_kw("CREATE") {
            if self.is_kw_at(1, "TABLE") || (self.is_kw_at(1, "TEMPORARY") && self.is_kw_at(2, "TABLE")) {
                StatementKind::CreateTable(self.create_table()?)
            } else {
                let what = self.describe_at(1).to_uppercase();
                let span = self.join(first_span, self.span_at(1));
                let what = if self.is_kw_at(1, "TEMPORARY") {
                    format!("CREATE TEMPORARY {}", self.describe_at(2).to_uppercase())
                } else {
                    format!("CREATE {what}")
                };
                return Err(refusal(&what, span));
            }
        } else if self.is_kw("INSERT") {
            StatementKind::Insert(self.insert()?)
        } else if self.is_kw("EXECUTE") && self.is_kw_at(1, "STATEMENT") {
            if in_set {
                return Err(SqlError::new("statement sets cannot be nested", first_span));
            }
            self.pos += 1;
            self.expect_kw("STATEMENT")?;
            self.expect_kw("SET")?;
            self.expect_kw("BEGIN")?;
            StatementKind::StatementSet(self.statement_set_body()?)
        } else if self.is_kw("BEGIN") {
            if in_set {
                return Err(SqlError::new("statement sets cannot be nested", first_span));
            }
            self.pos += 1;
            self.expect_kw("STATEMENT")?;
            self.expect_kw("SET")?;
            self.expect_sym(";")?;
            StatementKind::StatementSet(self.statement_set_body()?)
        } else if self.is_kw("SET") && !in_set {
            self.pos += 1;
            let key = self.set_word()?;
            self.expect_sym("=")?;
            let value = self.set_word()?;
            StatementKind::Set { key, value }
        } else if self.is_kw("RESET") && !in_set {
            self.pos += 1;
            let key = if self.at_eof() || self.is_sym(";") {
                None
            } else {
                Some(self.set_word()?)
            };
            StatementKind::Reset(key)
        } else if self.is_kw("USE") && !in_set {
            self.pos += 1;
            self.eat_kw("CATALOG");
            StatementKind::Use(self.object_name()?)
        } else if self.is_kw("SELECT") || self.is_kw("WITH") {
            return Err(SqlError::new(
                "a query without `INSERT INTO` has no sink: `switchyard run` executes `INSERT INTO … SELECT …`",
                first_span,
            )
            .with_hint("write the result to a table: `INSERT INTO sink_table SELECT …`"));
        } else if let Some(word) = UNSUPPORTED_STATEMENTS.iter().find(|w| self.is_kw(w)) {
            let span = self.join(first_span, self.span_at(1));
            let what = format!("{word} {}", self.describe_at(1).to_uppercase());
            return Err(SqlError::new(
                format!(
                    "`{what}` is not supported by `switchyard run`, which executes CREATE TABLE, INSERT INTO … SELECT, statement sets and SET"
                ),
                span,
            )
            .with_hint(match *word {
                "DELETE" | "UPDATE" => FLINK_HINT.to_string(),
                _ => "remove it from the script; tables are created with CREATE TABLE or inferred from the registry"
                    .to_string(),
            }));
        } else {
            let what = if in_set {
                "`INSERT INTO` or `END`"
            } else {
                "a statement"
            };
            return Err(self.expected(what));
        };
        let end = self.prev_end().max(start);
        Ok(Statement {
            kind,
            span: self.map.span(start, end),
            sql: self.map.src[start..end].to_string(),
        })
    }

    /// The `INSERT`s of a statement set, through `END`.
    fn statement_set_body(&mut self) -> PResult<Vec<Statement>> {
        let mut inner = Vec::new();
        loop {
            if self.eat_sym(";") {
                continue;
            }
            if self.eat_kw("END") {
                return Ok(inner);
            }
            if self.at_eof() {
                return Err(self.expected("`END` closing the statement set"));
            }
            match self.statement(true) {
                Ok(s) => {
                    if !matches!(s.kind, StatementKind::Insert(_)) {
                        self.errors.push(SqlError::new(
                            "a statement set holds only `INSERT INTO` statements",
                            s.span,
                        ));
                    }
                    inner.push(s);
                    if !self.is_sym(";") && !self.is_kw("END") {
                        let e = self.expected("`;` after the statement");
                        self.errors.push(e);
                        self.recover(true);
                    }
                }
                Err(e) => {
                    self.errors.push(e);
                    self.recover(true);
                }
            }
        }
    }

    /// A `SET` key or value: a string literal or a bare (dotted) word.
    fn set_word(&mut self) -> PResult<String> {
        if let Tok::Str(s) = self.peek() {
            let s = s.clone();
            self.pos += 1;
            return Ok(s);
        }
        let start = self.tok().start;
        let mut any = false;
        while !self.at_eof() && !self.is_sym(";") && !self.is_sym("=") {
            self.pos += 1;
            any = true;
        }
        if !any {
            return Err(self.expected("a quoted key or value"));
        }
        Ok(self.map.src[start..self.prev_end()].trim().to_string())
    }

    /// Skips to just after the next `;` (or to `END`/end of input).
    fn recover(&mut self, in_set: bool) {
        let mut depth = 0usize;
        while !self.at_eof() {
            if self.is_sym("(") {
                depth += 1;
            } else if self.is_sym(")") {
                depth = depth.saturating_sub(1);
            } else if depth == 0 && self.is_sym(";") {
                self.pos += 1;
                return;
            } else if in_set && depth == 0 && self.is_kw("END") {
                return;
            }
            self.pos += 1;
        }
    }

    // ---- cursor helpers -------------------------------------------------------------------------------------

    pub(crate) fn tok(&self) -> &Token2 {
        &self.toks[self.pos.min(self.toks.len() - 1)]
    }

    pub(crate) fn peek(&self) -> &Tok {
        &self.tok().tok
    }

    pub(crate) fn peek_at(&self, n: usize) -> &Tok {
        &self.toks[(self.pos + n).min(self.toks.len() - 1)].tok
    }

    pub(crate) fn at_eof(&self) -> bool {
        matches!(self.peek(), Tok::Eof)
    }

    /// Whether the token `n` ahead is the unquoted keyword `kw` (case-insensitive).
    pub(crate) fn is_kw_at(&self, n: usize, kw: &str) -> bool {
        matches!(self.peek_at(n), Tok::Word { text, quoted: false } if text.eq_ignore_ascii_case(kw))
    }

    pub(crate) fn is_kw(&self, kw: &str) -> bool {
        self.is_kw_at(0, kw)
    }

    pub(crate) fn eat_kw(&mut self, kw: &str) -> bool {
        if self.is_kw(kw) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    pub(crate) fn expect_kw(&mut self, kw: &str) -> PResult<Span> {
        if self.is_kw(kw) {
            let span = self.here();
            self.pos += 1;
            Ok(span)
        } else {
            Err(self.expected(&format!("`{kw}`")))
        }
    }

    pub(crate) fn is_sym_at(&self, n: usize, s: &str) -> bool {
        matches!(self.peek_at(n), Tok::Sym(x) if *x == s)
    }

    pub(crate) fn is_sym(&self, s: &str) -> bool {
        self.is_sym_at(0, s)
    }

    pub(crate) fn eat_sym(&mut self, s: &str) -> bool {
        if self.is_sym(s) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    pub(crate) fn expect_sym(&mut self, s: &str) -> PResult<Span> {
        if self.is_sym(s) {
            let span = self.here();
            self.pos += 1;
            Ok(span)
        } else {
            Err(self.expected(&format!("`{s}`")))
        }
    }

    /// The span of the current token.
    pub(crate) fn here(&self) -> Span {
        let t = self.tok();
        self.map.span(t.start, t.end)
    }

    pub(crate) fn span_at(&self, n: usize) -> Span {
        let t = &self.toks[(self.pos + n).min(self.toks.len() - 1)];
        self.map.span(t.start, t.end)
    }

    /// Byte offset after the last consumed token.
    pub(crate) fn prev_end(&self) -> usize {
        if self.pos == 0 {
            0
        } else {
            self.toks[self.pos - 1].end
        }
    }

    /// The span from byte `start` to the end of the last consumed token.
    pub(crate) fn span_from(&self, start: usize) -> Span {
        self.map.span(start, self.prev_end().max(start))
    }

    /// A span covering `a` through `b` when they are on one line, else `a`.
    pub(crate) fn join(&self, a: Span, b: Span) -> Span {
        if a.line == b.line && b.column >= a.column {
            Span {
                line: a.line,
                column: a.column,
                len: b.column + b.len - a.column,
            }
        } else {
            a
        }
    }

    pub(crate) fn describe_at(&self, n: usize) -> String {
        describe(self.peek_at(n))
    }

    /// "expected X, found Y" at the current token.
    pub(crate) fn expected(&self, what: &str) -> SqlError {
        let found = match self.peek() {
            Tok::Eof => "the end of the input".to_string(),
            t => format!("`{}`", describe(t)),
        };
        SqlError::new(format!("expected {what}, found {found}"), self.here())
    }

    /// An identifier (quoted or not).
    pub(crate) fn ident(&mut self) -> PResult<Ident> {
        match self.peek().clone() {
            Tok::Word { text, .. } => {
                let span = self.here();
                self.pos += 1;
                Ok(Ident { value: text, span })
            }
            _ => Err(self.expected("an identifier")),
        }
    }

    /// A dotted name.
    pub(crate) fn object_name(&mut self) -> PResult<ObjectName> {
        let start = self.tok().start;
        let mut parts = vec![self.ident()?];
        while self.is_sym(".") && matches!(self.peek_at(1), Tok::Word { .. }) {
            self.pos += 1;
            parts.push(self.ident()?);
        }
        Ok(ObjectName {
            parts,
            span: self.span_from(start),
        })
    }

    /// A `'string'` literal.
    pub(crate) fn string_lit(&mut self) -> PResult<(String, Span)> {
        match self.peek().clone() {
            Tok::Str(s) => {
                let span = self.here();
                self.pos += 1;
                Ok((s, span))
            }
            _ => Err(self.expected("a string literal")),
        }
    }

    /// The source text between two byte offsets.
    pub(crate) fn text(&self, start: usize, end: usize) -> &str {
        &self.map.src[start.min(end)..end.min(self.map.src.len())]
    }
}

fn describe(t: &Tok) -> String {
    match t {
        Tok::Word { text, .. } => text.clone(),
        Tok::Str(s) => format!("'{s}'"),
        Tok::Num(n) => n.clone(),
        Tok::Sym(s) => (*s).to_string(),
        Tok::Other(s) => s.clone(),
        Tok::Eof => "end of input".to_string(),
    }
}

#[cfg(test)]
mod tests;
