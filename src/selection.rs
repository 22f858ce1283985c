//! Which rules run on which file: `select`, `extend-select`, `ignore` and
//! `per-file-ignores` (bplint.toml or the command line), ruff-style. A selector is
//! a code (`BP101`), a code prefix (`BP1` = every BP1xx rule), a rule name
//! (`missing-invalidation-flow`) or `ALL`.
//!
//! BP001 (yaml-syntax) is outside the selection: a file that does not parse was
//! not checked by any rule, so reporting it clean under `--select BP101` would be
//! a lie. Only `[rules] BP001 = "off"` in bplint.toml silences it.

use crate::diagnostic::RuleMeta;
use crate::rules;
use globset::{Glob, GlobSet, GlobSetBuilder};
use std::path::Path;

/// The rule no selector switches off (see the module doc).
const ALWAYS: &str = rules::yaml_syntax::META.code;

/// Rule codes a selector names; empty if it names none.
pub fn expand(selector: &str) -> Vec<&'static str> {
    let metas = rules::ALL.iter().map(|r| r.meta());
    if selector == "ALL" {
        return metas.map(|m| m.code).collect();
    }
    let upper = selector.to_ascii_uppercase();
    metas
        .filter(|m| {
            m.name == selector || (upper.starts_with("BP") && m.code.starts_with(upper.as_str()))
        })
        .map(|m| m.code)
        .collect()
}

/// Check that every selector names at least one rule.
pub fn validate<'a>(selectors: impl IntoIterator<Item = &'a str>) -> Result<(), String> {
    for selector in selectors {
        if expand(selector).is_empty() {
            let hint = rules::suggest(selector)
                .map(|s| format!(" (did you mean `{s}`?)"))
                .unwrap_or_default();
            return Err(format!("`{selector}` names no rule{hint}"));
        }
    }
    Ok(())
}

/// The rules enabled for a run, and the per-file exceptions.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    enabled: Vec<&'static str>,
    per_file: Vec<(GlobSet, Vec<&'static str>)>,
}

impl Selection {
    /// Every rule enabled, no exceptions.
    pub fn all() -> Self {
        Selection {
            enabled: rules::ALL.iter().map(|r| r.meta().code).collect(),
            per_file: Vec::new(),
        }
    }

    /// Apply one layer of settings (bplint.toml, then the command line, so the
    /// command line wins): `select` replaces what is enabled, `extend_select`
    /// adds, `ignore` removes.
    pub fn apply(
        &mut self,
        select: Option<&[String]>,
        extend_select: &[String],
        ignore: &[String],
    ) {
        if let Some(list) = select {
            self.enabled = list.iter().flat_map(|s| expand(s)).collect();
        }
        self.enabled
            .extend(extend_select.iter().flat_map(|s| expand(s)));
        let ignored: Vec<&str> = ignore.iter().flat_map(|s| expand(s)).collect();
        self.enabled.retain(|code| !ignored.contains(code));
        self.enabled.push(ALWAYS);
        self.enabled.sort_unstable();
        self.enabled.dedup();
    }

    /// Add a `per-file-ignores` pattern.
    pub fn ignore_in(&mut self, pattern: &str, selectors: &[String]) -> Result<(), String> {
        let glob = Glob::new(pattern).map_err(|e| format!("bad glob `{pattern}`: {e}"))?;
        let set = GlobSetBuilder::new()
            .add(glob)
            .build()
            .map_err(|e| format!("bad glob `{pattern}`: {e}"))?;
        let codes = selectors.iter().flat_map(|s| expand(s)).collect();
        self.per_file.push((set, codes));
        Ok(())
    }

    pub fn is_enabled(&self, meta: &RuleMeta) -> bool {
        self.enabled.contains(&meta.code)
    }

    /// Whether `code` is enabled for a file at `path` (relative to the project).
    pub fn is_enabled_for(&self, code: &str, path: &Path) -> bool {
        code == ALWAYS
            || self.enabled.contains(&code)
                && !self
                    .per_file
                    .iter()
                    .any(|(set, codes)| codes.contains(&code) && set.is_match(path))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selectors_take_codes_prefixes_and_names() {
        assert_eq!(expand("BP101"), vec!["BP101"]);
        assert!(expand("BP1").contains(&"BP103"));
        assert!(!expand("BP1").contains(&"BP201"));
        assert_eq!(expand("missing-invalidation-flow"), vec!["BP101"]);
        assert!(expand("nope").is_empty());
        assert_eq!(expand("ALL").len(), rules::ALL.len());
    }

    #[test]
    fn ignore_beats_select_and_per_file_ignores_apply_by_glob() {
        let mut sel = Selection::all();
        sel.apply(
            Some(&["BP1".to_string()]),
            &["BP201".to_string()],
            &["BP102".to_string()],
        );
        sel.ignore_in("legacy/**", &["BP103".to_string()]).unwrap();
        assert!(sel.is_enabled_for("BP101", Path::new("a.yaml")));
        assert!(!sel.is_enabled_for("BP102", Path::new("a.yaml")));
        assert!(sel.is_enabled_for("BP201", Path::new("a.yaml")));
        assert!(!sel.is_enabled_for("BP202", Path::new("a.yaml")));
        assert!(!sel.is_enabled_for("BP103", Path::new("legacy/x.yaml")));
        assert!(sel.is_enabled_for("BP103", Path::new("new/x.yaml")));
    }

    #[test]
    fn a_file_that_does_not_parse_is_reported_whatever_the_selection() {
        let mut sel = Selection::all();
        sel.apply(Some(&["BP101".to_string()]), &[], &["ALL".to_string()]);
        sel.ignore_in("**", &["BP0".to_string()]).unwrap();
        assert!(sel.is_enabled_for("BP001", Path::new("a.yaml")));
        assert!(!sel.is_enabled_for("BP002", Path::new("a.yaml")));
    }

    #[test]
    fn a_later_layer_wins() {
        let mut sel = Selection::all();
        sel.apply(None, &[], &["BP008".to_string()]);
        assert!(!sel.is_enabled_for("BP008", Path::new("a.yaml")));
        sel.apply(None, &["BP008".to_string()], &[]);
        assert!(sel.is_enabled_for("BP008", Path::new("a.yaml")));
    }
}
