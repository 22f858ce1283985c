//! BP001: the file is not YAML PyYAML can load.

use super::Rule;
use crate::diagnostic::{Diagnostic, FileId};
use crate::yaml::YamlError;

rule! {
    pub struct YamlSyntax {
        code: "BP001",
        name: "yaml-syntax",
        severity: Error,
        fix: None,
        summary: "The file is not valid YAML",
    }
}

impl Rule for YamlSyntax {}

/// The parser reports syntax errors before any blueprint exists, so the pipeline
/// builds this rule's diagnostic directly.
pub fn diagnostic(file: FileId, error: &YamlError) -> Diagnostic {
    Diagnostic::new(
        &META,
        file,
        error.span,
        format!("invalid YAML: {}", error.message),
    )
    .label(error.message.clone())
    .help(
        "Authentik skips a file it cannot parse, with only a warning in the worker's log; \
             fix the YAML at this position",
    )
}

/// A file that fails to parse is reported only if it looks like a blueprint, so
/// unrelated broken YAML in a walked tree stays quiet.
pub fn looks_like_blueprint(text: &str) -> bool {
    let mut version = false;
    let mut metadata = false;
    for line in text.lines() {
        if line.starts_with("entries:") {
            return true;
        }
        version |= line.starts_with("version:");
        metadata |= line.starts_with("metadata:");
    }
    version && metadata
}

/// Whether the first kilobyte of a file too large to read may belong to a
/// blueprint: the top-level keys [`looks_like_blueprint`] looks for, or an
/// entry's `model: authentik_...` (indented in a ConfigMap that embeds one).
/// A file over `--max-file-size` is an error only then; a large CRD or `.env`
/// elsewhere in the tree is none of bplint's business.
pub fn head_may_be_blueprint(head: &str) -> bool {
    looks_like_blueprint(head)
        || head.lines().any(|line| {
            let item = line.trim_start().trim_start_matches("- ");
            item.strip_prefix("model:")
                .map(|v| v.trim_start().trim_start_matches(['"', '\'']))
                .is_some_and(|v| v.starts_with("authentik_"))
        })
}

#[cfg(test)]
mod tests {
    use super::head_may_be_blueprint;

    #[test]
    fn heads_of_blueprints_and_of_other_files() {
        assert!(head_may_be_blueprint("version: 1\nmetadata:\n  name: x\n"));
        assert!(head_may_be_blueprint("# big\nentries:\n"));
        assert!(head_may_be_blueprint(
            "kind: ConfigMap\ndata:\n  app.yaml: |\n    version: 1\n    entries:\n      - model: \"authentik_core.group\"\n"
        ));
        assert!(!head_may_be_blueprint(
            "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: x\n"
        ));
        assert!(!head_may_be_blueprint("SECRET=1\nOTHER=2\n"));
        assert!(!head_may_be_blueprint(""));
    }
}
