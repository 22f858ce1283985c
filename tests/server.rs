//! `bplint server` driven over standard input and output as an editor drives it:
//! a small JSON-RPC client of our own (Content-Length framing, requests with ids,
//! notifications kept aside), on a workspace of several blueprints.

mod common;

use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

const FLOWS: &str = "\
version: 1
metadata:
  name: flows
entries:
  - model: authentik_flows.flow
    id: login-flow
    identifiers:
      slug: team-login
    attrs:
      name: Team login
      title: Team login
      designation: authentication
  - model: authentik_stages_password.passwordstage
    id: password-stage
    identifiers:
      name: team-password
    attrs:
      backends:
        - authentik.core.auth.InbuiltBackend
  - model: authentik_flows.flowstagebinding
    identifiers:
      target: !KeyOf login-flow
      stage: !KeyOf password-stage
      order: 10
";

const APP: &str = "\
version: 1
metadata:
  name: app
entries:
  - model: authentik_core.application
    identifiers:
      slug: team-app
    attrs:
      name: Team app
      policy_engine_mode: any
  - model: authentik_brands.brand
    identifiers:
      domain: example.com
    attrs:
      flow_authentication: !find [authentik_flows.flow, [slug, team-login]]
";

struct Client {
    child: Child,
    stdin: ChildStdin,
    incoming: Receiver<Value>,
    /// Notifications received while waiting for something else.
    notifications: Vec<Value>,
    next_id: i64,
}

impl Client {
    fn start(root: &Path) -> Client {
        Client::start_folders(root, &[root])
    }

    /// A client with several workspace folders; the server runs in `cwd`.
    fn start_folders(cwd: &Path, folders: &[&Path]) -> Client {
        let mut child = Command::new(env!("CARGO_BIN_EXE_bplint"))
            .arg("server")
            .current_dir(cwd)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, incoming) = channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            loop {
                let mut length = None;
                loop {
                    let mut header = String::new();
                    if reader.read_line(&mut header).unwrap_or(0) == 0 {
                        return;
                    }
                    let header = header.trim_end();
                    if header.is_empty() {
                        break;
                    }
                    if let Some(n) = header.strip_prefix("Content-Length: ") {
                        length = n.parse::<usize>().ok();
                    }
                }
                let mut body = vec![0; length.unwrap()];
                reader.read_exact(&mut body).unwrap();
                if tx.send(serde_json::from_slice(&body).unwrap()).is_err() {
                    return;
                }
            }
        });
        let mut client = Client {
            child,
            stdin,
            incoming,
            notifications: Vec::new(),
            next_id: 1,
        };
        let folders: Vec<Value> = folders
            .iter()
            .map(|f| json!({"uri": uri(f), "name": f.file_name().unwrap().to_str()}))
            .collect();
        let result = client.request(
            "initialize",
            json!({
                "processId": null,
                "rootUri": folders[0]["uri"],
                "workspaceFolders": folders,
                "capabilities": {},
            }),
        );
        assert!(result["capabilities"]["hoverProvider"].as_bool().unwrap());
        assert_eq!(
            result["capabilities"]["workspace"]["workspaceFolders"]["changeNotifications"],
            true
        );
        client.notify("initialized", json!({}));
        client
    }

    fn send(&mut self, message: &Value) {
        let body = serde_json::to_string(message).unwrap();
        write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
        self.stdin.flush().unwrap();
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        loop {
            let message = self
                .recv()
                .unwrap_or_else(|| panic!("no answer to {method}"));
            if message["id"] == json!(id) {
                assert!(message.get("error").is_none(), "{method}: {message}");
                return message["result"].clone();
            }
            self.notifications.push(message);
        }
    }

    fn recv(&mut self) -> Option<Value> {
        self.incoming.recv_timeout(Duration::from_secs(60)).ok()
    }

    /// The next diagnostics published for `uri` (already received or coming).
    fn diagnostics(&mut self, uri: &str) -> Vec<Value> {
        loop {
            if let Some(at) = self.notifications.iter().position(|n| {
                n["method"] == "textDocument/publishDiagnostics" && n["params"]["uri"] == uri
            }) {
                let n = self.notifications.remove(at);
                return n["params"]["diagnostics"].as_array().unwrap().clone();
            }
            let message = self.recv().expect("diagnostics were published");
            self.notifications.push(message);
        }
    }

    /// Whether anything at all arrives for `uri` within a short wait.
    fn nothing_published_for(&mut self, uri: &str) -> bool {
        let deadline = Instant::now() + Duration::from_millis(1500);
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            match self.incoming.recv_timeout(left) {
                Ok(message) => self.notifications.push(message),
                Err(_) => break,
            }
        }
        !self.notifications.iter().any(|n| n["params"]["uri"] == uri)
    }

    fn open(&mut self, uri: &str, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": "yaml", "version": 1, "text": text}}),
        );
    }

    fn change(&mut self, uri: &str, version: i64, text: &str) {
        self.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": version},
                   "contentChanges": [{"text": text}]}),
        );
    }

    fn shutdown(mut self) {
        self.request("shutdown", Value::Null);
        self.notify("exit", Value::Null);
        let status = self.child.wait().unwrap();
        assert!(status.success(), "{status}");
    }
}

fn uri(path: &Path) -> String {
    format!("file://{}", path.display())
}

fn workspace() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    std::fs::write(root.join("flows.yaml"), FLOWS).unwrap();
    std::fs::write(root.join("app.yaml"), APP).unwrap();
    std::fs::write(root.join("notes.yaml"), "title: not a blueprint\n").unwrap();
    (dir, root)
}

fn position_of(text: &str, needle: &str, plus: usize) -> Value {
    let at = text.find(needle).unwrap() + plus;
    let line = text[..at].matches('\n').count();
    let column = at - text[..at].rfind('\n').map_or(0, |i| i + 1);
    json!({"line": line, "character": column})
}

fn codes(diagnostics: &[Value]) -> Vec<&str> {
    diagnostics
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect()
}

/// Applies a workspace edit's text edits (ranges of one file) to `text`.
fn apply(text: &str, edits: &[Value]) -> String {
    let offset = |p: &Value| {
        let line = p["line"].as_u64().unwrap() as usize;
        let start: usize = text.split_inclusive('\n').take(line).map(str::len).sum();
        start + p["character"].as_u64().unwrap() as usize
    };
    let mut edits: Vec<(usize, usize, &str)> = edits
        .iter()
        .map(|e| {
            (
                offset(&e["range"]["start"]),
                offset(&e["range"]["end"]),
                e["newText"].as_str().unwrap(),
            )
        })
        .collect();
    edits.sort_by_key(|e| std::cmp::Reverse(e.0));
    let mut out = text.to_string();
    for (start, end, new) in edits {
        out.replace_range(start..end, new);
    }
    out
}

#[test]
fn the_server_serves_a_workspace_of_blueprints() {
    let (_dir, root) = workspace();
    let flows = uri(&root.join("flows.yaml"));
    let app = uri(&root.join("app.yaml"));
    let notes = uri(&root.join("notes.yaml"));
    let mut client = Client::start(&root);

    // Diagnostics on open, with the rule's code and a link to its doc.
    client.open(&flows, FLOWS);
    client.open(&app, APP);
    client.open(&notes, "title: not a blueprint\n");
    let found = client.diagnostics(&app);
    assert_eq!(codes(&found), ["BP004"], "{found:?}");
    let d = &found[0];
    assert_eq!(d["severity"], 1);
    assert_eq!(d["range"]["start"], position_of(APP, "!find", 0));
    assert!(
        d["codeDescription"]["href"]
            .as_str()
            .unwrap()
            .ends_with("/BP004-unknown-tag.md")
    );

    // The quick fix: the safe one is preferred; applied, the finding goes.
    let actions = client.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": app}, "range": d["range"],
               "context": {"diagnostics": [d]}}),
    );
    let actions = actions.as_array().unwrap();
    let fix = actions
        .iter()
        .find(|a| a["isPreferred"] == true)
        .expect("a preferred quick fix");
    assert_eq!(fix["kind"], "quickfix");
    let titles: Vec<&str> = actions
        .iter()
        .map(|a| a["title"].as_str().unwrap())
        .collect();
    assert!(
        titles.contains(&"Disable BP004 for this line"),
        "{titles:?}"
    );
    assert!(
        titles.contains(&"Disable BP004 for this file"),
        "{titles:?}"
    );
    assert!(
        titles
            .iter()
            .any(|t| t.starts_with("Fix all safe fixes in this file")),
        "{titles:?}"
    );
    let fixed = apply(APP, fix["edit"]["changes"][&app].as_array().unwrap());
    assert!(fixed.contains("!Find [authentik_flows.flow"), "{fixed}");
    client.change(&app, 2, &fixed);
    let found = client.diagnostics(&app);
    // The lookup now resolves into flows.yaml, which Authentik may apply later.
    assert_eq!(codes(&found), ["BP119"], "{found:?}");
    let related = &found[0]["relatedInformation"][0]["location"];
    assert_eq!(related["uri"], flows.as_str());

    // The suppression comment silences the finding it was offered for.
    let disable = client.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": app}, "range": found[0]["range"],
               "context": {"diagnostics": []}}),
    );
    let disable = disable
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["title"] == "Disable BP119 for this line")
        .unwrap()
        .clone();
    let silenced = apply(&fixed, disable["edit"]["changes"][&app].as_array().unwrap());
    assert!(silenced.contains("      # bplint: disable=BP119\n      flow_authentication"));
    client.change(&app, 3, &silenced);
    assert_eq!(client.diagnostics(&app), Vec::<Value>::new());
    client.change(&app, 4, &fixed);
    assert_eq!(codes(&client.diagnostics(&app)), ["BP119"]);

    // Go to definition from the `!Find` to the entry in the other file.
    let at = position_of(&fixed, "!Find", 3);
    let targets = client.request(
        "textDocument/definition",
        json!({"textDocument": {"uri": app}, "position": at}),
    );
    assert_eq!(targets[0]["uri"], flows.as_str());
    assert_eq!(targets[0]["range"]["start"]["line"], 4);
    // ... and from `!KeyOf` to the entry with that id.
    let targets = client.request(
        "textDocument/definition",
        json!({"textDocument": {"uri": flows},
               "position": position_of(FLOWS, "!KeyOf password-stage", 9)}),
    );
    assert_eq!(targets[0]["range"]["start"]["line"], 12);

    // References: the `!Find` in app.yaml reaches the flow of flows.yaml.
    let refs = client.request(
        "textDocument/references",
        json!({"textDocument": {"uri": flows}, "position": position_of(FLOWS, "team-login", 2),
               "context": {"includeDeclaration": false}}),
    );
    assert_eq!(refs[0]["uri"], app.as_str(), "{refs}");
    let refs = client.request(
        "textDocument/references",
        json!({"textDocument": {"uri": flows}, "position": position_of(FLOWS, "id: login-flow", 5),
               "context": {"includeDeclaration": false}}),
    );
    assert_eq!(refs.as_array().unwrap().len(), 1, "{refs}");
    assert_eq!(refs[0]["range"]["start"]["line"], 21);
    let refs = client.request(
        "textDocument/references",
        json!({"textDocument": {"uri": flows}, "position": position_of(FLOWS, "id: login-flow", 5),
               "context": {"includeDeclaration": true}}),
    );
    let lines: Vec<&Value> = refs
        .as_array()
        .unwrap()
        .iter()
        .map(|r| &r["range"]["start"]["line"])
        .collect();
    assert_eq!(lines, [4, 21], "{refs}");

    // An edit of flows.yaml changes app.yaml's findings, which are sent again.
    let renamed = FLOWS.replace("slug: team-login", "slug: team-signin");
    client.change(&flows, 2, &renamed);
    let found = client.diagnostics(&app);
    assert_eq!(codes(&found), ["BP205"], "{found:?}");
    client.change(&flows, 3, FLOWS);
    assert_eq!(codes(&client.diagnostics(&app)), ["BP119"]);

    // Hover: a model, a field, a tag, a `!KeyOf`, a `!Find`.
    let hover = |client: &mut Client, uri: &str, position: Value| {
        let h = client.request(
            "textDocument/hover",
            json!({"textDocument": {"uri": uri}, "position": position}),
        );
        h["contents"]["value"].as_str().unwrap_or("").to_string()
    };
    let text = hover(
        &mut client,
        &flows,
        position_of(FLOWS, "authentik_flows.flow", 3),
    );
    assert!(
        text.contains("**authentik_flows.flow**") && text.contains("In Authentik"),
        "{text}"
    );
    let text = hover(&mut client, &flows, position_of(FLOWS, "designation", 2));
    assert!(
        text.contains("One of:") && text.contains("authentication"),
        "{text}"
    );
    // What Authentik's API schema says of the field.
    assert!(
        text.contains("Decides what this Flow is used for"),
        "{text}"
    );
    let text = hover(
        &mut client,
        &flows,
        position_of(FLOWS, "!KeyOf login-flow", 9),
    );
    assert!(text.contains("line 5"), "{text}");
    let text = hover(&mut client, &app, position_of(&fixed, "!Find", 1));
    assert!(text.contains("flows.yaml:5"), "{text}");

    // Completion: models, fields of the entry's model, enum values, tags, ids.
    let complete = |client: &mut Client, uri: &str, text: &str, version: i64| {
        client.change(uri, version, text);
        let end = text.len() - 1;
        let line = text[..end].matches('\n').count();
        let column = end - text[..end].rfind('\n').map_or(0, |i| i + 1);
        let items = client.request(
            "textDocument/completion",
            json!({"textDocument": {"uri": uri}, "position": {"line": line, "character": column}}),
        );
        items
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["label"].as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    let labels = complete(
        &mut client,
        &flows,
        &format!("{FLOWS}  - model: authentik_flows.\n"),
        10,
    );
    assert!(
        labels.iter().any(|l| l == "authentik_flows.flow"),
        "{labels:?}"
    );
    let labels = complete(
        &mut client,
        &flows,
        &format!("{FLOWS}  - model: authentik_flows.flow\n    attrs:\n      desi\n"),
        11,
    );
    assert!(labels.iter().any(|l| l == "designation"), "{labels:?}");
    let labels = complete(
        &mut client,
        &flows,
        &format!("{FLOWS}  - model: authentik_flows.flow\n    attrs:\n      designation: auth\n"),
        12,
    );
    assert!(labels.iter().any(|l| l == "enrollment"), "{labels:?}");
    let labels = complete(&mut client, &flows, &format!("{FLOWS}      x: !Ke\n"), 13);
    assert!(labels.iter().any(|l| l == "KeyOf"), "{labels:?}");
    let labels = complete(
        &mut client,
        &flows,
        &format!("{FLOWS}      x: !KeyOf \n"),
        14,
    );
    assert!(labels.iter().any(|l| l == "password-stage"), "{labels:?}");
    let labels = complete(
        &mut client,
        &app,
        &format!("{fixed}      x: !Find [authentik_flows.flow, [slug, \n"),
        15,
    );
    assert!(labels.iter().any(|l| l == "team-login"), "{labels:?}");
    assert!(
        labels.iter().any(|l| l == "default-authentication-flow"),
        "{labels:?}"
    );
    client.change(&flows, 16, FLOWS);
    client.change(&app, 17, &fixed);

    // The outline: blueprints, then entries by model and identifiers.
    let symbols = client.request(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": flows}}),
    );
    assert_eq!(symbols[0]["name"], "flows");
    let entries = symbols[0]["children"].as_array().unwrap();
    assert_eq!(entries.len(), 3);
    assert_eq!(entries[0]["name"], "authentik_flows.flow");
    assert!(
        entries[0]["detail"]
            .as_str()
            .unwrap()
            .contains("slug=team-login")
    );

    // A file that is not a blueprint got nothing at all.
    assert!(client.nothing_published_for(&notes));
    client.shutdown();
}

#[test]
fn a_request_before_any_document_and_an_unknown_method_are_answered() {
    let (_dir, root) = workspace();
    let mut client = Client::start(&root);
    let id = 99;
    client.send(&json!({"jsonrpc": "2.0", "id": id, "method": "bplint/nothing", "params": {}}));
    let answer = client.recv().unwrap();
    assert_eq!(answer["error"]["code"], -32601);
    let symbols = client.request(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": uri(&root.join("flows.yaml"))}}),
    );
    assert_eq!(symbols[0]["children"].as_array().unwrap().len(), 3);
    client.shutdown();
}

#[test]
fn a_broken_configuration_is_shown_and_the_defaults_judge_meanwhile() {
    let (_dir, root) = workspace();
    std::fs::write(root.join("bplint.toml"), "select = [\n").unwrap();
    let mut client = Client::start(&root);
    let app = uri(&root.join("app.yaml"));
    client.open(&app, APP);
    assert_eq!(codes(&client.diagnostics(&app)), ["BP004"]);
    let shown = client
        .notifications
        .iter()
        .find(|n| n["method"] == "window/showMessage")
        .expect("the configuration's error is shown");
    assert!(
        shown["params"]["message"]
            .as_str()
            .unwrap()
            .contains("bplint.toml"),
        "{shown}"
    );
    client.shutdown();
}

/// A file the editor has open but that is not written yet is judged as a
/// file of the set: its own findings, and its lookups resolve in the others.
#[test]
fn a_new_file_not_yet_written_is_judged_with_the_set() {
    let (_dir, root) = workspace();
    let mut client = Client::start(&root);
    let new = uri(&root.join("new.yaml"));
    let text = APP
        .replace("name: app", "name: new-app")
        .replace("team-app", "new-app")
        .replace("example.com", "new.example.com");
    client.open(&new, &text);
    assert_eq!(codes(&client.diagnostics(&new)), ["BP004"]);
    // Its `!Find` finds the flow flows.yaml creates, which may apply later.
    client.change(&new, 2, &text.replace("!find", "!Find"));
    let found = client.diagnostics(&new);
    assert_eq!(codes(&found), ["BP119"], "{found:?}");
    assert_eq!(
        found[0]["relatedInformation"][0]["location"]["uri"],
        uri(&root.join("flows.yaml"))
    );
    client.shutdown();
}

/// Each workspace folder is judged with its own configuration, and a folder
/// added inside another takes the open files below it (and gives them back
/// when removed).
#[test]
fn each_workspace_folder_is_judged_with_its_own_configuration() {
    let dir = tempfile::tempdir().unwrap();
    let top = dir.path().canonicalize().unwrap();
    let quiet = top.join("quiet");
    let loud = top.join("loud");
    let inner = loud.join("inner");
    for folder in [&quiet, &loud, &inner] {
        std::fs::create_dir_all(folder).unwrap();
        std::fs::write(folder.join("app.yaml"), APP).unwrap();
    }
    std::fs::write(quiet.join("bplint.toml"), "ignore = [\"BP004\"]\n").unwrap();
    std::fs::write(inner.join("bplint.toml"), "ignore = [\"BP004\"]\n").unwrap();
    let mut client = Client::start_folders(&top, &[&quiet, &loud]);
    let (quiet_app, loud_app, inner_app) = (
        uri(&quiet.join("app.yaml")),
        uri(&loud.join("app.yaml")),
        uri(&inner.join("app.yaml")),
    );
    client.open(&quiet_app, APP);
    client.open(&loud_app, APP);
    client.open(&inner_app, APP);
    assert_eq!(codes(&client.diagnostics(&loud_app)), ["BP004"]);
    // Until its own folder is opened, `inner` is a file of `loud`.
    assert_eq!(codes(&client.diagnostics(&inner_app)), ["BP004"]);
    assert!(client.nothing_published_for(&quiet_app));

    let folder = |path: &Path| json!([{"uri": uri(path), "name": "inner"}]);
    client.notify(
        "workspace/didChangeWorkspaceFolders",
        json!({"event": {"added": folder(&inner), "removed": []}}),
    );
    let after = client.diagnostics(&inner_app);
    assert!(after.is_empty(), "{after:?}");
    client.notify(
        "workspace/didChangeWorkspaceFolders",
        json!({"event": {"added": [], "removed": folder(&inner)}}),
    );
    assert_eq!(codes(&client.diagnostics(&inner_app)), ["BP004"]);
    // An edit goes to the folder that holds the file now.
    client.change(&inner_app, 2, &APP.replace("!find", "!Find"));
    let edited = client.diagnostics(&inner_app);
    assert!(!codes(&edited).contains(&"BP004"), "{edited:?}");
    client.shutdown();
}

/// A repository that runs two Authentik sites: the editor judges each site's
/// blueprints as `check` does, as a set of their own (the same application in
/// both sites is no BP208, the same blueprint name no BP212).
#[test]
fn each_instance_of_the_workspace_is_a_set_of_its_own() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    common::copy_tree(Path::new("fixtures/repos/compose-sites"), &root);
    let path = root.join("site-b/blueprints/grafana.yaml");
    let text = std::fs::read_to_string(&path).unwrap().replace(
        "    attrs:\n",
        "    attrs:\n      policy_engine_mode: every\n",
    );
    let mut client = Client::start(&root);
    client.open(&uri(&path), &text);
    assert_eq!(codes(&client.diagnostics(&uri(&path))), ["BP203"]);

    // Both sites have an application `grafana`: a `!Find` in site B reaches
    // site B's alone, and hover speaks of site B's release.
    let bound = format!(
        "{text}  - model: authentik_policies.policybinding\n    identifiers:\n      \
         target: !Find [authentik_core.application, [slug, grafana]]\n      order: 0\n"
    );
    client.change(&uri(&path), 2, &bound);
    let at = position_of(&bound, "!Find", 2);
    let found = client.request(
        "textDocument/definition",
        json!({"textDocument": {"uri": uri(&path)}, "position": at}),
    );
    let found = found.as_array().unwrap();
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0]["uri"], uri(&path));
    let missing = bound.replace("[slug, grafana]", "[slug, nothing]");
    client.change(&uri(&path), 3, &missing);
    let hover = client.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri(&path)}, "position": at}),
    );
    let said = hover["contents"]["value"].as_str().unwrap();
    assert!(said.contains("Authentik 2024.12"), "{said}");
    client.shutdown();
}

mod random_edits {
    //! Half-typed text is the normal case in an editor: random edit sequences,
    //! each followed by the requests an editor sends while typing, must never
    //! stop the server or get anything but an answer. In memory (lsp-server's
    //! own connection pair), so many sequences run quickly.

    use super::{APP, FLOWS, uri, workspace};
    use lsp_server::{Connection, Message, Notification, Request, RequestId};
    use proptest::prelude::*;
    use serde_json::json;
    use std::time::Duration;

    /// Pieces of blueprints and of broken YAML to insert.
    const PIECES: &[&str] = &[
        "!",
        "!KeyOf ",
        "!Find [",
        "]",
        "[",
        "{",
        "}",
        ":",
        ": ",
        "\n",
        "\n  ",
        "- ",
        "model: ",
        "attrs:\n",
        "é",
        "𝄞",
        "\t",
        "\"",
        "'",
        "#",
        " # bplint: disable=",
        "&a ",
        "*a",
        "---\n",
        "state: ",
        "identifiers:",
        "!Enumerate [",
        "|\n",
        "\r\n",
        "authentik_flows.flow",
    ];

    #[derive(Debug, Clone)]
    enum Edit {
        Insert { at: usize, piece: usize },
        Delete { at: usize, len: usize },
    }

    fn edit() -> impl Strategy<Value = Edit> {
        prop_oneof![
            (any::<usize>(), 0..PIECES.len()).prop_map(|(at, piece)| Edit::Insert { at, piece }),
            (any::<usize>(), 0usize..40).prop_map(|(at, len)| Edit::Delete { at, len }),
        ]
    }

    fn floor(text: &str, mut at: usize) -> usize {
        at = at.min(text.len());
        while !text.is_char_boundary(at) {
            at -= 1;
        }
        at
    }

    fn apply(text: &mut String, edit: &Edit) {
        match *edit {
            Edit::Insert { at, piece } => {
                let at = floor(text, at % (text.len() + 1));
                text.insert_str(at, PIECES[piece]);
            }
            Edit::Delete { at, len } => {
                let start = floor(text, at % (text.len() + 1));
                let end = floor(text, start + len);
                text.replace_range(start..end, "");
            }
        }
    }

    struct Memory {
        client: Connection,
        server: Option<std::thread::JoinHandle<Result<(), String>>>,
        id: i32,
    }

    impl Memory {
        fn start(root: &std::path::Path) -> Memory {
            let (server, client) = Connection::memory();
            let handle = std::thread::spawn(move || bplint::server::serve(&server));
            let mut memory = Memory {
                client,
                server: Some(handle),
                id: 0,
            };
            memory.request(
                "initialize",
                json!({"processId": null, "rootUri": uri(root), "capabilities": {}}),
            );
            memory.notify("initialized", json!({}));
            memory
        }

        fn notify(&self, method: &str, params: serde_json::Value) {
            let n = Notification::new(method.into(), params);
            self.client.sender.send(Message::Notification(n)).unwrap();
        }

        fn request(&mut self, method: &str, params: serde_json::Value) -> serde_json::Value {
            self.id += 1;
            let id = RequestId::from(self.id);
            let r = Request::new(id.clone(), method.into(), params);
            self.client.sender.send(Message::Request(r)).unwrap();
            loop {
                let message = self
                    .client
                    .receiver
                    .recv_timeout(Duration::from_secs(60))
                    .expect("the server answers");
                if let Message::Response(response) = message
                    && response.id == id
                {
                    match response.response_result {
                        Ok(value) => return value,
                        Err(e) => panic!("{method}: {e:?}"),
                    }
                }
            }
        }

        fn stop(mut self) {
            self.request("shutdown", serde_json::Value::Null);
            self.notify("exit", serde_json::Value::Null);
            let result = self.server.take().unwrap().join();
            assert!(matches!(result, Ok(Ok(()))), "{result:?}");
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

        #[test]
        fn random_edits_never_stop_the_server(
            edits in proptest::collection::vec((edit(), any::<u32>(), any::<u32>()), 1..12),
            start_with_app in any::<bool>(),
        ) {
            let (_dir, root) = workspace();
            let target = if start_with_app { "app.yaml" } else { "flows.yaml" };
            let other = if start_with_app { "flows.yaml" } else { "app.yaml" };
            let mut text = if start_with_app { APP } else { FLOWS }.to_string();
            let target = uri(&root.join(target));
            let mut memory = Memory::start(&root);
            memory.notify("textDocument/didOpen", json!({"textDocument": {
                "uri": uri(&root.join(other)), "languageId": "yaml", "version": 1,
                "text": if start_with_app { FLOWS } else { APP }}}));
            memory.notify("textDocument/didOpen", json!({"textDocument": {
                "uri": target, "languageId": "yaml", "version": 1, "text": text}}));
            for (version, (edit, line, character)) in edits.iter().enumerate() {
                apply(&mut text, edit);
                memory.notify("textDocument/didChange", json!({
                    "textDocument": {"uri": target, "version": version + 2},
                    "contentChanges": [{"text": text}]}));
                // Positions anywhere, past the end of lines and of the text too.
                let position = json!({"line": line % 40, "character": character % 90});
                let at = json!({"textDocument": {"uri": target}, "position": position});
                memory.request("textDocument/hover", at.clone());
                memory.request("textDocument/completion", at.clone());
                memory.request("textDocument/definition", at.clone());
                let mut refs = at.clone();
                refs["context"] = json!({"includeDeclaration": true});
                memory.request("textDocument/references", refs);
                memory.request("textDocument/codeAction", json!({
                    "textDocument": {"uri": target},
                    "range": {"start": {"line": 0, "character": 0}, "end": position},
                    "context": {"diagnostics": []}}));
                memory.request("textDocument/documentSymbol",
                    json!({"textDocument": {"uri": target}}));
            }
            memory.stop();
        }
    }
}

/// The field descriptions hover shows are the ones the shared reference's
/// newest API schema gives (checked only where ../shared is present).
#[test]
fn hover_descriptions_match_the_newest_api_schema() {
    if !Path::new("../shared/authentik/openapi").is_dir() {
        eprintln!("../shared not present; skipped");
        return;
    }
    common::assert_generator_current(
        "scripts/gen-descriptions.py",
        &["--shared", "../shared"],
        "knowledge/descriptions.tsv",
    );
}
