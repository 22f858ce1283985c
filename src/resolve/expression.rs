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

/// `source` as Authentik's evaluator compiles it: the body of a function.
fn wrap(source: &str) -> String {
    let mut wrapped = String::with_capacity(source.len() + 64);
    wrapped.push_str("def handler():\n");
    for line in source.split_inclusive('\n') {
        if !line.trim().is_empty() {
            wrapped.push_str("    ");
        }
        wrapped.push_str(line);
    }
    wrapped.push_str("\nresult = handler()");
    wrapped
}

/// `(line, column)` within `source` (both 0-based, the column in characters) of
/// byte `at` of [`wrap`]'s text; past the body, the start of the last line.
fn unwrap_position(wrapped: &str, at: usize, source: &str) -> (usize, usize) {
    let at = at.min(wrapped.len());
    let before = wrapped.get(..at).unwrap_or(wrapped);
    let wrapped_line = before.matches('\n').count();
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count();
    // Line 0 is the `def` line; the last one is the call after the body.
    let line = wrapped_line.saturating_sub(1);
    let source_lines = source.split_inclusive('\n').count().max(1);
    if line >= source_lines {
        return (source_lines - 1, 0);
    }
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
}

/// The first syntax error of `source`, as Authentik's evaluator compiles it:
/// `(line, column)` within `source` (both 0-based) and the message.
pub fn first_error(source: &str) -> Option<(usize, usize, String)> {
    let wrapped = wrap(source);
    let error = ruff_python_parser::parse_module(&wrapped).err()?;
    let (line, column) = unwrap_position(&wrapped, usize::from(error.location.start()), source);
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

/// An `import` of an expression, placed in the expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Import {
    /// The absolute module (`authentik.core.models`); empty for a relative one.
    pub module: String,
    /// For `from module import a, b`: each name with its place; empty for
    /// `import module`.
    pub names: Vec<(String, Place)>,
    /// Where the module is named.
    pub place: Place,
}

/// A place in an expression: 0-based line, column (in characters) and length
/// (in bytes) of the text there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Place {
    pub line: usize,
    pub column: usize,
    pub len: usize,
}

/// What an expression imports, and the names it reads that nothing in it binds
/// (the ones the evaluator's context, its globals or Python's builtins must
/// provide, or Python raises `NameError` when the line runs).
#[derive(Debug, Default)]
pub struct Names {
    pub imports: Vec<Import>,
    /// Each name read but bound nowhere in the expression, at its first read.
    pub free: Vec<(String, Place)>,
}

/// The imports and free names of `source`; `None` when it is not valid Python.
/// Binding is judged for the whole expression at once, whatever the order or
/// scope: a name assigned anywhere (a parameter of an inner function, a loop
/// variable, an `except ... as`) is never free. That misses a name used before
/// it is assigned, but never calls a defined name undefined.
pub fn names(source: &str) -> Option<Names> {
    use ruff_python_ast::visitor::{self, Visitor};
    use ruff_python_ast::{self as ast, Expr, ExprContext, Pattern, Stmt};

    struct Collect<'a> {
        wrapped: &'a str,
        source: &'a str,
        bound: std::collections::HashSet<String>,
        reads: Vec<(String, Place)>,
        imports: Vec<Import>,
    }
    impl Collect<'_> {
        fn place(&self, range: ruff_text_size::TextRange) -> Place {
            let (line, column) =
                unwrap_position(self.wrapped, usize::from(range.start()), self.source);
            Place {
                line,
                column,
                len: usize::from(range.len()),
            }
        }
        fn bind(&mut self, name: &str) {
            self.bound.insert(name.to_string());
        }
    }
    impl<'a> Visitor<'a> for Collect<'_> {
        fn visit_stmt(&mut self, stmt: &'a Stmt) {
            match stmt {
                Stmt::FunctionDef(def) => self.bind(def.name.id.as_str()),
                Stmt::ClassDef(def) => self.bind(def.name.id.as_str()),
                Stmt::Global(ast::StmtGlobal { names, .. })
                | Stmt::Nonlocal(ast::StmtNonlocal { names, .. }) => {
                    for n in names {
                        self.bind(n.id.as_str());
                    }
                }
                Stmt::Import(import) => {
                    for alias in &import.names {
                        let module = alias.name.id.as_str();
                        match &alias.asname {
                            Some(asname) => self.bind(asname.id.as_str()),
                            None => self.bind(module.split('.').next().unwrap_or(module)),
                        }
                        self.imports.push(Import {
                            module: module.to_string(),
                            names: Vec::new(),
                            place: self.place(alias.name.range),
                        });
                    }
                }
                Stmt::ImportFrom(import) => {
                    let mut names = Vec::new();
                    for alias in &import.names {
                        let name = alias.name.id.as_str();
                        self.bind(alias.asname.as_ref().map_or(name, |a| a.id.as_str()));
                        if name != "*" {
                            names.push((name.to_string(), self.place(alias.name.range)));
                        }
                    }
                    let (module, place) = match (&import.module, import.level) {
                        (Some(m), 0) => (m.id.to_string(), self.place(m.range)),
                        _ => (String::new(), self.place(import.range)),
                    };
                    self.imports.push(Import {
                        module,
                        names,
                        place,
                    });
                }
                _ => {}
            }
            visitor::walk_stmt(self, stmt);
        }
        fn visit_expr(&mut self, expr: &'a Expr) {
            if let Expr::Name(name) = expr {
                match name.ctx {
                    ExprContext::Load => {
                        let place = self.place(name.range);
                        self.reads.push((name.id.to_string(), place));
                    }
                    _ => self.bind(name.id.as_str()),
                }
            }
            visitor::walk_expr(self, expr);
        }
        fn visit_parameter(&mut self, parameter: &'a ast::Parameter) {
            self.bind(parameter.name.id.as_str());
            visitor::walk_parameter(self, parameter);
        }
        fn visit_except_handler(&mut self, handler: &'a ast::ExceptHandler) {
            let ast::ExceptHandler::ExceptHandler(h) = handler;
            if let Some(name) = &h.name {
                self.bind(name.id.as_str());
            }
            visitor::walk_except_handler(self, handler);
        }
        fn visit_pattern(&mut self, pattern: &'a Pattern) {
            match pattern {
                Pattern::MatchAs(ast::PatternMatchAs { name: Some(n), .. })
                | Pattern::MatchStar(ast::PatternMatchStar { name: Some(n), .. }) => {
                    self.bind(n.id.as_str());
                }
                Pattern::MatchMapping(ast::PatternMatchMapping { rest: Some(n), .. }) => {
                    self.bind(n.id.as_str());
                }
                _ => {}
            }
            visitor::walk_pattern(self, pattern);
        }
        fn visit_type_param(&mut self, type_param: &'a ast::TypeParam) {
            self.bind(type_param.name().id.as_str());
            visitor::walk_type_param(self, type_param);
        }
    }

    let wrapped = wrap(source);
    let parsed = ruff_python_parser::parse_module(&wrapped).ok()?;
    // The wrapper's own function and the call after it are not the author's.
    let body: &[Stmt] = match parsed.syntax().body.first() {
        Some(Stmt::FunctionDef(def)) => &def.body,
        _ => return None,
    };
    let mut collect = Collect {
        wrapped: &wrapped,
        source,
        bound: std::collections::HashSet::new(),
        reads: Vec::new(),
        imports: Vec::new(),
    };
    collect.visit_body(body);
    let mut seen = std::collections::HashSet::new();
    let free = collect
        .reads
        .into_iter()
        .filter(|(name, _)| !collect.bound.contains(name) && seen.insert(name.clone()))
        .collect();
    Some(Names {
        imports: collect.imports,
        free,
    })
}

/// The file span of `place` in the expression `node` holds: the exact text for a
/// literal block (`|`), else the whole value.
pub fn span_of(node: &Node, text: &str, place: Place) -> Option<Span> {
    let scalar = node.scalar()?;
    let at = match scalar.style {
        Style::Literal => literal_position(text, scalar.value_span, place.line, place.column),
        _ => None,
    };
    Some(match at {
        Some(span) => {
            let line_end = text[span.start..]
                .find('\n')
                .map_or(text.len(), |i| span.start + i);
            Span {
                start: span.start,
                end: (span.start + place.len).min(line_end).max(span.end),
            }
        }
        None => scalar.value_span,
    })
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
