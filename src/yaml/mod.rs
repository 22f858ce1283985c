//! Text -> spanned YAML tree, typed as PyYAML types it.

pub mod construct;
pub mod node;
pub mod parse;
pub mod typing;

pub use node::{Kind, Node, Pair, Pairs, Scalar, Style, Tag, Typed};
pub use parse::{Document, DuplicateKey, Stream, YamlError, parse};

/// Deepest nesting bplint accepts. Real blueprints stay under 20 levels; the cap
/// keeps recursion over the tree bounded on hostile input.
pub const MAX_DEPTH: usize = 256;

/// Most nodes aliases may copy into one file (a "billion laughs" guard). PyYAML
/// shares aliased objects; bplint copies them, so it needs a budget.
pub const MAX_ALIAS_NODES: usize = 100_000;
