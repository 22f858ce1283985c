//! What an Authentik expression may import and name, per release line: the
//! `authentik` package's modules and their top-level names, the names the
//! evaluators provide, Python's builtins, and the modules installed with the
//! releases the oracle set up. Recorded from Authentik's code at each release
//! tag by scripts/extract-expression-facts.py into knowledge/expressions.tsv
//! (its header says which files each fact comes from), and read here once, on
//! first use, so a run that judges no expression never pays for it.

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

const TABLE: &str = include_str!("../../knowledge/expressions.tsv");

/// A set of release lines, by their index in the table's `L` rows.
type Lines = u32;

struct Module {
    /// Lines that have the module.
    present: Lines,
    /// Lines where its names are unknown (unparsable, or `import *`).
    unjudged: Lines,
    /// Its top-level names, each with the lines that bind it.
    names: HashMap<&'static str, Lines>,
}

#[derive(Default)]
struct Table {
    /// Line name -> index, for lines whose release tag was read.
    lines: HashMap<&'static str, usize>,
    line_names: Vec<&'static str>,
    builtins: HashSet<&'static str>,
    globals: Vec<(Lines, Vec<&'static str>)>,
    policy: Vec<(Lines, Vec<&'static str>)>,
    mapping: Vec<(Lines, Vec<&'static str>)>,
    /// Every name any release's code could hand a property mapping.
    passable: HashSet<&'static str>,
    environment: HashMap<&'static str, HashSet<&'static str>>,
    modules: HashMap<&'static str, Module>,
}

/// `0-2,5` -> the lines 0, 1, 2 and 5.
fn parse_lines(text: &str) -> Lines {
    let mut set = 0;
    for part in text.split(',').filter(|p| !p.is_empty() && *p != "-") {
        let (a, b) = part.split_once('-').unwrap_or((part, part));
        let (Ok(a), Ok(b)) = (a.parse::<u32>(), b.parse::<u32>()) else {
            continue;
        };
        for i in a..=b.min(31) {
            set |= 1 << i;
        }
    }
    set
}

fn parse(text: &'static str) -> Table {
    let mut table = Table::default();
    for row in text.lines().filter(|r| !r.starts_with('#')) {
        let cols: Vec<&str> = row.split('\t').collect();
        match cols.as_slice() {
            ["L", line, tag] => {
                if *tag != "-" {
                    table.lines.insert(line, table.line_names.len());
                }
                table.line_names.push(line);
            }
            ["B", names] => table.builtins = names.split(' ').collect(),
            ["G", lines, names] => table
                .globals
                .push((parse_lines(lines), names.split(' ').collect())),
            ["P", lines, names] => table
                .policy
                .push((parse_lines(lines), names.split(' ').collect())),
            ["M", lines, names] => table
                .mapping
                .push((parse_lines(lines), names.split(' ').collect())),
            ["K", names] => table.passable = names.split(' ').collect(),
            ["E", line, names] => {
                table.environment.insert(line, names.split(' ').collect());
            }
            ["m", module, present, unjudged, names] => {
                let present = parse_lines(present);
                let unjudged = parse_lines(unjudged);
                let judged = present & !unjudged;
                let names = names
                    .split(' ')
                    .filter(|n| !n.is_empty())
                    .map(|n| match n.split_once(':') {
                        Some((name, lines)) => (name, parse_lines(lines)),
                        None => (n, judged),
                    })
                    .collect();
                table.modules.insert(
                    module,
                    Module {
                        present,
                        unjudged,
                        names,
                    },
                );
            }
            _ => {}
        }
    }
    table
}

static FACTS: LazyLock<Table> = LazyLock::new(|| parse(TABLE));

/// What a release line has of a module an expression imports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ModuleVerdict {
    /// Not recorded for this line (no release tag, no installed environment,
    /// or a module kept out of the table): not judged.
    Unknown,
    /// The module exists; whether its names are known.
    Present { names_known: bool },
    /// No such module at this line; the lines that have it, if any.
    Missing { elsewhere: Vec<&'static str> },
}

/// The expression facts of one release line.
#[derive(Clone, Copy)]
pub struct LineFacts {
    line: usize,
    environment: Option<&'static HashSet<&'static str>>,
    stand_in: Option<&'static str>,
}

/// The facts for release line `name` (`"2025.10"`). A line newer than every
/// release whose code was read borrows the newest one's facts, and says so
/// ([`LineFacts::stand_in`]), as the serializer tables do; a line the table
/// does not list has none.
pub fn for_line(name: &str) -> Option<LineFacts> {
    let table = &*FACTS;
    let (line, stand_in) = match table.lines.get(name) {
        Some(line) => (*line, None),
        None => {
            let position = table.line_names.iter().position(|n| *n == name)?;
            let (newest, read) = table
                .line_names
                .iter()
                .enumerate()
                .rfind(|(_, n)| table.lines.contains_key(*n))?;
            if position < newest {
                return None;
            }
            (newest, Some(*read))
        }
    };
    let read = table.line_names.get(line)?;
    Some(LineFacts {
        line,
        environment: table.environment.get(read),
        stand_in,
    })
}

fn lines_of(set: Lines) -> Vec<&'static str> {
    FACTS
        .line_names
        .iter()
        .enumerate()
        .filter(|(i, _)| set & (1 << i) != 0)
        .map(|(_, n)| *n)
        .collect()
}

/// Modules of the `authentik` package the table leaves out on purpose.
fn kept_out(module: &str) -> bool {
    module.split('.').any(|part| {
        part == "tests" || part == "test" || part == "migrations" || part.starts_with("test_")
    })
}

impl LineFacts {
    /// The release line whose code stands in for a newer one bplint has not
    /// read (`Some("2026.2")` for 2026.8), or `None` when the line was read.
    pub fn stand_in(&self) -> Option<&'static str> {
        self.stand_in
    }

    fn bit(&self) -> Lines {
        1 << self.line
    }

    /// Whether `module` (dotted, absolute) can be imported at this line.
    pub fn module(&self, module: &str) -> ModuleVerdict {
        let top = module.split('.').next().unwrap_or(module);
        if top == "authentik" {
            // The package changes with every release: a newer one's modules
            // cannot be told from an older one's (Authentik's own newest
            // blueprints import modules 2026.2 lacks).
            if kept_out(module) || self.stand_in.is_some() {
                return ModuleVerdict::Unknown;
            }
            return match FACTS.modules.get(module) {
                Some(m) if m.present & self.bit() != 0 => ModuleVerdict::Present {
                    names_known: m.unjudged & self.bit() == 0,
                },
                Some(m) => ModuleVerdict::Missing {
                    elsewhere: lines_of(m.present),
                },
                None => ModuleVerdict::Missing {
                    elsewhere: Vec::new(),
                },
            };
        }
        // Other packages: only their top-level module, and only where the
        // release's environment was recorded.
        match self.environment {
            Some(env) if env.contains(top) => ModuleVerdict::Present { names_known: false },
            Some(_) => ModuleVerdict::Missing {
                elsewhere: Vec::new(),
            },
            None => ModuleVerdict::Unknown,
        }
    }

    /// Whether `module` binds `name` at this line: `None` when not known (the
    /// module is missing or its names are not recorded), else the lines that do
    /// when this one does not.
    pub fn module_name(&self, module: &str, name: &str) -> Option<Result<(), Vec<&'static str>>> {
        let m = FACTS.modules.get(module)?;
        if self.stand_in.is_some() || m.present & self.bit() == 0 || m.unjudged & self.bit() != 0 {
            return None;
        }
        match m.names.get(name) {
            Some(lines) if lines & self.bit() != 0 => Some(Ok(())),
            Some(lines) => Some(Err(lines_of(*lines))),
            None => Some(Err(Vec::new())),
        }
    }

    /// Whether an expression policy can use `name` without binding it: one of
    /// Python's builtins, the evaluator's globals or the policy context.
    pub fn is_policy_name(&self, name: &str) -> bool {
        let table = &*FACTS;
        table.builtins.contains(name)
            || self.of_line(&table.globals).contains(&name)
            || self.of_line(&table.policy).contains(&name)
    }

    /// Whether a property mapping (or a prompt's expression, which runs the
    /// same evaluator) of some kind could be given `name`: a builtin, a global,
    /// what `PropertyMappingEvaluator` sets, or a name the code of any release
    /// read could pass it. A name outside them is undefined whatever the kind.
    pub fn is_mapping_name(&self, name: &str) -> bool {
        let table = &*FACTS;
        table.builtins.contains(name)
            || table.passable.contains(name)
            || self.of_line(&table.globals).contains(&name)
            || self.of_line(&table.mapping).contains(&name)
    }

    /// This line's names of a `G`, `P` or `M` table: the generator groups the
    /// lines by identical names, so exactly one row holds each line.
    fn of_line(&self, rows: &'static [(Lines, Vec<&'static str>)]) -> &'static [&'static str] {
        let bit = self.bit();
        rows.iter()
            .find(|(lines, _)| lines & bit != 0)
            .map_or(&[], |(_, names)| names.as_slice())
    }

    /// The names a policy has, for "did you mean": globals, the policy
    /// context and Python's builtins (sorted, private ones left out).
    pub fn policy_suggestions(&self) -> Vec<&'static str> {
        let mut names: Vec<&'static str> = self
            .of_line(&FACTS.globals)
            .iter()
            .chain(self.of_line(&FACTS.policy))
            .copied()
            .chain(FACTS.builtins.iter().copied())
            .filter(|n| !n.starts_with('_'))
            .collect();
        names.sort_unstable();
        names.dedup();
        names
    }

    /// What `PropertyMappingEvaluator` itself gives every mapping, for messages.
    pub fn mapping_context(&self) -> &'static [&'static str] {
        self.of_line(&FACTS.mapping)
    }

    /// The policy context alone (what `PolicyEvaluator` adds), for messages.
    pub fn policy_context(&self) -> &'static [&'static str] {
        self.of_line(&FACTS.policy)
    }

    /// Where this line keeps a module that moved: the modules whose last part
    /// is `module`'s and that bind every one of `names`, shortest first.
    pub fn moved_to(&self, module: &str, names: &[&str]) -> Vec<&'static str> {
        let last = module.rsplit('.').next().unwrap_or(module);
        let bit = self.bit();
        let mut found: Vec<&'static str> = FACTS
            .modules
            .iter()
            .filter(|(name, m)| {
                **name != module
                    && name.rsplit('.').next() == Some(last)
                    && m.present & bit != 0
                    && m.unjudged & bit == 0
                    && names
                        .iter()
                        .all(|n| m.names.get(n).is_some_and(|lines| lines & bit != 0))
            })
            .map(|(name, _)| *name)
            .collect();
        found.sort_unstable_by_key(|name| (name.len(), *name));
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_sets_read_ranges_and_single_lines() {
        assert_eq!(parse_lines("0-2,5"), 0b100111);
        assert_eq!(parse_lines("-"), 0);
        assert_eq!(parse_lines(""), 0);
    }

    #[test]
    fn the_embedded_table_knows_the_core_models_and_the_policy_context() {
        let facts = for_line("2025.10").expect("2025.10 was read from its tag");
        assert_eq!(
            facts.module("authentik.core.models"),
            ModuleVerdict::Present { names_known: true }
        );
        assert_eq!(
            facts.module_name("authentik.core.models", "User"),
            Some(Ok(()))
        );
        assert!(matches!(
            facts.module_name("authentik.core.models", "Usr"),
            Some(Err(_))
        ));
        assert!(matches!(
            facts.module("authentik.core.nope"),
            ModuleVerdict::Missing { .. }
        ));
        // Tests and migrations are not recorded, so not judged.
        assert_eq!(
            facts.module("authentik.core.tests.utils"),
            ModuleVerdict::Unknown
        );
        for name in [
            "request",
            "context",
            "ak_message",
            "regex_match",
            "len",
            "print",
        ] {
            assert!(facts.is_policy_name(name), "{name}");
        }
        assert!(!facts.is_policy_name("user"));
        for name in [
            "user",
            "request",
            "token",
            "provider",
            "info",
            "properties",
            "ldap",
            "SkipObject",
        ] {
            assert!(facts.is_mapping_name(name), "{name}");
        }
        assert!(!facts.is_mapping_name("reqeust"));
        // Other packages are judged only where the environment was recorded.
        assert_eq!(facts.module("reqeusts"), ModuleVerdict::Unknown);
        let recorded = for_line("2025.12").expect("2025.12 was read from its tag");
        assert!(matches!(
            recorded.module("reqeusts"),
            ModuleVerdict::Missing { .. }
        ));
        assert!(matches!(
            recorded.module("requests.auth"),
            ModuleVerdict::Present { .. }
        ));
        assert!(matches!(
            recorded.module("json"),
            ModuleVerdict::Present { .. }
        ));
    }

    #[test]
    fn a_moved_module_is_found_where_the_release_keeps_it() {
        let facts = for_line("2026.2").expect("2026.2 was read from its tag");
        assert!(matches!(
            facts.module("authentik.providers.oauth2.constants"),
            ModuleVerdict::Missing { .. }
        ));
        assert_eq!(
            facts.moved_to("authentik.providers.oauth2.constants", &["SCOPE_OPENID"]),
            vec!["authentik.common.oauth.constants"]
        );
        assert!(
            facts
                .moved_to("authentik.providers.oauth2.constants", &["NoSuchName"])
                .is_empty()
        );
    }

    #[test]
    fn a_line_newer_than_the_code_read_borrows_the_newest_read() {
        let facts = for_line("2026.8").expect("the newest line is judged");
        assert_eq!(facts.stand_in(), Some("2026.2"));
        // Authentik's own modules are not judged by an older release's code;
        // other packages are, by the newest recorded environment.
        assert_eq!(
            facts.module("authentik.admin.utils"),
            ModuleVerdict::Unknown
        );
        assert_eq!(facts.module_name("authentik.core.models", "Usr"), None);
        assert!(matches!(
            facts.module("reqeusts"),
            ModuleVerdict::Missing { .. }
        ));
        assert!(for_line("2026.2").expect("read").stand_in().is_none());
        assert!(for_line("2019.1").is_none());
    }
}
