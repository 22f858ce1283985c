//! The rules. Each lives in its own file, declared with [`rule!`], and has its
//! doc at `rules/<code>-<name>.md`; `ALL` below is the one list that registers them.
//!
//! A rule sees one blueprint at a time (`check_blueprint`, with the tree in hand)
//! or the whole set at once (`check_set`, with the facts every file left in the
//! index). Rules return diagnostics; they never print and never touch files.

use crate::diagnostic::{Diagnostic, FileId, RuleMeta};
use crate::knowledge::Knowledge;
use crate::model::Blueprint;
use crate::resolve::expression;
use crate::resolve::references::{self, CrossRef, KeyGivers};
use crate::resolve::typecheck::{Problem, check_field};
use crate::resolve::{BlueprintFacts, Index};
use crate::source::SourceFile;
use crate::yaml::DuplicateKey;
use crate::yaml::Scalar;
use std::cell::{OnceCell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;

/// Declares a rule's prelude: its unit struct, its `pub static META` and the
/// [`HasMeta`] impl that returns it, so a rule file states its code, name,
/// default severity, fix and summary once and writes only its checks (an
/// `impl Rule` with `check_blueprint` or `check_set`).
///
/// ```ignore
/// rule! {
///     /// Doc comments and attributes are kept on the struct.
///     pub struct MissingInvalidationFlow {
///         code: "BP101",
///         name: "missing-invalidation-flow",
///         severity: Error,          // a `Severity` variant
///         fix: Safe,                // `Safe`, `Unsafe` or `None`
///         summary: "A provider lacks the `invalidation_flow` the target release requires",
///     }
/// }
/// ```
///
/// The doc is `rules/<code>-<name>.md`, embedded with `include_str!`: deriving
/// its path from the code and name leaves no third spelling of them to drift.
///
/// A declarative macro, not a derive: the prelude is a handful of literals, and
/// a proc-macro crate would add a workspace member and a build step for it.
macro_rules! rule {
    (
        $(#[$attr:meta])*
        pub struct $rule:ident {
            code: $code:literal,
            name: $name:literal,
            severity: $severity:ident,
            fix: $fix:ident,
            summary: $summary:literal $(,)?
        }
    ) => {
        pub static META: $crate::diagnostic::RuleMeta = $crate::diagnostic::RuleMeta {
            code: $code,
            name: $name,
            severity: $crate::diagnostic::Severity::$severity,
            fix: rule!(@fix $fix),
            summary: $summary,
            doc: include_str!(concat!("../../rules/", $code, "-", $name, ".md")),
        };

        $(#[$attr])*
        pub struct $rule;

        impl $crate::rules::HasMeta for $rule {
            fn meta(&self) -> &'static $crate::diagnostic::RuleMeta {
                &META
            }
        }
    };
    (@fix None) => {
        None
    };
    (@fix $kind:ident) => {
        Some($crate::diagnostic::Applicability::$kind)
    };
}

mod ambiguous_absent;
mod ambiguous_identifiers;
mod apply_order_dependency;
pub mod attribute_name_holds_value;
mod client_scope_unmapped;
mod conflicting_entries;
mod constant_condition;
mod created_state_ignores_attrs;
mod duplicate_blueprint_name;
mod duplicate_entry_id;
mod duplicate_key;
mod duplicate_password_prompt;
pub mod edits;
mod entry_permission_unknown;
mod existing;
mod expression_import_unknown;
mod expression_name_undefined;
mod expression_syntax;
mod field_validator;
pub mod fields;
mod find_forward_reference;
mod flow_reputation_policy;
mod format_arguments;
mod identifier_overrides_attribute;
mod install_specific_pk;
mod invalid_blueprint_structure;
mod invalid_field_value;
mod invalid_tag_arguments;
mod keyof_forward_reference;
mod list_replaces_members;
mod missing_invalidation_flow;
mod missing_required_field;
mod must_created_exists;
mod oauth2_grant_types;
mod oauth2_provider_maps_no_scope;
mod offline_access_unmapped;
mod outpost_providers_owned_elsewhere;
pub mod plaintext_secret;
mod refusal;
mod refused_dependency;
mod related_model_mismatch;
mod reputation_gate;
mod serializer_validate;
mod source_enrollment_no_username;
mod source_not_offered;
mod stage_order_collision;
mod undefined_context;
mod undiscoverable_file;
mod unique_value_deleted_later;
mod unique_value_taken;
mod unknown_field;
mod unknown_model;
mod unknown_tag;
mod unresolved_blueprint;
mod unresolved_find;
mod unresolved_keyof;
pub mod unused_suppression;
mod yaml11_implicit_type;
pub mod yaml_syntax;
mod zero_session_duration;

/// A blueprint and what its rules may consult.
pub struct BlueprintCx<'a> {
    pub file_id: FileId,
    pub file: &'a SourceFile,
    /// The file's path below the folder it was found in (what Authentik's discovery
    /// would see below its blueprints folder); empty for standard input read
    /// without `--stdin-filename`, whose name is unknown.
    pub relative: &'a std::path::Path,
    pub bp: &'a Blueprint<'a>,
    pub kb: &'a Knowledge,
    /// Duplicate keys the parser found in this file.
    pub duplicates: &'a [DuplicateKey],
    /// What the serializers make of each known field's value, worked out once
    /// for BP203 and BP209, which report different kinds of the same problems.
    field_problems: OnceCell<Vec<Problem>>,
    /// What each expression imports and reads, by where its text starts:
    /// BP223, BP226 and BP227 read the same expressions, and parsing them is
    /// most of what those rules cost.
    expressions: RefCell<HashMap<usize, Rc<Option<expression::Names>>>>,
}

impl<'a> BlueprintCx<'a> {
    pub fn new(
        file_id: FileId,
        file: &'a SourceFile,
        relative: &'a std::path::Path,
        bp: &'a Blueprint<'a>,
        kb: &'a Knowledge,
        duplicates: &'a [DuplicateKey],
    ) -> Self {
        BlueprintCx {
            file_id,
            file,
            relative,
            bp,
            kb,
            duplicates,
            field_problems: OnceCell::new(),
            expressions: RefCell::default(),
        }
    }

    /// The imports and free names of the expression `scalar` holds
    /// (`expression::names`; `None` when it is not valid Python), parsed once
    /// however many rules ask.
    pub fn expression_names(&self, scalar: &Scalar) -> Rc<Option<expression::Names>> {
        let at = scalar.value_span.start;
        if let Some(known) = self.expressions.borrow().get(&at) {
            return Rc::clone(known);
        }
        let names = Rc::new(expression::names(&scalar.value));
        self.expressions.borrow_mut().insert(at, Rc::clone(&names));
        names
    }

    /// Type problems of every `identifiers`/`attrs` field the target release
    /// knows, in entry and field order (see [`fields::each`]).
    pub fn field_problems(&self) -> &[Problem] {
        self.field_problems.get_or_init(|| {
            fields::each(self)
                .flat_map(|(entry, field, pair)| {
                    let in_identifiers = entry
                        .identifiers
                        .is_some_and(|m| m.span.contains(pair.key.span));
                    check_field(field, &pair.value, &self.file.text, in_identifiers)
                })
                .collect()
        })
    }
}

/// The whole blueprint set, for rules that look across files.
pub struct SetCx<'a> {
    pub index: &'a Index<'a>,
    pub blueprints: &'a [std::sync::Arc<BlueprintFacts>],
    pub kb: &'a Knowledge,
    /// OIDC clients declared in `bplint.toml`.
    pub declared_clients: &'a [crate::clients::Client],
    /// OIDC clients found in the checked files.
    pub clients: &'a [crate::clients::ClientMatch],
    /// Path of each file of the run, by file id.
    pub paths: &'a [std::path::PathBuf],
    /// Per blueprint, whether its findings are wanted (`Request::focus`);
    /// `None` wants them all. See [`SetCx::judges`].
    pub judged: Option<&'a [bool]>,
    /// The set's literal keys and its references across blueprints, worked
    /// out once for the rules that read them ([`SetCx::key_givers`],
    /// [`SetCx::cross_refs`]); empty until asked.
    pub shared: SetShared<'a>,
}

/// What several set rules read of the whole set, computed by the first to ask.
#[derive(Default)]
pub struct SetShared<'a> {
    givers: std::sync::OnceLock<KeyGivers>,
    cross: std::sync::OnceLock<Vec<CrossRef<'a>>>,
}

impl SetCx<'_> {
    /// Whether the set rules judge blueprint `b`. The language server wants
    /// the findings of its open documents only, so the rules whose findings
    /// land in the blueprint they are looking at skip the others, and an edit
    /// costs what the open files need rather than a judgement of the whole
    /// set. A rule that reports in one blueprint what it learns while looking
    /// at another must not skip on this.
    pub fn judges(&self, b: usize) -> bool {
        self.judged
            .is_none_or(|judged| judged.get(b).copied().unwrap_or(true))
    }

    /// What the set does with each literal primary key its entries give.
    pub fn key_givers(&self) -> &KeyGivers {
        self.shared
            .givers
            .get_or_init(|| KeyGivers::new(self.index))
    }

    /// The references of the judged blueprints whose objects only other
    /// blueprints create (`references::cross_blueprint`).
    pub fn cross_refs(&self) -> &[CrossRef<'_>] {
        self.shared.cross.get_or_init(|| {
            references::cross_blueprint(self.index, self.key_givers(), &|b| self.judges(b))
        })
    }
}

/// What `bplint rules`, `explain`, selection and the reports know of a rule.
/// Apart from [`Rule`] so that [`rule!`] can implement it while the rule file
/// implements the checks.
pub trait HasMeta {
    fn meta(&self) -> &'static RuleMeta;
}

pub trait Rule: HasMeta + Sync {
    fn check_blueprint(&self, _cx: &BlueprintCx<'_>, _out: &mut Vec<Diagnostic>) {}

    fn check_set(&self, _cx: &SetCx<'_>, _out: &mut Vec<Diagnostic>) {}

    /// Judges what the other rules found (which blueprints the importer
    /// refuses: BP119, BP120). Runs after every `check_set`, over each finding
    /// so far that no inline suppression silences.
    fn check_findings(&self, _cx: &SetCx<'_>, _found: &[&Diagnostic], _out: &mut Vec<Diagnostic>) {}

    /// Whether [`Rule::check_findings`] reads the other rules' findings. While
    /// such a rule is enabled every rule runs, and the findings of those not
    /// selected are dropped afterwards: what the importer refuses does not
    /// depend on what the user asked to see.
    fn reads_findings(&self) -> bool {
        false
    }
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
    &unused_suppression::UnusedSuppression,
    &missing_invalidation_flow::MissingInvalidationFlow,
    &offline_access_unmapped::OfflineAccessUnmapped,
    &zero_session_duration::ZeroSessionDuration,
    &flow_reputation_policy::FlowReputationPolicy,
    &duplicate_password_prompt::DuplicatePasswordPrompt,
    &ambiguous_absent::AmbiguousAbsent,
    &reputation_gate::ReputationGateMisplaced,
    &oauth2_grant_types::OAuth2GrantTypesMissing,
    &stage_order_collision::StageOrderCollision,
    &unique_value_deleted_later::UniqueValueDeletedLater,
    &find_forward_reference::FindForwardReference,
    &list_replaces_members::ListReplacesMembers,
    &source_not_offered::SourceNotOffered,
    &oauth2_provider_maps_no_scope::OAuth2ProviderMapsNoScope,
    &outpost_providers_owned_elsewhere::OutpostProvidersOwnedElsewhere,
    &attribute_name_holds_value::AttributeNameHoldsValue,
    &apply_order_dependency::ApplyOrderDependency,
    &refused_dependency::RefusedDependency,
    &install_specific_pk::InstallSpecificPk,
    &client_scope_unmapped::ClientScopeUnmapped,
    &source_enrollment_no_username::SourceEnrollmentNoUsername,
    &unknown_model::UnknownModel,
    &unknown_field::UnknownField,
    &invalid_field_value::InvalidFieldValue,
    &missing_required_field::MissingRequiredField,
    &unresolved_find::UnresolvedFind,
    &keyof_forward_reference::KeyOfForwardReference,
    &undefined_context::UndefinedContext,
    &conflicting_entries::ConflictingEntries,
    &yaml11_implicit_type::Yaml11ImplicitType,
    &format_arguments::FormatArguments,
    &unresolved_blueprint::UnresolvedBlueprint,
    &duplicate_blueprint_name::DuplicateBlueprintName,
    &identifier_overrides_attribute::IdentifierOverridesAttribute,
    &ambiguous_identifiers::AmbiguousIdentifiers,
    &field_validator::FieldValidator,
    &related_model_mismatch::RelatedModelMismatch,
    &unique_value_taken::UniqueValueTaken,
    &serializer_validate::SerializerValidate,
    &must_created_exists::MustCreatedExists,
    &created_state_ignores_attrs::CreatedStateIgnoresAttrs,
    &expression_syntax::ExpressionSyntax,
    &constant_condition::ConstantCondition,
    &entry_permission_unknown::EntryPermissionUnknown,
    &expression_import_unknown::ExpressionImportUnknown,
    &expression_name_undefined::ExpressionNameUndefined,
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
