//! Property tests over generated blueprints: realistic entries, Authentik's tags,
//! every quoting style, block and flow collections, anchors and merges, CRLF, a
//! BOM, tabs and multi-byte text. For each one:
//!
//! - every diagnostic's span lies inside the file on character boundaries, and its
//!   line and column are the ones an editor shows for that byte offset;
//! - the tree's spans are exact: a plain scalar's span holds its text, a quoted one
//!   its quotes, a tag's span the tag;
//! - printing the parsed tree back as YAML and parsing that gives the same tree
//!   and the same blueprint model.

use bplint::config::Config;
use bplint::detect::Judged;
use bplint::model::{Blueprint, Origin, TagParse};
use bplint::pipeline::{Request, run};
use bplint::yaml::{Kind, Node, Style, parse};
use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;
use std::path::PathBuf;

// ---------------------------------------------------------------------------
// A generated blueprint: values first, then rendered as text.

#[derive(Debug, Clone)]
enum Val {
    /// Written as is; the generator only makes plain text that needs no quoting.
    Plain(String),
    Single(String),
    Double(String),
    /// `|` block scalar, one string per line.
    Literal(Vec<String>),
    /// A local tag on a flow value or a plain scalar.
    Tagged(&'static str, Box<Val>),
    Seq(Vec<Val>, bool),
    Map(Vec<(String, Val)>, bool),
}

#[derive(Debug, Clone)]
struct Entry {
    model: &'static str,
    state: Option<&'static str>,
    id: Option<String>,
    identifiers: Vec<(String, Val)>,
    attrs: Vec<(String, Val)>,
}

#[derive(Debug, Clone)]
struct Generated {
    /// 1, or 2 for a finding on the first line.
    version: u8,
    name: Val,
    context: Vec<(String, Val)>,
    /// `&base` on a context mapping and `<<: *base` in the first entry's attrs.
    anchor: bool,
    entries: Vec<Entry>,
    crlf: bool,
    bom: bool,
    comment: bool,
}

const MODELS: &[&str] = &[
    "authentik_flows.flow",
    "authentik_core.group",
    "authentik_core.token",
    "authentik_core.user",
    "authentik_providers_oauth2.oauth2provider",
    "authentik_providers_proxy.proxyprovider",
    "authentik_stages_user_login.userloginstage",
    "authentik_sources_ldap.ldapsource",
    "authentik_blueprints.metaapplyblueprint",
    "made_up.model",
];

const FIELDS: &[&str] = &[
    "name",
    "slug",
    "title",
    "designation",
    "client_secret",
    "password",
    "bind_password",
    "key",
    "session_duration",
    "authorization_flow",
    "invalidation_flow",
    "refresh_token_validity",
    "property_mappings",
    "attributes",
];

const PLAIN_WORDS: &[&str] = &[
    "yes",
    "no",
    "on",
    "off",
    "null",
    "~",
    "true",
    "1",
    "0755",
    "0x1F",
    "1_000",
    "1:30",
    "3.14",
    "1e3",
    ".inf",
    "2024-01-02",
    "seconds=0",
    "weeks=4",
    "hours=1;minutes=30",
    "grüße",
    "東京",
    "naïve-✓",
    "a.b.c",
    "default-provider-invalidation-flow",
];

const TEXTS: &[&str] = &[
    "Grüße ✓",
    "日本語のテキスト",
    "emoji 👋 here",
    "tab\there",
    "it's",
    "say \"hi\"",
    "colon: inside",
    "# not a comment",
    "back\\slash",
    "",
    "  padded  ",
];

fn ident() -> impl Strategy<Value = String> {
    "[a-z][a-z0-9_]{0,8}"
}

fn plain() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(PLAIN_WORDS).prop_map(str::to_string),
        "[a-z][a-z0-9_.=-]{0,12}",
        "[1-9][0-9]{0,5}",
    ]
}

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(TEXTS).prop_map(str::to_string),
        "[a-zA-Z0-9 äöü✓-]{0,16}",
    ]
}

fn tagged() -> impl Strategy<Value = Val> {
    let p = || plain().prop_map(Val::Plain);
    let flow = |items: Vec<Val>| Val::Seq(items, true);
    prop_oneof![
        ident().prop_map(|id| Val::Tagged("!KeyOf", Box::new(Val::Plain(id)))),
        "[A-Z][A-Z_]{0,8}".prop_map(|n| Val::Tagged("!Env", Box::new(Val::Plain(n)))),
        ("[A-Z][A-Z_]{0,8}", text()).prop_map(move |(n, d)| {
            Val::Tagged("!Env", Box::new(flow(vec![Val::Plain(n), Val::Double(d)])))
        }),
        ident().prop_map(|k| Val::Tagged("!Context", Box::new(Val::Plain(k)))),
        (prop::sample::select(MODELS), p()).prop_map(move |(m, v)| {
            Val::Tagged(
                "!Find",
                Box::new(flow(vec![
                    Val::Plain(m.to_string()),
                    flow(vec![Val::Plain("slug".into()), v]),
                ])),
            )
        }),
        text().prop_map(move |t| Val::Tagged(
            "!Format",
            Box::new(flow(vec![Val::Double("%s ✓".into()), Val::Single(t)]))
        )),
        (p(), p()).prop_map(move |(a, b)| Val::Tagged(
            "!If",
            Box::new(flow(vec![Val::Plain("true".into()), a, b]))
        )),
        Just(Val::Tagged(
            "!Enumerate",
            Box::new(flow(vec![
                flow(vec![Val::Plain("a".into()), Val::Plain("b".into())]),
                Val::Plain("SEQ".into()),
                Val::Tagged("!Value", Box::new(Val::Plain("0".into()))),
            ]))
        )),
        p().prop_map(|v| Val::Tagged("!Findd", Box::new(v))),
    ]
}

fn leaf() -> impl Strategy<Value = Val> {
    prop_oneof![
        3 => plain().prop_map(Val::Plain),
        2 => text().prop_map(Val::Single),
        2 => text().prop_map(Val::Double),
        1 => prop::collection::vec("[a-zA-Z0-9äöü✓ =-]{1,20}", 1..4)
            .prop_map(|lines| Val::Literal(lines.into_iter().map(|l| l.trim_start().to_string()).filter(|l| !l.is_empty()).collect()))
            .prop_filter("a block scalar needs a line", |v| matches!(v, Val::Literal(l) if !l.is_empty())),
        2 => tagged(),
    ]
}

fn value() -> impl Strategy<Value = Val> {
    leaf().prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            (prop::collection::vec(inner.clone(), 0..4), any::<bool>())
                .prop_map(|(items, flow)| Val::Seq(items, flow)),
            (prop::collection::vec((ident(), inner), 0..4), any::<bool>())
                .prop_map(|(pairs, flow)| Val::Map(pairs, flow)),
        ]
    })
}

fn pairs(names: &'static [&'static str], max: usize) -> impl Strategy<Value = Vec<(String, Val)>> {
    prop::collection::vec(
        (
            prop_oneof![
                prop::sample::select(names).prop_map(str::to_string),
                ident()
            ],
            value(),
        ),
        0..max,
    )
}

fn entry() -> impl Strategy<Value = Entry> {
    (
        prop::sample::select(MODELS),
        prop::option::of(prop::sample::select(
            &["present", "created", "absent", "gone"][..],
        )),
        prop::option::of(ident()),
        pairs(&["name", "slug", "identifier", "username"], 3),
        pairs(FIELDS, 6),
    )
        .prop_map(|(model, state, id, identifiers, attrs)| Entry {
            model,
            state,
            id,
            identifiers,
            attrs,
        })
}

fn blueprint() -> impl Strategy<Value = Generated> {
    (
        prop_oneof![text().prop_map(Val::Double), plain().prop_map(Val::Plain)],
        pairs(&["domain", "secret", "scopes"], 3),
        any::<bool>(),
        prop::collection::vec(entry(), 0..5),
        (1..=2u8, any::<bool>(), any::<bool>(), any::<bool>()),
    )
        .prop_map(
            |(name, context, anchor, entries, (version, crlf, bom, comment))| Generated {
                version,
                name,
                context,
                anchor,
                entries,
                crlf,
                bom,
                comment,
            },
        )
}

// ---------------------------------------------------------------------------
// Rendering the generated blueprint as YAML text.

fn double_quoted(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn single_quoted(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// A value in flow context (inside `[...]`/`{...}` or after a tag).
fn flow(v: &Val) -> String {
    match v {
        Val::Plain(s) => s.clone(),
        Val::Single(s) => single_quoted(s),
        Val::Double(s) => double_quoted(s),
        Val::Literal(lines) => double_quoted(&format!("{}\n", lines.join("\n"))),
        Val::Tagged(tag, inner) => format!("{tag} {}", flow(inner)),
        Val::Seq(items, _) => format!(
            "[{}]",
            items.iter().map(flow).collect::<Vec<_>>().join(", ")
        ),
        Val::Map(pairs, _) => format!(
            "{{{}}}",
            pairs
                .iter()
                .map(|(k, v)| format!("{k}: {}", flow(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

struct Out {
    text: String,
    nl: &'static str,
}

impl Out {
    fn line(&mut self, indent: usize, s: &str) {
        self.text.push_str(&" ".repeat(indent));
        self.text.push_str(s);
        self.text.push_str(self.nl);
    }

    /// `prefix` (a key with its colon, or a dash) followed by a value.
    fn value(&mut self, indent: usize, prefix: &str, v: &Val) {
        match v {
            Val::Literal(lines) => {
                self.line(indent, &format!("{prefix} |"));
                for l in lines {
                    self.line(indent + 2, l);
                }
            }
            Val::Seq(items, false) if !items.is_empty() => {
                self.line(indent, prefix);
                for item in items {
                    self.value(indent + 2, "-", item);
                }
            }
            Val::Map(pairs, false) if !pairs.is_empty() => {
                self.line(indent, prefix);
                self.map(indent + 2, pairs);
            }
            _ => self.line(indent, &format!("{prefix} {}", flow(v))),
        }
    }

    fn map(&mut self, indent: usize, pairs: &[(String, Val)]) {
        for (k, v) in pairs {
            self.value(indent, &format!("{k}:"), v);
        }
    }
}

fn render(bp: &Generated) -> String {
    let mut out = Out {
        text: String::new(),
        nl: if bp.crlf { "\r\n" } else { "\n" },
    };
    if bp.bom {
        out.text.push('\u{feff}');
    }
    if bp.comment {
        out.line(0, "# generated ✓ blueprint");
    }
    out.line(0, &format!("version: {}", bp.version));
    out.line(0, "metadata:");
    out.value(2, "name:", &bp.name);
    out.line(2, "labels:");
    out.line(4, "blueprints.goauthentik.io/instantiate: \"false\"");
    if bp.anchor {
        out.line(0, "context:");
        out.line(2, "base: &base {enabled: yes, title: \"Grüße\"}");
        out.map(2, &bp.context);
    } else if !bp.context.is_empty() {
        out.line(0, "context:");
        out.map(2, &bp.context);
    }
    if bp.entries.is_empty() {
        out.line(0, "entries: []");
    } else {
        out.line(0, "entries:");
    }
    for (n, e) in bp.entries.iter().enumerate() {
        out.line(2, &format!("- model: {}", e.model));
        if let Some(state) = e.state {
            out.line(4, &format!("state: {state}"));
        }
        if let Some(id) = &e.id {
            out.line(4, &format!("id: {id}"));
        }
        if e.identifiers.is_empty() {
            out.line(4, "identifiers: {}");
        } else {
            out.line(4, "identifiers:");
            out.map(6, &e.identifiers);
        }
        if n == 0 && bp.anchor {
            out.line(4, "attrs:");
            out.line(6, "<<: *base");
            out.map(6, &e.attrs);
        } else if !e.attrs.is_empty() {
            out.line(4, "attrs:");
            out.map(6, &e.attrs);
        }
    }
    out.text
}

// ---------------------------------------------------------------------------
// Printing a parsed tree back, and comparing trees by value.

/// A parsed tree printed as one line of flow YAML: plain scalars stay plain (so
/// PyYAML types them the same), others become double-quoted, aliases are written
/// out in full.
fn emit(node: &Node) -> String {
    let node = node.resolved();
    let tag = node
        .tag
        .as_ref()
        .map(|t| format!("{} ", t.name))
        .unwrap_or_default();
    let body = match &node.kind {
        Kind::Scalar(s) if s.style == Style::Plain => {
            assert!(
                !s.value.contains([',', '[', ']', '{', '}', '\n']) && !s.value.contains(": "),
                "plain scalar {:?} cannot be printed in flow context",
                s.value
            );
            s.value.clone()
        }
        Kind::Scalar(s) => double_quoted(&s.value),
        Kind::Seq(items) => format!(
            "[{}]",
            items.iter().map(emit).collect::<Vec<_>>().join(", ")
        ),
        Kind::Map(pairs) => format!(
            "{{{}}}",
            pairs
                .iter()
                .map(|p| format!("{}: {}", emit(&p.key), emit(&p.value)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Kind::Alias(_) => unreachable!("resolved"),
    };
    format!("{tag}{body}")
}

/// A tree by value: spans, styles other than plain/non-plain, and aliases dropped.
#[derive(Debug, PartialEq)]
enum Canon {
    Scalar {
        tag: Option<String>,
        value: String,
        plain: bool,
    },
    Seq(Option<String>, Vec<Canon>),
    Map(Option<String>, Vec<(Canon, Canon)>),
}

fn canon(node: &Node) -> Canon {
    let node = node.resolved();
    let tag = node.tag.as_ref().map(|t| t.name.clone());
    match &node.kind {
        Kind::Scalar(s) => Canon::Scalar {
            tag,
            value: s.value.clone(),
            plain: s.style == Style::Plain,
        },
        Kind::Seq(items) => Canon::Seq(tag, items.iter().map(canon).collect()),
        Kind::Map(pairs) => Canon::Map(
            tag,
            pairs
                .iter()
                .map(|p| (canon(&p.key), canon(&p.value)))
                .collect(),
        ),
        Kind::Alias(_) => unreachable!("resolved"),
    }
}

/// The blueprint model in comparable form: entries and every tag site.
fn model_summary(root: &Node) -> Vec<String> {
    let bp = Blueprint::new(root, Origin::File);
    let mut out: Vec<String> = bp
        .entries
        .iter()
        .map(|e| {
            format!(
                "entry {} {:?} {:?} {:?} {:?}",
                e.index,
                e.model_name(),
                e.id(),
                e.state(),
                e.field("name").and_then(Node::as_str)
            )
        })
        .collect();
    out.extend(bp.tags.iter().map(|site| {
        let what = match &site.parsed {
            TagParse::Call(call) => call.name().to_string(),
            TagParse::Unknown(name) => format!("unknown {name}"),
            TagParse::Invalid(e) => format!("invalid {}", e.message),
        };
        format!(
            "tag {what} entry {:?} depth {} context {}",
            site.entry, site.enumerate_depth, site.in_context
        )
    }));
    out.push(format!(
        "name {:?} instantiates {}",
        bp.name(),
        bp.instantiates()
    ));
    out
}

// ---------------------------------------------------------------------------
// Positions as an editor counts them, computed the slow, obvious way.

fn editor_position(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset];
    let mut line = 1;
    let mut column = 1;
    let mut chars = before.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' if chars.peek() == Some(&'\n') => {}
            '\r' if chars.peek().is_none() && text[offset..].starts_with('\n') => {}
            '\n' | '\r' => {
                line += 1;
                column = 1;
            }
            '\u{feff}' if line == 1 && column == 1 => {}
            _ => column += 1,
        }
    }
    (line, column)
}

fn check_node_spans(text: &str, node: &Node) {
    let slice = |s: bplint::source::Span| &text[s.start..s.end];
    if let Some(tag) = &node.tag
        && tag.name.starts_with('!')
        && !tag.name.starts_with("!!")
    {
        assert_eq!(slice(tag.span), tag.name, "tag span");
    }
    match &node.kind {
        Kind::Scalar(s) => match s.style {
            Style::Plain => assert_eq!(slice(s.value_span), s.value, "plain scalar span"),
            Style::SingleQuoted => assert_eq!(slice(s.value_span), single_quoted(&s.value)),
            Style::DoubleQuoted => assert_eq!(slice(s.value_span), double_quoted(&s.value)),
            Style::Literal | Style::Folded => {
                let body = slice(s.value_span);
                assert!(
                    s.value.starts_with(body.lines().next().unwrap_or("")),
                    "block scalar span {body:?} for {:?}",
                    s.value
                );
            }
        },
        Kind::Seq(items) => items.iter().for_each(|n| check_node_spans(text, n)),
        Kind::Map(pairs) => pairs.iter().for_each(|p| {
            check_node_spans(text, &p.key);
            check_node_spans(text, &p.value);
        }),
        // The copy keeps its anchor's spans, checked where the anchor is.
        Kind::Alias(_) => {}
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 200,
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(
            "tests/proptest-regressions/proptest_blueprints.txt"
        ))),
        ..ProptestConfig::default()
    })]

    #[test]
    fn diagnostics_point_where_an_editor_would(bp in blueprint()) {
        let text = render(&bp);
        let mut request = Request::new(Vec::new(), Config::default(), Judged::newest());
        request.stdin = Some((PathBuf::from("blueprints/generated.yaml"), text.clone().into_bytes()));
        let outcome = run(&request);
        prop_assert_eq!(outcome.files_checked(), 1);
        for d in &outcome.diagnostics {
            prop_assert!(d.span.start <= d.span.end && d.span.end <= text.len(), "{:?}", d);
            prop_assert!(text.is_char_boundary(d.span.start) && text.is_char_boundary(d.span.end));
            let (line, column, end_line, end_column) = bplint::report::json::positions(&outcome, d);
            prop_assert_eq!((line, column), editor_position(&text, d.span.start), "start of {:?}", d);
            prop_assert_eq!((end_line, end_column), editor_position(&text, d.span.end), "end of {:?}", d);
        }
    }

    #[test]
    fn spans_hold_exactly_their_text(bp in blueprint()) {
        let text = render(&bp);
        let stream = parse(&text).map_err(|e| TestCaseError::fail(format!("{e:?}\n{text}")))?;
        prop_assert_eq!(stream.documents.len(), 1);
        check_node_spans(&text, &stream.documents[0].root);
    }

    #[test]
    fn printing_and_parsing_again_gives_the_same_blueprint(bp in blueprint()) {
        let text = render(&bp);
        let first = parse(&text).map_err(|e| TestCaseError::fail(format!("{e:?}\n{text}")))?;
        let root = &first.documents[0].root;
        let printed = emit(root);
        let second = parse(&printed).map_err(|e| TestCaseError::fail(format!("{e:?}\n{printed}")))?;
        let again = &second.documents[0].root;
        prop_assert_eq!(canon(root), canon(again), "printed as {}", printed);
        prop_assert_eq!(model_summary(root), model_summary(again));
    }
}
