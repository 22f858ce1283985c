//! The spanned YAML tree bplint works on.
//!
//! Built from parser events (see `parse.rs`); every node knows the byte span it came
//! from, its tag, and for scalars the YAML 1.1 type PyYAML would give it.

use super::typing::{ScalarType, int_value};
use crate::source::Span;

/// A node tag as written: `!Find`, `!!str`, ...
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tag {
    pub name: String,
    pub span: Span,
}

impl Tag {
    /// Standard YAML tags (`!!str`, `!!int`, ...): the suffix after `!!`.
    pub fn core_name(&self) -> Option<&str> {
        self.name
            .strip_prefix("!!")
            .or_else(|| self.name.strip_prefix("tag:yaml.org,2002:"))
    }
}

/// How a scalar was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    Plain,
    SingleQuoted,
    DoubleQuoted,
    Literal,
    Folded,
}

#[derive(Debug, Clone)]
pub struct Scalar {
    /// The scalar's value after unescaping and folding.
    pub value: String,
    pub style: Style,
    /// The text of the value itself, without tag or anchor (quotes included).
    pub value_span: Span,
}

#[derive(Debug, Clone)]
pub struct Pair {
    pub key: Node,
    pub value: Node,
}

#[derive(Debug, Clone)]
pub enum Kind {
    Scalar(Scalar),
    Seq(Vec<Node>),
    Map(Vec<Pair>),
    /// `*name`: a copy of the anchored node (made under the alias budget).
    Alias(Box<Node>),
}

#[derive(Debug, Clone)]
pub struct Node {
    /// The whole node: tag, anchor and value.
    pub span: Span,
    pub tag: Option<Tag>,
    pub kind: Kind,
}

/// The value a scalar has for PyYAML, in the forms rules compare on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Typed<'a> {
    Null,
    Bool(bool),
    Int(Option<i64>),
    Float,
    Timestamp,
    Str(&'a str),
}

impl Node {
    /// The node an alias stands for (or the node itself).
    pub fn resolved(&self) -> &Node {
        let mut node = self;
        while let Kind::Alias(target) = &node.kind {
            node = target;
        }
        node
    }

    pub fn tag(&self) -> Option<&Tag> {
        self.resolved().tag.as_ref()
    }

    /// The Authentik tag name (`Find` for `!Find`), if the node has a local tag.
    pub fn local_tag(&self) -> Option<&str> {
        let name = &self.tag()?.name;
        if name.starts_with("!!") {
            return None;
        }
        name.strip_prefix('!')
    }

    pub fn scalar(&self) -> Option<&Scalar> {
        match &self.resolved().kind {
            Kind::Scalar(s) => Some(s),
            _ => None,
        }
    }

    pub fn seq(&self) -> Option<&[Node]> {
        match &self.resolved().kind {
            Kind::Seq(items) => Some(items),
            _ => None,
        }
    }

    pub fn map(&self) -> Option<&[Pair]> {
        match &self.resolved().kind {
            Kind::Map(pairs) => Some(pairs),
            _ => None,
        }
    }

    pub fn is_alias(&self) -> bool {
        matches!(self.kind, Kind::Alias(_))
    }

    /// The span of the value text (for scalars: without tag and anchor).
    pub fn value_span(&self) -> Span {
        match &self.kind {
            Kind::Scalar(s) => s.value_span,
            _ => self.span,
        }
    }

    /// How PyYAML types this node if it is an untagged or core-tagged scalar.
    pub fn typed(&self) -> Option<Typed<'_>> {
        let node = self.resolved();
        let scalar = node.scalar()?;
        let core = match &node.tag {
            None => None,
            Some(tag) => Some(tag.core_name()?),
        };
        let ty = match core {
            Some("str") => return Some(Typed::Str(&scalar.value)),
            Some("int") => ScalarType::Int,
            Some("bool") => match super::typing::resolve_plain(&scalar.value) {
                b @ ScalarType::Bool(_) => b,
                _ => return None,
            },
            Some("float") => ScalarType::Float,
            Some("null") => ScalarType::Null,
            Some(_) => return None,
            None if scalar.style != Style::Plain => return Some(Typed::Str(&scalar.value)),
            None => super::typing::resolve_plain(&scalar.value),
        };
        Some(match ty {
            ScalarType::Null => Typed::Null,
            ScalarType::Bool(b) => Typed::Bool(b),
            ScalarType::Int => Typed::Int(int_value(&scalar.value)),
            ScalarType::Float => Typed::Float,
            ScalarType::Timestamp => Typed::Timestamp,
            ScalarType::Str | ScalarType::Merge | ScalarType::Value => Typed::Str(&scalar.value),
        })
    }

    /// The string PyYAML would construct, if this is a string scalar.
    pub fn as_str(&self) -> Option<&str> {
        match self.typed()? {
            Typed::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The raw scalar text whatever its type (`1` for an int, `yes` for a bool).
    pub fn scalar_text(&self) -> Option<&str> {
        if self.tag().is_some_and(|t| t.core_name().is_none()) {
            return None;
        }
        self.scalar().map(|s| s.value.as_str())
    }

    pub fn is_null(&self) -> bool {
        self.tag().is_none() && matches!(self.typed(), Some(Typed::Null))
    }

    /// Key/value pairs as PyYAML builds the dict: merged (`<<`) mappings first, in
    /// PyYAML's precedence, then the explicit keys; later pairs win on lookup.
    pub fn pairs(&self) -> Pairs<'_> {
        let Some(pairs) = self.map() else {
            return Pairs::default();
        };
        // Without merge keys the dict is the pairs themselves: nothing to collect
        // (rules and fact extraction ask for every mapping's pairs).
        if !pairs.iter().any(|p| p.key.is_merge_key()) {
            return Pairs::Direct(pairs.iter());
        }
        let mut out = Vec::new();
        self.collect_pairs(&mut out, 0);
        Pairs::Merged(out.into_iter())
    }

    fn collect_pairs<'a>(&'a self, out: &mut Vec<&'a Pair>, depth: usize) {
        let Some(pairs) = self.map() else { return };
        if depth > super::MAX_DEPTH {
            return;
        }
        for pair in pairs.iter().filter(|p| p.key.is_merge_key()) {
            let value = pair.value.resolved();
            if value.map().is_some() {
                value.collect_pairs(out, depth + 1);
            } else if let Some(items) = value.seq() {
                // PyYAML reverses the list so that earlier mappings win.
                for item in items.iter().rev() {
                    item.collect_pairs(out, depth + 1);
                }
            }
        }
        out.extend(pairs.iter().filter(|p| !p.key.is_merge_key()));
    }

    pub fn is_merge_key(&self) -> bool {
        self.tag().is_none()
            && self
                .scalar()
                .is_some_and(|s| s.style == Style::Plain && s.value == "<<")
    }

    /// The value under a string key (the last one, as PyYAML keeps it).
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.get_pair(key).map(|p| &p.value)
    }

    pub fn get_pair(&self, key: &str) -> Option<&Pair> {
        // A string key's value is its scalar text, so comparing the text first
        // skips typing every other key.
        self.pairs()
            .rev()
            .find(|p| p.key.scalar().is_some_and(|s| s.value == key) && p.key.as_str() == Some(key))
    }

    /// Number of nodes in this subtree (aliases count their target's nodes).
    pub fn node_count(&self) -> usize {
        match &self.kind {
            Kind::Scalar(_) => 1,
            Kind::Seq(items) => 1 + items.iter().map(Node::node_count).sum::<usize>(),
            Kind::Map(pairs) => {
                1 + pairs
                    .iter()
                    .map(|p| p.key.node_count() + p.value.node_count())
                    .sum::<usize>()
            }
            Kind::Alias(target) => target.node_count(),
        }
    }

    /// A short human name of the node kind, for messages.
    pub fn kind_name(&self) -> &'static str {
        match &self.resolved().kind {
            Kind::Scalar(_) => "scalar",
            Kind::Seq(_) => "sequence",
            Kind::Map(_) => "mapping",
            Kind::Alias(_) => "alias",
        }
    }
}

/// The pairs of a mapping in dict order (see [`Node::pairs`]): borrowed in place
/// when the mapping has no merge key, collected when it has.
#[derive(Debug, Clone)]
pub enum Pairs<'a> {
    Direct(std::slice::Iter<'a, Pair>),
    Merged(std::vec::IntoIter<&'a Pair>),
}

impl Default for Pairs<'_> {
    fn default() -> Self {
        Pairs::Direct([].iter())
    }
}

impl<'a> Iterator for Pairs<'a> {
    type Item = &'a Pair;

    fn next(&mut self) -> Option<&'a Pair> {
        match self {
            Pairs::Direct(iter) => iter.next(),
            Pairs::Merged(iter) => iter.next(),
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        match self {
            Pairs::Direct(iter) => iter.size_hint(),
            Pairs::Merged(iter) => iter.size_hint(),
        }
    }
}

impl DoubleEndedIterator for Pairs<'_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        match self {
            Pairs::Direct(iter) => iter.next_back(),
            Pairs::Merged(iter) => iter.next_back(),
        }
    }
}

impl ExactSizeIterator for Pairs<'_> {}

#[cfg(test)]
mod tests {
    use crate::yaml::parse;

    fn keys(text: &str) -> Vec<String> {
        let stream = parse(text).unwrap();
        let root = &stream.documents[0].root;
        root.pairs()
            .map(|p| p.key.scalar().unwrap().value.clone())
            .collect()
    }

    #[test]
    fn pairs_without_merge_keys_are_the_mapping_in_order() {
        assert_eq!(keys("b: 1\na: 2\nb: 3\n"), ["b", "a", "b"]);
        assert!(keys("[1, 2]").is_empty());
    }

    #[test]
    fn merged_pairs_come_first_in_pyyaml_precedence() {
        let text = "x: &x {a: 1, b: 1}\ny: &y {b: 2, c: 2}\nz:\n  <<: [*x, *y]\n  d: 3\n";
        let stream = parse(text).unwrap();
        let z = stream.documents[0].root.get("z").unwrap();
        let keys: Vec<&str> = z
            .pairs()
            .map(|p| p.key.scalar().unwrap().value.as_str())
            .collect();
        // PyYAML reverses the merged list, so the first mapping wins on lookup.
        assert_eq!(keys, ["b", "c", "a", "b", "d"]);
        assert_eq!(z.pairs().len(), 5);
        assert_eq!(z.get("b").and_then(|n| n.scalar_text()), Some("1"));
        assert_eq!(z.get("c").and_then(|n| n.scalar_text()), Some("2"));
    }

    #[test]
    fn get_takes_the_last_key_and_compares_typed_keys() {
        let stream = parse("a: 1\n'a': 2\nyes: 3\n").unwrap();
        let root = &stream.documents[0].root;
        assert_eq!(root.get("a").and_then(|n| n.scalar_text()), Some("2"));
        // `yes` is a bool key for PyYAML, not the string "yes".
        assert!(root.get("yes").is_none());
        assert_eq!(root.pairs().next_back().map(|p| p.key.span.start), Some(12));
    }
}
