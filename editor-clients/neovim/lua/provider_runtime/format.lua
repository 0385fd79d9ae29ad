-- Plain-text renderings of answers, models and errors (pure: no editor state, no I/O).

local M = {}

local function present(v)
  return v ~= nil and v ~= vim.NIL
end

local function split_lines(text)
  return vim.split(text, '\n', { plain = true })
end

--- "cost: $12 USD (user_config)" or "cost: unknown". Money stays the daemon's decimal string.
function M.cost(response)
  local cost = response.cost
  if not present(cost) then
    return 'cost: unknown'
  end
  local partial = ''
  if cost.partial == true then
    partial = ', partial: no price for ' .. table.concat(cost.missing_components or {}, ', ')
  end
  return ('cost: $%s %s (%s%s)'):format(cost.total, cost.currency or 'USD', cost.source, partial)
end

function M.usage(response)
  local u = response.usage or {}
  local cached = ''
  if (u.cache_read_tokens or 0) > 0 then
    cached = (' (%d cached)'):format(u.cache_read_tokens)
  end
  return ('usage: %d in%s / %d out · %s'):format(u.input_tokens or 0, cached, u.output_tokens or 0, M.cost(response))
end

function M.warnings(warnings)
  local lines = {}
  for _, w in ipairs(warnings or {}) do
    table.insert(lines, ('warning [%s]: %s'):format(w.code, w.message))
  end
  return lines
end

--- The answer as lines: text, tool calls, then model, usage, cost and warnings.
function M.response(response)
  local lines = {}
  for _, part in ipairs(response.output and response.output.content or {}) do
    if part.type == 'text' then
      vim.list_extend(lines, split_lines(part.text))
      table.insert(lines, '')
    elseif part.type == 'tool_call' then
      local args = present(part.raw_arguments) and part.raw_arguments or vim.json.encode(part.arguments or {})
      table.insert(lines, ('tool call `%s` (%s): %s'):format(part.name, part.id, args))
      table.insert(lines, '')
    elseif part.type == 'reasoning' and present(part.text) and part.text ~= '' then
      for _, line in ipairs(split_lines(part.text)) do
        table.insert(lines, '> ' .. line)
      end
      table.insert(lines, '')
    end
  end
  table.insert(lines, '---')
  table.insert(lines, ('model: %s/%s · finish: %s'):format(response.provider, response.model, response.finish_reason))
  table.insert(lines, M.usage(response))
  vim.list_extend(lines, M.warnings(response.warnings))
  return lines
end

--- "provider/id  32768 ctx  $2.5/$10 per Mtok  Display Name"
function M.model(model)
  local context = present(model.context_window) and (tostring(model.context_window) .. ' ctx') or 'ctx ?'
  local price = 'price unknown'
  local p = model.pricing
  if present(p) and (present(p.input) or present(p.output)) then
    price = ('$%s/$%s per Mtok'):format(present(p.input) and p.input or '?', present(p.output) and p.output or '?')
  end
  local name = present(model.display_name) and ('  ' .. model.display_name) or ''
  return ('%s/%s  %s  %s%s'):format(model.provider, model.id, context, price, name)
end

--- The error's kind first, then what to do about it, then the daemon's message.
function M.error(err)
  if err.kind == 'cancelled' then
    return 'provider-runtime: cancelled'
  end
  local facts = {}
  if err.provider then
    table.insert(facts, 'provider ' .. err.provider)
  end
  if err.status then
    table.insert(facts, 'HTTP ' .. tostring(err.status))
  end
  if err.retryable then
    table.insert(facts, err.retry_after and ('retryable after %ss'):format(tostring(err.retry_after)) or 'retryable')
  end
  local extra = #facts > 0 and (' (' .. table.concat(facts, ', ') .. ')') or ''
  local candidates = ''
  if type(err.candidates) == 'table' and #err.candidates > 0 then
    candidates = ' (candidates: ' .. table.concat(err.candidates, ', ') .. ')'
  end
  return ('provider-runtime %s error%s: %s%s'):format(err.kind, extra, err.message, candidates)
end

return M
