// Starts `bplint server` for YAML files: bplint itself decides which files are
// blueprints (others get no diagnostics), so every YAML document is handed over.
import { workspace, ExtensionContext } from "vscode";
import {
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
  TransportKind,
} from "vscode-languageclient/node";

let client: LanguageClient | undefined;

export function activate(context: ExtensionContext): Promise<void> {
  const command = workspace.getConfiguration("bplint").get<string>("path", "bplint");
  const serverOptions: ServerOptions = {
    command,
    args: ["server"],
    transport: TransportKind.stdio,
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [{ scheme: "file", language: "yaml" }],
  };
  client = new LanguageClient("bplint", "bplint", serverOptions, clientOptions);
  return client.start();
}

export function deactivate(): Promise<void> | undefined {
  return client?.stop();
}
