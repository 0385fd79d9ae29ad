// A stand-in for the `vscode` module (VS Code cannot be downloaded here): just the API surface
// extension.ts uses, recording what the extension shows so tests can assert on it.

import Module = require('node:module');

type Handler = (...args: unknown[]) => unknown;

export interface Shown {
  kind: 'info' | 'warning' | 'error';
  text: string;
}

export interface FakeDocument {
  language: string;
  content: string;
  getText(range?: unknown): string;
}

export class FakeTokenSource {
  isCancellationRequested = false;
  private listeners: Array<() => void> = [];
  readonly token: {
    readonly isCancellationRequested: boolean;
    onCancellationRequested(listener: () => void): { dispose(): void };
  };

  constructor() {
    const owner = this;
    this.token = {
      get isCancellationRequested(): boolean {
        return owner.isCancellationRequested;
      },
      onCancellationRequested: (listener) => {
        this.listeners.push(listener);
        return { dispose: () => (this.listeners = this.listeners.filter((l) => l !== listener)) };
      },
    };
  }

  cancel(): void {
    this.isCancellationRequested = true;
    this.listeners.forEach((listener) => listener());
  }
}

export function createFakeVscode(settings: Record<string, unknown>) {
  const commands = new Map<string, Handler>();
  const shown: Shown[] = [];
  const documents: FakeDocument[] = [];
  const output: string[] = [];
  const progressTitles: string[] = [];
  const state = {
    activeTextEditor: undefined as unknown,
    /** Called by withProgress with the token source the "user" may cancel. */
    onProgress: (_source: FakeTokenSource) => undefined as void,
    /** Which quick pick item the "user" chooses (by label); undefined: dismiss. */
    pickLabel: undefined as string | undefined,
    quickPickItems: [] as Array<{ label: string; description?: string }>,
  };
  const record = (kind: Shown['kind']) => async (text: string) => {
    shown.push({ kind, text });
    return undefined;
  };
  const vscode = {
    ProgressLocation: { SourceControl: 1, Window: 10, Notification: 15 },
    ViewColumn: { Active: -1, Beside: -2, One: 1 },
    ConfigurationTarget: { Global: 1, Workspace: 2, WorkspaceFolder: 3 },
    commands: {
      registerCommand(name: string, handler: Handler) {
        commands.set(name, handler);
        return { dispose: () => commands.delete(name) };
      },
      async executeCommand(name: string, ...args: unknown[]) {
        const handler = commands.get(name);
        if (!handler) {
          throw new Error(`command '${name}' not found`);
        }
        return handler(...args);
      },
    },
    window: {
      get activeTextEditor() {
        return state.activeTextEditor;
      },
      createOutputChannel: (_name: string) => ({
        appendLine: (line: string) => output.push(line),
        append: (text: string) => output.push(text),
        show: () => undefined,
        dispose: () => undefined,
      }),
      showInformationMessage: record('info'),
      showWarningMessage: record('warning'),
      showErrorMessage: record('error'),
      async withProgress<T>(options: { title?: string }, task: (progress: unknown, token: unknown) => Promise<T>) {
        progressTitles.push(options.title ?? '');
        const tokens = new FakeTokenSource();
        state.onProgress(tokens);
        return task({ report: () => undefined }, tokens.token);
      },
      async showTextDocument(document: FakeDocument) {
        return { document };
      },
      async showQuickPick(items: Array<{ label: string; description?: string }>) {
        state.quickPickItems = items;
        return items.find((item) => item.label === state.pickLabel);
      },
    },
    workspace: {
      getConfiguration(section: string) {
        return {
          get: <T>(key: string, fallback?: T) => (settings[`${section}.${key}`] ?? fallback) as T,
          update: async (key: string, value: unknown) => {
            settings[`${section}.${key}`] = value;
          },
        };
      },
      onDidChangeConfiguration: (_listener: unknown) => ({ dispose: () => undefined }),
      async openTextDocument(options: { language: string; content: string }) {
        const document: FakeDocument = { ...options, getText: () => options.content };
        documents.push(document);
        return document;
      },
    },
  };
  return { vscode, commands, shown, documents, output, progressTitles, state, settings };
}

/** An editor on `text` whose selection is `[start, end)` (empty selection: whole document). */
export function fakeEditor(text: string, start = 0, end = 0) {
  return {
    selection: { isEmpty: start === end, start, end },
    document: {
      getText: (range?: { start: number; end: number }) => (range ? text.slice(range.start, range.end) : text),
    },
  };
}

/** Make `require('vscode')` return `fake` from now on. */
export function installFakeVscode(fake: unknown): void {
  const loader = Module as unknown as { _load: (request: string, ...rest: unknown[]) => unknown };
  const original = loader._load;
  loader._load = function (request: string, ...rest: unknown[]) {
    return request === 'vscode' ? fake : original.call(this, request, ...rest);
  };
}
