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
