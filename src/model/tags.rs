//! Authentik's YAML tags, each parsed into a typed call with its arguments checked
//! the way the tag's constructor (authentik/blueprints/v1/common.py) reads them.

use crate::source::Span;
use crate::yaml::Node;

/// Every tag `BlueprintLoader` registers a constructor for.
pub const KNOWN_TAGS: &[&str] = &[
    "KeyOf",
    "Find",
    "FindObject",
    "Context",
    "Format",
    "Condition",
    "If",
    "Env",
    "File",
    "Enumerate",
    "Value",
    "Index",
    "AtIndex",
    "ParseJSON",
];

/// Modes `!Condition` accepts (compared upper-cased).
pub const CONDITION_MODES: &[&str] = &["AND", "NAND", "OR", "NOR", "XOR", "XNOR"];

/// A tag with its arguments, as Authentik's constructor sees them.
#[derive(Debug, Clone, Copy)]
pub enum TagCall<'a> {
    /// `!KeyOf id`: primary key of the object an earlier entry with that `id` made.
    KeyOf {
        id: &'a Node,
    },
    /// `!Find [model, [field, value], ...]` (or `!FindObject`, which yields the
    /// object's data instead of its key).
    Find {
        model: &'a Node,
        conditions: &'a [Node],
        object: bool,
    },
    /// `!Context key` or `!Context [key, default]`.
    Context {
        key: &'a Node,
        default: Option<&'a Node>,
    },
    /// `!Env NAME` or `!Env [NAME, default]`: read on the Authentik worker.
    Env {
        name: &'a Node,
        default: Option<&'a Node>,
    },
    /// `!File path` or `!File [path, default]`: read on the Authentik worker.
    File {
        path: &'a Node,
        default: Option<&'a Node>,
    },
    /// `!Format [format, args...]`: Python `%` formatting.
    Format {
        format: &'a Node,
        args: &'a [Node],
    },
    /// `!Condition [MODE, args...]`.
    Condition {
        mode: &'a Node,
        args: &'a [Node],
    },
    /// `!If [cond]` or `!If [cond, when_true, when_false]`.
    If {
        cond: &'a Node,
        branches: Option<(&'a Node, &'a Node)>,
    },
    /// `!Enumerate [iterable, SEQ|MAP, body]`.
    Enumerate {
        iterable: &'a Node,
        output: &'a Node,
        body: &'a Node,
    },
    /// `!Index depth` / `!Value depth`, only inside an `!Enumerate` body.
    Index {
        depth: i64,
    },
    Value {
        depth: i64,
    },
    /// `!AtIndex [obj, key]` or `!AtIndex [obj, key, default]`.
    AtIndex {
        object: &'a Node,
        key: &'a Node,
        default: Option<&'a Node>,
    },
    /// `!ParseJSON text`.
    ParseJson {
        text: &'a Node,
    },
}

impl TagCall<'_> {
    pub fn name(&self) -> &'static str {
        match self {
            TagCall::KeyOf { .. } => "KeyOf",
            TagCall::Find { object: false, .. } => "Find",
            TagCall::Find { object: true, .. } => "FindObject",
            TagCall::Context { .. } => "Context",
            TagCall::Env { .. } => "Env",
            TagCall::File { .. } => "File",
            TagCall::Format { .. } => "Format",
            TagCall::Condition { .. } => "Condition",
            TagCall::If { .. } => "If",
            TagCall::Enumerate { .. } => "Enumerate",
            TagCall::Index { .. } => "Index",
            TagCall::Value { .. } => "Value",
            TagCall::AtIndex { .. } => "AtIndex",
            TagCall::ParseJson { .. } => "ParseJSON",
        }
    }
}

/// What a tagged node is.
#[derive(Debug, Clone)]
pub enum TagParse<'a> {
    Call(TagCall<'a>),
    /// A tag Authentik has no constructor for, as written (`!Findd`).
    Unknown(&'a str),
    /// A known tag whose arguments Authentik's constructor or resolver rejects.
    Invalid(TagError),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagError {
    pub span: Span,
    pub message: String,
}

fn err<T>(span: Span, message: impl Into<String>) -> Result<T, TagError> {
    Err(TagError {
        span,
        message: message.into(),
    })
}

/// Standard tags SafeLoader constructs (`!!str` ...); any other `!!` tag, such as
/// `!!python/object`, makes the load fail.
const SAFE_CORE_TAGS: &[&str] = &[
    "null",
    "bool",
    "int",
    "float",
    "binary",
    "timestamp",
    "omap",
    "pairs",
    "set",
    "str",
    "seq",
    "map",
];

/// Parse a node's tag; `None` if it has none or a standard one SafeLoader accepts.
pub fn parse_tag(node: &Node) -> Option<TagParse<'_>> {
    let tag = node.tag()?;
    if let Some(core) = tag.core_name() {
        return (!SAFE_CORE_TAGS.contains(&core)).then_some(TagParse::Unknown(&tag.name));
    }
    let name = match tag.name.strip_prefix('!') {
        Some(name) if KNOWN_TAGS.contains(&name) => name,
        _ => return Some(TagParse::Unknown(&tag.name)),
    };
    Some(match parse_known(name, node.resolved()) {
        Ok(call) => TagParse::Call(call),
        Err(e) => TagParse::Invalid(e),
    })
}

fn parse_known<'a>(name: &str, node: &'a Node) -> Result<TagCall<'a>, TagError> {
    let span = node.span;
    match name {
        "KeyOf" => {
            if node.scalar().is_none() {
                return err(
                    span,
                    "`!KeyOf` takes one entry id as a scalar: `!KeyOf my-id`",
                );
            }
            if node.scalar().is_some_and(|s| s.value.is_empty()) {
                return err(span, "`!KeyOf` needs an entry id: `!KeyOf my-id`");
            }
            Ok(TagCall::KeyOf { id: node })
        }
        "Find" | "FindObject" => {
            // Only for errors: every lookup of a `!Find` parses it.
            let usage = || format!("`!{name} [model, [field, value], ...]`");
            let Some(items) = node.seq() else {
                return err(span, format!("`!{name}` takes a sequence: {}", usage()));
            };
            let Some((model, conditions)) = items.split_first() else {
                return err(span, format!("`!{name}` needs a model: {}", usage()));
            };
            for cond in conditions {
                match cond.seq() {
                    Some(pair) if pair.len() >= 2 => {}
                    Some(_) => {
                        return err(
                            cond.span,
                            format!("each `!{name}` condition is a `[field, value]` pair"),
                        );
                    }
                    None if cond.tag().is_some() => {}
                    None => {
                        return err(
                            cond.span,
                            format!(
                                "`!{name}` conditions are `[field, value]` sequences, not a {}",
                                cond.kind_name()
                            ),
                        );
                    }
                }
            }
            Ok(TagCall::Find {
                model,
                conditions,
                object: name == "FindObject",
            })
        }
        "Context" | "Env" | "File" => {
            let (key, default) = scalar_or_pair(name, node)?;
            Ok(match name {
                "Context" => TagCall::Context { key, default },
                "Env" => TagCall::Env { name: key, default },
                _ => TagCall::File { path: key, default },
            })
        }
        "Format" => {
            let items = seq_of(name, node, 1, "`!Format [format, args...]`")?;
            Ok(TagCall::Format {
                format: &items[0],
                args: &items[1..],
            })
        }
        "Condition" => {
            let items = seq_of(name, node, 2, "`!Condition [AND, value, ...]`")?;
            let mode = &items[0];
            if let Some(text) = mode.scalar_text()
                && !CONDITION_MODES.contains(&text.to_ascii_uppercase().as_str())
            {
                return err(
                    mode.span,
                    format!(
                        "unknown `!Condition` mode `{text}`; use one of {}",
                        CONDITION_MODES.join(", ")
                    ),
                );
            }
            Ok(TagCall::Condition {
                mode,
                args: &items[1..],
            })
        }
        "If" => {
            let items = seq_of(name, node, 1, "`!If [condition, when_true, when_false]`")?;
            match items.len() {
                1 => Ok(TagCall::If {
                    cond: &items[0],
                    branches: None,
                }),
                2 => err(
                    span,
                    "`!If` takes one item or three: `[condition]` or `[condition, when_true, when_false]`",
                ),
                _ => Ok(TagCall::If {
                    cond: &items[0],
                    branches: Some((&items[1], &items[2])),
                }),
            }
        }
        "Enumerate" => {
            let items = seq_of(name, node, 3, "`!Enumerate [iterable, SEQ|MAP, body]`")?;
            let output = &items[1];
            // The resolver upper-cases the output name (Python's `str.upper()`),
            // and calls that on whatever was constructed: a tag there fails.
            if output.local_tag().is_some() {
                return err(
                    output.span,
                    "`!Enumerate` output must be written as `SEQ` or `MAP`; a tag there is \
                     never resolved",
                );
            }
            if let Some(text) = output.scalar_text()
                && !matches!(text.to_uppercase().as_str(), "SEQ" | "MAP")
            {
                return err(
                    output.span,
                    format!("`!Enumerate` output must be `SEQ` or `MAP`, not `{text}`"),
                );
            }
            Ok(TagCall::Enumerate {
                iterable: &items[0],
                output,
                body: &items[2],
            })
        }
        "Index" | "Value" => {
            // The constructor runs Python's `int()` on the raw text.
            let parsed = node
                .scalar()
                .and_then(|s| s.value.trim().replace('_', "").parse::<i64>().ok());
            let depth = match parsed {
                Some(depth) => depth,
                None => {
                    return err(
                        span,
                        format!("`!{name}` takes an integer depth: `!{name} 0`"),
                    );
                }
            };
            if depth < 0 {
                return err(span, format!("`!{name}` depth cannot be negative"));
            }
            Ok(if name == "Index" {
                TagCall::Index { depth }
            } else {
                TagCall::Value { depth }
            })
        }
        "AtIndex" => {
            let items = seq_of(name, node, 2, "`!AtIndex [object, key]`")?;
            Ok(TagCall::AtIndex {
                object: &items[0],
                key: &items[1],
                default: items.get(2),
            })
        }
        "ParseJSON" => {
            let Some(scalar) = node.scalar() else {
                return err(span, "`!ParseJSON` takes a JSON string");
            };
            if let Err(e) = serde_json::from_str::<serde_json::Value>(&python_json(&scalar.value)) {
                return err(span, format!("`!ParseJSON` text is not valid JSON: {e}"));
            }
            Ok(TagCall::ParseJson { text: node })
        }
        _ => err(span, format!("`!{name}` is not handled")),
    }
}

fn scalar_or_pair<'a>(
    name: &str,
    node: &'a Node,
) -> Result<(&'a Node, Option<&'a Node>), TagError> {
    if node.scalar().is_some() {
        if node.scalar().is_some_and(|s| s.value.is_empty()) {
            return err(node.span, format!("`!{name}` needs a key: `!{name} key`"));
        }
        return Ok((node, None));
    }
    match node.seq() {
        Some([key, default, ..]) => Ok((key, Some(default))),
        Some(_) => err(
            node.span,
            format!("`!{name}` takes a scalar or a `[key, default]` pair with two items"),
        ),
        None => err(
            node.span,
            format!("`!{name}` takes a scalar or a `[key, default]` sequence, not a mapping"),
        ),
    }
}

fn seq_of<'a>(name: &str, node: &'a Node, min: usize, usage: &str) -> Result<&'a [Node], TagError> {
    let Some(items) = node.seq() else {
        return err(
            node.span,
            format!(
                "`!{name}` takes a sequence, not a {}: {usage}",
                node.kind_name()
            ),
        );
    };
    if items.len() < min {
        return err(
            node.span,
            format!(
                "`!{name}` needs at least {min} item{}: {usage}",
                if min == 1 { "" } else { "s" }
            ),
        );
    }
    Ok(items)
}

/// JSON text as serde_json can check it for Python's `json.loads`, which also
/// takes the constants `NaN`, `Infinity` and `-Infinity` and lone surrogate
/// escapes (`"\\ud800"`). Each is replaced, outside or inside strings
/// respectively, by something of the same kind that serde_json accepts; the
/// result is only ever checked for validity, never read.
fn python_json(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.contains("NaN") && !text.contains("Infinity") && !text.contains("\\u") {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    let mut in_string = false;
    while let Some(c) = rest.chars().next() {
        if in_string {
            if let Some(after) = rest.strip_prefix('\\') {
                let hex = after.strip_prefix('u').and_then(|h| h.get(..4));
                if let Some(code) = hex.and_then(|h| u16::from_str_radix(h, 16).ok())
                    && (0xD800..=0xDFFF).contains(&code)
                {
                    // A surrogate alone or in a pair: both are strings to Python.
                    out.push_str("\\u0020");
                    rest = &after[5..];
                    continue;
                }
                let next = after.chars().next().map_or(0, char::len_utf8);
                out.push_str(&rest[..1 + next]);
                rest = &after[next..];
                continue;
            }
            in_string = c != '"';
        } else if c == '"' {
            in_string = true;
        } else if let Some(constant) = ["-Infinity", "Infinity", "NaN"]
            .into_iter()
            .find(|k| rest.starts_with(k))
        {
            // `null`, not a number: `-NaN` must stay invalid, as it is to Python.
            out.push_str("null");
            rest = &rest[constant.len()..];
            continue;
        }
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    std::borrow::Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::python_json;

    fn valid(text: &str) -> bool {
        serde_json::from_str::<serde_json::Value>(&python_json(text)).is_ok()
    }

    #[test]
    fn json_accepts_what_python_accepts() {
        for text in [
            "NaN",
            "[Infinity, -Infinity, 1.5]",
            r#"{"a": NaN, "NaN": "Infinity"}"#,
            r#""\ud800""#,
            r#""\ud83d\ude00 and \" quote""#,
            " {} ",
        ] {
            assert!(valid(text), "{text}");
        }
    }

    #[test]
    fn json_rejects_what_python_rejects() {
        for text in [
            "-NaN",
            "nan",
            "inf",
            "[1,]",
            "{'a': 1}",
            r#""\x41""#,
            "NaN NaN",
            "",
        ] {
            assert!(!valid(text), "{text}");
        }
    }
}
