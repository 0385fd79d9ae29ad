-- User commands of provider-runtime; the work is in lua/provider_runtime/ (loaded on first use).

if vim.g.loaded_provider_runtime then
  return
end
vim.g.loaded_provider_runtime = true

local function pr()
  return require('provider_runtime')
end

local command = vim.api.nvim_create_user_command

command('ProviderRuntimeRun', function(opts)
  pr().run_command(opts)
end, { range = true, nargs = '*', desc = 'provider-runtime: send the lines (default: buffer), after an optional instruction' })

command('ProviderRuntimeModels', function(opts)
  pr().models_command(opts)
end, { nargs = '*', desc = 'provider-runtime: list models (optionally of these providers)' })

command('ProviderRuntimeCatalog', function()
  pr().catalog_command()
end, { desc = 'provider-runtime: show the price and model catalog' })

command('ProviderRuntimeModel', function(opts)
  pr().model_command(opts)
end, {
  nargs = '?',
  complete = function(lead)
    return pr().complete_models(lead)
  end,
  desc = 'provider-runtime: show or set the model runs use',
})

command('ProviderRuntimeCancel', function()
  local count = pr().cancel()
  vim.notify(('provider-runtime: cancelling %d run(s)'):format(count), vim.log.levels.INFO)
end, { desc = 'provider-runtime: cancel the runs in flight' })

command('ProviderRuntimeStop', function()
  pr().stop()
end, { desc = 'provider-runtime: shut the daemon down (the next command starts it again)' })

vim.api.nvim_create_autocmd('VimLeavePre', {
  group = vim.api.nvim_create_augroup('provider_runtime', { clear = true }),
  callback = function()
    if package.loaded['provider_runtime'] then
      pr().stop()
    end
  end,
})
