// extension.ts through a fake `vscode` module, driving the real daemon: commands, settings,
// progress cancellation, readable errors and warnings, shutdown on deactivate.

import { after, before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { createFakeVscode, fakeEditor, installFakeVscode } from './fake-vscode';
import { daemonCommand, useTestConfig } from './daemon';

const { command, args } = daemonCommand();
const fake = createFakeVscode({
  'providerRuntime.daemonPath': command,
  'providerRuntime.daemonArgs': args,
  'providerRuntime.trace': 'messages',
});
installFakeVscode(fake.vscode);
// Required, not imported: the fake `vscode` must be installed first.
const extension = require('../src/extension') as typeof import('../src/extension');

const context = { subscriptions: [] as Array<{ dispose(): unknown }> };

function last<T>(items: T[]): T {
  assert.ok(items.length > 0, 'nothing was recorded');
  return items[items.length - 1];
}

describe('the VS Code extension (fake vscode, real daemon)', () => {
  before(() => {
    useTestConfig();
    extension.activate(context as never);
  });

  after(async () => {
    await extension.deactivate();
  });

  it('contributes the run, models, catalog and restart commands', () => {
    assert.deepEqual([...fake.commands.keys()].sort(), [
      'providerRuntime.catalog',
      'providerRuntime.models',
      'providerRuntime.restart',
      'providerRuntime.run',
    ]);
  });

  it('run sends the selection with the config default model and shows answer, usage and cost', async () => {
    fake.state.activeTextEditor = fakeEditor('ignored SELECTED TEXT ignored', 8, 21);
    const response = await fake.vscode.commands.executeCommand('providerRuntime.run');
    assert.ok(response, 'no response');
    assert.equal(last(fake.progressTitles), 'provider-runtime: echo/echo-1');
    const document = last(fake.documents);
    assert.equal(document.language, 'markdown');
    const lines = document.content.split('\n');
    assert.equal(lines[0], 'echo: SELECTED TEXT');
    assert.ok(lines.includes('model: echo/echo-1 · finish: stop'), document.content);
    const usage = lines.find((l) => l.startsWith('usage: ')) ?? '';
    const [, input, output, total] = /^usage: (\d+) in \/ (\d+) out · cost: \$(\d+) USD \(user_config\)$/.exec(usage) ?? [];
    assert.equal(Number(total), Number(input) + 2 * Number(output), usage);
  });

  it('run on the whole file when nothing is selected; warnings reach the user', async () => {
    fake.settings['providerRuntime.model'] = 'echo/echo-unpriced';
    fake.state.activeTextEditor = fakeEditor('the whole file');
    try {
      await fake.vscode.commands.executeCommand('providerRuntime.run');
    } finally {
      delete fake.settings['providerRuntime.model'];
    }
    const document = last(fake.documents);
    assert.match(document.content, /^echo: the whole file\n/);
    assert.match(document.content, /cost: unknown\nwarning \[pricing\.missing\]: no price known for provider `echo` model `echo-unpriced`/);
    const shown = last(fake.shown);
    assert.equal(shown.kind, 'warning');
    assert.match(shown.text, /^provider-runtime: warning \[pricing\.missing\]/);
    assert.ok(fake.output.some((line) => line.startsWith('warning [pricing.missing]')));
  });

  it('a provider error is shown with its kind, status and retry advice', async () => {
    fake.state.activeTextEditor = fakeEditor('/error overloaded too busy');
    const documents = fake.documents.length;
    const result = await fake.vscode.commands.executeCommand('providerRuntime.run');
    assert.equal(result, undefined);
    assert.equal(fake.documents.length, documents, 'no answer document on error');
    assert.deepEqual(last(fake.shown), {
      kind: 'error',
      text: 'provider-runtime overloaded error (provider echo, HTTP 529, retryable): echo: overloaded (HTTP 529): too busy',
    });
  });

  it('cancelling the progress notification cancels the call in the daemon', async () => {
    fake.state.activeTextEditor = fakeEditor('/sleep 30 never answered');
    fake.state.onProgress = (tokens) => void setTimeout(() => tokens.cancel(), 300);
    const started = Date.now();
    try {
      await fake.vscode.commands.executeCommand('providerRuntime.run');
    } finally {
      fake.state.onProgress = () => undefined;
    }
    assert.ok(Date.now() - started < 10_000);
    assert.deepEqual(last(fake.shown), { kind: 'info', text: 'provider-runtime: cancelled' });
    assert.ok(fake.output.some((line) => line.includes("Sending notification '$/cancelRequest'")), 'no $/cancelRequest traced');
  });

  it('models lists the catalog in a quick pick; the pick becomes the model setting', async () => {
    fake.state.pickLabel = 'echo/echo-lite';
    const picked = (await fake.vscode.commands.executeCommand('providerRuntime.models')) as { id: string };
    assert.equal(picked.id, 'echo-lite');
    assert.equal(fake.settings['providerRuntime.model'], 'echo/echo-lite');
    delete fake.settings['providerRuntime.model'];
    const labels = fake.state.quickPickItems.map((item) => item.label);
    assert.ok(labels.includes('echo/echo-1'));
    assert.ok(labels.length > 100, 'the whole catalog is offered');
    const echo = fake.state.quickPickItems.find((item) => item.label === 'echo/echo-1');
    assert.equal(echo?.description, '32768 ctx  $1000000/$2000000 per Mtok  Echo 1 (offline)');
    const lite = fake.state.quickPickItems.find((item) => item.label === 'echo/echo-lite');
    assert.equal(lite?.description, '8192 ctx  $0/$0 per Mtok  Echo Lite (offline, text only)');
  });

  it('catalog opens the exported catalog as JSON', async () => {
    await fake.vscode.commands.executeCommand('providerRuntime.catalog');
    const document = last(fake.documents);
    assert.equal(document.language, 'json');
    const catalog = JSON.parse(document.content) as { snapshot: string; models: Array<{ provider: string; id: string }> };
    assert.match(catalog.snapshot, /^genai-prices /);
    assert.ok(catalog.models.some((m) => m.provider === 'echo' && m.id === 'echo-1'));
  });

  it('run without an editor explains what to do', async () => {
    fake.state.activeTextEditor = undefined;
    await fake.vscode.commands.executeCommand('providerRuntime.run');
    assert.deepEqual(last(fake.shown), { kind: 'error', text: 'provider-runtime: open a file or select some text first' });
  });

  it('a wrong daemon path is reported, and fixing the setting recovers', async () => {
    await fake.vscode.commands.executeCommand('providerRuntime.restart');
    fake.settings['providerRuntime.daemonPath'] = '/nonexistent/provider-runtime';
    fake.state.activeTextEditor = fakeEditor('hello');
    await fake.vscode.commands.executeCommand('providerRuntime.run');
    const shown = last(fake.shown);
    assert.equal(shown.kind, 'error');
    assert.match(shown.text, /^provider-runtime daemon error: cannot start `\/nonexistent\/provider-runtime`/);
    fake.settings['providerRuntime.daemonPath'] = command;
    const response = await fake.vscode.commands.executeCommand('providerRuntime.run');
    assert.ok(response);
    assert.match(last(fake.documents).content, /^echo: hello\n/);
  });

  it('deactivate sends shutdown then exit', async () => {
    const before = fake.output.length;
    await extension.deactivate();
    const traced = fake.output.slice(before).join('\n');
    const shutdown = traced.indexOf("Sending request 'shutdown");
    const exit = traced.indexOf("Sending notification 'exit'");
    assert.ok(shutdown >= 0 && exit > shutdown, traced);
  });
});
