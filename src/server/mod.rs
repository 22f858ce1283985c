//! `bplint server`: the Language Server Protocol over standard input and
//! output, on rust-analyzer's `lsp-server` (the connection and JSON-RPC
//! framing) and `lsp-types` (the protocol's messages); docs/decisions.md says
//! why these.
//!
//! One thread reads messages and answers them in order. Edits only mark the
//! session dirty; once no message is waiting, the set is checked once with
//! every open text in place of its file and the diagnostics that changed are
//! sent, so a burst of keystrokes costs one check. A request that reads the
//! findings (code actions, hover) checks first when an edit is pending.
//!
//! Each workspace folder the client opens is a session of its own (its own
//! bplint.toml, release and blueprint set, as `check` run there would have);
//! a document belongs to the innermost folder holding it.
//!
//! Notes for maintainers: ruff's server (`crates/ruff_server`) and taplo's
//! (`crates/taplo-lsp`) were the models for the shape; no code was taken.

mod actions;
mod complete;
mod navigate;
mod session;
pub mod text;

use crate::{EXIT_OK, EXIT_TROUBLE};
use lsp_server::{Connection, ErrorCode, Message, Notification, Request, Response};
use lsp_types::notification::{
    DidChangeTextDocument, DidChangeWorkspaceFolders, DidCloseTextDocument, DidOpenTextDocument,
    DidSaveTextDocument, Notification as _, PublishDiagnostics, ShowMessage,
};
use lsp_types::request::{
    CodeActionRequest, Completion, DocumentSymbolRequest, GotoDefinition, HoverRequest, References,
    Request as _,
};
use lsp_types::{
    CodeActionProviderCapability, CompletionOptions, DocumentSymbolResponse,
    GotoDefinitionResponse, HoverProviderCapability, InitializeParams, MessageType, OneOf,
    PublishDiagnosticsParams, ServerCapabilities, ServerInfo, ShowMessageParams,
    TextDocumentPositionParams, TextDocumentSyncCapability, TextDocumentSyncKind,
    WorkspaceFoldersServerCapabilities, WorkspaceServerCapabilities,
};
use session::{Document, Session};
use std::path::{Path, PathBuf};

/// Serve on standard input and output until the client says `exit`.
pub fn run() -> u8 {
    let (connection, io_threads) = Connection::stdio();
    let code = match serve(&connection) {
        Ok(()) => EXIT_OK,
        Err(message) => {
            eprintln!("bplint: error: {message}");
            EXIT_TROUBLE
        }
    };
    drop(connection);
    match io_threads.join() {
        Ok(()) => code,
        Err(_) => EXIT_TROUBLE,
    }
}

fn capabilities() -> ServerCapabilities {
    ServerCapabilities {
        text_document_sync: Some(TextDocumentSyncCapability::Kind(TextDocumentSyncKind::FULL)),
        code_action_provider: Some(CodeActionProviderCapability::Simple(true)),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        definition_provider: Some(OneOf::Left(true)),
        references_provider: Some(OneOf::Left(true)),
        document_symbol_provider: Some(OneOf::Left(true)),
        completion_provider: Some(CompletionOptions {
            trigger_characters: Some(["!", ":", " ", "[", ","].map(String::from).to_vec()),
            ..CompletionOptions::default()
        }),
        workspace: Some(WorkspaceServerCapabilities {
            workspace_folders: Some(WorkspaceFoldersServerCapabilities {
                supported: Some(true),
                change_notifications: Some(OneOf::Left(true)),
            }),
            file_operations: None,
        }),
        ..ServerCapabilities::default()
    }
}

/// The client's workspace folders, each checked as a set of its own.
struct Workspace {
    /// Never empty: the last folder removed stays, for the files still open.
    sessions: Vec<Session>,
    docs_base: Option<String>,
}

impl Workspace {
    /// Open a session for the folder `root`, telling the client when its
    /// configuration or release cannot be read.
    fn open(&mut self, connection: &Connection, root: PathBuf) -> Result<(), String> {
        let (session, problem) = Session::new(root, self.docs_base.clone());
        if let Some(problem) = problem {
            let params = ShowMessageParams {
                typ: MessageType::ERROR,
                message: format!(
                    "bplint: {}: {problem} (checking with the defaults until it is fixed and the server restarted)",
                    crate::source::display_path(&session.root)
                ),
            };
            send(
                connection,
                Message::Notification(Notification::new(ShowMessage::METHOD.into(), params)),
            )?;
        }
        self.sessions.push(session);
        Ok(())
    }

    /// Which session a file belongs to: the innermost folder holding it; a
    /// file outside every folder is judged with the first.
    fn index_of(&self, path: &Path) -> usize {
        self.sessions
            .iter()
            .enumerate()
            .filter(|(_, s)| path.starts_with(&s.root))
            .max_by_key(|(_, s)| s.root.components().count())
            .map_or(0, |(i, _)| i)
    }

    fn of(&mut self, path: &Path) -> &mut Session {
        let i = self.index_of(path);
        &mut self.sessions[i]
    }

    /// The client added and removed folders. Open files move to the folder
    /// that holds them now (a removed folder's, and those below a folder
    /// added inside another), and are judged there.
    fn change(
        &mut self,
        connection: &Connection,
        added: Vec<PathBuf>,
        removed: Vec<PathBuf>,
    ) -> Result<(), String> {
        for root in added {
            if !self.sessions.iter().any(|s| s.root == root) {
                self.open(connection, root)?;
            }
        }
        let mut moving = Vec::new();
        for root in removed {
            if self.sessions.len() == 1 {
                break;
            }
            if let Some(i) = self.sessions.iter().position(|s| s.root == root) {
                let mut gone = self.sessions.remove(i);
                let paths: Vec<PathBuf> = gone.docs.keys().cloned().collect();
                moving.extend(paths.iter().filter_map(|p| gone.release(p)));
            }
        }
        // A folder added inside another takes the open files below it.
        for i in 0..self.sessions.len() {
            let misplaced: Vec<PathBuf> = self.sessions[i]
                .docs
                .keys()
                .filter(|p| self.index_of(p) != i)
                .cloned()
                .collect();
            moving.extend(misplaced.iter().filter_map(|p| self.sessions[i].release(p)));
        }
        for (path, doc, sent) in moving {
            self.of(&path).adopt(path, doc, sent);
        }
        Ok(())
    }
}

/// Serve one connection (the end-to-end tests drive this over memory).
pub fn serve(connection: &Connection) -> Result<(), String> {
    let (id, params) = connection
        .initialize_start()
        .map_err(|e| format!("the client did not initialize: {e}"))?;
    let params: InitializeParams = serde_json::from_value(params)
        .map_err(|e| format!("the client's initialize request is not valid: {e}"))?;
    let roots = workspace_roots(&params)?;
    let docs_base = params
        .initialization_options
        .as_ref()
        .and_then(|o| o.get("ruleDocs"))
        .and_then(|v| v.as_str())
        .map(|s| s.trim_end_matches('/').to_string());
    let result = serde_json::json!({
        "capabilities": capabilities(),
        "serverInfo": ServerInfo {
            name: "bplint".into(),
            version: Some(env!("CARGO_PKG_VERSION").into()),
        },
    });
    connection
        .initialize_finish(id, result)
        .map_err(|e| format!("the client left during initialization: {e}"))?;
    let mut workspace = Workspace {
        sessions: Vec::new(),
        docs_base,
    };
    for root in roots {
        workspace.open(connection, root)?;
    }
    loop {
        let Ok(message) = connection.receiver.recv() else {
            return Ok(());
        };
        if handle(connection, &mut workspace, message)? {
            return Ok(());
        }
        while let Ok(message) = connection.receiver.try_recv() {
            if handle(connection, &mut workspace, message)? {
                return Ok(());
            }
        }
        for session in &mut workspace.sessions {
            if session.dirty && !session.docs.is_empty() {
                session.check();
                publish(connection, session)?;
            }
        }
    }
}

/// The workspace folders: those the client names, else its root, else the
/// current folder.
fn workspace_roots(params: &InitializeParams) -> Result<Vec<PathBuf>, String> {
    let folders: Vec<PathBuf> = params
        .workspace_folders
        .iter()
        .flatten()
        .filter_map(|f| text::uri_to_path(&f.uri))
        .collect();
    if !folders.is_empty() {
        return Ok(folders);
    }
    #[allow(deprecated)] // Older clients send only `rootUri`.
    match params.root_uri.as_ref().and_then(text::uri_to_path) {
        Some(path) => Ok(vec![path]),
        None => std::env::current_dir()
            .map(|dir| vec![dir])
            .map_err(|e| format!("no workspace folder, and no current folder: {e}")),
    }
}

fn send(connection: &Connection, message: Message) -> Result<(), String> {
    connection
        .sender
        .send(message)
        .map_err(|_| "the client closed the connection".to_string())
}

fn publish(connection: &Connection, session: &mut Session) -> Result<(), String> {
    for (uri, diagnostics) in session.changed_diagnostics() {
        send_diagnostics(connection, uri, diagnostics)?;
    }
    Ok(())
}

fn send_diagnostics(
    connection: &Connection,
    uri: lsp_types::Uri,
    diagnostics: Vec<lsp_types::Diagnostic>,
) -> Result<(), String> {
    let params = PublishDiagnosticsParams {
        uri,
        diagnostics,
        version: None,
    };
    send(
        connection,
        Message::Notification(Notification::new(PublishDiagnostics::METHOD.into(), params)),
    )
}

/// Handle one message; `true` when the client asked to exit.
fn handle(
    connection: &Connection,
    workspace: &mut Workspace,
    message: Message,
) -> Result<bool, String> {
    match message {
        Message::Request(request) => {
            if connection
                .handle_shutdown(&request)
                .map_err(|e| format!("shutdown: {e}"))?
            {
                return Ok(true);
            }
            // Every request this server answers names its document.
            let path = request
                .params
                .get("textDocument")
                .and_then(|d| d.get("uri"))
                .and_then(|u| u.as_str())
                .and_then(|u| u.parse::<lsp_types::Uri>().ok())
                .and_then(|u| text::uri_to_path(&u));
            let session = match &path {
                Some(path) => workspace.of(path),
                None => &mut workspace.sessions[0],
            };
            let response = answer(session, request);
            send(connection, Message::Response(response))?;
        }
        Message::Notification(notification) => {
            if notification.method == "exit" {
                return Ok(true);
            }
            notify(connection, workspace, notification)?;
        }
        Message::Response(_) => {}
    }
    Ok(false)
}

fn notify(
    connection: &Connection,
    workspace: &mut Workspace,
    notification: Notification,
) -> Result<(), String> {
    let params = notification.params;
    match notification.method.as_str() {
        DidChangeWorkspaceFolders::METHOD => {
            let Ok(p) =
                serde_json::from_value::<lsp_types::DidChangeWorkspaceFoldersParams>(params)
            else {
                return Ok(());
            };
            let paths = |folders: Vec<lsp_types::WorkspaceFolder>| {
                folders
                    .iter()
                    .filter_map(|f| text::uri_to_path(&f.uri))
                    .collect::<Vec<_>>()
            };
            workspace.change(connection, paths(p.event.added), paths(p.event.removed))?;
        }
        DidOpenTextDocument::METHOD => {
            let Ok(p) = serde_json::from_value::<lsp_types::DidOpenTextDocumentParams>(params)
            else {
                return Ok(());
            };
            if let Some(path) = text::uri_to_path(&p.text_document.uri) {
                let session = workspace.of(&path);
                session.docs.insert(
                    path,
                    Document {
                        uri: p.text_document.uri,
                        text: p.text_document.text,
                    },
                );
                session.dirty = true;
            }
        }
        DidChangeTextDocument::METHOD => {
            let Ok(p) = serde_json::from_value::<lsp_types::DidChangeTextDocumentParams>(params)
            else {
                return Ok(());
            };
            let Some(path) = text::uri_to_path(&p.text_document.uri) else {
                return Ok(());
            };
            let session = workspace.of(&path);
            // Full synchronisation: the last change holds the whole text.
            if let (Some(doc), Some(change)) = (
                session.docs.get_mut(&path),
                p.content_changes.into_iter().last(),
            ) {
                doc.text = change.text;
                session.dirty = true;
            }
        }
        DidCloseTextDocument::METHOD => {
            let Ok(p) = serde_json::from_value::<lsp_types::DidCloseTextDocumentParams>(params)
            else {
                return Ok(());
            };
            if let Some(path) = text::uri_to_path(&p.text_document.uri) {
                let session = workspace.of(&path);
                session.docs.remove(&path);
                session.dirty = true;
                if session.forget(&path) {
                    send_diagnostics(connection, p.text_document.uri, Vec::new())?;
                }
            }
        }
        // Saving changes nothing the open text did not say already; other
        // files changed on disk are read again at the next check.
        DidSaveTextDocument::METHOD => {
            for session in &mut workspace.sessions {
                session.dirty = true;
            }
        }
        _ => {}
    }
    Ok(())
}

/// A request's answer; one the server does not know is refused as the
/// protocol says, and a malformed one gets an error, never a crash.
fn answer(session: &mut Session, request: Request) -> Response {
    let id = request.id.clone();
    match respond(session, request) {
        Ok(value) => Response::new_ok(id, value),
        Err((code, message)) => Response::new_err(id, code as i32, message),
    }
}

type Answer = Result<serde_json::Value, (ErrorCode, String)>;

fn respond(session: &mut Session, request: Request) -> Answer {
    let method = request.method.as_str();
    let bad = |e: serde_json::Error| (ErrorCode::InvalidParams, e.to_string());
    let json = |v: serde_json::Value| Ok(v);
    // Completion reads the line being typed and answers at once; the rest
    // read the findings and facts, which must be of the text the client has.
    if method != Completion::METHOD {
        session.ensure_checked();
    }
    match method {
        CodeActionRequest::METHOD => {
            let p: lsp_types::CodeActionParams =
                serde_json::from_value(request.params).map_err(bad)?;
            let Some(path) = text::uri_to_path(&p.text_document.uri) else {
                return json(serde_json::Value::Null);
            };
            json(serde_json::json!(actions::code_actions(session, &path, &p)))
        }
        HoverRequest::METHOD => {
            let p: lsp_types::HoverParams = serde_json::from_value(request.params).map_err(bad)?;
            let Some((path, offset)) = place(session, &p.text_document_position_params) else {
                return json(serde_json::Value::Null);
            };
            json(serde_json::json!(navigate::hover(session, &path, offset)))
        }
        GotoDefinition::METHOD => {
            let p: lsp_types::GotoDefinitionParams =
                serde_json::from_value(request.params).map_err(bad)?;
            let Some((path, offset)) = place(session, &p.text_document_position_params) else {
                return json(serde_json::Value::Null);
            };
            let found = navigate::definition(session, &path, offset);
            json(serde_json::json!(GotoDefinitionResponse::Array(found)))
        }
        References::METHOD => {
            let p: lsp_types::ReferenceParams =
                serde_json::from_value(request.params).map_err(bad)?;
            let Some((path, offset)) = place(session, &p.text_document_position) else {
                return json(serde_json::Value::Null);
            };
            let declaration = p.context.include_declaration;
            let found = navigate::references(session, &path, offset, declaration);
            json(serde_json::json!(found))
        }
        Completion::METHOD => {
            let p: lsp_types::CompletionParams =
                serde_json::from_value(request.params).map_err(bad)?;
            let Some((path, offset)) = place(session, &p.text_document_position) else {
                return json(serde_json::Value::Null);
            };
            json(serde_json::json!(complete::complete(
                session, &path, offset
            )))
        }
        DocumentSymbolRequest::METHOD => {
            let p: lsp_types::DocumentSymbolParams =
                serde_json::from_value(request.params).map_err(bad)?;
            let Some(path) = text::uri_to_path(&p.text_document.uri) else {
                return json(serde_json::Value::Null);
            };
            let symbols = navigate::symbols(session, &path);
            json(serde_json::json!(DocumentSymbolResponse::Nested(symbols)))
        }
        _ => Err((
            ErrorCode::MethodNotFound,
            format!("bplint does not answer `{method}`"),
        )),
    }
}

/// The file and byte offset a request points at.
fn place(session: &Session, at: &TextDocumentPositionParams) -> Option<(PathBuf, usize)> {
    let path = text::uri_to_path(&at.text_document.uri)?;
    let text = navigate::text_of(session, &path)?;
    let offset = text::Lines::new(&text).offset(at.position);
    Some((path, offset))
}
