//! Python syntax of the expressions Authentik compiles (policies, property
//! mappings), checked with Ruff's parser (`ruff_python_parser`, the parser of a
//! maintained Python linter; no Python is needed at run time).
//!
//! Authentik does not compile the text as written: its evaluator wraps it as the
//! body of a function (authentik/lib/expression/evaluator.py, `wrap_expression`),
//! indenting every line that is not blank by four spaces (Python's
//! `textwrap.indent`), so a top-level `return` is fine. The same wrapping is
//! done here, and an error's place is mapped back into the expression.

use crate::source::Span;
use crate::yaml::{Node, Style};

/// A syntax error in an expression.
#[derive(Debug, Clone)]
pub struct SyntaxProblem {
    /// Where in the file: the exact character for a literal block (`|`), else
    /// the whole value.
    pub span: Span,
    /// The parser's message.
    pub message: String,
    /// 1-based line of the expression the error is on.
    pub line: usize,
}

/// The first syntax error of `source`, as Authentik's evaluator compiles it:
/// `(line, column)` within `source` (both 0-based) and the message.
pub fn first_error(source: &str) -> Option<(usize, usize, String)> {
    let mut wrapped = String::with_capacity(source.len() + 64);
    wrapped.push_str("def handler():\n");
    for line in source.split_inclusive('\n') {
        if !line.trim().is_empty() {
            wrapped.push_str("    ");
        }
        wrapped.push_str(line);
    }
    wrapped.push_str("\nresult = handler()");
    let error = ruff_python_parser::parse_module(&wrapped).err()?;
    let at = usize::from(error.location.start()).min(wrapped.len());
    let before = &wrapped[..at];
    let wrapped_line = before.matches('\n').count();
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count();
    // Line 0 is the `def` line; the last one is the call after the body.
    let line = wrapped_line.saturating_sub(1);
    let source_lines = source.split_inclusive('\n').count().max(1);
    let (line, column) = if line >= source_lines {
        (source_lines - 1, 0)
    } else {
        let text = source.split_inclusive('\n').nth(line).unwrap_or_default();
        let indented = !text.trim().is_empty();
        (
            line,
            if indented {
                column.saturating_sub(4)
            } else {
                column
            },
        )
    };
    Some((line, column, error.error.to_string()))
}

/// The syntax error of the expression `node` holds, placed in `text` (the file).
/// `None` when it parses, or when it is not a literal string (a tag, a value a
/// deploy tool fills in).
pub fn check(node: &Node, text: &str) -> Option<SyntaxProblem> {
    let scalar = node.scalar()?;
    if node.tag().is_some() || super::validate::is_substituted(&scalar.value) {
        return None;
    }
    let (line, column, message) = first_error(&scalar.value)?;
    let span = match scalar.style {
        Style::Literal => literal_position(text, scalar.value_span, line, column),
        _ => None,
    }
    .unwrap_or(scalar.value_span);
    Some(SyntaxProblem {
        span,
        message,
        line: line + 1,
    })
}

/// The file position of character `column` of content line `line` of a literal
/// block scalar whose text (header included) is `span`.
fn literal_position(text: &str, span: Span, line: usize, column: usize) -> Option<Span> {
    let block = text.get(span.start..span.end)?;
    let mut offset = span.start;
    let mut lines = block.split_inclusive('\n').peekable();
    // The header line (`|`, `|-`, `|2+` and a comment), when the span has it.
    if lines
        .peek()
        .is_some_and(|l| l.trim_start().starts_with('|'))
    {
        offset += lines.next()?.len();
    }
    // Content lines share the indentation of the first one that is not blank.
    let content: Vec<&str> = lines.collect();
    let indent = content
        .iter()
        .find(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start_matches(' ').len())?;
    for (i, l) in content.iter().enumerate() {
        if i == line {
            let body = l.get(indent.min(l.len())..).unwrap_or_default();
            let byte = body
                .char_indices()
                .nth(column)
                .map_or(body.trim_end_matches(['\n', '\r']).len(), |(b, _)| b);
            let start = offset + indent.min(l.len()) + byte;
            let end = (start + body[byte..].chars().next().map_or(0, char::len_utf8)).max(start);
            return Some(Span { start, end });
        }
        offset += l.len();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_top_level_return_is_fine_as_a_function_body() {
        assert_eq!(first_error("return True"), None);
        assert_eq!(
            first_error("if request.user.is_superuser:\n    return True\nreturn False\n"),
            None
        );
        assert_eq!(first_error("\n\nreturn 1\n\n"), None);
    }

    #[test]
    fn errors_are_placed_in_the_expression() {
        let (line, column, message) = first_error("x = 1\nreturn x +\n").unwrap();
        assert_eq!(line, 1, "{message}");
        assert!(column >= 8, "{column}");
        let (line, _, _) = first_error("if True\n    return 1").unwrap();
        assert_eq!(line, 0);
        // An unclosed bracket is reported where the parser gives up.
        assert!(first_error("return {\"a\": 1").is_some());
    }
}
