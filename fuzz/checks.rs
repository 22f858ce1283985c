//! The properties the fuzz targets check, shared with `tests/fuzz_regressions.rs`
//! (which replays every saved input as an ordinary test): whatever the bytes,
//! nothing panics or overflows, and every span bplint hands out lies inside the
//! text on character boundaries, because renderers and fixes slice with them.

use bplint::config::Config;
use bplint::detect::Judged;
use bplint::pipeline::{Request, run};
use bplint::source::Span;
use bplint::yaml::{Kind, Node, parse};
use std::path::PathBuf;

fn assert_span(text: &str, span: Span, what: &str) {
    assert!(
        span.start <= span.end && span.end <= text.len(),
        "{what} span {span:?} outside 0..{}",
        text.len()
    );
    assert!(
        text.is_char_boundary(span.start) && text.is_char_boundary(span.end),
        "{what} span {span:?} splits a character"
    );
}

fn check_node(text: &str, node: &Node) {
    assert_span(text, node.span, "node");
    assert_span(text, node.value_span(), "value");
    if let Some(tag) = &node.tag {
        assert_span(text, tag.span, "tag");
    }
    match &node.kind {
        Kind::Scalar(_) => {}
        Kind::Seq(items) => items.iter().for_each(|n| check_node(text, n)),
        Kind::Map(pairs) => {
            for pair in pairs {
                check_node(text, &pair.key);
                check_node(text, &pair.value);
            }
        }
        Kind::Alias(target) => check_node(text, target),
    }
}

/// Bytes -> `bplint::yaml::parse`: a tree or an error, with spans in the text.
pub fn parse_input(data: &[u8]) {
    // Lossy decoding keeps every input useful; the pipeline refuses invalid UTF-8
    // before parsing, so the parser only ever sees valid text.
    let text = String::from_utf8_lossy(data);
    match parse(&text) {
        Ok(stream) => {
            for doc in &stream.documents {
                check_node(&text, &doc.root);
            }
            for dup in &stream.duplicates {
                assert_span(&text, dup.first, "duplicate (first)");
                assert_span(&text, dup.second, "duplicate (second)");
            }
        }
        Err(error) => assert_span(&text, error.span, "error"),
    }
}

/// Bytes -> the whole check of one file, as `bplint check - --stdin-filename`
/// runs it (decode, parse, model, every rule, the set rules, both renderers).
pub fn lint_input(data: &[u8]) {
    let mut request = Request::new(Vec::new(), Config::default(), Judged::newest());
    request.stdin = Some((PathBuf::from("blueprints/fuzz.yaml"), data.to_vec()));
    let outcome = run(&request);
    // Spans refer to the text as decoded (invalid UTF-8 replaced), which is what
    // the outcome keeps for files with findings.
    let decoded = String::from_utf8_lossy(data);
    for d in &outcome.diagnostics {
        let text: &str = match outcome.source(d.file) {
            Some(source) => &source.text,
            None => &decoded,
        };
        assert_span(text, d.span, d.code);
        for related in &d.related {
            assert_span(text, related.span, "related");
        }
        if let Some(fix) = &d.fix {
            for edit in &fix.edits {
                assert_span(text, edit.span, "fix edit");
            }
        }
        let (line, column, end_line, end_column) = bplint::report::json::positions(&outcome, d);
        assert!(
            (line, column) <= (end_line, end_column),
            "{} ends before it starts",
            d.code
        );
    }
    let _ = bplint::report::human::render(&outcome, false);
    let _ = bplint::report::json::render(&outcome);
}
