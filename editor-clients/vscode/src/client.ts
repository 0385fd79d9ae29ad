// The client core: spawn the provider-runtime daemon, speak JSON-RPC to it over stdio with
// vscode-jsonrpc, typed calls, cancellation. It never imports `vscode`, so plain node tests it.

import { spawn, ChildProcess } from 'node:child_process';
import {
  CancellationTokenSource,
  MessageConnection,
  ResponseError,
  StreamMessageReader,
  StreamMessageWriter,
  Trace,
  createMessageConnection,
} from 'vscode-jsonrpc/node';
import type {
  DiscoveryOptions,
  InitializeResult,
  ModelCatalog,
  ModelsResult,
  ProviderRequest,
  ProviderResponse,
  RuntimeErrorData,
} from './types';

export * from './types';

/** What a caller may cancel with: VS Code's CancellationToken fits, so does vscode-jsonrpc's. */
export interface CancellationLike {
  readonly isCancellationRequested: boolean;
  onCancellationRequested(listener: () => void): { dispose(): void };
}

export type TraceLevel = 'off' | 'messages' | 'verbose';

export interface DaemonOptions {
  /** The executable, e.g. `provider-runtime` or `/path/.venv/bin/provider-runtime`. */
  command: string;
  /** Default `["serve"]`. Add `--config PATH` here; keys stay in the shared config file. */
  args?: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  trace?: TraceLevel;
  /** Receives stderr lines, traces and the daemon's window/logMessage notifications. */
  log?: (line: string) => void;
  /** Client name sent in `initialize`. */
  clientName?: string;
}

// Codes of errors that carry no `data` (JSON-RPC's own and cancellation), by kind.
const KIND_OF_CODE: Record<number, string> = {
  [-32700]: 'parse_error',
  [-32600]: 'invalid_request',
  [-32601]: 'method_not_found',
  [-32602]: 'invalid_params',
  [-32603]: 'internal',
  [-32800]: 'cancelled',
  [-32001]: 'config',
  [-32002]: 'routing',
};

export const CANCELLED = -32800;

/** A failed call: the JSON-RPC code, one-line message and the daemon's `error.data`. */
export class RuntimeError extends Error {
  readonly code: number;
  readonly kind: string;
  readonly retryable: boolean;
  readonly data: RuntimeErrorData | undefined;

  constructor(code: number, message: string, data?: RuntimeErrorData) {
    super(message);
    this.name = 'RuntimeError';
    this.code = code;
    this.data = data;
    this.kind = data?.kind ?? KIND_OF_CODE[code] ?? 'unknown';
    this.retryable = data?.retryable ?? false;
  }

  get provider(): string | null {
    return this.data?.provider ?? null;
  }

  get status(): number | null {
    return this.data?.status ?? null;
  }

  get retryAfter(): number | null {
    return this.data?.retry_after ?? null;
  }

  get cancelled(): boolean {
    return this.code === CANCELLED;
  }
}

/** Any failure of a call as a RuntimeError (daemon errors keep their code, kind and data). */
export function toRuntimeError(error: unknown, context = ''): RuntimeError {
  if (error instanceof RuntimeError) {
    return error;
  }
  if (error instanceof ResponseError) {
    const data = isErrorData(error.data) ? error.data : undefined;
    return new RuntimeError(error.code, error.message, data);
  }
  const message = error instanceof Error ? error.message : String(error);
  return new RuntimeError(-32603, context ? `${message}${context}` : message, {
    kind: 'daemon',
    retryable: false,
  });
}

function isErrorData(value: unknown): value is RuntimeErrorData {
  return typeof value === 'object' && value !== null && typeof (value as { kind?: unknown }).kind === 'string';
}

const STDERR_KEEP = 4000;

/** One daemon process and its connection. Calls may run concurrently; answers match by id. */
export class RuntimeClient {
  /** The `initialize` result: server version, providers and credential sources, default model. */
  info: InitializeResult | undefined;
  private stderrTail = '';
  private exitCode: number | null | undefined = undefined;
  private readonly exited: Promise<number | null>;

  private constructor(
    private readonly child: ChildProcess,
    private readonly connection: MessageConnection,
    private readonly log: (line: string) => void,
  ) {
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.exitCode = code ?? (signal ? null : 0);
        this.connection.dispose(); // rejects the calls still waiting
        resolve(this.exitCode);
      });
    });
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      this.stderrTail = (this.stderrTail + chunk).slice(-STDERR_KEEP);
      for (const line of chunk.split('\n')) {
        if (line.trim()) {
          this.log(`[daemon] ${line}`);
        }
      }
    });
    connection.onNotification('window/logMessage', (params: { type?: number; message?: string }) => {
      this.log(`[daemon ${params.type === 2 ? 'warning' : 'log'}] ${params.message ?? ''}`);
    });
  }

  /** Spawn the daemon and initialize it; rejects with a readable RuntimeError if it cannot start. */
  static async start(options: DaemonOptions): Promise<RuntimeClient> {
    const log = options.log ?? (() => undefined);
    const child = spawn(options.command, options.args ?? ['serve'], {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', () => resolve());
      child.once('error', (err: NodeJS.ErrnoException) => {
        const hint = err.code === 'ENOENT' ? ' (not found: set the daemon path)' : '';
        reject(new RuntimeError(-32603, `cannot start \`${options.command}\`: ${err.message}${hint}`, {
          kind: 'daemon',
          retryable: false,
        }));
      });
    });
    const connection = createMessageConnection(
      new StreamMessageReader(child.stdout!),
      new StreamMessageWriter(child.stdin!),
    );
    const client = new RuntimeClient(child, connection, log);
    if (options.trace && options.trace !== 'off') {
      const level = options.trace === 'verbose' ? Trace.Verbose : Trace.Messages;
      await connection.trace(level, { log: (message: string, data?: string) => log(data ? `${message}\n${data}` : message) });
    }
    connection.listen();
    try {
      client.info = await client.call<InitializeResult>('initialize', {
        clientInfo: { name: options.clientName ?? 'provider-runtime-node' },
      });
    } catch (error) {
      client.kill();
      throw error;
    }
    return client;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return this.exitCode === undefined;
  }

  /** `runtime/run`: one model call; `token` cancels it (the daemon answers -32800). */
  run(request: ProviderRequest, token?: CancellationLike): Promise<ProviderResponse> {
    return this.call<ProviderResponse>('runtime/run', request, token);
  }

  /** `runtime/models`: the catalog's models (and with `remote`, the providers' lists). */
  models(options: DiscoveryOptions = {}, token?: CancellationLike): Promise<ModelsResult> {
    return this.call<ModelsResult>('runtime/models', options, token);
  }

  /** `runtime/catalog`: the exported catalog `{snapshot, models}`. */
  catalog(token?: CancellationLike): Promise<ModelCatalog> {
    return this.call<ModelCatalog>('runtime/catalog', undefined, token);
  }

  /** `runtime/reloadConfig`: re-read the shared config file without a restart. */
  reloadConfig(): Promise<Record<string, unknown>> {
    return this.call<Record<string, unknown>>('runtime/reloadConfig');
  }

  /** Any method; failures are RuntimeErrors. */
  async call<T>(method: string, params?: unknown, token?: CancellationLike): Promise<T> {
    if (!this.running) {
      throw this.exitedError();
    }
    if (token?.isCancellationRequested) {
      throw new RuntimeError(CANCELLED, `${method} was cancelled before it was sent`);
    }
    const source = new CancellationTokenSource();
    const link = token?.onCancellationRequested(() => source.cancel());
    try {
      const args: unknown[] = params === undefined ? [] : [params];
      return (await this.connection.sendRequest(method, ...args, source.token)) as T;
    } catch (error) {
      throw this.running ? toRuntimeError(error) : this.exitedError();
    } finally {
      link?.dispose();
      source.dispose();
    }
  }

  /** shutdown, then exit; waits for the process (killing it after `timeoutMs`). The exit code. */
  async stop(timeoutMs = 5000): Promise<number | null> {
    if (this.running) {
      try {
        await withTimeout(this.connection.sendRequest('shutdown'), timeoutMs);
        await this.connection.sendNotification('exit');
      } catch {
        this.kill();
      }
    }
    const code = await withTimeout(this.exited, timeoutMs).catch(() => {
      this.kill();
      return this.exited;
    });
    this.child.stdin?.destroy();
    return code;
  }

  kill(): void {
    if (this.running) {
      this.child.kill('SIGTERM');
    }
  }

  private exitedError(): RuntimeError {
    const tail = this.stderrTail.trim().split('\n').slice(-3).join(' | ');
    return new RuntimeError(-32603, `the daemon exited (status ${this.exitCode})${tail ? `: ${tail}` : ''}`, {
      kind: 'daemon',
      retryable: true,
    });
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
