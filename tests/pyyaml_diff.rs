//! Differential test: bplint's parser accepts exactly the texts PyYAML's
//! `SafeLoader` with Authentik's tags loads (scripts/pyyaml-accept.py).
//!
//! Inputs: every fixture, the reference blueprints in `../shared` when present
//! (or `$BPLINT_SHARED`), seeded mutations of them (tabs, `=`, `%`, `@`,
//! backticks, stray quotes, deleted characters, duplicated lines, shifted
//! indentation) and snippets from a small YAML grammar. bplint accepts a text when
//! `bplint::yaml::parse` gives a tree (no BP001); PyYAML when `yaml.load` returns.
//!
//! A refusal of PyYAML's that bplint reports as a blueprint finding rather than a
//! syntax error is classified in [`SEMANTIC`]; any other difference fails the test,
//! unless [`ALLOWED`] lists it with its reason. Without PyYAML the test is skipped
//! with a message, or fails when `BPLINT_REQUIRE_PYYAML` is set (as `.ci/run` does).

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// PyYAML refusals that bplint reports with another rule, by a piece of PyYAML's
/// message: the file is refused either way, but not as a syntax error.
const SEMANTIC: &[(&str, &str)] = &[
    (
        "expected a single document in the stream",
        "BP008: bplint reads every document of a stream (Kubernetes and Helm files \
         hold several) and reports a multi-document blueprint as undiscoverable",
    ),
    (
        "but found another document",
        "BP008: the same refusal of a second document, as PyYAML words it when the \
         first document ends without `...`",
    ),
    (
        "could not determine a constructor for the tag \"!",
        "BP004: the same, for a tag whose name holds a quote",
    ),
    (
        "could not determine a constructor for the tag '!",
        "BP004: a tag Authentik has no constructor for is an unknown-tag finding",
    ),
    (
        "could not determine a constructor for the tag 'tag:yaml.org,2002:python/",
        "BP004: Python object tags, which SafeLoader refuses, are unknown-tag findings",
    ),
];

/// Differences left on purpose: (a piece of bplint's or PyYAML's message, reason).
const ALLOWED: &[(&str, &str)] = &[
    (
        "tab cannot be used as indentation",
        "YAML 1.2 indentation of a quoted scalar's continuation lines, which PyYAML \
         does not check (scan_flow_scalar_breaks skips spaces and tabs): not fixed yet",
    ),
    (
        "invalid indentation in quoted scalar",
        "the same YAML 1.2 indentation rule for quoted continuation lines: not fixed yet",
    ),
    (
        "invalid indentation",
        "YAML 1.2 indentation of a flow collection's lines (a `]` less indented than \
         its key), which PyYAML does not check inside `[...]` and `{...}`: not fixed yet",
    ),
];

/// Files over this size are left out (see `file_inputs`).
const MAX_FILE: usize = 64 * 1024;

struct Input {
    name: String,
    text: String,
}

struct Verdict {
    accept: bool,
    error: String,
}

// ---------------------------------------------------------------------------
// Inputs.

fn yaml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        if path.is_dir() {
            yaml_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
            out.push(path);
        }
    }
}

fn file_inputs() -> Vec<Input> {
    let mut paths = Vec::new();
    yaml_files(Path::new("fixtures"), &mut paths);
    let shared = std::env::var_os("BPLINT_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("../shared"));
    yaml_files(&shared, &mut paths);
    paths
        .into_iter()
        .filter_map(|path| {
            // Only text PyYAML could read as a str: the UTF-8 and NUL checks
            // happen before parsing (pipeline.rs) and are tested elsewhere.
            // Larger files are not blueprints (an OpenAPI schema) and would
            // take pure-Python PyYAML seconds each.
            let text = std::fs::read_to_string(&path).ok()?;
            (!text.contains('\0') && text.len() <= MAX_FILE).then(|| Input {
                name: path.display().to_string(),
                text,
            })
        })
        .collect()
}

/// splitmix64: a fixed seed gives the same inputs on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// Byte offsets of character boundaries, so edits keep the text valid UTF-8.
fn boundaries(text: &str) -> Vec<usize> {
    text.char_indices()
        .map(|(i, _)| i)
        .chain([text.len()])
        .collect()
}

fn line_starts(text: &str) -> Vec<usize> {
    std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .filter(|&i| i < text.len())
        .collect()
}

/// One seeded edit of `text`, and what it did (for the input's name).
fn mutate(text: &str, rng: &mut Rng) -> (String, String) {
    let at = *rng.pick(&boundaries(text));
    let lines = line_starts(text);
    let line = if lines.is_empty() {
        0
    } else {
        *rng.pick(&lines)
    };
    let line_end = text[line..].find('\n').map_or(text.len(), |i| line + i);
    let mut out = text.to_string();
    let what = match rng.below(10) {
        0..=2 => {
            let insert = *rng.pick(&["\t", "=", "%", "@", "`", "'", "\"", " = ", "\t#"]);
            out.insert_str(at, insert);
            format!("insert {insert:?} at {at}")
        }
        3 => {
            // A tab where editors leave one: after the line's text.
            out.insert(line_end, '\t');
            format!("tab at the end of the line at {line}")
        }
        4 => {
            if at < text.len() {
                let len = text[at..].chars().next().map_or(0, char::len_utf8);
                out.replace_range(at..at + len, "");
            }
            format!("delete at {at}")
        }
        5 => {
            let copy = format!("{}\n", &text[line..line_end]);
            out.insert_str(line, &copy);
            format!("duplicate the line at {line}")
        }
        6 => {
            let spaces = text[line..].len() - text[line..].trim_start_matches(' ').len();
            if spaces > 0 && rng.below(2) == 0 {
                out.replace_range(line..line + 1, "");
                format!("dedent the line at {line}")
            } else {
                let indent = *rng.pick(&[" ", "  ", "\t"]);
                out.insert_str(line, indent);
                format!("indent the line at {line} with {indent:?}")
            }
        }
        7 => {
            // A value replaced by a bare `=` (PyYAML's `value` tag).
            match text[line..line_end].find(": ") {
                Some(colon) => {
                    out.replace_range(line + colon + 2..line_end, "=");
                    format!("value `=` on the line at {line}")
                }
                None => {
                    out.insert_str(line_end, " =");
                    format!("append ` =` to the line at {line}")
                }
            }
        }
        8 => {
            // A space of the line (separation or indentation) becomes a tab.
            match text[line..line_end].rfind(' ') {
                Some(space) => {
                    out.replace_range(line + space..line + space + 1, "\t");
                    format!("a space of the line at {line} becomes a tab")
                }
                None => {
                    out.insert(at, '\t');
                    format!("insert a tab at {at}")
                }
            }
        }
        _ => {
            let end = *rng.pick(&boundaries(&text[at..])) + at;
            let len = (end - at).min(40);
            let end = (at..=at + len)
                .rev()
                .find(|&i| text.is_char_boundary(i))
                .unwrap_or(at);
            out.replace_range(at..end, "");
            format!("delete {at}..{end}")
        }
    };
    (out, what)
}

/// Snippets from a small YAML grammar: scalars of every type and style, Authentik
/// and core tags, flow and block collections, anchors, merges, comments, and
/// separators that are sometimes tabs.
struct Grammar<'a> {
    rng: &'a mut Rng,
}

impl Grammar<'_> {
    fn sep(&mut self) -> &'static str {
        const SEPARATORS: [&str; 6] = [" ", " ", " ", "  ", "\t", " \t"];
        SEPARATORS[self.rng.below(SEPARATORS.len())]
    }

    fn plain(&mut self) -> String {
        self.rng
            .pick(&[
                "name",
                "g",
                "hello world",
                "=",
                "==",
                "a=b",
                "<<",
                "~",
                "null",
                "yes",
                "off",
                "0755",
                "0x1F",
                "0b_",
                "1_000",
                "1:30",
                "1.5e3",
                ".inf",
                "2024-02-30",
                "2024-02-29",
                "2023-02-29",
                "2024-13-01",
                "2024-01-01 25:00:00",
                "2024-01-01T10:00:00Z",
                "2024-01-01 10:61:00",
                "2001-12-14t21:59:43.10-05:00",
                "a#b",
                "a # c",
                "@x",
                "`x`",
                "%x",
                "x%",
                "-x",
                "?x",
                ":x",
                "x:y",
                "é",
                "a\tb",
            ])
            .to_string()
    }

    fn scalar(&mut self) -> String {
        match self.rng.below(8) {
            0 => format!("'{}'", self.plain().replace('\'', "''")),
            1 => format!("\"{}\"", self.rng.pick(&["a\\tb", "\t", "x", "=", "\\x41"])),
            2 => {
                let tag = *self.rng.pick(&[
                    "!KeyOf",
                    "!Env",
                    "!Context",
                    "!Format",
                    "!Value",
                    "!File",
                    "!!str",
                    "!!int",
                    "!!bool",
                    "!!float",
                    "!!null",
                    "!!timestamp",
                    "!!binary",
                    "!!value",
                    "!Nope",
                ]);
                let sep = self.sep();
                format!("{tag}{sep}{}", self.plain())
            }
            _ => self.plain(),
        }
    }

    fn flow(&mut self, depth: usize) -> String {
        if depth > 2 || self.rng.below(3) == 0 {
            return self.scalar();
        }
        let n = self.rng.below(3) + 1;
        let sep = self.sep();
        if self.rng.below(2) == 0 {
            let items: Vec<String> = (0..n).map(|_| self.flow(depth + 1)).collect();
            let tag = *self
                .rng
                .pick(&["", "", "!Find ", "!Format ", "!If ", "!!seq ", "!!set "]);
            format!("{tag}[{}]", items.join(&format!(",{sep}")))
        } else {
            let items: Vec<String> = (0..n)
                .map(|_| {
                    let key = self.flow(depth + 1);
                    let value = self.flow(depth + 1);
                    format!("{key}:{}{value}", self.sep())
                })
                .collect();
            format!("{{{}}}", items.join(&format!(",{sep}")))
        }
    }

    fn block(&mut self, indent: usize, depth: usize) -> String {
        let pad = " ".repeat(indent);
        let n = self.rng.below(3) + 1;
        let mut out = String::new();
        let seq = self.rng.below(3) == 0;
        for i in 0..n {
            let lead = if i == 0 && indent > 0 && seq {
                String::new()
            } else {
                pad.clone()
            };
            if seq {
                out.push_str(&format!("{lead}-{}", self.sep()));
            } else {
                let key = match self.rng.below(8) {
                    0 => "<<".to_string(),
                    1 => self.flow(2),
                    _ => self
                        .rng
                        .pick(&["name", "slug", "attrs", "a", "b"])
                        .to_string(),
                };
                out.push_str(&format!("{lead}{key}:"));
            }
            match self.rng.below(6) {
                0 if depth < 3 => {
                    out.push('\n');
                    out.push_str(&self.block(indent + 2, depth + 1));
                    continue;
                }
                1 => {
                    let body = self.rng.pick(&["x", "\tx", "x\ty", "", "# not a comment"]);
                    out.push_str(&format!(" |\n{pad}  line\n{pad}  {body}\n"));
                    continue;
                }
                2 => out.push_str(&format!(" &a{}", self.flow(depth))),
                3 => out.push_str(" *a"),
                _ => {
                    let sep = self.sep();
                    out.push_str(&format!("{sep}{}", self.flow(depth)));
                }
            }
            if self.rng.below(6) == 0 {
                out.push_str(&format!("{}# note\t", self.sep()));
            } else if self.rng.below(12) == 0 {
                out.push('\t');
            }
            out.push('\n');
        }
        out
    }
}

fn grammar_inputs(count: usize, rng: &mut Rng) -> Vec<Input> {
    (0..count)
        .map(|i| {
            let mut grammar = Grammar { rng };
            let text = grammar.block(0, 0);
            Input {
                name: format!("grammar#{i}"),
                text,
            }
        })
        .collect()
}

fn mutated_inputs(bases: &[Input], per_base: usize, rng: &mut Rng) -> Vec<Input> {
    let mut out = Vec::new();
    for base in bases {
        for n in 0..per_base {
            let (text, what) = mutate(&base.text, rng);
            out.push(Input {
                name: format!("{}~{n} ({what})", base.name),
                text,
            });
        }
    }
    out
}

// ---------------------------------------------------------------------------
// PyYAML.

fn pyyaml_available() -> bool {
    Command::new("python3")
        .args(["-c", "import yaml"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// All inputs through one python process: JSON lines in, JSON lines out.
fn pyyaml_verdicts(inputs: &[Input]) -> Vec<Verdict> {
    let mut child = Command::new("python3")
        .arg("scripts/pyyaml-accept.py")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("python3 runs");
    let mut stdin = child.stdin.take().expect("piped stdin");
    let lines: Vec<String> = inputs
        .iter()
        .map(|i| serde_json::json!({"name": i.name, "text": i.text}).to_string())
        .collect();
    // Written from a thread: the script answers while it reads, and a full pipe
    // either way would otherwise stall both processes.
    let writer = std::thread::spawn(move || {
        for line in lines {
            writeln!(stdin, "{line}").expect("write to python");
        }
    });
    let stdout = child.stdout.take().expect("piped stdout");
    let verdicts: Vec<Verdict> = BufReader::new(stdout)
        .lines()
        .map(|line| {
            let value: serde_json::Value =
                serde_json::from_str(&line.expect("read from python")).expect("JSON line");
            Verdict {
                accept: value["accept"].as_bool().expect("accept is a bool"),
                error: value["error"].as_str().unwrap_or_default().to_string(),
            }
        })
        .collect();
    writer.join().expect("writer thread");
    assert!(
        child.wait().expect("python exits").success(),
        "pyyaml-accept.py failed"
    );
    assert_eq!(verdicts.len(), inputs.len(), "one verdict per input");
    verdicts
}

// ---------------------------------------------------------------------------

#[test]
fn bplint_accepts_what_pyyaml_loads() {
    if !pyyaml_available() {
        assert!(
            std::env::var_os("BPLINT_REQUIRE_PYYAML").is_none(),
            "BPLINT_REQUIRE_PYYAML is set but `python3 -c 'import yaml'` fails"
        );
        eprintln!("pyyaml_diff: skipped, python3 with PyYAML is not on PATH");
        return;
    }
    let mut rng = Rng(0x0B91_1A7E_2026_0010);
    let files = file_inputs();
    let mut inputs = mutated_inputs(&files, 6, &mut rng);
    // The grammar has a seed of its own: its inputs must not depend on how many
    // files (with ../shared or without) the mutations drew from `rng` before.
    inputs.extend(grammar_inputs(1500, &mut Rng(0x0B91_1A7E_2026_0038)));
    let file_count = files.len();
    inputs.extend(files);
    let verdicts = pyyaml_verdicts(&inputs);

    let mut semantic = 0;
    let mut allowed = Vec::new();
    let mut differences = Vec::new();
    for (input, py) in inputs.iter().zip(&verdicts) {
        let ours = bplint::yaml::parse(&input.text);
        if ours.is_ok() == py.accept {
            continue;
        }
        let ours = match &ours {
            Ok(_) => "accepts".to_string(),
            Err(e) => format!("refuses at byte {}: {}", e.span.start, e.message),
        };
        if !py.accept && SEMANTIC.iter().any(|(piece, _)| py.error.contains(piece)) {
            semantic += 1;
            continue;
        }
        let line = format!(
            "{}\n    bplint {ours}\n    PyYAML {}\n    text: {:?}",
            input.name,
            if py.accept { "loads it" } else { &py.error },
            input.text
        );
        match ALLOWED
            .iter()
            .find(|(piece, _)| ours.contains(piece) || py.error.contains(piece))
        {
            Some((_, reason)) => allowed.push(format!("{line}\n    allowed: {reason}")),
            None => differences.push(line),
        }
    }
    let mut kinds: std::collections::BTreeMap<String, (usize, String)> = Default::default();
    for line in &differences {
        let mut parts = line.lines().skip(1);
        let ours = parts.next().unwrap_or_default().trim();
        let ours = if ours.starts_with("bplint accepts") {
            "bplint accepts"
        } else {
            "bplint refuses"
        };
        let theirs = parts.next().unwrap_or_default().trim();
        let theirs = theirs.split(" at line ").next().unwrap_or_default();
        let kind = kinds.entry(format!("{ours}, {theirs}")).or_default();
        kind.0 += 1;
        if kind.1.is_empty() {
            kind.1 = format!(
                "{} {}",
                line.lines().next().unwrap_or_default(),
                line.lines()
                    .last()
                    .unwrap_or_default()
                    .chars()
                    .take(300)
                    .collect::<String>()
            );
        }
    }
    for (kind, (n, first)) in &kinds {
        eprintln!("  {n:5}  {kind}\n         e.g. {first}");
    }
    let refused = verdicts.iter().filter(|v| !v.accept).count();
    eprintln!(
        "pyyaml_diff: {} inputs ({file_count} files, the rest mutations and grammar \
         snippets), PyYAML refuses {refused}; {semantic} refusals are bplint findings \
         other than BP001, {} allowed differences, {} differences",
        inputs.len(),
        allowed.len(),
        differences.len()
    );
    for line in &allowed {
        eprintln!("{line}");
    }
    assert!(
        differences.is_empty(),
        "{} differences with PyYAML:\n{}",
        differences.len(),
        differences
            .iter()
            .take(40)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}
