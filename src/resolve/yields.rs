//! What a value becomes when Authentik applies it: a plain scalar is what PyYAML
//! constructs; a tag is what its resolver returns (`!Find` a primary key or null,
//! `!Format` a string, `!Condition` a bool, ...).

use crate::model::{TagCall, TagParse, parse_tag};
use crate::yaml::{Node, Typed};

#[derive(Debug, Clone, Copy)]
pub enum Yield<'a> {
    Null,
    Bool(bool),
    /// An int; `None` when it does not fit 64 bits.
    Int(Option<i64>),
    Float,
    /// A date or datetime object.
    Timestamp,
    /// A string; `None` when computed (`!Format`).
    Str(Option<&'a str>),
    /// A list; `None` when computed (`!Enumerate ... SEQ`).
    List(Option<&'a [Node]>),
    /// A mapping; `None` when computed (`!FindObject`, `!Enumerate ... MAP`).
    Map(Option<&'a Node>),
    /// A primary key (`!Find`, `!KeyOf`); `!Find` may also yield null.
    Pk,
    /// Known only on the worker (`!Env`, `!Context`, `!If`, ...).
    Unknown,
}

pub fn yields(node: &Node) -> Yield<'_> {
    let node = node.resolved();
    if let Some(parsed) = parse_tag(node) {
        return match parsed {
            TagParse::Call(call) => match call {
                TagCall::KeyOf { .. } | TagCall::Find { object: false, .. } => Yield::Pk,
                TagCall::Find { object: true, .. } => Yield::Map(None),
                TagCall::Format { .. } => Yield::Str(None),
                TagCall::Condition { .. } => Yield::Bool(true),
                // The resolver upper-cases the output name.
                TagCall::Enumerate { output, .. } => {
                    match output.scalar_text().map(str::to_uppercase).as_deref() {
                        Some("SEQ") => Yield::List(None),
                        Some("MAP") => Yield::Map(None),
                        _ => Yield::Unknown,
                    }
                }
                _ => Yield::Unknown,
            },
            _ => Yield::Unknown,
        };
    }
    if let Some(items) = node.seq() {
        return Yield::List(Some(items));
    }
    if node.map().is_some() {
        return Yield::Map(Some(node));
    }
    match node.typed() {
        Some(Typed::Null) => Yield::Null,
        Some(Typed::Bool(b)) => Yield::Bool(b),
        Some(Typed::Int(i)) => Yield::Int(i),
        Some(Typed::Float) => Yield::Float,
        Some(Typed::Timestamp) => Yield::Timestamp,
        // A Helm/Jinja placeholder is filled in before Authentik sees the file.
        Some(Typed::Str(s)) if is_template(s) => Yield::Unknown,
        Some(Typed::Str(s)) => Yield::Str(Some(s)),
        None => Yield::Unknown,
    }
}

/// Whether a string holds a `{{ ... }}` template placeholder.
pub fn is_template(s: &str) -> bool {
    // `str::find` with a two-byte needle sets up a substring searcher on every
    // call; this runs for every string value, and they are short.
    let bytes = s.as_bytes();
    bytes
        .windows(2)
        .position(|w| w == b"{{")
        .is_some_and(|open| bytes[open..].windows(2).any(|w| w == b"}}"))
}

impl Yield<'_> {
    /// How to name it in a message.
    pub fn describe(&self) -> &'static str {
        match self {
            Yield::Null => "null",
            Yield::Bool(_) => "a boolean",
            Yield::Int(_) => "an integer",
            Yield::Float => "a number",
            Yield::Timestamp => "a date",
            Yield::Str(_) => "a string",
            Yield::List(_) => "a list",
            Yield::Map(_) => "a mapping",
            Yield::Pk => "a primary key",
            Yield::Unknown => "a value",
        }
    }
}
