//! Which blueprints Authentik's importer refuses, as the other rules' findings
//! tell (for BP119 and BP120). The importer applies a blueprint in one database
//! transaction: one refused entry, and nothing of the blueprint is kept.

use super::SetCx;
use crate::diagnostic::{Diagnostic, Severity};
use foldhash::{HashMap, HashMapExt};

/// The rules whose error-severity findings mean the importer refuses the whole
/// blueprint (or discovery never reads it): the file does not load, the loader
/// or the importer raises, a serializer refuses an entry, a required blueprint
/// is missing. Rules reporting an error that the importer accepts are not
/// listed: BP002 (PyYAML keeps the last key), BP007 (`!KeyOf` takes the first
/// entry), BP107 and BP108 (applied, then wrong at login), BP112 (only where
/// the object deleted further down exists), BP212 (discovery, not the
/// importer). BP003 counts except for its unknown keys, which are dropped.
pub const REFUSING: &[&str] = &[
    "BP001", "BP003", "BP004", "BP005", "BP006", "BP101", "BP121", "BP201", "BP202", "BP203",
    "BP204", "BP206", "BP210", "BP211", "BP217", "BP218", "BP219", "BP220", "BP221", "BP223",
    "BP225",
];

/// Whether a finding means the importer refuses its blueprint.
pub fn refuses(d: &Diagnostic) -> bool {
    d.severity == Severity::Error
        && REFUSING.contains(&d.code)
        && !(d.code == "BP003" && d.message.starts_with("unknown "))
}

/// The blueprints of the set the importer refuses, each with its first
/// refusing finding (by position in its file).
pub struct Refusals<'d> {
    first: HashMap<usize, &'d Diagnostic>,
}

impl<'d> Refusals<'d> {
    pub fn of(cx: &SetCx<'_>, found: &[&'d Diagnostic]) -> Self {
        // The set's blueprints by file, to attribute a finding to the one
        // whose document or embedded value holds it.
        let mut by_file: HashMap<usize, Vec<usize>> = HashMap::new();
        for (b, bp) in cx.blueprints.iter().enumerate() {
            by_file.entry(bp.file).or_default().push(b);
        }
        let mut first: HashMap<usize, &'d Diagnostic> = HashMap::new();
        for &d in found.iter().filter(|d| refuses(d)) {
            let Some(candidates) = by_file.get(&d.file) else {
                continue;
            };
            let owner = match candidates.as_slice() {
                [only] => Some(*only),
                several => several
                    .iter()
                    .copied()
                    .find(|&b| cx.blueprints[b].span.contains(d.span)),
            };
            let Some(owner) = owner else { continue };
            first
                .entry(owner)
                .and_modify(|have| {
                    if d.span.start < have.span.start {
                        *have = d;
                    }
                })
                .or_insert(d);
        }
        Refusals { first }
    }

    /// The first refusing finding of blueprint `bp`, if the importer refuses it.
    pub fn of_blueprint(&self, bp: usize) -> Option<&'d Diagnostic> {
        self.first.get(&bp).copied()
    }

    pub fn is_refused(&self, bp: usize) -> bool {
        self.first.contains_key(&bp)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_listed_rule_exists_in_code_order() {
        for code in REFUSING {
            assert!(crate::rules::find(code).is_some(), "{code} is no rule");
        }
        assert!(REFUSING.windows(2).all(|w| w[0] < w[1]));
    }
}
