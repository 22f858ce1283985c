//! Parser events -> spanned tree.
//!
//! saphyr-parser reports positions in characters; bplint's spans are bytes, so every
//! marker goes through [`CharToByte`]. Aliases are copied under a node budget and
//! nesting is capped, so hostile input gives an error instead of a hang or a crash.

use super::node::{Kind, Node, Pair, Scalar, Style, Tag};
use super::{MAX_ALIAS_NODES, MAX_DEPTH};
use crate::source::Span;
use foldhash::{HashMap, HashMapExt};
use saphyr_parser::{Event, Parser, ScalarStyle};

/// One YAML document of a stream.
#[derive(Debug)]
pub struct Document {
    pub root: Node,
}

/// Why a text could not be turned into a tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YamlError {
    pub span: Span,
    pub message: String,
}

/// A mapping key given more than once.
#[derive(Debug, Clone)]
pub struct DuplicateKey {
    pub key: String,
    pub first: Span,
    pub second: Span,
}

#[derive(Debug, Default)]
pub struct Stream {
    pub documents: Vec<Document>,
    pub duplicates: Vec<DuplicateKey>,
}

/// Parse a whole YAML stream (one or more documents).
pub fn parse(text: &str) -> Result<Stream, YamlError> {
    Builder::new(text).run()
}

/// Converts saphyr's character offsets to byte offsets. Positions arrive nearly in
/// order, so a cursor that walks from the last position costs O(1) amortised.
struct CharToByte<'a> {
    text: &'a str,
    ascii: bool,
    chars: usize,
    bytes: usize,
}

impl<'a> CharToByte<'a> {
    fn new(text: &'a str) -> Self {
        CharToByte {
            text,
            ascii: text.is_ascii(),
            chars: 0,
            bytes: 0,
        }
    }

    fn byte(&mut self, char_index: usize) -> usize {
        if self.ascii {
            return char_index.min(self.text.len());
        }
        let bytes = self.text.as_bytes();
        // Most of a text with some non-ASCII characters is ASCII: a run of ASCII
        // bytes is as many characters, and is checked faster than stepped over.
        if char_index > self.chars {
            let ahead = char_index - self.chars;
            if bytes
                .get(self.bytes..self.bytes + ahead)
                .is_some_and(<[u8]>::is_ascii)
            {
                self.bytes += ahead;
                self.chars = char_index;
                return self.bytes;
            }
        } else {
            let behind = self.chars - char_index;
            if self.bytes >= behind && bytes[self.bytes - behind..self.bytes].is_ascii() {
                self.bytes -= behind;
                self.chars = char_index;
                return self.bytes;
            }
        }
        while self.chars < char_index && self.bytes < bytes.len() {
            self.bytes += 1;
            while self.bytes < bytes.len() && !self.text.is_char_boundary(self.bytes) {
                self.bytes += 1;
            }
            self.chars += 1;
        }
        while self.chars > char_index && self.bytes > 0 {
            self.bytes -= 1;
            while !self.text.is_char_boundary(self.bytes) {
                self.bytes -= 1;
            }
            self.chars -= 1;
        }
        self.bytes
    }
}

enum Frame {
    Seq {
        start: usize,
        flow: bool,
        tag: Option<Tag>,
        anchor: usize,
        items: Vec<Node>,
    },
    Map {
        start: usize,
        flow: bool,
        tag: Option<Tag>,
        anchor: usize,
        pairs: Vec<Pair>,
        key: Option<Node>,
    },
}

struct Builder<'a> {
    text: &'a str,
    pos: CharToByte<'a>,
    stack: Vec<Frame>,
    anchors: HashMap<usize, Node>,
    /// Anchor names of the current document with where each was defined.
    anchor_names: HashMap<String, Span>,
    alias_nodes: usize,
    out: Stream,
    /// Only when the text has a tab: where PyYAML lets one stand (see `check_tabs`).
    tabs: Option<TabRegions>,
}

/// The parts of a text where PyYAML's scanner reads a tab as text: quoted scalars
/// (quotes included) and block scalar content from its indentation column on.
#[derive(Default)]
struct TabRegions {
    quoted: Vec<Span>,
    /// Block scalar content (untrimmed) with the byte offset of its indentation
    /// column within a line.
    blocks: Vec<(Span, usize)>,
}

impl<'a> Builder<'a> {
    fn new(text: &'a str) -> Self {
        Builder {
            text,
            pos: CharToByte::new(text),
            stack: Vec::new(),
            anchors: HashMap::new(),
            anchor_names: HashMap::new(),
            alias_nodes: 0,
            out: Stream::default(),
            tabs: text.contains('\t').then(TabRegions::default),
        }
    }

    fn run(mut self) -> Result<Stream, YamlError> {
        let mut parser = Parser::new_from_str(self.text);
        while let Some(event) = parser.next_event() {
            let (event, span) = match event {
                Ok(ok) => ok,
                Err(err) => {
                    let at = self.pos.byte(err.marker().index());
                    let message = match err.info() {
                        "recursion limit exceeded" => {
                            "nesting is deeper than the parser accepts (recursion limit exceeded)"
                                .to_string()
                        }
                        info => info.to_string(),
                    };
                    return Err(YamlError {
                        span: self.error_span(at),
                        message,
                    });
                }
            };
            let start = self.pos.byte(span.start.index());
            let end = self.pos.byte(span.end.index());
            self.event(event, Span::new(start, end))?;
        }
        self.check_tabs()?;
        Ok(self.out)
    }

    /// Errors point at one character (or at the end of the text).
    fn error_span(&self, at: usize) -> Span {
        let len = self.text[at..].chars().next().map_or(0, char::len_utf8);
        Span::new(at, at + len)
    }

    fn event(&mut self, event: Event<'_>, span: Span) -> Result<(), YamlError> {
        match event {
            Event::Scalar(value, style, anchor, tag) => {
                let style = match style {
                    ScalarStyle::Plain => Style::Plain,
                    ScalarStyle::SingleQuoted => Style::SingleQuoted,
                    ScalarStyle::DoubleQuoted => Style::DoubleQuoted,
                    ScalarStyle::Literal => Style::Literal,
                    ScalarStyle::Folded => Style::Folded,
                };
                if let Some(tabs) = &mut self.tabs {
                    match style {
                        Style::SingleQuoted | Style::DoubleQuoted => {
                            // The span starts with the tag and anchor and can run on
                            // past the closing quote (over white space and a comment):
                            // the quoted text ends at its own closing quote.
                            let text = &self.text[span.start..span.end];
                            let start = text
                                .find(['\'', '"'])
                                .map_or(span.start, |i| span.start + i);
                            let end = quoted_end(self.text, start).min(span.end);
                            tabs.quoted.push(Span::new(start, end));
                        }
                        Style::Literal | Style::Folded => {
                            let line = self.text[..span.start].rfind('\n').map_or(0, |i| i + 1);
                            tabs.blocks.push((span, span.start - line));
                        }
                        Style::Plain => {}
                    }
                }
                if anchor != 0 {
                    self.check_anchor(span)?;
                }
                // Keys get the `value` and `merge` tags' special treatment
                // (`flatten_mapping` merges a `<<` key and makes a `=` key a string);
                // anywhere else SafeLoader has no constructor for them.
                if style == Style::Plain
                    && tag.is_none()
                    && !self.at_key()
                    && (value == "=" || value == "<<")
                {
                    return Err(YamlError {
                        span,
                        message: format!(
                            "a plain `{value}` is YAML 1.1's {} key, which PyYAML's SafeLoader \
                             cannot construct as a value; quote it: '{value}'",
                            if value == "=" { "value" } else { "merge" }
                        ),
                    });
                }
                if style == Style::Plain {
                    self.check_flow_indicator(span, &value)?;
                }
                if style == Style::Plain
                    && tag.is_none()
                    && let Some((what, problem)) = super::construct::implicit_problem(&value)
                {
                    return Err(YamlError {
                        span,
                        message: format!(
                            "`{value}` reads as {what} for PyYAML, which cannot build it ({problem}); \
                             quote it to keep it text"
                        ),
                    });
                }
                let span = if matches!(style, Style::Literal | Style::Folded) {
                    self.trim_end(span)
                } else {
                    span
                };
                let (tag, value_start) = if matches!(style, Style::Literal | Style::Folded) {
                    // Block scalar spans start at the content, after the header line.
                    (
                        self.properties(Span::empty(span.start), tag.as_deref()).0,
                        span.start,
                    )
                } else {
                    self.properties(span, tag.as_deref())
                };
                self.check_tag_end(tag.as_ref())?;
                let node = Node {
                    span,
                    tag,
                    kind: Kind::Scalar(Scalar {
                        value: value.into_owned(),
                        style,
                        value_span: Span::new(value_start.min(span.end), span.end),
                    }),
                };
                self.finish(node, anchor)
            }
            Event::SequenceStart(anchor, tag) => {
                self.push_frame(span)?;
                if anchor != 0 {
                    self.check_anchor(span)?;
                }
                let (tag, _) = self.properties(span, tag.as_deref());
                self.check_tag_end(tag.as_ref())?;
                self.stack.push(Frame::Seq {
                    start: span.start,
                    flow: self.text[..span.end].ends_with('['),
                    tag,
                    anchor,
                    items: Vec::new(),
                });
                Ok(())
            }
            Event::MappingStart(anchor, tag) => {
                self.push_frame(span)?;
                if anchor != 0 {
                    self.check_anchor(span)?;
                }
                let (tag, _) = self.properties(span, tag.as_deref());
                self.check_tag_end(tag.as_ref())?;
                self.stack.push(Frame::Map {
                    start: span.start,
                    flow: self.text[..span.end].ends_with('{'),
                    tag,
                    anchor,
                    pairs: Vec::new(),
                    key: None,
                });
                Ok(())
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let Some(frame) = self.stack.pop() else {
                    return Ok(());
                };
                let (start, tag, anchor, kind, last_end) = match frame {
                    Frame::Seq {
                        start,
                        flow: _,
                        tag,
                        anchor,
                        items,
                    } => {
                        let last = items.last().map(|n| n.span.end);
                        (start, tag, anchor, Kind::Seq(items), last)
                    }
                    Frame::Map {
                        start,
                        flow: _,
                        tag,
                        anchor,
                        pairs,
                        key,
                    } => {
                        let last = pairs.last().map(|p| p.value.span.end);
                        let last = last.max(key.as_ref().map(|k| k.span.end));
                        check_constructible(&pairs)?;
                        self.find_duplicates(&pairs);
                        (start, tag, anchor, Kind::Map(pairs), last)
                    }
                };
                // Flow collections end at their closing bracket; block ones at their
                // last child (the end event sits on the next token).
                let end = if span.is_empty() {
                    last_end.unwrap_or(span.end).max(start)
                } else {
                    span.end
                };
                let node = Node {
                    span: Span::new(start, end),
                    tag,
                    kind,
                };
                self.finish(node, anchor)
            }
            Event::Alias(id) => {
                check_name(self.text, span.start + 1, span.end)?;
                let Some(target) = self.anchors.get(&id) else {
                    return Err(YamlError {
                        span,
                        message: "alias refers to an unknown anchor".into(),
                    });
                };
                // Copies add their own depth to the alias's: without this check a
                // chain of anchors nests copies ever deeper, and every recursive
                // walk over the tree (cloning and dropping it included) overflows
                // the stack long before the node budget runs out.
                if self.stack.len() + target.height() > MAX_DEPTH {
                    return Err(YamlError {
                        span,
                        message: format!(
                            "with its aliases copied, nesting is deeper than {MAX_DEPTH} levels"
                        ),
                    });
                }
                self.alias_nodes += target.node_count();
                if self.alias_nodes > MAX_ALIAS_NODES {
                    return Err(YamlError {
                        span,
                        message: format!(
                            "aliases expand to more than {MAX_ALIAS_NODES} nodes (an alias bomb?); \
                             bplint stops here"
                        ),
                    });
                }
                let node = Node {
                    span,
                    tag: None,
                    kind: Kind::Alias(Box::new(target.clone())),
                };
                self.finish(node, 0)
            }
            Event::DocumentStart(_) => {
                self.anchors.clear();
                self.anchor_names.clear();
                Ok(())
            }
            Event::Nothing | Event::StreamStart | Event::StreamEnd | Event::DocumentEnd => Ok(()),
        }
    }

    /// PyYAML's composer refuses an anchor defined twice in one document
    /// (composer.py, `compose_node`: "found duplicate anchor"), where YAML 1.2 lets
    /// the second replace the first.
    fn check_unique_anchor(&mut self, name: Span) -> Result<(), YamlError> {
        let text = &self.text[name.start..name.end];
        if let Some(first) = self.anchor_names.insert(text.to_string(), name) {
            let line = self.text[..first.start].matches('\n').count() + 1;
            return Err(YamlError {
                span: name,
                message: format!(
                    "`{text}` is defined a second time in this document (first on line {line}); \
                     PyYAML refuses a duplicate anchor: rename one"
                ),
            });
        }
        Ok(())
    }

    /// In a flow collection PyYAML's scanner reads a leading `:` as a value
    /// indicator and a leading `?` as a key indicator whatever follows
    /// (scanner.py, `check_value` and `check_key`), where YAML 1.2 starts a plain
    /// scalar: `{a: ?x}` and `[:x]` do not load. (`[?x]` and `{?x: 1}` do, as
    /// a mapping and the key `x`.)
    fn check_flow_indicator(&self, span: Span, value: &str) -> Result<(), YamlError> {
        let (flow, map_value) = match self.stack.last() {
            Some(Frame::Seq { flow, .. }) => (*flow, false),
            Some(Frame::Map { flow, key, .. }) => (*flow, key.is_some()),
            None => (false, false),
        };
        let refused = flow
            && (value.starts_with(':') && value.len() > 1
                || value.starts_with('?') && value.len() > 1 && map_value);
        if !refused {
            return Ok(());
        }
        let at = self.properties(span, None).1;
        Err(YamlError {
            span: self.error_span(at),
            message: format!(
                "PyYAML reads this `{}` inside brackets as an indicator, not as text; quote the value",
                &value[..1]
            ),
        })
    }

    /// PyYAML's scanner takes `[`, `]` and `,` as part of a tag (scanner.py,
    /// `scan_tag_uri`, whose URI characters include them), where YAML 1.2 ends
    /// the tag there: `[AND, !Context x]` loads, but `[AND, !Context]` reads as
    /// the tag `!Context]` and leaves the brackets open, and `!Find[...]` is one
    /// tag no constructor knows. Either way Authentik's loader refuses the file.
    fn check_tag_end(&self, tag: Option<&Tag>) -> Result<(), YamlError> {
        let Some(tag) = tag else {
            return Ok(());
        };
        let bytes = self.text.as_bytes();
        let start = tag.span.start;
        if tag.span.is_empty()
            || bytes.get(start) != Some(&b'!')
            || bytes.get(start + 1) == Some(&b'<')
        {
            return Ok(());
        }
        let ours = bytes[start + 1..]
            .iter()
            .position(|b| b.is_ascii_whitespace() || b",[]{}".contains(b))
            .map_or(bytes.len(), |i| start + 1 + i);
        if !matches!(bytes.get(ours), Some(b'[' | b']' | b',')) {
            return Ok(());
        }
        let theirs = bytes[start + 1..]
            .iter()
            .position(|b| !(b.is_ascii_alphanumeric() || b"-;/?:@&=+$,_.!~*'()[]%".contains(b)))
            .map_or(bytes.len(), |i| start + 1 + i);
        let written = &self.text[start..theirs];
        Err(YamlError {
            span: Span::new(ours, ours + 1),
            message: format!(
                "PyYAML reads `{written}` as one tag (a tag may hold `[`, `]` and `,`), so \
                 Authentik's loader cannot read this: put a space after `{}`",
                &self.text[start..ours]
            ),
        })
    }

    /// PyYAML names anchors with ASCII letters, digits, `-` and `_` only
    /// (scanner.py, `scan_anchor`); YAML 1.2 takes any character but spaces and
    /// flow indicators, so `&a'x'` or `&a{...}` parse here but not in Authentik.
    fn check_anchor(&mut self, span: Span) -> Result<(), YamlError> {
        let bytes = self.text.as_bytes();
        let mut pos = span.start;
        while pos < span.end && (bytes[pos] == b'!' || bytes[pos] == b'&') {
            let start = pos;
            while pos < bytes.len()
                && !bytes[pos].is_ascii_whitespace()
                && !(bytes[start] == b'&' && b",[]{}".contains(&bytes[pos]))
            {
                pos += 1;
            }
            if bytes[start] == b'&' {
                check_name(self.text, start + 1, pos)?;
                return self.check_unique_anchor(Span::new(start, pos));
            }
            while pos < span.end && bytes[pos].is_ascii_whitespace() {
                pos += 1;
            }
        }
        Ok(())
    }

    /// PyYAML's scanner skips only spaces between tokens (scanner.py,
    /// `scan_to_next_token` and `scan_plain_spaces`), so a tab anywhere but inside
    /// a quoted scalar, a block scalar's content or a comment stops the load:
    /// "found character '\t' that cannot start any token". YAML 1.2 reads most of
    /// those tabs as white space.
    fn check_tabs(&self) -> Result<(), YamlError> {
        let Some(regions) = &self.tabs else {
            return Ok(());
        };
        let in_quotes = |at: usize| regions.quoted.iter().any(|s| s.start <= at && at < s.end);
        for (at, _) in self.text.match_indices('\t') {
            if in_quotes(at) {
                continue;
            }
            let line = self.text[..at].rfind('\n').map_or(0, |i| i + 1);
            let in_block = regions
                .blocks
                .iter()
                .any(|(s, indent)| s.start <= at && at < s.end && at - line >= *indent);
            if in_block {
                continue;
            }
            // A comment starts at a `#` after white space (or at the line's start)
            // that no scalar holds.
            let bytes = self.text.as_bytes();
            let in_comment = (line..at).any(|p| {
                bytes[p] == b'#'
                    && (p == line || bytes[p - 1] == b' ' || bytes[p - 1] == b'\t')
                    && !in_quotes(p)
                    && !regions
                        .blocks
                        .iter()
                        .any(|(s, _)| s.start <= p && p < s.end)
            });
            if in_comment {
                continue;
            }
            return Err(YamlError {
                span: Span::new(at, at + 1),
                message: "a tab here: PyYAML, Authentik's YAML loader, accepts tabs only \
                          inside quoted strings, block scalars (`|`, `>`) and comments; \
                          use spaces"
                    .into(),
            });
        }
        Ok(())
    }

    fn push_frame(&self, span: Span) -> Result<(), YamlError> {
        if self.stack.len() >= MAX_DEPTH {
            return Err(YamlError {
                span: self.error_span(span.start),
                message: format!("nesting is deeper than {MAX_DEPTH} levels"),
            });
        }
        Ok(())
    }

    /// Whether the node being built is a mapping key: keys get the `value` and
    /// `merge` tags' special treatment (`flatten_mapping`).
    fn at_key(&self) -> bool {
        matches!(self.stack.last(), Some(Frame::Map { key: None, .. }))
    }

    fn finish(&mut self, node: Node, anchor: usize) -> Result<(), YamlError> {
        if let Some(tag) = &node.tag
            && let Some(core) = tag.core_name()
            && let Some(message) = super::construct::problem(core, &node.kind, self.at_key())
        {
            return Err(YamlError {
                span: tag.span,
                message: format!("{message}; the importer cannot load the file"),
            });
        }
        if anchor != 0 {
            self.anchors.insert(anchor, node.clone());
        }
        match self.stack.last_mut() {
            None => self
                .out
                .documents
                .push(super::parse::Document { root: node }),
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map { pairs, key, .. }) => match key.take() {
                None => {
                    if is_missing_key(self.text, &node) {
                        return Err(YamlError {
                            span: self.error_span(node.span.start),
                            message: "a value without a key: PyYAML refuses a `:` with nothing \
                                      before it (write the key, or `? ` for an empty one)"
                                .into(),
                        });
                    }
                    *key = Some(node);
                }
                Some(k) => pairs.push(Pair {
                    key: k,
                    value: node,
                }),
            },
        }
        Ok(())
    }

    /// Drop trailing whitespace (block scalars end after the next line's indent).
    fn trim_end(&self, span: Span) -> Span {
        let text = &self.text[span.start..span.end];
        Span::new(span.start, span.start + text.trim_end().len())
    }

    /// Read the tag and anchor written before a node's value; returns the tag with its
    /// span and where the value itself starts.
    fn properties(&self, span: Span, tag: Option<&saphyr_parser::Tag>) -> (Option<Tag>, usize) {
        let bytes = self.text.as_bytes();
        let mut pos = span.start;
        let mut tag_span = None;
        while pos < span.end && (bytes[pos] == b'!' || bytes[pos] == b'&') {
            let start = pos;
            while pos < span.end && !bytes[pos].is_ascii_whitespace() {
                pos += 1;
            }
            if bytes[start] == b'!' {
                tag_span = Some(Span::new(start, pos));
            }
            while pos < span.end && bytes[pos].is_ascii_whitespace() {
                pos += 1;
            }
        }
        let tag = tag.map(|t| Tag {
            name: format!("{}{}", t.handle, t.suffix),
            span: tag_span.unwrap_or(Span::empty(span.start)),
        });
        (tag, pos)
    }

    fn find_duplicates(&mut self, pairs: &[Pair]) {
        if pairs.len() < 2 {
            return;
        }
        // Keys seen so far with where the latest of each was written. Mappings
        // are small, so a list beats hashing until they are not.
        let mut seen: Vec<(CanonicalKey<'_>, Span)> = Vec::new();
        let mut hashed: HashMap<CanonicalKey<'_>, Span> = HashMap::new();
        for pair in pairs {
            if pair.key.is_merge_key() {
                continue;
            }
            let Some(key) = canonical_key(&pair.key) else {
                continue;
            };
            let span = pair.key.span;
            let first = if pairs.len() <= SMALL_MAPPING {
                match seen.iter_mut().find(|(k, _)| *k == key) {
                    Some((_, latest)) => Some(std::mem::replace(latest, span)),
                    None => {
                        seen.push((key, span));
                        None
                    }
                }
            } else {
                hashed.insert(key, span)
            };
            if let Some(first) = first {
                let shown = pair
                    .key
                    .scalar()
                    .map(|s| s.value.clone())
                    .unwrap_or_default();
                self.out.duplicates.push(super::parse::DuplicateKey {
                    key: shown,
                    first,
                    second: span,
                });
            }
        }
    }
}

/// The byte after the closing quote of the quoted scalar opening at `start`:
/// `''` is an escaped quote in single quotes, a backslash escapes in double
/// quotes. The end of the text when the quote never closes (the parser has
/// refused it by then).
fn quoted_end(text: &str, start: usize) -> usize {
    let bytes = text.as_bytes();
    let Some(&quote) = bytes.get(start) else {
        return text.len();
    };
    let mut i = start + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if quote == b'"' => i += 2,
            b'\'' if quote == b'\'' && bytes.get(i + 1) == Some(&b'\'') => i += 2,
            b if b == quote => return i + 1,
            _ => i += 1,
        }
    }
    text.len()
}

/// A key left out before `:` (`: b`), which YAML 1.2 reads as an empty key and
/// PyYAML's parser refuses ("expected <block end>, but found ':'", or "expected
/// the node content" in brackets); an explicit `?` before it is fine.
fn is_missing_key(text: &str, key: &Node) -> bool {
    let empty = key.tag.is_none()
        && key.span.is_empty()
        && key
            .scalar()
            .is_some_and(|s| s.style == Style::Plain && s.value.is_empty());
    empty
        && text[key.span.start..].starts_with(':')
        && !text[..key.span.start]
            .trim_end_matches([' ', '\t', '\r', '\n'])
            .ends_with('?')
}

/// An anchor's or alias's name between `start` and `end` as PyYAML scans it.
fn check_name(text: &str, start: usize, end: usize) -> Result<(), YamlError> {
    let name = &text[start..end.max(start)];
    let bad = name
        .char_indices()
        .find(|(_, c)| !(c.is_ascii_alphanumeric() || *c == '-' || *c == '_'));
    let next = text[end..].chars().next();
    let at = match bad {
        // PyYAML ends the name there and reads `:` or `?` as the next token,
        // which may still load; bplint cannot tell, so it does not refuse.
        Some((_, ':' | '?')) => return Ok(()),
        Some((i, _)) => start + i,
        None if name.is_empty() => start,
        None if matches!(next, Some('[' | '{')) => end,
        None => return Ok(()),
    };
    let len = text[at..].chars().next().map_or(0, char::len_utf8);
    Err(YamlError {
        span: Span::new(at, at + len),
        message: "anchor and alias names may hold only ASCII letters, digits, `-` and `_` \
                  for PyYAML, and end at a space"
            .into(),
    })
}

/// What SafeLoader's constructor refuses in a mapping (constructor.py,
/// `flatten_mapping` and `construct_mapping`): a merge key (`<<`) whose value is
/// not a mapping or a list of mappings, and a key that is a list or a dict, which
/// Python cannot hash. Tagged keys (`!Find [...]: x`) construct to objects and
/// are hashable.
fn check_constructible(pairs: &[Pair]) -> Result<(), YamlError> {
    for pair in pairs {
        if pair.key.is_merge_key() {
            let value = pair.value.resolved();
            let fine = match &value.kind {
                Kind::Map(_) => true,
                Kind::Seq(items) => items.iter().all(|i| i.map().is_some()),
                _ => false,
            };
            if !fine {
                return Err(YamlError {
                    span: pair.value.span,
                    message: "a merge key (`<<`) takes a mapping, an alias of one or a list \
                              of them; PyYAML refuses anything else"
                        .into(),
                });
            }
            continue;
        }
        let key = pair.key.resolved();
        let collection = matches!(key.kind, Kind::Seq(_) | Kind::Map(_));
        let builtin = key.tag.as_ref().is_none_or(|t| t.core_name().is_some());
        if collection && builtin {
            return Err(YamlError {
                span: pair.key.span,
                message: "a list or mapping as a key: PyYAML cannot use it in a dict \
                          (\"found unhashable key\"); use a string key"
                    .into(),
            });
        }
    }
    Ok(())
}

/// Mappings up to this many pairs look their keys up in a list.
const SMALL_MAPPING: usize = 16;

/// The constructed value of a scalar key, so `yes` and `true` collide but `1` and
/// `"1"` do not (as in the dict PyYAML builds). Ints that do not fit 64 bits,
/// floats and timestamps compare by their text.
#[derive(Debug, PartialEq, Eq, Hash)]
enum CanonicalKey<'a> {
    Null,
    Bool(bool),
    Int(i64),
    Text(&'a str),
    Str(&'a str),
}

fn canonical_key(key: &Node) -> Option<CanonicalKey<'_>> {
    use super::node::Typed;
    if key.tag().is_some_and(|t| t.core_name().is_none()) {
        return None;
    }
    Some(match key.typed()? {
        Typed::Null => CanonicalKey::Null,
        Typed::Bool(b) => CanonicalKey::Bool(b),
        Typed::Int(Some(i)) => CanonicalKey::Int(i),
        Typed::Int(None) | Typed::Float | Typed::Timestamp => {
            CanonicalKey::Text(&key.scalar()?.value)
        }
        Typed::Str(s) => CanonicalKey::Str(s),
    })
}

#[cfg(test)]
mod tests {
    use super::{CharToByte, parse};

    /// Verified with PyYAML 6.0.3: each `bad` fails to load (a parser error for
    /// the open bracket, a constructor error for the tag it cannot know), each
    /// `good` loads.
    #[test]
    fn a_tag_that_pyyaml_reads_over_a_bracket_or_comma_is_refused() {
        for bad in ["a: [AND, !Context]\n", "a: [!Context, x]\n"] {
            let error = parse(bad).err().unwrap_or_else(|| panic!("{bad:?} parsed"));
            assert!(
                error.message.contains("as one tag"),
                "{bad:?}: {}",
                error.message
            );
        }
        // Outside brackets the YAML 1.2 scanner refuses it already.
        assert!(parse("a: !Find[authentik_flows.flow, [slug, x]]\n").is_err());
        for good in [
            "a: [AND, !Context x]\n",
            "a: !Find [authentik_flows.flow, [slug, x]]\n",
            "a: {b: !Context x}\n",
            "a: !!str x\n",
        ] {
            assert!(parse(good).is_ok(), "{good:?}");
        }
    }

    #[test]
    fn char_offsets_become_byte_offsets_in_any_order() {
        let text = "ab ü ✓ cd\nmixed ÿ text with ASCII runs 🙂 end";
        let bytes: Vec<usize> = text
            .char_indices()
            .map(|(b, _)| b)
            .chain([text.len()])
            .collect();
        let mut cursor = CharToByte::new(text);
        let chars = bytes.len() - 1;
        // Forwards, backwards, jumps both ways, and past the end (clamped).
        let order =
            (0..=chars)
                .chain((0..=chars).rev())
                .chain([3, 30, 1, chars, 0, 17, 5, chars + 4]);
        for index in order {
            let want = bytes.get(index).copied().unwrap_or(text.len());
            assert_eq!(cursor.byte(index), want, "char {index}");
        }
    }

    fn duplicates(text: &str) -> Vec<(String, usize, usize)> {
        parse(text)
            .unwrap()
            .duplicates
            .into_iter()
            .map(|d| (d.key, d.first.start, d.second.start))
            .collect()
    }

    #[test]
    fn duplicate_keys_compare_constructed_values() {
        // `yes` and `true` are the same bool key; `1` and `"1"` differ.
        assert_eq!(
            duplicates("yes: a\n1: b\n\"1\": c\ntrue: d\n"),
            [("true".to_string(), 0, 19)]
        );
    }

    #[test]
    fn a_third_occurrence_points_at_the_second() {
        assert_eq!(
            duplicates("a: 1\na: 2\na: 3\n"),
            [("a".to_string(), 0, 5), ("a".to_string(), 5, 10)]
        );
    }

    #[test]
    fn large_mappings_find_the_same_duplicates() {
        let mut text: String = (0..40).map(|i| format!("k{i}: {i}\n")).collect();
        let second = text.len();
        text.push_str("k3: again\n");
        let third = text.len();
        text.push_str("0x10: a\n16: b\n");
        assert_eq!(
            duplicates(&text),
            [
                ("k3".to_string(), 18, second),
                ("16".to_string(), third, third + 8)
            ]
        );
    }
}
