//! The default output: miette's graphical diagnostics (file:line:col, the source
//! snippet, a label on the exact span, `help:`), then a one-line summary.

use crate::diagnostic::{Diagnostic, Severity};
use crate::pipeline::Outcome;
use crate::source::{SourceFile, Span};
use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource};
use rayon::prelude::*;
use std::fmt;
use std::sync::Arc;

/// One finding in miette's terms; related labels in other files become related
/// diagnostics with their own source.
struct Rendered {
    message: String,
    code: String,
    severity: miette::Severity,
    help: Option<String>,
    source: Option<NamedSource<Arc<str>>>,
    labels: Vec<LabeledSpan>,
    related: Vec<Rendered>,
}

impl fmt::Debug for Rendered {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl fmt::Display for Rendered {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Rendered {}

impl miette::Diagnostic for Rendered {
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

/// Shares the file's text rather than copying it for each finding.
fn named(source: &SourceFile) -> NamedSource<Arc<str>> {
    NamedSource::new(source.display_path(), Arc::clone(&source.text))
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

fn to_rendered(outcome: &Outcome, d: &Diagnostic) -> Rendered {
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
                source: outcome.source(r.file).map(named),
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
        source: source.map(named),
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
    // Each finding renders on its own (miette finds the lines of its snippet by
    // scanning the file), so they render in parallel and are joined in order.
    let reports: Vec<String> = outcome
        .diagnostics
        .par_iter()
        .map(|d| {
            let mut out = String::new();
            if handler
                .render_report(&mut out, &to_rendered(outcome, d))
                .is_err()
            {
                out.push_str(&d.message);
            }
            out.push('\n');
            out
        })
        .collect();
    let mut out = reports.concat();
    out.push_str(&super::summary_line(outcome));
    out.push('\n');
    out
}
