//! Inline suppressions: `# bplint: disable=BP103 -- reason` on the line before a
//! finding or at the end of its line, and `# bplint: disable-file=BP205` anywhere.
//! Codes or rule names, comma-separated; the reason after `--` is optional but
//! encouraged. Found with a lexical pass: a `#` at the start of a line or after
//! whitespace, outside every scalar, starts a comment.

use crate::config::Config;
use crate::diagnostic::Diagnostic;
use crate::rules;
use crate::selection::Selection;
use crate::source::{SourceFile, Span};
use crate::yaml::{Kind, Node};
use std::path::PathBuf;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// The whole file.
    File,
    /// Findings that start on this 1-based line.
    Line(usize),
}

/// One code named in a suppression comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// As written.
    pub written: String,
    /// The rule code it names, if any.
    pub code: Option<&'static str>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suppression {
    /// The comment, from `#` to the end of the line.
    pub span: Span,
    pub scope: Scope,
    pub targets: Vec<Target>,
}

/// A comment that starts like a bplint directive but is not one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Malformed {
    pub span: Span,
    pub message: String,
}

/// Byte spans of every scalar in the trees, sorted, so `#` inside a value is not a
/// comment.
pub fn scalar_spans<'a>(roots: impl IntoIterator<Item = &'a Node>) -> Vec<Span> {
    let mut spans = Vec::new();
    for root in roots {
        collect(root, &mut spans, 0);
    }
    spans.sort_unstable();
    spans
}

fn collect(node: &Node, out: &mut Vec<Span>, depth: usize) {
    if depth > crate::yaml::MAX_DEPTH {
        return;
    }
    match &node.kind {
        Kind::Scalar(s) => out.push(s.value_span),
        Kind::Seq(items) => items.iter().for_each(|n| collect(n, out, depth + 1)),
        Kind::Map(pairs) => {
            for p in pairs {
                collect(&p.key, out, depth + 1);
                collect(&p.value, out, depth + 1);
            }
        }
        Kind::Alias(_) => {}
    }
}

fn inside_scalar(spans: &[Span], at: usize) -> bool {
    let i = spans.partition_point(|s| s.start <= at);
    i > 0 && spans[i - 1].end > at
}

/// Every suppression comment of a file.
pub fn find(source: &SourceFile, scalars: &[Span]) -> (Vec<Suppression>, Vec<Malformed>) {
    let text: &str = &source.text;
    let mut found = Vec::new();
    let mut malformed = Vec::new();
    let mut offset = 0;
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    for (index, raw) in lines.iter().enumerate() {
        let line_start = offset;
        offset += raw.len();
        let line = raw.trim_end_matches(['\n', '\r']);
        let Some(hash) = comment_start(line, line_start, scalars) else {
            continue;
        };
        let comment = &line[hash..];
        let body = comment.trim_start_matches('#').trim_start();
        let Some(directive) = body.strip_prefix("bplint:") else {
            continue;
        };
        let span = Span::new(line_start + hash, line_start + line.len());
        let directive = directive.trim();
        let (rule_part, scope) = if let Some(rest) = directive.strip_prefix("disable-file") {
            (rest, Scope::File)
        } else if let Some(rest) = directive.strip_prefix("disable") {
            let standalone = line[..hash].trim().is_empty();
            let target = if standalone {
                next_code_line(&lines, index)
            } else {
                index + 1
            };
            (rest, Scope::Line(target))
        } else {
            malformed.push(Malformed {
                span,
                message: "unknown bplint directive; use `# bplint: disable=CODE -- reason` or \
                          `# bplint: disable-file=CODE`"
                    .into(),
            });
            continue;
        };
        let Some(list) = rule_part.trim_start().strip_prefix('=') else {
            malformed.push(Malformed {
                span,
                message: "a bplint suppression needs `=CODE`, e.g. `# bplint: disable=BP103`"
                    .into(),
            });
            continue;
        };
        let codes = list.split("--").next().unwrap_or("");
        let targets: Vec<Target> = codes
            .split(',')
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(|written| Target {
                written: written.to_string(),
                code: crate::rules::find(written).map(|m| m.code),
            })
            .collect();
        if targets.is_empty() {
            malformed.push(Malformed {
                span,
                message: "a bplint suppression needs at least one rule code".into(),
            });
            continue;
        }
        found.push(Suppression {
            span,
            scope,
            targets,
        });
    }
    (found, malformed)
}

/// Where a comment starts on a line: a `#` at the start or after whitespace, not
/// inside a scalar.
fn comment_start(line: &str, line_start: usize, scalars: &[Span]) -> Option<usize> {
    let bytes = line.as_bytes();
    (0..bytes.len()).find(|&i| {
        bytes[i] == b'#'
            && (i == 0 || bytes[i - 1] == b' ' || bytes[i - 1] == b'\t')
            && !inside_scalar(scalars, line_start + i)
    })
}

/// The 1-based number of the first line after `index` that holds more than a
/// comment or blanks.
fn next_code_line(lines: &[&str], index: usize) -> usize {
    lines
        .iter()
        .enumerate()
        .skip(index + 1)
        .find(|(_, l)| {
            let t = l.trim();
            !t.is_empty() && !t.starts_with('#')
        })
        .map_or(index + 2, |(i, _)| i + 1)
}

/// What filtering needs of one file of the run.
pub struct FileView<'a> {
    /// Its path below the folder `per-file-ignores` globs are relative to.
    pub relative: PathBuf,
    /// Its text, to tell the line a finding is on (kept for every file with a
    /// finding or a suppression).
    pub source: Option<&'a SourceFile>,
    pub suppressions: &'a [Suppression],
    pub malformed: &'a [Malformed],
}

/// `(suppression, target)` of each inline suppression of `file` that names the
/// finding's rule on its line (or the whole file).
fn silencing<'f>(
    d: &'f Diagnostic,
    file: &'f FileView<'_>,
) -> impl Iterator<Item = (usize, usize)> + 'f {
    let line = if file.suppressions.is_empty() {
        0
    } else {
        file.source.map_or(0, |s| s.line_col(d.span.start).line)
    };
    file.suppressions
        .iter()
        .enumerate()
        .filter(move |(_, sup)| match sup.scope {
            Scope::File => true,
            Scope::Line(target) => target == line,
        })
        .flat_map(move |(i, sup)| {
            sup.targets
                .iter()
                .enumerate()
                .filter(move |(_, target)| target.code == Some(d.code))
                .map(move |(j, _)| (i, j))
        })
}

/// Whether an inline suppression silences the finding: the author's word that it
/// is wrong there. (Selection and severity settings say what to report, not what
/// holds.)
pub fn silenced_inline(d: &Diagnostic, files: &[FileView<'_>]) -> bool {
    files
        .get(d.file)
        .is_some_and(|file| silencing(d, file).next().is_some())
}

/// Apply `per-file-ignores`, severity overrides and inline suppressions, then
/// report suppressions that suppressed nothing (BP009).
pub fn filter(
    diagnostics: &mut Vec<Diagnostic>,
    files: &[FileView<'_>],
    selection: &Selection,
    config: &Config,
) {
    let mut used: Vec<Vec<Vec<bool>>> = files
        .iter()
        .map(|f| {
            f.suppressions
                .iter()
                .map(|s| vec![false; s.targets.len()])
                .collect()
        })
        .collect();
    diagnostics.retain_mut(|d| {
        if !selection.is_enabled_for(d.code, &files[d.file].relative) {
            return false;
        }
        match config.severity(d.code, d.severity) {
            Some(severity) => d.severity = severity,
            None => return false,
        }
        let mut suppressed = false;
        for (i, j) in silencing(d, &files[d.file]) {
            used[d.file][i][j] = true;
            suppressed = true;
        }
        !suppressed
    });
    let unused = &rules::unused_suppression::META;
    for (file, record) in files.iter().enumerate() {
        if !selection.is_enabled_for(unused.code, &files[file].relative)
            || config.severity(unused.code, unused.severity).is_none()
        {
            continue;
        }
        for (i, sup) in record.suppressions.iter().enumerate() {
            for (j, target) in sup.targets.iter().enumerate() {
                let message = match target.code {
                    None => format!("`{}` in this suppression names no rule", target.written),
                    Some(code)
                        if !used[file][i][j]
                            && selection.is_enabled_for(code, &files[file].relative) =>
                    {
                        format!("this suppression of {code} suppresses nothing")
                    }
                    Some(_) => continue,
                };
                diagnostics.push(rules::unused_suppression::diagnostic(
                    file, sup.span, message,
                ));
            }
        }
        for bad in record.malformed {
            diagnostics.push(rules::unused_suppression::diagnostic(
                file,
                bad.span,
                bad.message.clone(),
            ));
        }
    }
    for d in diagnostics.iter_mut() {
        if d.code == unused.code
            && let Some(severity) = config.severity(d.code, d.severity)
        {
            d.severity = severity;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan(text: &str) -> (Vec<Suppression>, Vec<Malformed>) {
        let source = SourceFile::new("t.yaml", text);
        let stream = crate::yaml::parse(text).unwrap();
        let spans = scalar_spans(stream.documents.iter().map(|d| &d.root));
        find(&source, &spans)
    }

    #[test]
    fn line_and_file_scopes() {
        let (found, bad) = scan(
            "# bplint: disable-file=BP205\na: 1 # bplint: disable=BP103, unknown-tag -- legacy\n\
             # bplint: disable=BP202\n\n# note\nb: 2\n",
        );
        assert!(bad.is_empty());
        assert_eq!(found[0].scope, Scope::File);
        assert_eq!(found[1].scope, Scope::Line(2));
        assert_eq!(found[1].targets[1].code, Some("BP004"));
        assert_eq!(found[2].scope, Scope::Line(6));
    }

    #[test]
    fn hashes_inside_values_are_not_comments() {
        let (found, _) =
            scan("a: \"x # bplint: disable=BP101\"\nb: |\n  # bplint: disable=BP101\n");
        assert!(found.is_empty());
    }

    #[test]
    fn typos_in_directives_are_reported() {
        let (found, bad) = scan("a: 1 # bplint: disabel=BP101\n");
        assert!(found.is_empty());
        assert_eq!(bad.len(), 1);
    }
}
