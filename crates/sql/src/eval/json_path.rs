//! SQL/JSON path expressions as `JSON_VALUE`, `JSON_QUERY` and `JSON_EXISTS` use them (Calcite's semantics,
//! which Flink inherits).
//!
//! Supported: an optional `lax`/`strict` mode (lax is the default), `$`, `.name`, `."quoted name"`, `['key']`,
//! `[n]`, `[n, m]`, `[*]`, `.*`. In lax mode a missing member yields nothing instead of an error, a member
//! accessor applied to an array applies to each element, and an index applied to a non-array treats it as a
//! one-element array.

use serde_json::Value as Json;

/// One step of a path.
#[derive(Debug, Clone, PartialEq)]
enum Step {
    Member(String),
    AnyMember,
    Index(Vec<i64>),
    AnyIndex,
}

/// A parsed SQL/JSON path.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct JsonPath {
    strict: bool,
    steps: Vec<Step>,
}

impl JsonPath {
    /// Parses a path such as `$.loanId`, `lax $.borrower.name`, `$.items[0]`, `$['k']`.
    pub(crate) fn parse(text: &str) -> Result<JsonPath, String> {
        let err = |why: &str| format!("invalid JSON path '{text}': {why}");
        let mut s = text.trim();
        let mut strict = false;
        if let Some(rest) = s.strip_prefix("strict ") {
            strict = true;
            s = rest.trim_start();
        } else if let Some(rest) = s.strip_prefix("lax ") {
            s = rest.trim_start();
        }
        let Some(rest) = s.strip_prefix('$') else {
            return Err(err("it must start with `$`"));
        };
        let chars: Vec<char> = rest.chars().collect();
        let mut steps = Vec::new();
        let mut i = 0;
        while i < chars.len() {
            match chars[i] {
                ' ' => i += 1,
                '.' => {
                    i += 1;
                    if i < chars.len() && chars[i] == '*' {
                        steps.push(Step::AnyMember);
                        i += 1;
                    } else if i < chars.len() && chars[i] == '"' {
                        let (name, next) =
                            quoted(&chars, i, '"').ok_or_else(|| err("unterminated quoted name"))?;
                        steps.push(Step::Member(name));
                        i = next;
                    } else {
                        let start = i;
                        while i < chars.len()
                            && (chars[i].is_alphanumeric()
                                || chars[i] == '_'
                                || chars[i] == '$'
                                || chars[i] == '-')
                        {
                            i += 1;
                        }
                        if start == i {
                            return Err(err("expected a member name after `.`"));
                        }
                        steps.push(Step::Member(chars[start..i].iter().collect()));
                    }
                }
                '[' => {
                    i += 1;
                    while i < chars.len() && chars[i] == ' ' {
                        i += 1;
                    }
                    if i < chars.len() && (chars[i] == '\'' || chars[i] == '"') {
                        let (name, next) =
                            quoted(&chars, i, chars[i]).ok_or_else(|| err("unterminated quoted name"))?;
                        steps.push(Step::Member(name));
                        i = next;
                    } else if i < chars.len() && chars[i] == '*' {
                        steps.push(Step::AnyIndex);
                        i += 1;
                    } else {
                        let start = i;
                        while i < chars.len() && chars[i] != ']' {
                            i += 1;
                        }
                        let body: String = chars[start..i].iter().collect();
                        let idx: Result<Vec<i64>, _> =
                            body.split(',').map(|p| p.trim().parse::<i64>()).collect();
                        steps.push(Step::Index(idx.map_err(|_| err("expected an array index"))?));
                    }
                    while i < chars.len() && chars[i] == ' ' {
                        i += 1;
                    }
                    if i >= chars.len() || chars[i] != ']' {
                        return Err(err("expected `]`"));
                    }
                    i += 1;
                }
                c => return Err(err(&format!("unexpected `{c}`"))),
            }
        }
        Ok(JsonPath { strict, steps })
    }

    /// Whether the path is in strict mode.
    pub(crate) fn is_strict(&self) -> bool {
        self.strict
    }

    /// The member name of the first step, when it is `.name` (or `['name']`): the path then reads
    /// nothing of an object but that member.
    pub(crate) fn first_member(&self) -> Option<&str> {
        match self.steps.first() {
            Some(Step::Member(name)) => Some(name),
            _ => None,
        }
    }

    /// The member name when the whole path is one lax member step (`$.name`): what it selects of an
    /// object is that member's value, or nothing.
    pub(crate) fn lax_member(&self) -> Option<&str> {
        match self.steps.as_slice() {
            [Step::Member(name)] if !self.strict => Some(name),
            _ => None,
        }
    }

    /// The items the path selects. Strict mode reports structural mismatches as errors.
    pub(crate) fn eval<'a>(&self, root: &'a Json) -> Result<Vec<&'a Json>, String> {
        let mut current = vec![root];
        for step in &self.steps {
            let mut next = Vec::new();
            for item in current {
                self.apply(step, item, &mut next)?;
            }
            current = next;
        }
        Ok(current)
    }

    fn apply<'a>(&self, step: &Step, item: &'a Json, out: &mut Vec<&'a Json>) -> Result<(), String> {
        match (step, item) {
            (Step::Member(name), Json::Object(map)) => match map.get(name) {
                Some(v) => out.push(v),
                None if self.strict => return Err(format!("no such member '{name}'")),
                None => {}
            },
            (Step::Member(_) | Step::AnyMember, Json::Array(items)) if !self.strict => {
                for x in items {
                    self.apply(step, x, out)?;
                }
            }
            (Step::AnyMember, Json::Object(map)) => out.extend(map.values()),
            (Step::Member(_) | Step::AnyMember, _) => {
                if self.strict {
                    return Err("member accessor applied to a value that is not an object".into());
                }
            }
            (Step::AnyIndex, Json::Array(items)) => out.extend(items.iter()),
            (Step::Index(idx), Json::Array(items)) => {
                for &i in idx {
                    match usize::try_from(i).ok().and_then(|i| items.get(i)) {
                        Some(v) => out.push(v),
                        None if self.strict => return Err(format!("array index {i} out of bounds")),
                        None => {}
                    }
                }
            }
            (Step::AnyIndex | Step::Index(_), _) => {
                if self.strict {
                    return Err("array accessor applied to a value that is not an array".into());
                }
                if matches!(step, Step::AnyIndex) || matches!(step, Step::Index(v) if v.contains(&0)) {
                    out.push(item);
                }
            }
        }
        Ok(())
    }
}

fn quoted(chars: &[char], start: usize, q: char) -> Option<(String, usize)> {
    let mut i = start + 1;
    let mut s = String::new();
    while i < chars.len() {
        if chars[i] == '\\' && i + 1 < chars.len() {
            s.push(chars[i + 1]);
            i += 2;
            continue;
        }
        if chars[i] == q {
            return Some((s, i + 1));
        }
        s.push(chars[i]);
        i += 1;
    }
    None
}

/// The text of a JSON scalar as `JSON_VALUE` returns it: strings unquoted, integers as written, other numbers
/// as Java prints a double (`350000.0`), booleans `true`/`false`. `None` for `null`, objects and arrays.
pub(crate) fn scalar_text(v: &Json) -> Option<String> {
    match v {
        Json::String(s) => Some(s.clone()),
        Json::Bool(b) => Some(b.to_string()),
        Json::Number(n) => {
            let text = n.to_string();
            if text.bytes().all(|b| b.is_ascii_digit() || b == b'-') {
                Some(text)
            } else {
                let f = text.parse::<f64>().ok()?;
                Some(super::cast::java_double(f, false))
            }
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc() -> Json {
        serde_json::from_str(
            r#"{"loanId": "L-1001", "amount": 350000.00, "borrower": {"name": "Ada", "tags": ["a", "b"]},
                "items": [{"sku": 1}, {"sku": 2}], "odd key": true, "nothing": null}"#,
        )
        .unwrap()
    }

    fn texts(path: &str) -> Vec<String> {
        let d = doc();
        JsonPath::parse(path)
            .unwrap()
            .eval(&d)
            .unwrap()
            .iter()
            .map(|v| v.to_string())
            .collect()
    }

    #[test]
    fn members_indexes_wildcards() {
        assert_eq!(texts("$.loanId"), vec!["\"L-1001\""]);
        assert_eq!(texts("$.borrower.name"), vec!["\"Ada\""]);
        assert_eq!(texts("$.borrower.tags[1]"), vec!["\"b\""]);
        assert_eq!(texts("$['odd key']"), vec!["true"]);
        assert_eq!(texts("$.\"odd key\""), vec!["true"]);
        assert_eq!(texts("$.items[*].sku"), vec!["1", "2"]);
        assert_eq!(texts("$.items.sku"), vec!["1", "2"]); // lax: member over an array
        assert_eq!(texts("$.borrower.*").len(), 2);
        assert_eq!(texts("lax $.missing"), Vec::<String>::new());
        assert_eq!(texts("$.loanId[0]"), vec!["\"L-1001\""]); // lax: scalar as a 1-element array
        assert_eq!(texts("$"), vec![doc().to_string()]);
    }

    #[test]
    fn strict_mode_and_bad_paths() {
        let d = doc();
        assert!(JsonPath::parse("strict $.missing").unwrap().eval(&d).is_err());
        assert!(JsonPath::parse("strict $.items[9]").unwrap().eval(&d).is_err());
        assert!(JsonPath::parse("loanId").is_err());
        assert!(JsonPath::parse("$.").is_err());
        assert!(JsonPath::parse("$[x]").is_err());
        assert!(JsonPath::parse("$['a").is_err());
    }

    #[test]
    fn scalars_print_like_calcite() {
        let d = doc();
        assert_eq!(scalar_text(&d["amount"]).unwrap(), "350000.0");
        assert_eq!(scalar_text(&d["loanId"]).unwrap(), "L-1001");
        assert_eq!(scalar_text(&d["odd key"]).unwrap(), "true");
        assert_eq!(scalar_text(&d["items"][0]["sku"]).unwrap(), "1");
        assert_eq!(scalar_text(&d["nothing"]), None);
        assert_eq!(scalar_text(&d["borrower"]), None);
    }
}
