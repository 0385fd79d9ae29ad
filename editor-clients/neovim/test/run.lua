-- Headless suite against the real daemon (offline echo provider). Run from anywhere:
--   nvim --headless -u NONE -i NONE -c "luafile editor-clients/neovim/test/run.lua"
-- Exits 0 when every test passes, 1 when one fails, 3 on the overall timeout. Each test runs in
-- pcall (an uncaught error would leave headless Neovim waiting forever).

local SUITE_TIMEOUT_MS = 60000
local CALL_TIMEOUT_MS = 10000

local uv = vim.uv or vim.loop
local out = io.stdout

local guard = uv.new_timer()
guard:start(SUITE_TIMEOUT_MS, 0, function()
  io.stderr:write(('neovim suite: timed out after %d ms\n'):format(SUITE_TIMEOUT_MS))
  os.exit(3)
end)

local this_file = debug.getinfo(1, 'S').source:sub(2)
local plugin_dir = vim.fn.fnamemodify(this_file, ':p:h:h')
local repo_root = vim.fn.fnamemodify(plugin_dir, ':h:h')
vim.opt.runtimepath:prepend(plugin_dir)
vim.cmd('runtime plugin/provider_runtime.lua')

-- A private config: echo-1 priced at $1 per input token and $2 per output token (exact costs),
-- echo-lite at its catalog price of $0, echo/echo-unpriced (an id echo answers but does not list)
-- unpriced. PROVIDER_RUNTIME_CONFIG keeps any user config out.
local config_path = vim.fn.tempname() .. '-provider-runtime.toml'
vim.fn.writefile({
  'default_model = "echo/echo-1"',
  '',
  '[[pricing]]',
  'provider = "echo"',
  'model = "echo-1"',
  'pricing = { input = "1000000", output = "2000000" }',
}, config_path)
vim.env.PROVIDER_RUNTIME_CONFIG = config_path

local daemon = vim.env.PROVIDER_RUNTIME_CMD
if daemon == nil or daemon == '' then
  daemon = repo_root .. '/.venv/bin/provider-runtime'
end
local cmd = vim.split(vim.trim(daemon), '%s+')
table.insert(cmd, 'serve')

local pr = require('provider_runtime')
local format = require('provider_runtime.format')
pr.setup({ cmd = cmd, split = 'split' })

-- vim.notify records instead of printing.
local notified = {}
vim.notify = function(msg, level)
  table.insert(notified, { msg = msg, level = level })
end

-- --------------------------------------------------------------------------- helpers

local function eq(actual, expected, what)
  if not vim.deep_equal(actual, expected) then
    error(('%s: expected %s, got %s'):format(what or 'value', vim.inspect(expected), vim.inspect(actual)), 2)
  end
end

local function ok(cond, what)
  if not cond then
    error(what or 'assertion failed', 2)
  end
end

local function matches(text, pattern, what)
  if type(text) ~= 'string' or not text:find(pattern) then
    error(('%s: %s does not match %s'):format(what or 'text', vim.inspect(text), pattern), 2)
  end
end

--- Call fn(callback) and wait for the callback; returns err, result.
local function await(fn, timeout)
  local done, err, result = false, nil, nil
  fn(function(e, r)
    done, err, result = true, e, r
  end)
  ok(vim.wait(timeout or CALL_TIMEOUT_MS, function()
    return done
  end, 10), 'no answer in time')
  return err, result
end

local function run(content, extra)
  local request = vim.tbl_extend('force', { model = 'echo/echo-1', messages = { { role = 'user', content = content } } }, extra or {})
  return await(function(cb)
    pr.request(request, cb)
  end)
end

local function answer_lines()
  return vim.api.nvim_buf_get_lines(vim.fn.bufnr('provider-runtime://answer'), 0, -1, false)
end

--- Wait until the answer buffer no longer shows the "running" placeholder.
local function wait_answer()
  ok(vim.wait(CALL_TIMEOUT_MS, function()
    local first = answer_lines()[1] or ''
    return not first:find('^running ')
  end, 10), 'the answer buffer was never filled')
  return answer_lines()
end

local WEATHER_TOOL = {
  name = 'get_weather',
  description = 'Current weather for a city',
  parameters = { type = 'object', properties = { city = { type = 'string' } }, required = { 'city' } },
}

-- --------------------------------------------------------------------------- tests

local tests = {}
local function test(name, fn)
  table.insert(tests, { name = name, fn = fn })
end

test('initialize: server info, the test config, echo needs no credential', function()
  local client, err = pr.client()
  ok(client, err and format.error(err))
  eq(client.info.serverInfo.name, 'provider-runtime', 'server name')
  eq(client.info.configPath, config_path, 'config path')
  eq(client.info.defaultModel, 'echo/echo-1', 'default model')
  local credential
  for _, p in ipairs(client.info.providers) do
    if p.id == 'echo' then
      credential = p.credential
    end
  end
  eq(credential, 'none', 'echo credential')
  eq(pr.model(), 'echo/echo-1', 'model used by runs')
end)

test('runtime/models lists the echo models', function()
  local err, result = await(function(cb)
    pr.models({ providers = { 'echo' } }, cb)
  end)
  eq(err, nil, 'error')
  local ids = {}
  for _, m in ipairs(result.models) do
    table.insert(ids, m.provider .. '/' .. m.id)
  end
  eq(ids, { 'echo/echo-1', 'echo/echo-lite' }, 'models')
  eq(result.models[1].capabilities.tools, true, 'echo-1 tools')
  eq(format.model(result.models[1]), 'echo/echo-1  32768 ctx  $1000000/$2000000 per Mtok  Echo 1 (offline)', 'model line')
  eq(format.model(result.models[2]), 'echo/echo-lite  8192 ctx  $0/$0 per Mtok  Echo Lite (offline, text only)', 'zero-priced line')
end)

test('runtime/run answers text, priced by the config rule', function()
  local err, r = run('hello from neovim')
  eq(err, nil, 'error')
  eq(r.output.content, { { type = 'text', text = 'echo: hello from neovim' } }, 'content')
  eq(r.finish_reason, 'stop', 'finish')
  local u = r.usage
  ok(u.input_tokens > 0 and u.output_tokens > 0, 'token counts')
  eq(u.total_tokens, u.input_tokens + u.output_tokens, 'total tokens')
  eq(r.cost.source, 'user_config', 'cost source')
  eq(r.cost.input, tostring(u.input_tokens), 'input cost')
  eq(r.cost.total, tostring(u.input_tokens + 2 * u.output_tokens), 'total cost')
  eq(#r.warnings, 0, 'warnings')
  eq(format.usage(r), ('usage: %d in / %d out · cost: $%d USD (user_config)'):format(
    u.input_tokens, u.output_tokens, u.input_tokens + 2 * u.output_tokens), 'usage line')
end)

test('runtime/run on echo-lite: priced at $0 by the catalog, no warning', function()
  local err, r = run('hi', { model = 'echo/echo-lite' })
  eq(err, nil, 'error')
  eq(r.cost.total, '0', 'total cost')
  eq(r.cost.source, 'catalog', 'cost source')
  eq(#r.warnings, 0, 'warnings')
  eq(format.usage(r), 'usage: 5 in / 2 out · cost: $0 USD (catalog)', 'usage line')
end)

test('runtime/run on an unpriced model: no cost, a pricing.missing warning', function()
  local err, r = run('hi', { model = 'echo/echo-unpriced' })
  eq(err, nil, 'error')
  eq(r.cost, nil, 'cost (JSON null)')
  eq(#r.warnings, 1, 'one warning')
  eq(r.warnings[1].code, 'pricing.missing', 'warning code')
  eq(r.warnings[1].details, { provider = 'echo', model = 'echo-unpriced' }, 'warning details')
  local lines = format.response(r)
  eq(lines[#lines - 1]:match('cost: unknown$') ~= nil, true, 'usage line says unknown: ' .. lines[#lines - 1])
  matches(lines[#lines], '^warning %[pricing%.missing%]: no price known', 'warning line')
end)

test('runtime/run with a required tool returns a tool call', function()
  local err, r = run('Paris', { tools = { WEATHER_TOOL }, tool_choice = 'required' })
  eq(err, nil, 'error')
  eq(r.finish_reason, 'tool_calls', 'finish')
  eq(#r.output.content, 1, 'one part')
  local call = r.output.content[1]
  eq(call.type, 'tool_call', 'part type')
  eq(call.name, 'get_weather', 'tool name')
  eq(call.arguments, { city = 'Paris' }, 'arguments')
  matches(call.id, '^call_', 'call id')
  matches(format.response(r)[1], '^tool call `get_weather` %(call_', 'rendered call')
end)

test('runtime/catalog exports the sorted catalog with a snapshot', function()
  local err, catalog = await(function(cb)
    pr.catalog(cb)
  end)
  eq(err, nil, 'error')
  matches(catalog.snapshot, '^genai%-prices ', 'snapshot')
  ok(#catalog.models > 100, 'catalog size ' .. #catalog.models)
  local providers, previous = {}, nil
  for _, m in ipairs(catalog.models) do
    local key = m.provider .. '\0' .. m.id
    ok(previous == nil or previous < key, 'sorted by (provider, id) at ' .. m.provider .. '/' .. m.id)
    previous = key
    providers[m.provider] = true
  end
  for _, p in ipairs({ 'anthropic', 'echo', 'openai', 'openrouter' }) do
    ok(providers[p], 'catalog lacks ' .. p)
  end
end)

test('an unknown provider is a routing error', function()
  local err = run('hi', { model = 'nope/x' })
  ok(err, 'no error')
  eq(err.code, -32002, 'code')
  eq(err.kind, 'routing', 'kind')
  eq(err.retryable, false, 'retryable')
  matches(format.error(err), '^provider%-runtime routing error: unknown provider `nope`', 'message')
end)

test('a provider error keeps kind, status, retryable and retry_after', function()
  local err = run('/error rate_limited slow down')
  ok(err, 'no error')
  eq({ err.code, err.kind, err.provider, err.status, err.retryable, err.retry_after },
    { -32013, 'rate_limited', 'echo', 429, true, 1 }, 'fields')
  eq(format.error(err),
    'provider-runtime rate_limited error (provider echo, HTTP 429, retryable after 1s): echo: rate_limited (HTTP 429): slow down',
    'rendered')
end)

test('invalid params are an invalid_params error naming the field', function()
  local client = pr.client()
  local err = client:request_sync('runtime/run', { model = 'echo/echo-1' }, CALL_TIMEOUT_MS)
  ok(err, 'no error')
  eq({ err.code, err.kind }, { -32602, 'invalid_params' }, 'code and kind')
  matches(err.message, 'messages', 'message')
end)

test('cancel: the daemon confirms quickly and keeps serving', function()
  local client = pr.client()
  local done, err, result = false, nil, nil
  local started = uv.hrtime()
  local id = pr.request({ model = 'echo/echo-1', messages = { { role = 'user', content = '/sleep 30 too slow' } } },
    function(e, r)
      done, err, result = true, e, r
    end)
  ok(id, 'request not sent')
  vim.wait(200)
  ok(client:cancel(id), 'cancel refused')
  ok(vim.wait(CALL_TIMEOUT_MS, function()
    return done
  end, 10), 'no answer after cancel')
  eq(result, nil, 'result')
  eq({ err.code, err.kind }, { -32800, 'cancelled' }, 'cancelled error')
  ok((uv.hrtime() - started) / 1e6 < 10000, 'cancellation took too long')
  local after_err, after = run('still here')
  eq(after_err, nil, 'error after cancel')
  eq(after.output.content[1].text, 'echo: still here', 'answer after cancel')
end)

test('concurrent runs each get their own answer', function()
  local answers, count = {}, 10
  for i = 1, count do
    pr.request({ model = 'echo/echo-1', messages = { { role = 'user', content = ('/sleep %.2f n%d'):format((count - i) / 50, i) } } },
      function(e, r)
        answers[i] = e and format.error(e) or r.output.content[1].text
      end)
  end
  ok(vim.wait(CALL_TIMEOUT_MS, function()
    return #vim.tbl_keys(answers) == count
  end, 10), 'not all answered')
  for i = 1, count do
    eq(answers[i], 'echo: n' .. i, 'answer ' .. i)
  end
end)

test(':ProviderRuntimeRun on a range shows answer, usage and cost', function()
  vim.cmd('enew')
  vim.api.nvim_buf_set_lines(0, 0, -1, false, { 'first line', 'second line', 'third line' })
  vim.cmd('2,3ProviderRuntimeRun Summarize')
  local lines = wait_answer()
  eq(vim.list_slice(lines, 1, 4), { 'echo: Summarize', '', 'second line', 'third line' }, 'answer text')
  local usage = lines[#lines]
  local input, output, total = usage:match('^usage: (%d+) in / (%d+) out · cost: %$(%d+) USD %(user_config%)$')
  ok(input, 'usage line: ' .. usage)
  eq(tonumber(total), tonumber(input) + 2 * tonumber(output), 'cost arithmetic')
  eq(lines[#lines - 1], 'model: echo/echo-1 · finish: stop', 'model line')
end)

test(':ProviderRuntimeRun without a range sends the whole buffer; warnings are notified', function()
  pr.setup({ model = 'echo/echo-unpriced' })
  vim.cmd('enew')
  vim.api.nvim_buf_set_lines(0, 0, -1, false, { 'whole', 'buffer' })
  notified = {}
  vim.cmd('ProviderRuntimeRun')
  local lines = wait_answer()
  pr.config.model = nil
  eq(vim.list_slice(lines, 1, 2), { 'echo: whole', 'buffer' }, 'answer text')
  matches(lines[#lines], '^warning %[pricing%.missing%]', 'warning line')
  eq(#notified, 1, 'one notification')
  eq(notified[1].level, vim.log.levels.WARN, 'warning level')
  matches(notified[1].msg, '^warning %[pricing%.missing%]: no price known for provider `echo` model `echo%-unpriced`', 'notified text')
end)

test(':ProviderRuntimeRun shows a provider error readably', function()
  vim.cmd('enew')
  vim.api.nvim_buf_set_lines(0, 0, -1, false, { '/error overloaded too busy' })
  notified = {}
  vim.cmd('ProviderRuntimeRun')
  local lines = wait_answer()
  local expected = 'provider-runtime overloaded error (provider echo, HTTP 529, retryable): echo: overloaded (HTTP 529): too busy'
  eq(lines, { expected }, 'answer buffer')
  eq(notified[#notified].msg, expected, 'notification')
  eq(notified[#notified].level, vim.log.levels.ERROR, 'error level')
end)

test(':ProviderRuntimeCancel cancels a running :ProviderRuntimeRun', function()
  vim.cmd('enew')
  vim.api.nvim_buf_set_lines(0, 0, -1, false, { '/sleep 30 never' })
  vim.cmd('ProviderRuntimeRun')
  matches(answer_lines()[1], '^running echo/echo%-1 %.%.%.', 'placeholder')
  vim.wait(200)
  vim.cmd('ProviderRuntimeCancel')
  eq(wait_answer(), { 'provider-runtime: cancelled' }, 'answer buffer')
end)

test(':ProviderRuntimeModels and :ProviderRuntimeCatalog fill the answer buffer', function()
  vim.cmd('ProviderRuntimeModels echo')
  ok(vim.wait(CALL_TIMEOUT_MS, function()
    return answer_lines()[1] == 'echo/echo-1  32768 ctx  $1000000/$2000000 per Mtok  Echo 1 (offline)'
  end, 10), 'models not shown: ' .. vim.inspect(answer_lines()))
  eq(#answer_lines(), 2, 'two echo models')
  eq(answer_lines()[2], 'echo/echo-lite  8192 ctx  $0/$0 per Mtok  Echo Lite (offline, text only)', 'zero price')
  vim.cmd('ProviderRuntimeCatalog')
  ok(vim.wait(CALL_TIMEOUT_MS, function()
    return (answer_lines()[1] or ''):find('^snapshot: genai%-prices ') ~= nil
  end, 10), 'catalog not shown')
  local lines = answer_lines()
  ok(#lines > 100, 'catalog lines')
  local first = vim.json.decode(lines[2])
  ok(first.provider and first.id, 'a model per line')
end)

test(':ProviderRuntimeModel completes from the catalog and sets the model', function()
  local names = pr.complete_models('echo/')
  eq(names, { 'echo/echo-1', 'echo/echo-lite' }, 'completion')
  vim.cmd('ProviderRuntimeModel echo/echo-lite')
  eq(pr.model(), 'echo/echo-lite', 'model')
  pr.config.model = nil
end)

test('stop sends shutdown and exit: status 0; the next call starts a new daemon', function()
  local first = pr.client()
  eq(pr.stop(), 0, 'exit status')
  ok(first.exited, 'process gone')
  local err, r = run('again')
  eq(err, nil, 'error')
  eq(r.output.content[1].text, 'echo: again', 'answer from the new daemon')
  ok(pr.client() ~= first, 'a new client')
end)

--- :checkhealth provider_runtime's report, as lines; its tab is closed again.
local function checkhealth()
  vim.cmd('silent checkhealth provider_runtime')
  local lines = vim.api.nvim_buf_get_lines(0, 0, -1, false)
  vim.cmd('bwipeout!')
  return lines
end

--- The report line of this level (OK, WARNING, ERROR) holding text (plain), or an error.
local function health_line(lines, level, text)
  for _, line in ipairs(lines) do
    if line:find(level, 1, true) and line:find(text, 1, true) then
      return line
    end
  end
  error(('no %s line with %q in:\n%s'):format(level, text, table.concat(lines, '\n')), 2)
end

local function count_lines(lines, text)
  local n = 0
  for _, line in ipairs(lines) do
    if line:find(text, 1, true) then
      n = n + 1
    end
  end
  return n
end

--- Run fn with these environment variables set (nil: unset), restoring them after.
local function with_env(vars, fn)
  local saved = {}
  for name, value in pairs(vars) do
    saved[name] = vim.env[name] or false
    vim.env[name] = value or nil
  end
  local done, err = pcall(fn)
  for name, value in pairs(saved) do
    vim.env[name] = value or nil
  end
  if not done then
    error(err, 0)
  end
end

test('checkhealth: the daemon found, its version, the config path, credential sources, no key', function()
  local health_config = vim.fn.tempname() .. '-health.toml'
  vim.fn.writefile({
    'default_model = "echo/echo-1"',
    '[providers.openai]',
    'type = "openai"',
    'api_key = "sk-health-literal-secret"',
    '[providers.local]',
    'type = "openai_compatible"',
    'base_url = "http://127.0.0.1:9/v1"',
    'api_key_env = "PR_HEALTH_TEST_KEY"',
  }, health_config)
  vim.fn.setfperm(health_config, 'rw-r--r--') -- a literal key readable by others: a warning
  local version_cmd = vim.list_slice(cmd, 1, #cmd - 1)
  table.insert(version_cmd, '--version')
  local version = vim.trim(vim.fn.system(version_cmd))
  matches(version, '^provider%-runtime %d+%.%d+', '--version')
  local lines
  with_env({
    PROVIDER_RUNTIME_CONFIG = health_config,
    PR_HEALTH_TEST_KEY = 'sk-health-env-secret',
    ANTHROPIC_API_KEY = false,
  }, function()
    lines = checkhealth()
  end)
  health_line(lines, 'OK', ('daemon found: `%s`'):format(table.concat(cmd, ' ')))
  health_line(lines, 'OK', 'version: ' .. version .. ' (protocol 1)')
  health_line(lines, 'OK', 'config file: ' .. health_config)
  health_line(lines, 'WARNING', '[config.insecure_permissions]')
  health_line(lines, 'OK', 'openai (openai, https://api.openai.com/v1): config file')
  health_line(lines, 'OK', 'local (openai_compatible, http://127.0.0.1:9/v1): env PR_HEALTH_TEST_KEY (set)')
  health_line(lines, 'OK', 'echo (echo): none')
  health_line(lines, 'WARNING', 'anthropic (anthropic, https://api.anthropic.com): env ANTHROPIC_API_KEY (not set)')
  eq(count_lines(lines, 'ERROR'), 0, 'errors in the report')
  eq(count_lines(lines, 'sk-health'), 0, 'a key in the report')
end)

test('checkhealth: a daemon not found is one error that names the `cmd` option', function()
  local saved = pr.config.cmd
  pr.setup({ cmd = { 'provider-runtime-not-installed', 'serve' } })
  local done, lines = pcall(checkhealth)
  pr.setup({ cmd = saved })
  ok(done, tostring(lines))
  local line = health_line(lines, 'ERROR', 'cannot start `provider-runtime-not-installed serve`')
  matches(line, '`provider%-runtime%-not%-installed` is not on PATH', 'the error')
  matches(line, "set the `cmd` option: require%('provider_runtime'%)%.setup%(", 'the option to set')
  eq(count_lines(lines, 'ERROR'), 1, 'error lines')
  eq(count_lines(lines, 'version:'), 0, 'version lines')
end)

test(':ProviderRuntimeRun with no daemon says so and names `cmd`, not the model', function()
  pr.stop()
  local saved = pr.config.cmd
  pr.setup({ cmd = { '/nonexistent/provider-runtime', 'serve' } })
  vim.cmd('enew')
  vim.api.nvim_buf_set_lines(0, 0, -1, false, { 'hello' })
  notified = {}
  local done, err = pcall(vim.cmd, 'ProviderRuntimeRun')
  pr.setup({ cmd = saved })
  ok(done, tostring(err))
  eq(#notified, 1, 'one message: ' .. vim.inspect(notified))
  eq(notified[1].level, vim.log.levels.ERROR, 'level')
  local msg = notified[1].msg
  matches(msg, '^provider%-runtime daemon error: cannot start `/nonexistent/provider%-runtime serve`: `/nonexistent/provider%-runtime` is not an executable file', 'message')
  matches(msg, 'set the `cmd` option', 'the option to set')
  ok(not msg:find('model'), 'blames the model: ' .. msg)
end)

test('a daemon that cannot start is a readable error', function()
  pr.stop()
  local saved = pr.config.cmd
  pr.setup({ cmd = { '/nonexistent/provider-runtime', 'serve' } })
  local err = run('hi')
  pr.setup({ cmd = saved })
  ok(err, 'no error')
  eq(err.kind, 'daemon', 'kind')
  matches(format.error(err), '^provider%-runtime daemon error: cannot start `/nonexistent/provider%-runtime serve`', 'message')
end)

-- --------------------------------------------------------------------------- runner

local failed = 0
out:write(('# neovim %s\n'):format(tostring(vim.version().major .. '.' .. vim.version().minor .. '.' .. vim.version().patch)))
for i, t in ipairs(tests) do
  local passed, err = pcall(t.fn)
  if passed then
    out:write(('ok %d - %s\n'):format(i, t.name))
  else
    failed = failed + 1
    out:write(('not ok %d - %s\n#   %s\n'):format(i, t.name, tostring(err)))
  end
end
pcall(pr.stop)
out:write(('%d passed, %d failed\n'):format(#tests - failed, failed))
out:flush()
guard:stop()
if failed > 0 then
  vim.cmd('cquit 1')
else
  vim.cmd('qall!')
end
