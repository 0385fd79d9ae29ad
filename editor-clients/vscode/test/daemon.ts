// Test helpers: where the real daemon is, and a private config that prices echo-1 at $1 per input
// token and $2 per output token (so costs are exact integers); echo-lite keeps its catalog price of
// $0, and echo/echo-unpriced (an id echo answers but does not list) has no price.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { DaemonOptions } from '../src/client';

export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..', '..');

export const TEST_CONFIG = `default_model = "echo/echo-1"

[[pricing]]
provider = "echo"
model = "echo-1"
pricing = { input = "1000000", output = "2000000" }
`;

/** PROVIDER_RUNTIME_CMD (split at spaces), default the repo's .venv/bin/provider-runtime. */
export function daemonCommand(): { command: string; args: string[] } {
  const raw = process.env.PROVIDER_RUNTIME_CMD || path.join(REPO_ROOT, '.venv', 'bin', 'provider-runtime');
  const [command, ...args] = raw.trim().split(/\s+/);
  return { command, args: [...args, 'serve'] };
}

/** Writes the test config and points PROVIDER_RUNTIME_CONFIG at it, so no user config is read. */
export function useTestConfig(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'provider-runtime-vscode-'));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'config.toml');
  writeFileSync(file, TEST_CONFIG);
  process.env.PROVIDER_RUNTIME_CONFIG = file;
  return file;
}

export function daemonOptions(log: string[] = []): DaemonOptions {
  const { command, args } = daemonCommand();
  return { command, args, env: { ...process.env }, log: (line) => log.push(line), clientName: 'node-test' };
}

export const WEATHER_TOOL = {
  name: 'get_weather',
  description: 'Current weather for a city',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
};
