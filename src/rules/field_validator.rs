//! BP217: a value of the right type that a field validator of the importer's
//! serializer refuses: too long, blank, out of range, not a URL or e-mail address
//! Authentik accepts, or not matching the field's pattern.

use super::{BlueprintCx, Rule};
use crate::diagnostic::Diagnostic;
use crate::knowledge::serializers::Validator;
use crate::knowledge::{StrFormat, Ty};
use crate::resolve::validate;

rule! {
    pub struct FieldValidator {
        code: "BP217",
        name: "field-validator",
        severity: Error,
        fix: None,
        summary: "A value a field validator refuses: too long, blank, out of range, not a URL, e-mail address or pattern Authentik accepts",
    }
}

impl Rule for FieldValidator {
    fn check_blueprint(&self, cx: &BlueprintCx<'_>, out: &mut Vec<Diagnostic>) {
        let Some(release) = cx.kb.serializers() else {
            return;
        };
        for (entry, field, pair, check) in super::fields::each_checked(cx) {
            for refusal in
                validate::check(field.name, check, &pair.value, cx.kb.serializers_are_own())
            {
                // BP203 already reports a malformed slug on a slug-typed field.
                if matches!(field.ty, Ty::Str(StrFormat::Slug))
                    && refusal.code == "invalid"
                    && check
                        .validators
                        .iter()
                        .any(|v| matches!(v, Validator::Regex { class, .. } if class.ends_with("validate_slug")))
                {
                    continue;
                }
                let where_ = entry
                    .model_name()
                    .and_then(|m| release.model(&m))
                    .map_or("", |m| m.source);
                out.push(
                    Diagnostic::new(&META, cx.file_id, refusal.span, refusal.message)
                        .label(format!("refused by the serializer (`{}`)", refusal.code))
                        .help(format!(
                            "{}; judged as Authentik {}'s `{}` for `{}` judges it ({where_})",
                            refusal.help, release.release, check.class, field.name
                        )),
                );
            }
        }
    }
}
