//! Tokens for our Flink parser, produced by `sqlparser`'s tokenizer and reduced to what Flink SQL needs.
//!
//! We lean on `sqlparser` for the fiddly lexical work (quoting rules, backtick identifiers, `--` and `/* */`
//! comments, numbers), then map its tokens to a small enum with byte ranges into the original text so every
//! error can point at the user's file. `>>` is split into two `>` so `ARRAY<ARRAY<INT>>` parses.

use sqlparser::dialect::GenericDialect;
use sqlparser::tokenizer::{Token, Tokenizer, Whitespace};

use crate::error::{Span, SqlError};

/// A token kind.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Tok {
    /// A word: keyword or identifier. `quoted` for backtick- or double-quote-delimited ones.
    Word { text: String, quoted: bool },
    /// A `'…'` string literal (quotes removed, `''` unescaped).
    Str(String),
    /// A numeric literal as written.
    Num(String),
    /// Punctuation and operators: `( ) , . ; = <> < > <= >= + - * / % || [ ]`.
    Sym(&'static str),
    /// Anything else, as written.
    Other(String),
    /// End of input.
    Eof,
}

/// A token and where it is.
#[derive(Debug, Clone)]
pub(crate) struct Token2 {
    pub tok: Tok,
    /// Byte offset of the first character.
    pub start: usize,
    /// Byte offset after the last character.
    pub end: usize,
}

/// Converts byte ranges of the source into [`Span`]s.
#[derive(Debug)]
pub(crate) struct SourceMap<'a> {
    pub src: &'a str,
    line_starts: Vec<usize>,
}

impl<'a> SourceMap<'a> {
    pub fn new(src: &'a str) -> Self {
        let mut line_starts = vec![0];
        for (i, b) in src.bytes().enumerate() {
            if b == b'\n' {
                line_starts.push(i + 1);
            }
        }
        SourceMap { src, line_starts }
    }

    /// Byte offset of a 1-based line and character column.
    fn offset(&self, line: u64, column: u64) -> usize {
        let Some(&start) = self.line_starts.get((line as usize).saturating_sub(1)) else {
            return self.src.len();
        };
        let rest = &self.src[start..];
        let col = (column as usize).saturating_sub(1);
        rest.char_indices()
            .nth(col)
            .map(|(i, _)| start + i)
            .unwrap_or(self.src.len())
    }

    /// The nearest char boundary at or before `i` (token offsets are snapped so slicing never panics).
    pub fn boundary(&self, mut i: usize) -> usize {
        while i > 0 && !self.src.is_char_boundary(i) {
            i -= 1;
        }
        i
    }

    /// The span of a byte range (multi-line ranges are cut at the end of their first line).
    pub fn span(&self, start: usize, end: usize) -> Span {
        let start = self.boundary(start.min(self.src.len()));
        let end = self.boundary(end.clamp(start, self.src.len()));
        let line_idx = match self.line_starts.binary_search(&start) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let line_start = self.line_starts[line_idx];
        let column = self.src[line_start..start].chars().count() + 1;
        let line_end = self.src[start..]
            .find('\n')
            .map(|i| start + i)
            .unwrap_or(self.src.len());
        let len = self.src[start..end.min(line_end)].chars().count();
        Span {
            line: line_idx + 1,
            column,
            len: len.max(1),
        }
    }
}

/// Tokenizes `src`, dropping whitespace and comments.
pub(crate) fn tokenize(map: &SourceMap<'_>) -> Result<Vec<Token2>, SqlError> {
    let dialect = GenericDialect {};
    let tokens = Tokenizer::new(&dialect, map.src)
        .tokenize_with_location()
        .map_err(|e| {
            let start = map.offset(e.location.line, e.location.column);
            SqlError::new(
                format!("cannot read the SQL text: {}", e.message),
                map.span(start, start + 1),
            )
        })?;
    let mut out = Vec::with_capacity(tokens.len());
    for t in tokens {
        let start = map.boundary(map.offset(t.span.start.line, t.span.start.column));
        let end = map
            .boundary(map.offset(t.span.end.line, t.span.end.column))
            .max(start);
        let tok = match t.token {
            Token::Whitespace(Whitespace::MultiLineComment(c)) if c.starts_with('+') => {
                // A Flink table hint (`/*+ OPTIONS(…) */`) changes how a table is read; ignoring it silently
                // would run a different job, so it is refused.
                return Err(SqlError::new(
                    "table hints (`/*+ … */`) are not supported by `switchyard run`",
                    map.span(start, end),
                )
                .with_hint("move the options into the table's WITH (…) clause"));
            }
            Token::Whitespace(_) => continue,
            Token::EOF => break,
            Token::Word(w) => Tok::Word {
                text: w.value,
                quoted: w.quote_style.is_some(),
            },
            Token::SingleQuotedString(s) => Tok::Str(s),
            Token::Number(n, _) => Tok::Num(n),
            Token::ShiftRight => {
                out.push(Token2 {
                    tok: Tok::Sym(">"),
                    start,
                    end: start + 1,
                });
                out.push(Token2 {
                    tok: Tok::Sym(">"),
                    start: start + 1,
                    end,
                });
                continue;
            }
            other => match sym(&other) {
                Some(s) => Tok::Sym(s),
                None => Tok::Other(other.to_string()),
            },
        };
        out.push(Token2 { tok, start, end });
    }
    let end = map.src.len();
    out.push(Token2 {
        tok: Tok::Eof,
        start: end,
        end,
    });
    Ok(out)
}

fn sym(t: &Token) -> Option<&'static str> {
    Some(match t {
        Token::LParen => "(",
        Token::RParen => ")",
        Token::Comma => ",",
        Token::Period => ".",
        Token::SemiColon => ";",
        Token::Eq | Token::DoubleEq => "=",
        Token::Neq => "<>",
        Token::Lt => "<",
        Token::Gt => ">",
        Token::LtEq => "<=",
        Token::GtEq => ">=",
        Token::Plus => "+",
        Token::Minus => "-",
        Token::Mul => "*",
        Token::Div => "/",
        Token::Mod => "%",
        Token::StringConcat => "||",
        Token::LBracket => "[",
        Token::RBracket => "]",
        _ => return None,
    })
}
