//! The rules. Each lives in its own file with its `RuleMeta` and its doc
//! (`rules/<code>-<name>.md`); `ALL` below is the one list that registers them.
//!
//! A rule sees one blueprint at a time (`check_blueprint`, with the tree in hand)
//! or the whole set at once (`check_set`, with the facts every file left in the
//! index). Rules return diagnostics; they never print and never touch files.

use crate::config::Config;
use crate::diagnostic::{Diagnostic, FileId, RuleMeta};
use crate::knowledge::Knowledge;
use crate::model::Blueprint;
use crate::resolve::{BlueprintFacts, Index};
use crate::source::SourceFile;
use crate::yaml::DuplicateKey;

mod duplicate_entry_id;
mod duplicate_key;
pub mod edits;
mod invalid_blueprint_structure;
mod invalid_tag_arguments;
mod missing_invalidation_flow;
mod offline_access_unmapped;
pub mod plaintext_secret;
mod undiscoverable_file;
mod unknown_tag;
mod unresolved_keyof;
pub mod yaml_syntax;
mod zero_session_duration;

/// A blueprint and what its rules may consult.
pub struct BlueprintCx<'a> {
    pub file_id: FileId,
    pub file: &'a SourceFile,
    /// The file's path below the folder it was found in (what Authentik's discovery
    /// would see below its blueprints folder).
    pub relative: &'a std::path::Path,
    pub bp: &'a Blueprint<'a>,
    pub kb: &'a Knowledge,
    pub config: &'a Config,
    /// Duplicate keys the parser found in this file.
    pub duplicates: &'a [DuplicateKey],
}

/// The whole blueprint set, for rules that look across files.
pub struct SetCx<'a> {
    pub index: &'a Index<'a>,
    pub blueprints: &'a [BlueprintFacts],
    pub kb: &'a Knowledge,
    pub config: &'a Config,
}

pub trait Rule: Sync {
    fn meta(&self) -> &'static RuleMeta;

    fn check_blueprint(&self, _cx: &BlueprintCx<'_>, _out: &mut Vec<Diagnostic>) {}

    fn check_set(&self, _cx: &SetCx<'_>, _out: &mut Vec<Diagnostic>) {}
}

/// Every rule, in code order.
pub static ALL: &[&dyn Rule] = &[
    &yaml_syntax::YamlSyntax,
    &duplicate_key::DuplicateKeyRule,
    &invalid_blueprint_structure::InvalidBlueprintStructure,
    &unknown_tag::UnknownTag,
    &invalid_tag_arguments::InvalidTagArguments,
    &unresolved_keyof::UnresolvedKeyOf,
    &duplicate_entry_id::DuplicateEntryId,
    &undiscoverable_file::UndiscoverableFile,
    &missing_invalidation_flow::MissingInvalidationFlow,
    &offline_access_unmapped::OfflineAccessUnmapped,
    &zero_session_duration::ZeroSessionDuration,
    &plaintext_secret::PlaintextSecret,
];

/// Look a rule up by code (`BP101`, any case) or name (`missing-invalidation-flow`).
pub fn find(code_or_name: &str) -> Option<&'static RuleMeta> {
    ALL.iter()
        .map(|r| r.meta())
        .find(|m| m.code.eq_ignore_ascii_case(code_or_name) || m.name == code_or_name)
}

/// The closest rule code or name, for "did you mean" on a typo.
pub fn suggest(code_or_name: &str) -> Option<&'static str> {
    let candidates = ALL.iter().flat_map(|r| [r.meta().code, r.meta().name]);
    crate::suggest::closest(code_or_name, candidates)
}
