-- provider-runtime for Neovim: run a prompt on the selection or buffer, list models, show the
-- catalog, through one daemon per Neovim. Keys never pass through here: the daemon reads the
-- shared config file.

local rpc = require('provider_runtime.rpc')
local format = require('provider_runtime.format')

local M = {}

M.config = {
  cmd = { 'provider-runtime', 'serve' }, -- add '--config', PATH to use another config file
  model = nil, -- 'provider/model'; nil: the config's default_model
  system = nil, -- an optional system prompt
  split = 'vsplit', -- how the answer window opens: 'vsplit', 'split' or 'tab split'
  timeout_ms = 15000, -- for the quick calls (models, catalog); runs wait as long as they take
}

local client = nil
local run_ids = {} -- in-flight runs started by :ProviderRuntimeRun

function M.setup(opts)
  M.config = vim.tbl_deep_extend('force', M.config, opts or {})
  if opts and opts.cmd then
    M.config.cmd = opts.cmd -- a list replaces, never merges index by index
  end
end

local function notify(text, level)
  vim.notify(text, level or vim.log.levels.INFO, { title = 'provider-runtime' })
end

local CMD_HINT = "set the `cmd` option: require('provider_runtime').setup({ cmd = { '/path/to/provider-runtime', 'serve' } })"

--- nil when the daemon command's program exists, else the error saying so and naming the option.
function M.daemon_missing(cmd)
  local program = type(cmd) == 'table' and cmd[1] or nil
  if type(program) == 'string' and program ~= '' and vim.fn.executable(program) == 1 then
    return nil
  end
  local where = tostring(program):find('/', 1, true) and 'is not an executable file' or 'is not on PATH'
  local command = type(cmd) == 'table' and table.concat(cmd, ' ') or tostring(cmd)
  return rpc.local_error('daemon', ('cannot start `%s`: `%s` %s: put provider-runtime on PATH or %s'):format(
    command, tostring(program), where, CMD_HINT))
end

--- The running daemon, started (and initialized) on first use. Returns client or nil, err.
function M.client()
  if client ~= nil and not client.exited then
    return client
  end
  local missing = M.daemon_missing(M.config.cmd)
  if missing ~= nil then
    return nil, missing
  end
  local started, err = rpc.start({
    cmd = M.config.cmd,
    on_log = function(text, level)
      if level >= vim.log.levels.WARN then
        notify(text, level)
      end
    end,
  })
  if started == nil then
    return nil, err
  end
  local init_err, info = started:request_sync('initialize', { clientInfo = { name = 'neovim' } }, M.config.timeout_ms)
  if init_err ~= nil then
    started:stop(1000)
    return nil, init_err
  end
  started.info = info
  if type(info.configError) == 'table' then
    notify(format.error(rpc.normalize_error(info.configError)), vim.log.levels.WARN)
  end
  client = started
  return client
end

--- The model a run uses: setup's, else the config's default_model. Returns model, or nil and
--- the error that stopped the daemon from answering (nil when it answered with no model).
function M.model()
  if M.config.model then
    return M.config.model
  end
  local c, err = M.client()
  if c == nil then
    return nil, err
  end
  local model = c.info and c.info.defaultModel
  return model ~= vim.NIL and model or nil -- null when the config failed to load
end

local function call(method, params, callback)
  local c, err = M.client()
  if c == nil then
    callback(err, nil)
    return nil
  end
  return c:request(method, params, callback)
end

--- runtime/run with a full ProviderRequest; callback(err, response). Returns the request id.
function M.request(request, callback)
  return call('runtime/run', request, callback)
end

--- runtime/models; opts: { providers = {...}, remote = bool } or nil.
function M.models(opts, callback)
  return call('runtime/models', opts, callback)
end

--- runtime/catalog; callback(err, catalog).
function M.catalog(callback)
  return call('runtime/catalog', nil, callback)
end

--- Cancel a request by id, or every run started by :ProviderRuntimeRun. Returns how many.
function M.cancel(id)
  if client == nil then
    return 0
  end
  local ids = id and { id } or vim.tbl_keys(run_ids)
  local count = 0
  for _, each in ipairs(ids) do
    if client:cancel(each) then
      count = count + 1
    end
  end
  return count
end

--- shutdown and exit the daemon; the exit code.
function M.stop()
  if client == nil then
    return nil
  end
  local code = client:stop()
  client = nil
  return code
end

-- --------------------------------------------------------------------------- the answer window

local ANSWER_BUFFER = 'provider-runtime://answer'

--- The scratch buffer answers go to, shown in a window (opened with config.split if needed).
function M.answer_buffer()
  local buf = vim.fn.bufnr(ANSWER_BUFFER)
  if buf == -1 then
    buf = vim.api.nvim_create_buf(false, true)
    vim.api.nvim_buf_set_name(buf, ANSWER_BUFFER)
    vim.bo[buf].filetype = 'markdown'
    vim.bo[buf].bufhidden = 'hide'
  end
  if vim.fn.bufwinid(buf) == -1 then
    local here = vim.api.nvim_get_current_win()
    vim.cmd(M.config.split)
    vim.api.nvim_win_set_buf(0, buf)
    vim.api.nvim_set_current_win(here)
  end
  return buf
end

local function show(lines)
  local buf = M.answer_buffer()
  vim.bo[buf].modifiable = true
  vim.api.nvim_buf_set_lines(buf, 0, -1, false, lines)
  vim.bo[buf].modifiable = false
  return buf
end

-- --------------------------------------------------------------------------- commands

--- :[range]ProviderRuntimeRun [instruction]: the lines (default: the whole buffer), after the
--- instruction if one is given, go to the model; the answer, usage and cost open in a window.
function M.run_command(opts)
  local first, last = 1, -1
  if opts.range and opts.range > 0 then
    first, last = opts.line1, opts.line2
  end
  local text = table.concat(vim.api.nvim_buf_get_lines(0, first - 1, last, false), '\n')
  if opts.args and opts.args ~= '' then
    text = opts.args .. '\n\n' .. text
  end
  if vim.trim(text) == '' then
    notify('provider-runtime: nothing to send (the lines are empty)', vim.log.levels.ERROR)
    return nil
  end
  local model, err = M.model()
  if model == nil then
    -- A daemon that cannot start is the one thing to report: the model is not at fault.
    local message = err and format.error(err) or 'provider-runtime: no model: call setup({ model = ... }) or set default_model'
    notify(message, vim.log.levels.ERROR)
    return nil
  end
  local messages = {}
  if M.config.system then
    table.insert(messages, { role = 'system', content = M.config.system })
  end
  table.insert(messages, { role = 'user', content = text })
  show({ ('running %s ... (:ProviderRuntimeCancel to cancel)'):format(model) })
  local id
  id = M.request({ model = model, messages = messages }, function(err, response)
    if id then
      run_ids[id] = nil
    end
    if err ~= nil then
      local message = format.error(err)
      show({ message })
      notify(message, err.kind == 'cancelled' and vim.log.levels.INFO or vim.log.levels.ERROR)
      return
    end
    show(format.response(response))
    for _, line in ipairs(format.warnings(response.warnings)) do
      notify(line, vim.log.levels.WARN)
    end
  end)
  if id then
    run_ids[id] = true
  end
  return id
end

--- :ProviderRuntimeModels [provider ...]
function M.models_command(opts)
  local providers = opts.fargs and #opts.fargs > 0 and opts.fargs or nil
  return M.models(providers and { providers = providers } or nil, function(err, result)
    if err ~= nil then
      notify(format.error(err), vim.log.levels.ERROR)
      return
    end
    local lines = {}
    for _, model in ipairs(result.models) do
      table.insert(lines, format.model(model))
    end
    vim.list_extend(lines, format.warnings(result.warnings))
    show(lines)
  end)
end

--- :ProviderRuntimeCatalog: the catalog snapshot, then one model per line as JSON.
function M.catalog_command()
  return M.catalog(function(err, catalog)
    if err ~= nil then
      notify(format.error(err), vim.log.levels.ERROR)
      return
    end
    local lines = { 'snapshot: ' .. tostring(catalog.snapshot) }
    for _, model in ipairs(catalog.models) do
      table.insert(lines, vim.json.encode(model))
    end
    show(lines)
  end)
end

--- Completion for :ProviderRuntimeModel: every `provider/id` the catalog knows.
function M.complete_models(lead)
  local c = M.client()
  if c == nil then
    return {}
  end
  local err, result = c:request_sync('runtime/models', nil, M.config.timeout_ms)
  local names = {}
  for _, model in ipairs(err == nil and result.models or {}) do
    local name = model.provider .. '/' .. model.id
    if vim.startswith(name, lead or '') then
      table.insert(names, name)
    end
  end
  return names
end

--- :ProviderRuntimeModel [provider/model]: show or set the model runs use.
function M.model_command(opts)
  if opts.args and opts.args ~= '' then
    M.config.model = opts.args
  end
  notify('provider-runtime model: ' .. tostring(M.model()))
end

return M
