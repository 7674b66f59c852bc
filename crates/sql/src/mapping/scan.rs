//! A strict JSON scanner for [`FlatReader`](super::FlatReader): it walks a record's text once, hands
//! over each top-level string and number as a slice of the text (a string is unescaped only when it has
//! escapes) and checks everything else as it steps over it.
//!
//! It accepts exactly what `serde_json` accepts when it parses a `Value` (RFC 8259: no trailing commas,
//! no leading zeros, no control characters in strings, escapes that name a character, `\u` surrogates
//! only in pairs). Where it cannot be sure it agrees — nesting deeper than [`MAX_DEPTH`] — it gives up,
//! and so does it on any error: every `None` sends the record to the general path, which reports it.

use std::borrow::Cow;

/// Deeper containers are left to the general path (serde_json's own limit is 128).
const MAX_DEPTH: usize = 100;

/// A JSON text being read, and the position reached.
pub(crate) struct Scan<'a> {
    text: &'a str,
    pos: usize,
}

/// A number's text, with whether it is written as an integer (no fraction, no exponent).
pub(crate) struct Num<'a> {
    pub(crate) text: &'a str,
    pub(crate) integer: bool,
    /// The integer part's digits as a number, unless it has more than a `u64` holds.
    pub(crate) magnitude: Option<u64>,
}

impl<'a> Scan<'a> {
    pub(crate) fn new(text: &'a str) -> Self {
        Scan { text, pos: 0 }
    }

    fn bytes(&self) -> &'a [u8] {
        self.text.as_bytes()
    }

    /// The next byte, not consumed (0 at the end, which no rule accepts).
    pub(crate) fn peek(&self) -> u8 {
        self.bytes().get(self.pos).copied().unwrap_or(0)
    }

    /// Whitespace, then the next byte, not consumed.
    pub(crate) fn peek_token(&mut self) -> u8 {
        while matches!(self.peek(), b' ' | b'\n' | b'\t' | b'\r') {
            self.pos += 1;
        }
        self.peek()
    }

    /// Whitespace, then `byte`.
    pub(crate) fn expect(&mut self, byte: u8) -> Option<()> {
        (self.peek_token() == byte).then(|| self.pos += 1)
    }

    /// Whether only whitespace is left.
    pub(crate) fn at_end(&mut self) -> bool {
        self.peek_token();
        self.pos == self.text.len()
    }

    /// A string, its opening quote next (after whitespace): a slice of the text when it has no escapes,
    /// else its unescaped copy.
    pub(crate) fn string(&mut self) -> Option<Cow<'a, str>> {
        self.expect(b'"')?;
        let bytes = self.bytes();
        let start = self.pos;
        let mut out: Option<String> = None;
        let mut run = start;
        loop {
            self.pos = special_from(bytes, self.pos);
            match *bytes.get(self.pos)? {
                b'"' => {
                    let tail = &self.text[run..self.pos];
                    self.pos += 1;
                    return Some(match out {
                        None => Cow::Borrowed(tail),
                        Some(mut s) => {
                            s.push_str(tail);
                            Cow::Owned(s)
                        }
                    });
                }
                b'\\' => {
                    // Unescaping only shortens: the rest of the text bounds the string.
                    let s = out.get_or_insert_with(|| String::with_capacity(self.text.len() - start));
                    s.push_str(&self.text[run..self.pos]);
                    self.pos += 1;
                    let c = self.escape()?;
                    s.push(c);
                    run = self.pos;
                }
                _ => return None,
            }
        }
    }

    /// The character an escape after its backslash stands for.
    fn escape(&mut self) -> Option<char> {
        let b = self.peek();
        self.pos += 1;
        Some(match b {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\x08',
            b'f' => '\x0c',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => {
                let n = self.hex4()?;
                match n {
                    0xD800..=0xDBFF => {
                        // A leading surrogate: its trailing half must follow as another `\u` escape.
                        if self.bytes().get(self.pos..self.pos + 2) != Some(b"\\u") {
                            return None;
                        }
                        self.pos += 2;
                        let low = self.hex4()?;
                        if !(0xDC00..=0xDFFF).contains(&low) {
                            return None;
                        }
                        char::from_u32(0x10000 + ((n - 0xD800) << 10) + (low - 0xDC00))?
                    }
                    0xDC00..=0xDFFF => return None,
                    _ => char::from_u32(n)?,
                }
            }
            _ => return None,
        })
    }

    fn hex4(&mut self) -> Option<u32> {
        let digits = self.bytes().get(self.pos..self.pos + 4)?;
        let mut n = 0;
        for d in digits {
            n = n * 16 + char::from(*d).to_digit(16)?;
        }
        self.pos += 4;
        Some(n)
    }

    /// A number, its first character next (after whitespace).
    pub(crate) fn number(&mut self) -> Option<Num<'a>> {
        self.peek_token();
        let start = self.pos;
        if self.peek() == b'-' {
            self.pos += 1;
        }
        let digits = self.pos;
        match self.peek() {
            b'0' => self.pos += 1,
            b'1'..=b'9' => self.digits(),
            _ => return None,
        }
        let magnitude = self.bytes()[digits..self.pos]
            .iter()
            .try_fold(0u64, |n, d| n.checked_mul(10)?.checked_add(u64::from(d - b'0')));
        let mut integer = true;
        if self.peek() == b'.' {
            self.pos += 1;
            self.some_digits()?;
            integer = false;
        }
        if matches!(self.peek(), b'e' | b'E') {
            self.pos += 1;
            if matches!(self.peek(), b'+' | b'-') {
                self.pos += 1;
            }
            self.some_digits()?;
            integer = false;
        }
        Some(Num {
            text: &self.text[start..self.pos],
            integer,
            magnitude,
        })
    }

    fn digits(&mut self) {
        while self.peek().is_ascii_digit() {
            self.pos += 1;
        }
    }

    fn some_digits(&mut self) -> Option<()> {
        let start = self.pos;
        self.digits();
        (self.pos > start).then_some(())
    }

    /// `true`, `false` or `null`, its first letter next (after whitespace).
    pub(crate) fn literal(&mut self) -> Option<Literal> {
        self.peek_token();
        let rest = self.bytes().get(self.pos..)?;
        let (lit, len) = if rest.starts_with(b"true") {
            (Literal::True, 4)
        } else if rest.starts_with(b"false") {
            (Literal::False, 5)
        } else if rest.starts_with(b"null") {
            (Literal::Null, 4)
        } else {
            return None;
        };
        self.pos += len;
        Some(lit)
    }

    /// Steps over one value of any shape, checking it; returns its text. Containers are walked
    /// iteratively: `closers` holds what each open one ends with.
    pub(crate) fn skip_value(&mut self) -> Option<&'a str> {
        self.peek_token();
        let from = self.pos;
        let mut closers: Vec<u8> = Vec::new();
        loop {
            // At the start of a value.
            match self.peek_token() {
                open @ (b'{' | b'[') => {
                    let closer = if open == b'{' { b'}' } else { b']' };
                    self.pos += 1;
                    if self.peek_token() == closer {
                        self.pos += 1;
                    } else {
                        closers.push(closer);
                        if closers.len() > MAX_DEPTH {
                            return None;
                        }
                        if closer == b'}' {
                            self.member_key()?;
                        }
                        continue;
                    }
                }
                b'"' => {
                    self.string()?;
                }
                b't' | b'f' | b'n' => {
                    self.literal()?;
                }
                _ => {
                    self.number()?;
                }
            }
            // After a value: the next member or element, or the end of containers.
            loop {
                let Some(&closer) = closers.last() else {
                    return Some(&self.text[from..self.pos]);
                };
                match self.peek_token() {
                    b',' => {
                        self.pos += 1;
                        if closer == b'}' {
                            self.member_key()?;
                        }
                        break;
                    }
                    b if b == closer => {
                        self.pos += 1;
                        closers.pop();
                    }
                    _ => return None,
                }
            }
        }
    }

    /// A member's key and its colon.
    pub(crate) fn member_key(&mut self) -> Option<Cow<'a, str>> {
        let key = self.string()?;
        self.expect(b':')?;
        Some(key)
    }
}

/// The position of the first byte at or after `i` that ends a string, starts an escape or may not
/// appear in one (a control character): eight bytes at a time, with the zero-byte test of "Bit Twiddling
/// Hacks" (a false positive can only follow a true one, and only the first is used).
fn special_from(bytes: &[u8], mut i: usize) -> usize {
    const ONES: u64 = u64::MAX / 255;
    const HIGH: u64 = ONES << 7;
    while let Some(Ok(chunk)) = bytes.get(i..i + 8).map(<[u8; 8]>::try_from) {
        let x = u64::from_le_bytes(chunk);
        let quote = x ^ (ONES * u64::from(b'"'));
        let backslash = x ^ (ONES * u64::from(b'\\'));
        let found = (x.wrapping_sub(ONES * 0x20) & !x)
            | (quote.wrapping_sub(ONES) & !quote)
            | (backslash.wrapping_sub(ONES) & !backslash);
        let found = found & HIGH;
        if found != 0 {
            return i + (found.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    while bytes
        .get(i)
        .is_some_and(|b| !matches!(b, b'"' | b'\\' | 0..=0x1f))
    {
        i += 1;
    }
    i
}

/// A JSON literal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Literal {
    True,
    False,
    Null,
}
