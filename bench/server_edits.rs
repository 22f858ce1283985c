//! Edit-to-diagnostics time of `bplint server` on a workspace of 1,000
//! blueprints: `cargo bench --bench server_edits`.
//!
//! The server runs in this process on lsp-server's in-memory connection, as an
//! editor would drive it over stdio. One blueprint is open; each edit toggles a
//! finding in it (an unknown tag `!find` and back), so every edit is followed by
//! new diagnostics, and the time from sending the change to receiving them is
//! recorded. Prints the median and the 95th percentile.
//!
//! The workspace is generated (copies of two blueprints that reference each
//! other across files, each copy with its own names), or is the folder
//! `BPLINT_BENCH_CORPUS` names (bench/gen_corpus.py writes one from real
//! blueprints); the opened file is its first blueprint in path order.

use lsp_server::{Connection, Message, Notification, Request, RequestId};
use serde_json::json;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const EDITS: usize = 60;

fn flows(n: usize) -> String {
    format!(
        "version: 1
metadata:
  name: flows-{n}
entries:
  - model: authentik_flows.flow
    id: login-flow
    identifiers:
      slug: login-{n}
    attrs:
      name: Login {n}
      title: Login {n}
      designation: authentication
  - model: authentik_stages_password.passwordstage
    id: password-stage
    identifiers:
      name: password-{n}
    attrs:
      backends:
        - authentik.core.auth.InbuiltBackend
  - model: authentik_flows.flowstagebinding
    identifiers:
      target: !KeyOf login-flow
      stage: !KeyOf password-stage
      order: 10
"
    )
}

fn app(n: usize) -> String {
    format!(
        "version: 1
metadata:
  name: app-{n}
entries:
  - model: authentik_core.application
    identifiers:
      slug: app-{n}
    attrs:
      name: App {n}
      policy_engine_mode: any
  - model: authentik_brands.brand
    identifiers:
      domain: app-{n}.example.com
    attrs:
      flow_authentication: !Find [authentik_flows.flow, [slug, login-{n}]]
"
    )
}

fn uri(path: &Path) -> String {
    format!("file://{}", path.display())
}

fn blueprints(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            blueprints(&path, out);
        } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
            out.push(path);
        }
    }
}

fn main() {
    let generated = tempfile::tempdir().expect("a temporary folder");
    let root = match std::env::var_os("BPLINT_BENCH_CORPUS") {
        Some(dir) => PathBuf::from(dir)
            .canonicalize()
            .expect("the corpus folder"),
        None => {
            let root = generated.path().canonicalize().expect("the folder");
            for n in 0..500 {
                std::fs::write(root.join(format!("flows-{n:03}.yaml")), flows(n)).expect("write");
                std::fs::write(root.join(format!("app-{n:03}.yaml")), app(n)).expect("write");
            }
            root
        }
    };
    let mut files = Vec::new();
    blueprints(&root, &mut files);
    files.sort();
    let Some(opened) = files.iter().find(|p| {
        std::fs::read_to_string(p).is_ok_and(|t| t.contains("entries:") && t.contains("model:"))
    }) else {
        eprintln!("no blueprint in {}", root.display());
        return;
    };
    let original = std::fs::read_to_string(opened).expect("read");
    let broken = original.replacen("model:", "model: !find", 1);

    let (server, client) = Connection::memory();
    let handle = std::thread::spawn(move || bplint::server::serve(&server));
    let send = |m: Message| client.sender.send(m).expect("the server is running");
    let notify = |method: &str, params| {
        send(Message::Notification(Notification::new(
            method.into(),
            params,
        )))
    };
    send(Message::Request(Request::new(
        RequestId::from(1),
        "initialize".into(),
        json!({"processId": null, "rootUri": uri(&root), "capabilities": {}}),
    )));
    let wait_diagnostics = || loop {
        match client.receiver.recv_timeout(Duration::from_secs(120)) {
            Ok(Message::Notification(n)) if n.method == "textDocument/publishDiagnostics" => {
                return;
            }
            Ok(_) => {}
            Err(e) => panic!("the server stopped answering: {e}"),
        }
    };
    notify("initialized", json!({}));
    let uri = uri(opened);
    let start = Instant::now();
    notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "yaml", "version": 1, "text": broken}}),
    );
    wait_diagnostics();
    let first = start.elapsed();
    let mut times = Vec::with_capacity(EDITS);
    for edit in 0..EDITS {
        let text = if edit % 2 == 0 { &original } else { &broken };
        let start = Instant::now();
        notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": edit + 2},
                   "contentChanges": [{"text": text}]}),
        );
        // The clean text may have findings of its own: wait for what it sends.
        wait_diagnostics();
        times.push(start.elapsed());
    }
    send(Message::Request(Request::new(
        RequestId::from(2),
        "shutdown".into(),
        json!(null),
    )));
    notify("exit", json!(null));
    let _ = handle.join();
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let median = times[times.len() / 2];
    let p95 = times[(times.len() * 95).div_ceil(100) - 1];
    println!(
        "{} files: first check {:.1} ms; edit to diagnostics over {EDITS} edits: median {:.1} ms, p95 {:.1} ms",
        files.len(),
        ms(first),
        ms(median),
        ms(p95)
    );
}
