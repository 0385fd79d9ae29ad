-- :checkhealth provider_runtime: whether the daemon is found, its version, the config file in
-- effect and where each provider's key comes from (as the daemon describes it: never a key). It
-- asks a private daemon, so the report shows the config on disk now, whatever a running one
-- loaded. Reports through health.report_* on Neovim 0.7 to 0.9 and vim.health.* on 0.10+.

local rpc = require('provider_runtime.rpc')
local format = require('provider_runtime.format')

local M = {}

--- start/ok/info/warn/error, whichever API this Neovim has.
local function reporter()
  local h = vim.health
  if h ~= nil and h.start ~= nil then
    return h
  end
  h = h or require('health')
  return { start = h.report_start, ok = h.report_ok, info = h.report_info, warn = h.report_warn, error = h.report_error }
end

local function present(v)
  return v ~= nil and v ~= vim.NIL
end

--- Spawn the daemon, initialize, stop it: the initialize result, or nil and an error.
local function ask_daemon(cmd, timeout_ms)
  local client, err = rpc.start({ cmd = cmd })
  if client == nil then
    return nil, err
  end
  local init_err, info = client:request_sync('initialize', { clientInfo = { name = 'neovim-checkhealth' } }, timeout_ms)
  client:stop(timeout_ms)
  if init_err ~= nil then
    return nil, init_err
  end
  return info
end

local function check_daemon(report, pr)
  report.start('provider-runtime: daemon')
  local v = vim.version()
  local nvim = ('Neovim %d.%d.%d'):format(v.major, v.minor, v.patch)
  if vim.fn.has('nvim-0.7') == 1 then
    report.ok(nvim)
  else
    report.error(nvim .. ': the plugin needs Neovim 0.7 or later')
  end
  local cmd = pr.config.cmd
  local missing = pr.daemon_missing(cmd)
  if missing ~= nil then
    report.error(format.error(missing))
    return nil
  end
  report.ok(('daemon found: `%s` (%s, from the `cmd` option)'):format(table.concat(cmd, ' '), vim.fn.exepath(cmd[1])))
  local info, err = ask_daemon(cmd, pr.config.timeout_ms)
  if info == nil then
    report.error('the daemon did not answer `initialize`: ' .. format.error(err))
    return nil
  end
  local server = info.serverInfo or {}
  report.ok(('version: %s %s (protocol %s)'):format(server.name, server.version, tostring(info.protocolVersion)))
  return info
end

local function check_config(report, info, pr)
  report.start('provider-runtime: config')
  if present(info.configPath) then
    report.ok('config file: ' .. info.configPath)
  else
    report.info('no config file: built-in defaults apply (create ~/.config/provider-runtime/config.toml, '
      .. "or name one with $PROVIDER_RUNTIME_CONFIG or '--config', PATH in `cmd`)")
  end
  if present(info.configError) then
    report.error(format.error(rpc.normalize_error(info.configError)))
  end
  for _, w in ipairs(info.warnings or {}) do
    report.warn(('[%s] %s'):format(w.code, w.message))
  end
  if pr.config.model then
    report.info(('model: %s (the `model` option)'):format(pr.config.model))
  elseif present(info.defaultModel) then
    report.info(("model: %s (the config's default_model)"):format(info.defaultModel))
  end
end

local function check_credentials(report, info)
  report.start('provider-runtime: credentials')
  local providers = info.providers or {}
  if #providers == 0 then
    report.warn('no providers described (the config did not load)')
  end
  for _, p in ipairs(providers) do
    local at = present(p.base_url) and (', ' .. p.base_url) or ''
    local text = ('%s (%s%s): %s'):format(p.id, p.type, at, tostring(p.credential))
    local variable = tostring(p.credential):match('^env (%S+) %(not set%)$')
    if variable then
      report.warn(text, {
        ('export %s before starting Neovim, or give `%s` an api_key_command in the config'):format(variable, p.id),
        'a provider you do not use needs no key',
      })
    else
      report.ok(text)
    end
  end
end

function M.check()
  local report = reporter()
  local pr = require('provider_runtime')
  local info = check_daemon(report, pr)
  if info ~= nil then
    check_config(report, info, pr)
    check_credentials(report, info)
  end
end

return M
