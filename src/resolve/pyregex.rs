//! Python `re` patterns, run with `fancy-regex`.
//!
//! The validators Authentik's serializers run are Python regular expressions
//! recorded as text (Django's URL pattern has look-arounds, which the `regex`
//! crate leaves out by design), so they are compiled with `fancy-regex`, which
//! has them. The two dialects differ in a few spellings; [`translate`] maps the
//! ones the recorded patterns use. A pattern that still does not compile is
//! treated as unknown: the value is not judged.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock, RwLock};

type Cache = RwLock<HashMap<(&'static str, &'static str, bool), Option<Arc<fancy_regex::Regex>>>>;

/// The compiled pattern, made once per run. `flags` holds Python's flag letters
/// (`i`, `m`, `s`, `x`); `anchored` gives `re.match` semantics (the match must
/// start at the beginning) instead of `re.search`.
pub fn compiled(
    pattern: &'static str,
    flags: &'static str,
    anchored: bool,
) -> Option<Arc<fancy_regex::Regex>> {
    static CACHE: OnceLock<Cache> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    let key = (pattern, flags, anchored);
    if let Some(found) = cache.read().ok().and_then(|c| c.get(&key).cloned()) {
        return found;
    }
    let mut text = String::new();
    if !flags.is_empty() {
        text.push_str("(?");
        text.push_str(flags);
        text.push(')');
    }
    if anchored {
        text.push_str("\\A(?:");
    }
    text.push_str(&translate(pattern));
    if anchored {
        text.push(')');
    }
    let made = fancy_regex::Regex::new(&text).ok().map(Arc::new);
    if let Ok(mut c) = cache.write() {
        c.insert(key, made.clone());
    }
    made
}

/// Whether `pattern` finds a match in `value` (`None`: the pattern is not
/// usable here, or matching gave up).
pub fn finds(
    pattern: &'static str,
    flags: &'static str,
    anchored: bool,
    value: &str,
) -> Option<bool> {
    compiled(pattern, flags, anchored)?.is_match(value).ok()
}

/// Python spellings to `fancy-regex` ones: `\Z` (end of text) is `\z`.
fn translate(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len());
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('Z') => out.push_str("\\z"),
            Some(next) => {
                out.push('\\');
                out.push(next);
            }
            None => out.push('\\'),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_end_of_text_and_flags() {
        assert_eq!(translate(r"^[-a-zA-Z0-9_]+\Z"), r"^[-a-zA-Z0-9_]+\z");
        assert_eq!(translate(r"a\\Z"), r"a\\Z");
        assert_eq!(
            finds(r"^[-a-zA-Z0-9_]+\Z", "", false, "My-Slug_1"),
            Some(true)
        );
        assert_eq!(
            finds(r"^[-a-zA-Z0-9_]+\Z", "", false, "my slug"),
            Some(false)
        );
        assert_eq!(finds(r"^[a-z]+\Z", "i", false, "ABC"), Some(true));
        assert_eq!(finds(r"b", "", true, "ab"), Some(false));
        assert_eq!(finds(r"b", "", false, "ab"), Some(true));
        // Look-arounds, as Django's host pattern has them.
        assert_eq!(
            finds(r"^(?!-)[a-z-]+(?<!-)\Z", "", false, "a-b"),
            Some(true)
        );
        assert_eq!(
            finds(r"^(?!-)[a-z-]+(?<!-)\Z", "", false, "a-"),
            Some(false)
        );
        assert_eq!(finds(r"(unclosed", "", false, "x"), None);
    }
}
