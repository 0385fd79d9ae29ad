-- The daemon connection: spawn `provider-runtime serve` with vim.lsp.rpc (Content-Length
-- framing), send requests, cancel them, stop cleanly. Works on Neovim 0.7 through current.

local M = {}

local CANCELLED = -32800

-- Kinds of the errors that carry no `data` (JSON-RPC's own codes and cancellation).
local KIND_OF_CODE = {
  [-32700] = 'parse_error',
  [-32600] = 'invalid_request',
  [-32601] = 'method_not_found',
  [-32602] = 'invalid_params',
  [-32603] = 'internal',
  [CANCELLED] = 'cancelled',
  [-32001] = 'config',
  [-32002] = 'routing',
}

--- A JSON-RPC error object as a flat table: code, message, kind, retryable, provider, status,
--- retry_after, data (the daemon's error.data). JSON null arrives as nil or vim.NIL.
function M.normalize_error(err)
  local function value(v)
    if v == vim.NIL then
      return nil
    end
    return v
  end
  local data = type(err.data) == 'table' and err.data or {}
  return {
    code = err.code,
    message = err.message or 'unknown error',
    kind = value(data.kind) or KIND_OF_CODE[err.code] or 'unknown',
    retryable = value(data.retryable) == true,
    provider = value(data.provider),
    status = value(data.status),
    retry_after = value(data.retry_after),
    candidates = value(data.candidates),
    data = data,
  }
end

--- An error raised on this side of the pipe, shaped like a normalized daemon error.
function M.local_error(kind, message, retryable)
  return { code = -32603, message = message, kind = kind, retryable = retryable or false, data = {} }
end

local local_error = M.local_error

local function start_rpc(cmd, dispatchers, spawn_params)
  if vim.fn.has('nvim-0.10') == 1 then
    return vim.lsp.rpc.start(cmd, dispatchers, spawn_params) -- start(cmd: string[], ...)
  end
  -- 0.7 to 0.9: start(cmd: string, cmd_args: string[], ...); returns nil if it cannot spawn.
  return vim.lsp.rpc.start(cmd[1], vim.list_slice(cmd, 2), dispatchers, spawn_params)
end

local Client = {}
Client.__index = Client

--- Spawn the daemon. opts: cmd (string[]), cwd, env, on_log(text, level), on_exit(code, signal).
--- Returns a client, or nil and a normalized error.
function M.start(opts)
  local self = setmetatable({
    pending = {}, -- id -> { method, callback, cancelled }
    exited = false,
    exit_code = nil,
    info = nil,
    on_log = opts.on_log or function() end,
  }, Client)
  local dispatchers = {
    notification = function(method, params)
      if method == 'window/logMessage' and type(params) == 'table' then
        self.on_log(tostring(params.message), params.type == 2 and vim.log.levels.WARN or vim.log.levels.INFO)
      end
    end,
    server_request = function()
      return nil, vim.lsp.rpc.rpc_response_error(-32601)
    end,
    on_error = function(code, err)
      self.on_log(('provider-runtime: rpc error %s: %s'):format(tostring(code), vim.inspect(err)), vim.log.levels.DEBUG)
    end,
    on_exit = function(code, signal)
      -- A luv callback on every version: leave the fast context before touching state users see.
      vim.schedule(function()
        self:_exited(code, signal)
        if opts.on_exit then
          opts.on_exit(code, signal)
        end
      end)
    end,
  }
  local spawn = { cwd = opts.cwd, env = opts.env }
  local ok, rpc = pcall(start_rpc, opts.cmd, dispatchers, spawn)
  if not ok or rpc == nil then
    local why = ok and 'spawn failed' or tostring(rpc)
    return nil, local_error('daemon', ('cannot start `%s`: %s'):format(table.concat(opts.cmd, ' '), why))
  end
  self.rpc = rpc
  self.pid = rpc.pid
  return self
end

function Client:_exited(code, signal)
  self.exited = true
  self.exit_code = code
  local pending = self.pending
  self.pending = {}
  for _, entry in pairs(pending) do
    local status = signal ~= 0 and ('signal ' .. tostring(signal)) or ('status ' .. tostring(code))
    entry.callback(local_error('daemon', ('the daemon exited (%s)'):format(status), true), nil)
  end
end

function Client:_deliver(id, err, result)
  local entry = self.pending[id]
  if entry == nil then
    return -- already answered (a cancelled call answered, or the daemon exited)
  end
  self.pending[id] = nil
  if err ~= nil then
    entry.callback(M.normalize_error(err), nil)
  else
    entry.callback(nil, result)
  end
end

--- Send a request; callback(err, result) runs on the main loop, err normalized. Returns the id,
--- or nil when it could not be sent (callback already called with the error).
function Client:request(method, params, callback)
  if self.exited then
    callback(local_error('daemon', ('the daemon exited (status %s)'):format(tostring(self.exit_code)), true), nil)
    return nil
  end
  local id
  local function on_answer(err, result)
    self:_deliver(id, err, result)
  end
  local function on_reply(reply_id)
    -- Runs before on_answer for every reply; vim.lsp.rpc swallows -32800 replies, so if no
    -- answer follows, the daemon confirmed a cancellation.
    vim.schedule(function()
      local entry = self.pending[reply_id]
      if entry ~= nil and entry.cancelled then
        self:_deliver(reply_id, { code = CANCELLED, message = method .. ' was cancelled' }, nil)
      end
    end)
  end
  local sent
  sent, id = self.rpc.request(method, params, on_answer, on_reply)
  if not sent then
    callback(local_error('daemon', 'cannot send to the daemon (it is closing)', true), nil)
    return nil
  end
  self.pending[id] = { method = method, callback = callback, cancelled = false }
  return id
end

--- Wait for a request's answer (processing events); returns err, result. A timeout cancels it.
function Client:request_sync(method, params, timeout_ms)
  local done, err, result = false, nil, nil
  local id = self:request(method, params, function(e, r)
    done, err, result = true, e, r
  end)
  if id ~= nil and not vim.wait(timeout_ms or 10000, function()
    return done
  end, 10) then
    self:cancel(id)
    return local_error('timeout', ('%s: no answer within %d ms'):format(method, timeout_ms or 10000), true), nil
  end
  return err, result
end

--- Ask the daemon to cancel a request; its callback then gets a `cancelled` error (or the
--- result, if the answer was already on its way).
function Client:cancel(id)
  local entry = self.pending[id]
  if entry == nil or entry.cancelled then
    return false
  end
  entry.cancelled = true
  self.rpc.notify('$/cancelRequest', { id = id })
  return true
end

--- Ids of the requests still waiting, optionally of one method.
function Client:in_flight(method)
  local ids = {}
  for id, entry in pairs(self.pending) do
    if method == nil or entry.method == method then
      table.insert(ids, id)
    end
  end
  table.sort(ids)
  return ids
end

--- shutdown, then exit; waits up to timeout_ms for the process, then terminates it. Returns
--- the exit code (nil if it had to be killed).
function Client:stop(timeout_ms)
  timeout_ms = timeout_ms or 5000
  if self.exited then
    return self.exit_code
  end
  self:request_sync('shutdown', nil, timeout_ms)
  if not self.exited then
    self.rpc.notify('exit', nil)
  end
  local gone = vim.wait(timeout_ms, function()
    return self.exited
  end, 10)
  if not gone then
    if self.rpc.terminate then
      self.rpc.terminate()
    elseif self.pid then
      (vim.uv or vim.loop).kill(self.pid, 15)
    end
    return nil
  end
  return self.exit_code
end

return M
