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
    source: Option<NamedSource<Arc<Text>>>,
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
fn named(source: &SourceFile, text: &Arc<Text>) -> NamedSource<Arc<Text>> {
    NamedSource::new(source.display_path(), Arc::clone(text))
}

/// A file's text for miette, with its line starts. miette finds a label's lines
/// by scanning from the top of the file, for every label of every finding; here
/// it scans from a line just before the label, and the line numbers it reports
/// are shifted back. Texts with a lone `\r` (a line break for miette, not for
/// the line starts) are scanned whole.
struct Text {
    text: Arc<str>,
    line_starts: Option<Vec<usize>>,
}

impl Text {
    fn new(text: Arc<str>) -> Self {
        let bytes = text.as_bytes();
        let lone_cr = bytes
            .iter()
            .enumerate()
            .any(|(i, &b)| b == b'\r' && bytes.get(i + 1) != Some(&b'\n'));
        let line_starts = (!lone_cr).then(|| {
            std::iter::once(0)
                .chain(
                    bytes
                        .iter()
                        .enumerate()
                        .filter(|&(_, &b)| b == b'\n')
                        .map(|(i, _)| i + 1),
                )
                .collect()
        });
        Text { text, line_starts }
    }
}

impl miette::SourceCode for Text {
    fn read_span<'a>(
        &'a self,
        span: &miette::SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn miette::SpanContents<'a> + 'a>, miette::MietteError> {
        let Some(starts) = &self.line_starts else {
            return self
                .text
                .read_span(span, context_lines_before, context_lines_after);
        };
        // Start a line before the first context line, so miette sees the line
        // break that ends the lines it skips, exactly as from the top.
        let line = starts.partition_point(|&s| s <= span.offset()) - 1;
        let first = line.saturating_sub(context_lines_before + 1);
        let base = starts[first];
        let local = miette::SourceSpan::new((span.offset() - base).into(), span.len());
        let inner =
            self.text[base..].read_span(&local, context_lines_before, context_lines_after)?;
        Ok(Box::new(miette::MietteSpanContents::new(
            inner.data(),
            miette::SourceSpan::new((inner.span().offset() + base).into(), inner.span().len()),
            inner.line() + first,
            inner.column(),
            inner.line_count() + first,
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

fn to_rendered(outcome: &Outcome, texts: &[Option<Arc<Text>>], d: &Diagnostic) -> Rendered {
    let named = |file: usize| Some(named(outcome.source(file)?, texts.get(file)?.as_ref()?));
    let source = named(d.file);
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
                source: named(r.file),
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
        source,
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
    let texts: Vec<Option<Arc<Text>>> = outcome
        .files
        .par_iter()
        .map(|f| {
            f.source
                .as_ref()
                .map(|s| Arc::new(Text::new(Arc::clone(&s.text))))
        })
        .collect();
    // Each finding renders on its own, so they render in parallel and are
    // joined in order.
    let reports: Vec<String> = outcome
        .diagnostics
        .par_iter()
        .map(|d| {
            let mut out = String::new();
            if handler
                .render_report(&mut out, &to_rendered(outcome, &texts, d))
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

#[cfg(test)]
mod tests {
    use super::*;
    use miette::SourceCode;

    /// `Text` must give miette exactly what scanning the whole text gives.
    #[test]
    fn text_reads_spans_as_miette_does() {
        let texts = [
            "a: 1\nb: 2\nc: 3\n",
            "a: 1\r\nbb: 2\r\n\r\nccc: 3",
            "\n\nx: ünïcode ✓\n  - y\n\n",
            "one line, no break",
            "lone\rcarriage\rreturns\n",
            "",
        ];
        for text in texts {
            let whole: Arc<str> = Arc::from(text);
            let fast = Text::new(Arc::clone(&whole));
            for start in 0..=text.len() {
                for len in [0, 1, 3, text.len()] {
                    let span = miette::SourceSpan::new(start.into(), len.min(text.len() - start));
                    for context in [0, 1, 2] {
                        let want = whole.read_span(&span, context, context);
                        let got = fast.read_span(&span, context, context);
                        match (want, got) {
                            (Ok(want), Ok(got)) => {
                                let seen = |c: &dyn miette::SpanContents<'_>| {
                                    (
                                        c.data().to_vec(),
                                        *c.span(),
                                        c.line(),
                                        c.column(),
                                        c.line_count(),
                                    )
                                };
                                assert_eq!(
                                    seen(&*want),
                                    seen(&*got),
                                    "{text:?} {span:?} {context}"
                                );
                            }
                            (Err(_), Err(_)) => {}
                            _ => panic!("{text:?} {span:?} {context}: one of them failed"),
                        }
                    }
                }
            }
        }
    }
}
