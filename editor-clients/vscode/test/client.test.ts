// The client core against the real daemon (offline echo provider): every method, errors,
// cancellation, concurrency and a clean exit.

import { after, before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { CancellationTokenSource } from 'vscode-jsonrpc/node';
import { RuntimeClient, RuntimeError } from '../src/client';
import { formatError, formatModel, formatResponse } from '../src/format';
import { TEST_CONFIG, WEATHER_TOOL, daemonOptions, useTestConfig } from './daemon';

async function rejection(promise: Promise<unknown>): Promise<RuntimeError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof RuntimeError, `expected a RuntimeError, got ${String(error)}`);
    return error;
  }
  assert.fail('the call succeeded');
}

describe('RuntimeClient against the real daemon', () => {
  let client: RuntimeClient;
  let configPath: string;

  before(async () => {
    configPath = useTestConfig();
    client = await RuntimeClient.start(daemonOptions());
  });

  after(async () => {
    if (client?.running) {
      await client.stop();
    }
  });

  it('initializes: server info, the test config, echo needs no credential', () => {
    const info = client.info!;
    assert.equal(info.serverInfo.name, 'provider-runtime');
    assert.equal(info.configPath, configPath);
    assert.equal(info.defaultModel, 'echo/echo-1');
    const echo = info.providers.find((p) => p.id === 'echo');
    assert.equal(echo?.credential, 'none');
    assert.ok(info.methods.includes('runtime/run'));
  });

  it('runtime/models lists the echo models', async () => {
    const result = await client.models({ providers: ['echo'] });
    const ids = result.models.map((m) => `${m.provider}/${m.id}`);
    assert.deepEqual(ids, ['echo/echo-1', 'echo/echo-lite']);
    assert.equal(result.models[0].capabilities.tools, true);
    assert.equal(result.models[1].capabilities.tools, false);
    assert.equal(formatModel(result.models[1]), 'echo/echo-lite  8192 ctx  $0/$0 per Mtok  Echo Lite (offline, text only)');
    assert.deepEqual(result.warnings, []);
  });

  it('runtime/run answers text, priced by the config rule', async () => {
    const response = await client.run({ model: 'echo/echo-1', messages: [{ role: 'user', content: 'hello from node' }] });
    assert.deepEqual(response.output.content, [{ type: 'text', text: 'echo: hello from node', signature: null }]);
    assert.equal(response.finish_reason, 'stop');
    const u = response.usage;
    assert.ok(u.input_tokens > 0 && u.output_tokens > 0);
    assert.equal(u.total_tokens, u.input_tokens + u.output_tokens);
    // $1 per input token, $2 per output token: exact decimal strings.
    assert.equal(response.cost?.source, 'user_config');
    assert.equal(response.cost?.input, String(u.input_tokens));
    assert.equal(response.cost?.output, String(2 * u.output_tokens));
    assert.equal(response.cost?.total, String(u.input_tokens + 2 * u.output_tokens));
    assert.deepEqual(response.warnings, []);
    const text = formatResponse(response);
    assert.match(text, /^echo: hello from node\n/);
    assert.match(text, new RegExp(`cost: \\$${u.input_tokens + 2 * u.output_tokens} USD \\(user_config\\)`));
  });

  it('runtime/run on echo-lite: priced at $0 by the catalog, no warning', async () => {
    const response = await client.run({ model: 'echo/echo-lite', messages: [{ role: 'user', content: 'hi' }] });
    assert.equal(response.cost?.total, '0');
    assert.equal(response.cost?.source, 'catalog');
    assert.deepEqual(response.warnings, []);
    assert.match(formatResponse(response), /usage: 5 in \/ 2 out · cost: \$0 USD \(catalog\)\n$/);
  });

  it('runtime/run on an unpriced model: cost null and a pricing.missing warning', async () => {
    const response = await client.run({ model: 'echo/echo-unpriced', messages: [{ role: 'user', content: 'hi' }] });
    assert.equal(response.cost, null);
    assert.deepEqual(response.warnings.map((w) => w.code), ['pricing.missing']);
    assert.deepEqual(response.warnings[0].details, { provider: 'echo', model: 'echo-unpriced' });
    assert.match(formatResponse(response), /cost: unknown\nwarning \[pricing\.missing\]: no price known/);
  });

  it('runtime/run with a required tool returns a tool call', async () => {
    const response = await client.run({
      model: 'echo/echo-1',
      messages: [{ role: 'user', content: 'Paris' }],
      tools: [WEATHER_TOOL],
      tool_choice: 'required',
    });
    assert.equal(response.finish_reason, 'tool_calls');
    assert.equal(response.output.content.length, 1);
    const call = response.output.content[0];
    assert.equal(call.type, 'tool_call');
    if (call.type === 'tool_call') {
      assert.equal(call.name, 'get_weather');
      assert.deepEqual(call.arguments, { city: 'Paris' });
      assert.match(call.id, /^call_/);
    }
    assert.match(formatResponse(response), /\*\*tool call\*\* `get_weather`/);
  });

  it('runtime/catalog exports the sorted catalog with a snapshot', async () => {
    const catalog = await client.catalog();
    assert.match(catalog.snapshot ?? '', /^genai-prices /);
    const keys = catalog.models.map((m) => [m.provider, m.id] as const);
    const sorted = [...keys].sort((a, b) => (a[0] === b[0] ? (a[1] < b[1] ? -1 : 1) : a[0] < b[0] ? -1 : 1));
    assert.deepEqual(keys, sorted);
    const providers = new Set(catalog.models.map((m) => m.provider));
    for (const p of ['anthropic', 'echo', 'openai', 'openrouter']) {
      assert.ok(providers.has(p), `catalog lacks ${p}`);
    }
    const priced = catalog.models.find((m) => m.provider === 'openai' && m.pricing?.input);
    assert.equal(typeof priced?.pricing?.input, 'string'); // money is a decimal string
  });

  it('an unknown provider is a routing error', async () => {
    const error = await rejection(client.run({ model: 'nope/x', messages: [{ role: 'user', content: 'hi' }] }));
    assert.equal(error.code, -32002);
    assert.equal(error.kind, 'routing');
    assert.equal(error.retryable, false);
    assert.match(error.message, /unknown provider `nope`/);
    assert.match(formatError(error), /^provider-runtime routing error: unknown provider/);
  });

  it('a provider error keeps kind, status, retryable and retry_after', async () => {
    const request = { model: 'echo/echo-1', messages: [{ role: 'user' as const, content: '/error rate_limited slow down' }] };
    const error = await rejection(client.run(request));
    assert.equal(error.code, -32013);
    assert.equal(error.kind, 'rate_limited');
    assert.equal(error.provider, 'echo');
    assert.equal(error.status, 429);
    assert.equal(error.retryable, true);
    assert.equal(error.retryAfter, 1);
    assert.equal(
      formatError(error),
      'provider-runtime rate_limited error (provider echo, HTTP 429, retryable after 1s): echo: rate_limited (HTTP 429): slow down',
    );
  });

  it('invalid params name the JSON path', async () => {
    const error = await rejection(client.call('runtime/run', { model: 'echo/echo-1' }));
    assert.equal(error.code, -32602);
    assert.equal(error.kind, 'invalid_params');
    assert.match(error.message, /messages/);
  });

  it('cancelling a slow call answers -32800 quickly, and the daemon keeps serving', async () => {
    const source = new CancellationTokenSource();
    const started = Date.now();
    const pending = client.run({ model: 'echo/echo-1', messages: [{ role: 'user', content: '/sleep 30 too slow' }] }, source.token);
    setTimeout(() => source.cancel(), 300);
    const error = await rejection(pending);
    assert.equal(error.code, -32800);
    assert.equal(error.kind, 'cancelled');
    assert.ok(Date.now() - started < 10_000, 'cancellation took too long');
    assert.equal(formatError(error), 'provider-runtime: cancelled');
    const after = await client.run({ model: 'echo/echo-1', messages: [{ role: 'user', content: 'still here' }] });
    assert.equal((after.output.content[0] as { text: string }).text, 'echo: still here');
  });

  it('a token cancelled before the call never reaches the daemon', async () => {
    const source = new CancellationTokenSource();
    source.cancel();
    const error = await rejection(client.run({ model: 'echo/echo-1', messages: [{ role: 'user', content: 'x' }] }, source.token));
    assert.equal(error.kind, 'cancelled');
  });

  it('concurrent calls each get their own answer', async () => {
    const prompts = Array.from({ length: 20 }, (_, i) => `/sleep ${(20 - i) / 100} n${i}`);
    const answers = await Promise.all(
      prompts.map((content) => client.run({ model: 'echo/echo-1', messages: [{ role: 'user', content }] })),
    );
    answers.forEach((response, i) => {
      assert.deepEqual(response.output.content, [{ type: 'text', text: `echo: n${i}`, signature: null }]);
    });
  });

  it('reloadConfig re-reads the shared config: a new price applies to the next call', async () => {
    writeFileSync(configPath, TEST_CONFIG.replace('input = "1000000"', 'input = "3000000"'));
    try {
      const reloaded = await client.reloadConfig();
      assert.equal(reloaded.configPath, configPath);
      const response = await client.run({ model: 'echo/echo-1', messages: [{ role: 'user', content: 'repriced' }] });
      const u = response.usage;
      assert.equal(response.cost?.total, String(3 * u.input_tokens + 2 * u.output_tokens));
    } finally {
      writeFileSync(configPath, TEST_CONFIG);
      await client.reloadConfig();
    }
  });

  it('stop sends shutdown and exit: status 0, later calls fail readably', async () => {
    const code = await client.stop();
    assert.equal(code, 0);
    assert.equal(client.running, false);
    const error = await rejection(client.catalog());
    assert.equal(error.kind, 'daemon');
    assert.match(error.message, /daemon exited \(status 0\)/);
  });
});

describe('RuntimeClient.start', () => {
  it('a missing executable is a readable error', async () => {
    const error = await rejection(RuntimeClient.start({ command: '/nonexistent/provider-runtime' }));
    assert.equal(error.kind, 'daemon');
    assert.match(error.message, /cannot start `\/nonexistent\/provider-runtime`.*not found/);
  });
});
