//! The order blueprints apply in. Discovery creates one blueprint instance per
//! file and queues an apply task for each: the worker runs those in any order,
//! side by side, whatever the files are called. The only order there is comes
//! from `metaapplyblueprint` entries: when the importer reaches one, it looks the
//! named blueprint's instance up (by any of its fields, in practice `name` or
//! `path`) and applies that blueprint completely, there and then, before the
//! entries after it.

use super::facts::{BlueprintFacts, MetaApply};
use crate::model::Origin;
use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};
use std::ffi::OsStr;
use std::path::Path;

/// The `metaapplyblueprint` entries of a set, resolved to the blueprints they
/// apply.
pub struct ApplyOrder {
    /// Per blueprint: each `metaapplyblueprint` entry's position and the
    /// blueprints of the set it may apply.
    applies: Vec<Vec<(usize, Vec<usize>)>>,
}

impl ApplyOrder {
    pub fn new(blueprints: &[std::sync::Arc<BlueprintFacts>]) -> Self {
        let mut by_name: HashMap<&str, Vec<usize>> = HashMap::new();
        // A `path` names a file by its last part first: looking only at the
        // blueprints of that file name keeps a set of thousands of files, each
        // naming others, from comparing every path with every `path`.
        let mut by_file_name: HashMap<&OsStr, Vec<usize>> = HashMap::new();
        for (i, bp) in blueprints.iter().enumerate() {
            if let Some((name, _)) = &bp.name {
                by_name.entry(name.as_str()).or_default().push(i);
            }
            let file_name = match &bp.origin {
                Origin::Embedded { key, .. } => Some(OsStr::new(key.as_str())),
                _ => bp.path.file_name(),
            };
            if let Some(file_name) = file_name {
                by_file_name.entry(file_name).or_default().push(i);
            }
        }
        let names = Names {
            by_name,
            by_file_name,
        };
        let applies = blueprints
            .iter()
            .map(|bp| {
                bp.meta_applies
                    .iter()
                    .map(|apply| (apply.entry, targets(blueprints, &names, apply)))
                    .collect()
            })
            .collect();
        ApplyOrder { applies }
    }

    /// The blueprints of the set that the `metaapplyblueprint` entries of
    /// blueprint `bp` above entry `entry` apply completely before that entry
    /// runs: their targets, and what those apply in turn.
    pub fn applied_before(&self, bp: usize, entry: usize) -> HashSet<usize> {
        let mut done = HashSet::new();
        let mut todo: Vec<usize> = self
            .applies
            .get(bp)
            .into_iter()
            .flatten()
            .filter(|(at, _)| *at < entry)
            .flat_map(|(_, targets)| targets.iter().copied())
            .collect();
        while let Some(next) = todo.pop() {
            if done.insert(next) {
                todo.extend(
                    self.applies
                        .get(next)
                        .into_iter()
                        .flatten()
                        .flat_map(|(_, targets)| targets.iter().copied()),
                );
            }
        }
        done
    }
}

/// The set's blueprints by `metadata.name`, and by the last part of their
/// file's path (an embedded blueprint's key), each in set order.
struct Names<'a> {
    by_name: HashMap<&'a str, Vec<usize>>,
    by_file_name: HashMap<&'a OsStr, Vec<usize>>,
}

/// The blueprints of the set a `metaapplyblueprint` names. Its `identifiers`
/// filter the blueprint instances, so every one of them must match: `name` is
/// the instance's name (the blueprint's `metadata.name`), `path` its file below
/// the blueprints folder (a linted file whose path ends with it; for a
/// blueprint embedded in a ConfigMap, mounted as a file named after its key,
/// the key). Only a blueprint discovery instantiates has an instance; any other
/// identifier is a field bplint does not know the value of, and matches none.
fn targets(
    blueprints: &[std::sync::Arc<BlueprintFacts>],
    names: &Names<'_>,
    apply: &MetaApply,
) -> Vec<usize> {
    let mut found: Option<Vec<usize>> = None;
    for (field, value) in &apply.identifiers {
        let matching: Vec<usize> = match field.as_str() {
            "name" => names
                .by_name
                .get(value.as_str())
                .cloned()
                .unwrap_or_default(),
            // A path without a last part (`..`, empty) is compared with all.
            "path" => match Path::new(value).file_name() {
                Some(file_name) => names
                    .by_file_name
                    .get(file_name)
                    .into_iter()
                    .flatten()
                    .copied()
                    .filter(|&i| has_path(&blueprints[i], value))
                    .collect(),
                None => (0..blueprints.len())
                    .filter(|&i| has_path(&blueprints[i], value))
                    .collect(),
            },
            _ => return Vec::new(),
        };
        found = Some(match found {
            None => matching,
            Some(before) => before
                .into_iter()
                .filter(|i| matching.contains(i))
                .collect(),
        });
    }
    found
        .unwrap_or_default()
        .into_iter()
        .filter(|&i| has_instance(&blueprints[i]))
        .collect()
}

/// Whether discovery gives the blueprint an instance, so that it applies on its
/// own and a `metaapplyblueprint` can name it: it is not labelled
/// `instantiate: "false"`, and discovery reads its file at all (a `*.yaml`
/// name, one document; BP008 reports the others).
pub fn has_instance(bp: &BlueprintFacts) -> bool {
    let yaml = |name: &str| !name.ends_with(".yml");
    bp.instantiates
        && match &bp.origin {
            Origin::Document(_) => false,
            Origin::File => bp
                .path
                .file_name()
                .is_some_and(|n| yaml(&n.to_string_lossy())),
            Origin::Embedded { key, .. } => yaml(key),
        }
}

fn has_path(bp: &BlueprintFacts, value: &str) -> bool {
    let wanted = Path::new(value);
    match &bp.origin {
        Origin::Embedded { key, .. } => wanted.file_name().is_some_and(|name| name == key.as_str()),
        _ => bp.path.ends_with(wanted),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::locate::Located;

    fn facts(files: &[(&str, &str)]) -> Vec<std::sync::Arc<BlueprintFacts>> {
        files
            .iter()
            .enumerate()
            .map(|(i, (path, text))| {
                let located = Located::new(text, crate::yaml::parse(text).unwrap());
                std::sync::Arc::new(BlueprintFacts::extract(
                    i,
                    (*path).into(),
                    0,
                    &located.blueprints()[0],
                    text,
                ))
            })
            .collect()
    }

    fn apply(target: &str) -> String {
        format!(
            "  - model: authentik_blueprints.metaapplyblueprint\n    attrs:\n      \
             identifiers: {{{target}}}\n      required: false\n"
        )
    }

    #[test]
    fn metaapplyblueprint_orders_what_it_names_transitively() {
        let a = format!(
            "metadata: {{name: a}}\nentries:\n  - model: authentik_core.group\n    \
             identifiers: {{name: g}}\n{}",
            apply("name: b")
        );
        let b = format!(
            "metadata: {{name: b}}\nentries:\n{}",
            apply("path: apps/c.yaml")
        );
        let c = "metadata: {name: c}\nentries: []\n";
        let hidden = "metadata: {name: d, labels: {blueprints.goauthentik.io/instantiate: \"false\"}}\nentries: []\n";
        let set = facts(&[
            ("bp/a.yaml", &a),
            ("bp/b.yaml", &b),
            ("bp/apps/c.yaml", c),
            ("bp/d.yaml", hidden),
        ]);
        let order = ApplyOrder::new(&set);
        // Entry 0 of `a` runs before its metaapplyblueprint; entry 2 after it.
        assert!(order.applied_before(0, 1).is_empty());
        let mut after: Vec<usize> = order.applied_before(0, 2).into_iter().collect();
        after.sort_unstable();
        assert_eq!(after, vec![1, 2]);
        assert!(order.applied_before(2, 5).is_empty());
        // A blueprint discovery does not instantiate, or does not read, has no
        // instance to apply.
        let e = format!("metadata: {{name: e}}\nentries:\n{}", apply("name: d"));
        let set = facts(&[("bp/d.yaml", hidden), ("bp/e.yaml", &e)]);
        assert!(ApplyOrder::new(&set).applied_before(1, 9).is_empty());
        let shown = hidden.replace("{blueprints.goauthentik.io/instantiate: \"false\"}", "{}");
        let set = facts(&[("bp/d.yml", &shown), ("bp/e.yaml", &e)]);
        assert!(ApplyOrder::new(&set).applied_before(1, 9).is_empty());
        let set = facts(&[("bp/d.yaml", &shown), ("bp/e.yaml", &e)]);
        assert!(!ApplyOrder::new(&set).applied_before(1, 9).is_empty());
    }

    #[test]
    fn every_identifier_must_match_and_unknown_fields_match_none() {
        let a = format!(
            "metadata: {{name: a}}\nentries:\n{}",
            apply("name: b, path: x.yaml")
        );
        let z = format!(
            "metadata: {{name: z}}\nentries:\n{}",
            apply("enabled: true")
        );
        let b = "metadata: {name: b}\nentries: []\n";
        let set = facts(&[("a.yaml", &a), ("b.yaml", b), ("z.yaml", &z)]);
        let order = ApplyOrder::new(&set);
        assert!(order.applied_before(0, 9).is_empty());
        assert!(order.applied_before(2, 9).is_empty());
        let a = format!(
            "metadata: {{name: a}}\nentries:\n{}",
            apply("name: b, path: b.yaml")
        );
        let set = facts(&[("a.yaml", &a), ("b.yaml", b)]);
        assert_eq!(
            ApplyOrder::new(&set)
                .applied_before(0, 9)
                .into_iter()
                .collect::<Vec<_>>(),
            vec![1]
        );
    }
}
