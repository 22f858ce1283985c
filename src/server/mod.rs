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
    DidChangeTextDocument, DidCloseTextDocument, DidOpenTextDocument, DidSaveTextDocument,
    Notification as _, PublishDiagnostics, ShowMessage,
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
};
use session::{Document, Session};
use std::path::PathBuf;

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
        ..ServerCapabilities::default()
    }
}

/// Serve one connection (the end-to-end tests drive this over memory).
pub fn serve(connection: &Connection) -> Result<(), String> {
    let (id, params) = connection
        .initialize_start()
        .map_err(|e| format!("the client did not initialize: {e}"))?;
    let params: InitializeParams = serde_json::from_value(params)
        .map_err(|e| format!("the client's initialize request is not valid: {e}"))?;
    let root = workspace_root(&params)?;
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
    let (mut session, problem) = Session::new(root, docs_base);
    if let Some(problem) = problem {
        let params = ShowMessageParams {
            typ: MessageType::ERROR,
            message: format!(
                "bplint: {problem} (checking with the defaults until it is fixed and the server restarted)"
            ),
        };
        send(
            connection,
            Message::Notification(Notification::new(ShowMessage::METHOD.into(), params)),
        )?;
    }
    loop {
        let Ok(message) = connection.receiver.recv() else {
            return Ok(());
        };
        if handle(connection, &mut session, message)? {
            return Ok(());
        }
        while let Ok(message) = connection.receiver.try_recv() {
            if handle(connection, &mut session, message)? {
                return Ok(());
            }
        }
        if session.dirty && !session.docs.is_empty() {
            session.check();
            publish(connection, &mut session)?;
        }
    }
}

/// The workspace folder: the first one the client names, else its root, else
/// the current folder.
fn workspace_root(params: &InitializeParams) -> Result<PathBuf, String> {
    let first = params
        .workspace_folders
        .as_ref()
        .and_then(|folders| folders.first())
        .map(|f| f.uri.clone());
    #[allow(deprecated)] // Older clients send only `rootUri`.
    let uri = first.or_else(|| params.root_uri.clone());
    match uri.as_ref().and_then(text::uri_to_path) {
        Some(path) => Ok(path),
        None => std::env::current_dir()
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
        let params = PublishDiagnosticsParams {
            uri,
            diagnostics,
            version: None,
        };
        send(
            connection,
            Message::Notification(Notification::new(PublishDiagnostics::METHOD.into(), params)),
        )?;
    }
    Ok(())
}

/// Handle one message; `true` when the client asked to exit.
fn handle(
    connection: &Connection,
    session: &mut Session,
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
            let response = answer(session, request);
            send(connection, Message::Response(response))?;
        }
        Message::Notification(notification) => {
            if notification.method == "exit" {
                return Ok(true);
            }
            notify(connection, session, notification)?;
        }
        Message::Response(_) => {}
    }
    Ok(false)
}

fn notify(
    connection: &Connection,
    session: &mut Session,
    notification: Notification,
) -> Result<(), String> {
    let params = notification.params;
    match notification.method.as_str() {
        DidOpenTextDocument::METHOD => {
            let Ok(p) = serde_json::from_value::<lsp_types::DidOpenTextDocumentParams>(params)
            else {
                return Ok(());
            };
            if let Some(path) = text::uri_to_path(&p.text_document.uri) {
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
            let path = text::uri_to_path(&p.text_document.uri);
            let doc = path.as_ref().and_then(|p| session.docs.get_mut(p));
            // Full synchronisation: the last change holds the whole text.
            if let (Some(doc), Some(change)) = (doc, p.content_changes.into_iter().last()) {
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
                session.docs.remove(&path);
                session.dirty = true;
                if session.forget(&path) {
                    let params = PublishDiagnosticsParams {
                        uri: p.text_document.uri,
                        diagnostics: Vec::new(),
                        version: None,
                    };
                    send(
                        connection,
                        Message::Notification(Notification::new(
                            PublishDiagnostics::METHOD.into(),
                            params,
                        )),
                    )?;
                }
            }
        }
        // Saving changes nothing the open text did not say already; other
        // files changed on disk are read again at the next check.
        DidSaveTextDocument::METHOD => session.dirty = true,
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
