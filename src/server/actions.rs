//! Code actions on the findings under the cursor: each finding's fix (a safe
//! one marked preferred, so an editor's "apply the fix" picks it), every safe
//! fix of the file at once, and the suppression comments `suppression.rs`
//! reads: `# bplint: disable=CODE` on the line before the finding and
//! `# bplint: disable-file=CODE` at the top of the file.

use super::session::Session;
use super::text::Lines;
use crate::diagnostic::{Applicability, Diagnostic, Edit};
use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, CodeActionParams, TextEdit, Uri, WorkspaceEdit,
};
use std::collections::HashMap;
use std::path::Path;

pub fn code_actions(
    session: &Session,
    path: &Path,
    params: &CodeActionParams,
) -> Vec<CodeActionOrCommand> {
    let Some(doc) = session.docs.get(path) else {
        return Vec::new();
    };
    let lines = Lines::new(&doc.text);
    let uri = &doc.uri;
    let start = lines.offset(params.range.start);
    let end = lines.offset(params.range.end);
    let findings: Vec<&Diagnostic> = session.findings_of(path).collect();
    let here: Vec<&Diagnostic> = findings
        .iter()
        .copied()
        .filter(|d| d.span.start <= end && start <= d.span.end)
        .collect();
    let mut actions = Vec::new();
    for d in &here {
        let Some(fix) = &d.fix else { continue };
        let safe = fix.applicability == Applicability::Safe;
        let title = if safe {
            format!("{} ({})", fix.title, d.code)
        } else {
            format!("{} ({}, unsafe: review it)", fix.title, d.code)
        };
        actions.push(action(
            title,
            CodeActionKind::QUICKFIX,
            edit(uri, &lines, &fix.edits),
            Some(vec![session.to_lsp(d, &lines)]),
            safe,
        ));
    }
    let safe: Vec<Vec<Edit>> = findings
        .iter()
        .filter_map(|d| d.fix.as_ref())
        .filter(|f| f.applicability == Applicability::Safe)
        .map(|f| f.edits.clone())
        .collect();
    if !safe.is_empty() {
        let applied = crate::fix::apply(&doc.text, safe);
        let title = format!(
            "Fix all safe fixes in this file ({})",
            crate::report::counted(applied.fixes, "fix", "fixes")
        );
        actions.push(action(
            title,
            CodeActionKind::SOURCE_FIX_ALL,
            edit(uri, &lines, &applied.edits),
            None,
            false,
        ));
    }
    let mut codes: Vec<(&'static str, usize)> = Vec::new();
    for d in &here {
        if !codes.iter().any(|(c, _)| *c == d.code) {
            codes.push((d.code, d.span.start));
        }
    }
    let eol = crate::rules::edits::eol(&doc.text);
    for (code, at) in codes {
        let line = lines.line_of(at);
        let line_start = lines.line_start(line).unwrap_or(0);
        let indent: String = doc.text[line_start..]
            .chars()
            .take_while(|c| *c == ' ' || *c == '\t')
            .collect();
        let comment = Edit {
            span: crate::source::Span::empty(line_start),
            replacement: format!("{indent}# bplint: disable={code}{eol}"),
        };
        actions.push(action(
            format!("Disable {code} for this line"),
            CodeActionKind::QUICKFIX,
            edit(uri, &lines, &[comment]),
            None,
            false,
        ));
        let top = Edit {
            span: crate::source::Span::empty(0),
            replacement: format!("# bplint: disable-file={code}{eol}"),
        };
        actions.push(action(
            format!("Disable {code} for this file"),
            CodeActionKind::QUICKFIX,
            edit(uri, &lines, &[top]),
            None,
            false,
        ));
    }
    actions
}

fn edit(uri: &Uri, lines: &Lines<'_>, edits: &[Edit]) -> WorkspaceEdit {
    let edits = edits
        .iter()
        .map(|e| TextEdit {
            range: lines.range(e.span),
            new_text: e.replacement.clone(),
        })
        .collect();
    WorkspaceEdit {
        changes: Some(HashMap::from([(uri.clone(), edits)])),
        ..WorkspaceEdit::default()
    }
}

fn action(
    title: String,
    kind: CodeActionKind,
    edit: WorkspaceEdit,
    diagnostics: Option<Vec<lsp_types::Diagnostic>>,
    preferred: bool,
) -> CodeActionOrCommand {
    CodeActionOrCommand::CodeAction(CodeAction {
        title,
        kind: Some(kind),
        diagnostics,
        edit: Some(edit),
        is_preferred: preferred.then_some(true),
        ..CodeAction::default()
    })
}
