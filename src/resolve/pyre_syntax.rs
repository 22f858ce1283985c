//! The errors Python's `re.compile` raises on a pattern's structure, found
//! without Python: unbalanced parentheses, an unterminated character set, a
//! quantifier with nothing to repeat or repeating a quantifier, an unknown
//! escape of an ASCII letter, a reversed range or repeat count.
//!
//! Written by hand, since no Rust crate parses Python's dialect (the `regex` and
//! `fancy-regex` crates accept and refuse other things). It reports only what
//! Python certainly refuses, and says nothing of the rest; tests/data/python_re.tsv
//! records Python 3.13's own verdicts on the cases, and a unit test holds this
//! scanner to them (scripts/python-re-verdicts.py makes the table).

/// Escapes Python accepts after a backslash outside a character set: classes,
/// anchors, control characters, octal and back-references, hex and Unicode forms.
const ESCAPES: &str = "dDwWsSbBAZafnrtvx0123456789uUN";
/// Inside a character set, where `\b` is a backspace and anchors are not allowed.
const SET_ESCAPES: &str = "dDwWsSbafnrtvx01234567uUN";

/// Python's complaint about `pattern` with the character position it names, or
/// `None` when the scanner finds nothing Python would refuse.
pub fn error(pattern: &str) -> Option<(usize, &'static str)> {
    let chars: Vec<char> = pattern.chars().collect();
    let mut i = 0;
    let mut depth: Vec<usize> = Vec::new();
    // What the previous item was, for quantifiers: nothing repeatable (start,
    // after `(` or `|`, an anchor), an atom, or a quantifier.
    #[derive(Clone, Copy, PartialEq)]
    enum Prev {
        Nothing,
        Atom,
        Quantifier,
        /// A quantifier already made lazy (`*?`) or possessive (`*+`).
        Modified,
    }
    let mut prev = Prev::Nothing;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '\\' => {
                let Some(&next) = chars.get(i + 1) else {
                    return Some((i, "bad escape (end of pattern)"));
                };
                if next.is_ascii_alphabetic() && !ESCAPES.contains(next) {
                    return Some((i, "bad escape"));
                }
                prev = if matches!(next, 'A' | 'Z' | 'b' | 'B') {
                    Prev::Nothing
                } else {
                    Prev::Atom
                };
                i += 2;
                continue;
            }
            '[' => {
                match set_end(&chars, i) {
                    Ok(end) => i = end,
                    Err(e) => return Some(e),
                }
                prev = Prev::Atom;
                continue;
            }
            '(' => {
                depth.push(i);
                prev = Prev::Nothing;
                // Skip a group's `?...` header: `(?:`, `(?P<name>`, `(?=`, flags.
                if chars.get(i + 1) == Some(&'?') {
                    i += 2;
                    while i < chars.len() && !matches!(chars[i], ':' | ')' | '>' | '=' | '!') {
                        i += 1;
                    }
                    // A header that is the whole group (`(?i)`, `(?P=name)`) ends here.
                    if chars.get(i) == Some(&')') {
                        depth.pop();
                        prev = Prev::Nothing;
                    }
                    i += 1;
                    continue;
                }
            }
            ')' => {
                if depth.pop().is_none() {
                    return Some((i, "unbalanced parenthesis"));
                }
                prev = Prev::Atom;
            }
            '|' => prev = Prev::Nothing,
            '^' | '$' => prev = Prev::Nothing,
            '*' | '+' | '?' => match prev {
                Prev::Nothing => return Some((i, "nothing to repeat")),
                Prev::Atom => prev = Prev::Quantifier,
                Prev::Quantifier if c != '*' => prev = Prev::Modified,
                Prev::Quantifier | Prev::Modified => return Some((i, "multiple repeat")),
            },
            '{' => {
                if let Some((end, low, high)) = repeat_count(&chars, i) {
                    match prev {
                        Prev::Nothing => return Some((i, "nothing to repeat")),
                        Prev::Quantifier | Prev::Modified => {
                            return Some((i, "multiple repeat"));
                        }
                        Prev::Atom => {}
                    }
                    if let (Some(low), Some(high)) = (low, high)
                        && low > high
                    {
                        return Some((i, "min repeat greater than max repeat"));
                    }
                    prev = Prev::Quantifier;
                    i = end;
                    continue;
                }
                // Not a repeat count: a literal `{`.
                prev = Prev::Atom;
            }
            _ => prev = Prev::Atom,
        }
        i += 1;
    }
    depth
        .first()
        .map(|&open| (open, "missing ), unterminated subpattern"))
}

/// The index after a character set opening at `start`, or Python's error.
fn set_end(chars: &[char], start: usize) -> Result<usize, (usize, &'static str)> {
    let mut i = start + 1;
    if chars.get(i) == Some(&'^') {
        i += 1;
    }
    // A `]` first in the set is a literal.
    if chars.get(i) == Some(&']') {
        i += 1;
    }
    let mut last: Option<char> = None;
    while i < chars.len() {
        let c = chars[i];
        match c {
            ']' => return Ok(i + 1),
            '\\' => {
                let Some(&next) = chars.get(i + 1) else {
                    break;
                };
                if next.is_ascii_alphabetic() && !SET_ESCAPES.contains(next) {
                    return Err((i, "bad escape"));
                }
                last = (!next.is_ascii_alphanumeric()).then_some(next);
                i += 2;
                continue;
            }
            '-' if last.is_some() && chars.get(i + 1).is_some_and(|n| *n != ']' && *n != '\\') => {
                let (low, high) = (last.unwrap_or_default(), chars[i + 1]);
                if low > high {
                    return Err((i - 1, "bad character range"));
                }
                last = None;
                i += 2;
                continue;
            }
            _ => last = Some(c),
        }
        i += 1;
    }
    Err((start, "unterminated character set"))
}

/// A repeat count `{m}`, `{m,}`, `{,n}` or `{m,n}` at `start`: the index after it
/// and its bounds; `None` when the brace is a literal (Python reads `{x}` so).
fn repeat_count(chars: &[char], start: usize) -> Option<(usize, Option<u64>, Option<u64>)> {
    let close = chars[start..].iter().position(|c| *c == '}')? + start;
    let body: String = chars[start + 1..close].iter().collect();
    let (low, high) = match body.split_once(',') {
        Some((low, high)) => (low, Some(high)),
        None => (body.as_str(), None),
    };
    let digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    if !digits(low) || !high.is_none_or(digits) || (low.is_empty() && high.is_none()) {
        return None;
    }
    let low_n = low.parse().ok();
    let high_n = match high {
        Some(h) => h.parse().ok(),
        None => low_n,
    };
    Some((close + 1, low_n, high_n))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Python 3.13's verdicts, recorded by scripts/python-re-verdicts.py: the
    /// scanner must never refuse what Python accepts, and must find every
    /// refusal of the kinds it knows.
    #[test]
    fn agrees_with_python_on_the_recorded_patterns() {
        let table = include_str!("../../tests/data/python_re.tsv");
        let mut rows = 0;
        for line in table
            .lines()
            .filter(|l| !l.starts_with('#') && !l.is_empty())
        {
            let (verdict, pattern) = line.split_once('\t').expect("verdict<TAB>pattern");
            let pattern = pattern.replace("\\t", "\t");
            let ours = error(&pattern);
            match verdict {
                "ok" => assert_eq!(ours, None, "Python accepts {pattern:?}"),
                "error" => assert!(ours.is_some(), "Python refuses {pattern:?}"),
                // Refused by Python for a reason the scanner does not model:
                // it must at least not invent one where Python has none.
                "other" => {}
                _ => panic!("bad row {line}"),
            }
            rows += 1;
        }
        assert!(rows > 50, "{rows} rows");
    }
}
