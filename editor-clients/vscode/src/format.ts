// Plain-text renderings of answers, models and errors, shared by the extension and its tests.
// Pure functions: no vscode, no I/O.

import type { ModelInfo, ProviderResponse, RuntimeWarning } from './types';
import { RuntimeError } from './client';

/** The answer as Markdown: text, tool calls, then usage, cost and warnings. */
export function formatResponse(response: ProviderResponse): string {
  const lines: string[] = [];
  for (const part of response.output.content) {
    if (part.type === 'text') {
      lines.push(part.text, '');
    } else if (part.type === 'tool_call') {
      const args = part.raw_arguments ?? JSON.stringify(part.arguments);
      lines.push(`**tool call** \`${part.name}\` (${part.id}): \`${args}\``, '');
    } else if (part.type === 'reasoning' && part.text) {
      lines.push(`> reasoning: ${part.text.split('\n').join('\n> ')}`, '');
    }
  }
  lines.push('---', `model: ${response.provider}/${response.model} · finish: ${response.finish_reason}`);
  lines.push(formatUsage(response), ...formatWarnings(response.warnings));
  return lines.join('\n') + '\n';
}

/** One line: tokens in and out, and the cost or why there is none. */
export function formatUsage(response: ProviderResponse): string {
  const u = response.usage;
  const cached = u.cache_read_tokens ? ` (${u.cache_read_tokens} cached)` : '';
  return `usage: ${u.input_tokens} in${cached} / ${u.output_tokens} out · ${formatCost(response)}`;
}

export function formatCost(response: ProviderResponse): string {
  const cost = response.cost;
  if (cost === null) {
    return 'cost: unknown';
  }
  const partial = cost.partial ? `, partial: no price for ${cost.missing_components.join(', ')}` : '';
  return `cost: $${cost.total} ${cost.currency} (${cost.source}${partial})`;
}

export function formatWarnings(warnings: RuntimeWarning[]): string[] {
  return warnings.map((w) => `warning [${w.code}]: ${w.message}`);
}

/** One line per model: `provider/id  context  $in/$out per Mtok  name`. */
export function formatModel(model: ModelInfo): string {
  const context = model.context_window ? `${model.context_window} ctx` : 'ctx ?';
  const p = model.pricing;
  const price = p && (p.input !== null || p.output !== null)
    ? `$${p.input ?? '?'}/$${p.output ?? '?'} per Mtok`
    : 'price unknown';
  const name = model.display_name ? `  ${model.display_name}` : '';
  return `${model.provider}/${model.id}  ${context}  ${price}${name}`;
}

/** The error's kind first, then what to do about it, then the daemon's message. */
export function formatError(error: RuntimeError): string {
  if (error.cancelled) {
    return 'provider-runtime: cancelled';
  }
  const facts: string[] = [];
  if (error.provider) {
    facts.push(`provider ${error.provider}`);
  }
  if (error.status !== null) {
    facts.push(`HTTP ${error.status}`);
  }
  if (error.retryable) {
    facts.push(error.retryAfter !== null ? `retryable after ${error.retryAfter}s` : 'retryable');
  }
  const candidates = error.data?.candidates?.length ? ` (candidates: ${error.data.candidates.join(', ')})` : '';
  const extra = facts.length ? ` (${facts.join(', ')})` : '';
  return `provider-runtime ${error.kind} error${extra}: ${error.message}${candidates}`;
}
