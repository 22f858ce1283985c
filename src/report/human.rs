//! The default output: miette's graphical diagnostics (file:line:col, the source
//! snippet, a label on the exact span, `help:`), then a one-line summary.

use crate::diagnostic::{Diagnostic, Severity};
use crate::pipeline::Outcome;
use crate::source::{SourceFile, Span};
use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents,
    SourceSpan, SpanContents,
};
use rayon::prelude::*;
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

/// A file for miette. miette finds a span's lines by scanning from the start of
/// the text, which makes a file with many findings quadratic to render, so it is
/// handed only the lines around the span (found with the file's line index). Its
/// `file:line:column` header counts bytes; bplint's positions count characters, as
/// editors and the JSON output do, so the header position comes from the index too.
struct Source<'a>(&'a SourceFile);

impl miette::SourceCode for Source<'_> {
    fn read_span<'b>(
        &'b self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'b> + 'b>, MietteError> {
        let file = self.0;
        // Snippets never print a secret (the masked text keeps every offset).
        let text: &str = file.shown();
        let start = span.offset();
        let end = start.saturating_add(span.len());
        if end > text.len() {
            return Err(MietteError::OutOfBounds);
        }
        let first_line = file
            .line_col(start)
            .line
            .saturating_sub(context_lines_before)
            .max(1);
        // One line more than miette reads, so it stops where it would anyway.
        let past_last = file.line_col(end).line + context_lines_after + 2;
        let lo = file.lines().line_start(first_line).unwrap_or(0);
        let hi = file.lines().line_start(past_last).unwrap_or(text.len());
        let window = text.get(lo..hi).ok_or(MietteError::OutOfBounds)?;
        let local = SourceSpan::new((start - lo).into(), span.len());
        let inner = window.read_span(&local, context_lines_before, context_lines_after)?;
        let (line, column) = if context_lines_before == 0 {
            let at = file.line_col(start);
            (at.line - 1, at.column - 1)
        } else {
            (inner.line() + first_line - 1, inner.column())
        };
        Ok(Box::new(MietteSpanContents::new_named(
            file.display_path(),
            inner.data(),
            SourceSpan::new((inner.span().offset() + lo).into(), inner.span().len()),
            line,
            column,
            // Line breaks miette would have counted from the start of the text.
            inner.line_count() + first_line - 1,
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

/// Lines longer than this (in bytes) are not shown: a minified, one-line blueprint
/// would print its whole text for every finding, and miette panics drawing a label
/// past column 65,535.
const MAX_SNIPPET_LINE: usize = 4096;

/// Whether the lines a snippet of `span` shows (one line of context each side)
/// are short enough to print.
fn showable(file: &SourceFile, span: Span) -> bool {
    let first = file.line_col(span.start).line.saturating_sub(1).max(1);
    let last = file.line_col(span.end).line + 1;
    (first..=last).all(|line| match file.lines().line_start(line) {
        Some(start) => {
            let end = file.lines().line_start(line + 1).unwrap_or(file.text.len());
            end - start <= MAX_SNIPPET_LINE
        }
        None => true,
    })
}

/// The file to draw a snippet from, or where the span is when its lines are too
/// long to show (miette then prints no position of its own).
fn snippet_or_position<'a>(
    file: Option<&'a SourceFile>,
    spans: &[Span],
) -> (Option<Source<'a>>, Option<String>) {
    match file {
        Some(f) if spans.iter().all(|&s| showable(f, s)) => (Some(Source(f)), None),
        Some(f) => {
            let at = f.line_col(spans.first().map_or(0, |s| s.start));
            (
                None,
                Some(format!(
                    " (at {}:{}:{}; the line is too long to show)",
                    f.display_path(),
                    at.line,
                    at.column
                )),
            )
        }
        None => (None, None),
    }
}

fn to_rendered<'a>(outcome: &'a Outcome, d: &Diagnostic) -> Rendered<'a> {
    let mut spans = vec![d.span];
    spans.extend(
        d.related
            .iter()
            .filter(|r| r.file == d.file)
            .map(|r| r.span),
    );
    let (source, position) = snippet_or_position(outcome.source(d.file), &spans);
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
            let (source, position) = snippet_or_position(outcome.source(r.file), &[r.span]);
            related.push(Rendered {
                message: format!("{}{}", r.message, position.unwrap_or_default()),
                code: String::new(),
                severity: miette::Severity::Advice,
                help: None,
                source,
                labels: vec![label(r.span, Some(r.message.clone()), true)],
                related: Vec::new(),
            });
        }
    }
    Rendered {
        message: format!("{}{}", d.message, position.unwrap_or_default()),
        // The fix mark follows the code, as the concise line has it next to
        // the code and severity.
        code: match super::fix_mark(d) {
            "" => format!("{}({})", d.code, d.rule),
            mark => format!("{}({}) {mark}", d.code, d.rule),
        },
        severity: match d.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        },
        help: d.help.clone(),
        source,
        labels,
        related,
    }
}

/// The findings and the summary line.
pub fn render(outcome: &Outcome, color: bool) -> String {
    let mut out = String::new();
    if let Some(header) = super::upgrade_header(outcome) {
        out.push_str(&header);
        out.push_str("\n\n");
    }
    out.push_str(&render_findings(outcome, color));
    let resolved = super::resolved_list(outcome);
    if !resolved.is_empty() {
        out.push_str(&resolved);
        out.push('\n');
    }
    out.push_str(&super::creation_breaks_line(outcome));
    out.push_str(&super::summary_line(outcome));
    out.push('\n');
    out
}

/// The findings alone (`--quiet`).
pub fn render_findings(outcome: &Outcome, color: bool) -> String {
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
        // Lines break at spaces only: Unicode's line-breaking rules would also
        // break after a hyphen or a slash (splitting slugs and paths), and cost
        // a large report a third of its layout time.
        .with_word_separator(textwrap::WordSeparator::AsciiSpace)
        .with_context_lines(1);
    // Laying out a finding (wrapping, snippets) is most of a large report's
    // cost, and each is laid out alone: in parallel, joined in order.
    let rendered: Vec<String> = outcome
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
    rendered.concat()
}
