// The VS Code adapter: commands and settings over the client core. Everything that talks to the
// daemon lives in client.ts; this file only reads settings and shows results.

import * as vscode from 'vscode';
import { Message, ModelInfo, ProviderResponse, RuntimeClient, toRuntimeError } from './client';
import { formatError, formatModel, formatResponse, formatWarnings } from './format';

const SECTION = 'providerRuntime';
const DAEMON_SETTINGS = ['daemonPath', 'daemonArgs', 'trace'].map((key) => `${SECTION}.${key}`);

/** Starts the daemon on first use and keeps one process for the window. */
class Daemon {
  private client: Promise<RuntimeClient> | undefined;

  constructor(private readonly output: vscode.OutputChannel) {}

  get(): Promise<RuntimeClient> {
    if (this.client === undefined) {
      const cfg = vscode.workspace.getConfiguration(SECTION);
      const started = RuntimeClient.start({
        command: cfg.get<string>('daemonPath') || 'provider-runtime',
        args: cfg.get<string[]>('daemonArgs') ?? ['serve'],
        trace: cfg.get<'off' | 'messages' | 'verbose'>('trace') ?? 'off',
        log: (line) => this.output.appendLine(line),
        clientName: 'vscode',
      });
      started.catch(() => {
        this.client = undefined; // try again on the next command
      });
      this.client = started;
    }
    return this.client.then((client) => {
      if (!client.running) {
        this.client = undefined;
        return this.get();
      }
      return client;
    });
  }

  async stop(): Promise<void> {
    const pending = this.client;
    this.client = undefined;
    if (pending) {
      const client = await pending.catch(() => undefined);
      await client?.stop();
    }
  }
}

function report(output: vscode.OutputChannel, error: unknown): undefined {
  const err = toRuntimeError(error);
  const text = formatError(err);
  output.appendLine(text);
  if (err.cancelled) {
    void vscode.window.showInformationMessage(text);
  } else {
    void vscode.window.showErrorMessage(text);
  }
  return undefined;
}

async function runPrompt(daemon: Daemon, output: vscode.OutputChannel): Promise<ProviderResponse | undefined> {
  const editor = vscode.window.activeTextEditor;
  if (!editor) {
    void vscode.window.showErrorMessage('provider-runtime: open a file or select some text first');
    return undefined;
  }
  const selection = editor.selection;
  const text = selection && !selection.isEmpty ? editor.document.getText(selection) : editor.document.getText();
  if (!text.trim()) {
    void vscode.window.showErrorMessage('provider-runtime: nothing to send (the selection or file is empty)');
    return undefined;
  }
  try {
    const client = await daemon.get();
    const cfg = vscode.workspace.getConfiguration(SECTION);
    const model = cfg.get<string>('model') || client.info?.defaultModel || 'echo/echo-1';
    const system = cfg.get<string>('systemPrompt');
    const messages: Message[] = system ? [{ role: 'system', content: system }] : [];
    messages.push({ role: 'user', content: text });
    const response = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `provider-runtime: ${model}`, cancellable: true },
      (_progress, token) => client.run({ model, messages }, token),
    );
    const document = await vscode.workspace.openTextDocument({ language: 'markdown', content: formatResponse(response) });
    await vscode.window.showTextDocument(document, { viewColumn: vscode.ViewColumn.Beside, preview: true });
    const warnings = formatWarnings(response.warnings);
    warnings.forEach((line) => output.appendLine(line));
    if (warnings.length) {
      void vscode.window.showWarningMessage(`provider-runtime: ${warnings[0]}`);
    }
    return response;
  } catch (error) {
    return report(output, error);
  }
}

async function pickModel(daemon: Daemon, output: vscode.OutputChannel): Promise<ModelInfo | undefined> {
  try {
    const client = await daemon.get();
    const result = await client.models({});
    formatWarnings(result.warnings).forEach((line) => output.appendLine(line));
    const items = result.models.map((model) => {
      const [label, ...rest] = formatModel(model).split('  ');
      return { label, description: rest.join('  '), model };
    });
    const picked = await vscode.window.showQuickPick(items, {
      title: 'provider-runtime models (the pick becomes providerRuntime.model)',
      matchOnDescription: true,
    });
    if (picked) {
      const value = `${picked.model.provider}/${picked.model.id}`;
      await vscode.workspace.getConfiguration(SECTION).update('model', value, vscode.ConfigurationTarget.Global);
    }
    return picked?.model;
  } catch (error) {
    return report(output, error);
  }
}

async function showCatalog(daemon: Daemon, output: vscode.OutputChannel): Promise<vscode.TextDocument | undefined> {
  try {
    const catalog = await (await daemon.get()).catalog();
    const content = JSON.stringify(catalog, null, 1);
    const document = await vscode.workspace.openTextDocument({ language: 'json', content });
    await vscode.window.showTextDocument(document, { preview: true });
    return document;
  } catch (error) {
    return report(output, error);
  }
}

let current: Daemon | undefined;

export function activate(context: vscode.ExtensionContext): void {
  const output = vscode.window.createOutputChannel('Provider Runtime');
  const daemon = new Daemon(output);
  current = daemon;
  context.subscriptions.push(
    output,
    vscode.commands.registerCommand(`${SECTION}.run`, () => runPrompt(daemon, output)),
    vscode.commands.registerCommand(`${SECTION}.models`, () => pickModel(daemon, output)),
    vscode.commands.registerCommand(`${SECTION}.catalog`, () => showCatalog(daemon, output)),
    vscode.commands.registerCommand(`${SECTION}.restart`, () => daemon.stop()),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (DAEMON_SETTINGS.some((key) => event.affectsConfiguration(key))) {
        void daemon.stop(); // the next command starts it with the new settings
      }
    }),
  );
}

/** VS Code waits for this promise: shutdown and exit reach the daemon before the window goes. */
export async function deactivate(): Promise<void> {
  await current?.stop();
  current = undefined;
}
