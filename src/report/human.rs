//! The default output: miette's graphical diagnostics (file:line:col, the source
//! snippet, a label on the exact span, `help:`), then a one-line summary.

use crate::diagnostic::{Diagnostic, Severity};
use crate::pipeline::Outcome;
use crate::source::{SourceFile, Span};
use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents,
    SourceSpan, SpanContents,
};
use std::fmt;

/// One finding in miette's terms; related labels in other files become related
/// diagnostics with their own source.
struct Rendered<'a> {
    message: String,
    code: String,
    severity: miette::Severity,
    help: Option<String>,
    source: Option<Source<'a>>,
    labels: Vec<LabeledSpan>,
    related: Vec<Rendered<'a>>,
}

impl fmt::Debug for Rendered<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl fmt::Display for Rendered<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Rendered<'_> {}

impl miette::Diagnostic for Rendered<'_> {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        (!self.code.is_empty()).then(|| Box::new(&self.code) as Box<dyn fmt::Display>)
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(self.severity)
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.source.as_ref().map(|s| s as &dyn miette::SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        (!self.labels.is_empty()).then(|| Box::new(self.labels.iter().cloned()) as Box<_>)
    }

    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn miette::Diagnostic> + 'a>> {
        (!self.related.is_empty())
            .then(|| Box::new(self.related.iter().map(|r| r as &dyn miette::Diagnostic)) as Box<_>)
    }
}

/// A file for miette. miette counts the `file:line:column` header in bytes and
/// takes a lone `\r` for a line break; bplint's positions count characters (as
/// editors and the JSON output do), so the header position comes from the file's
/// own line index.
struct Source<'a>(&'a SourceFile);

impl miette::SourceCode for Source<'_> {
    fn read_span<'b>(
        &'b self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'b> + 'b>, MietteError> {
        let text: &str = &self.0.text;
        let inner = text.read_span(span, context_lines_before, context_lines_after)?;
        let (line, column) = if context_lines_before == 0 {
            let at = self.0.line_col(span.offset());
            (at.line - 1, at.column - 1)
        } else {
            (inner.line(), inner.column())
        };
        Ok(Box::new(MietteSpanContents::new_named(
            self.0.display_path(),
            inner.data(),
            *inner.span(),
            line,
            column,
            inner.line_count(),
        )))
    }
}

/// miette wants a non-empty span to draw a label under; an empty one at the end
/// of a line still renders.
fn label(span: Span, text: Option<String>, primary: bool) -> LabeledSpan {
    let mut l = LabeledSpan::new_with_span(text, (span.start, span.len()));
    if primary {
        l = LabeledSpan::new_primary_with_span(
            l.label().map(str::to_string),
            (span.start, span.len()),
        );
    }
    l
}

fn to_rendered<'a>(outcome: &'a Outcome, d: &Diagnostic) -> Rendered<'a> {
    let source = outcome.source(d.file);
    let mut labels = vec![label(
        d.span,
        Some(d.label.clone().unwrap_or_else(|| d.message.clone())),
        true,
    )];
    let mut related = Vec::new();
    for r in &d.related {
        if r.file == d.file {
            labels.push(label(r.span, Some(r.message.clone()), false));
        } else {
            related.push(Rendered {
                message: r.message.clone(),
                code: String::new(),
                severity: miette::Severity::Advice,
                help: None,
                source: outcome.source(r.file).map(Source),
                labels: vec![label(r.span, Some(r.message.clone()), true)],
                related: Vec::new(),
            });
        }
    }
    Rendered {
        message: d.message.clone(),
        code: format!("{}({})", d.code, d.rule),
        severity: match d.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        },
        help: d.help.clone(),
        source: source.map(Source),
        labels,
        related,
    }
}

pub fn render(outcome: &Outcome, color: bool) -> String {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(100)
        // Never split `default-provider-invalidation-flow` style words: help
        // lines are meant to be copied.
        .with_break_words(false)
        .with_word_splitter(textwrap::WordSplitter::NoHyphenation)
        .with_context_lines(1);
    let mut out = String::new();
    for d in &outcome.diagnostics {
        let rendered = to_rendered(outcome, d);
        if handler.render_report(&mut out, &rendered).is_err() {
            out.push_str(&d.message);
        }
        out.push('\n');
    }
    let summary = super::json::Summary::of(&outcome.diagnostics);
    let files = outcome.files_checked();
    out.push_str(&format!(
        "{} in {} file{}.\n",
        super::count_phrase(summary.errors, summary.warnings),
        files,
        if files == 1 { "" } else { "s" }
    ));
    out
}
