#!/usr/bin/env bash
# bplint server in Neovim's built-in LSP client, headless: opens a blueprint
# with a misspelled tag, waits for the diagnostics, applies the preferred quick
# fix the server offers, and checks the buffer and the diagnostics after it.
# Installs Debian's `neovim` with apt-get when it is missing and this runs as
# root; otherwise skips with a message. Run it by hand from anywhere:
# bash tests/integration/neovim.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"

if ! command -v nvim > /dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get > /dev/null; then
    echo "== installing Neovim"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq neovim) > /dev/null 2>&1 || true
  fi
  if ! command -v nvim > /dev/null; then
    echo "neovim: skipped: nvim is not installed and could not be installed"
    exit 0
  fi
fi

cargo build --locked --quiet
bplint="${CARGO_TARGET_DIR:-$root/target}/debug/bplint"
work=$(mktemp -d "${TMPDIR:-/tmp}/bplint-neovim.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir "$work/ws"
cat > "$work/ws/brand.yaml" <<'YAML'
version: 1
metadata:
  name: brand
entries:
  - model: authentik_brands.brand
    identifiers:
      domain: example.com
    attrs:
      flow_authentication: !find [authentik_flows.flow, [slug, default-authentication-flow]]
YAML

# Written for Neovim 0.7 (Debian 12's) and later: start_client, not vim.lsp.start.
cat > "$work/test.lua" <<'LUA'
local bplint, ws, out = _G.arg_bplint, _G.arg_ws, _G.arg_out
local function finish(message)
  local f = io.open(out, "w")
  f:write(message)
  f:close()
  vim.cmd("qall!")
end
vim.cmd("edit " .. ws .. "/brand.yaml")
local buf = vim.api.nvim_get_current_buf()
local id = vim.lsp.start_client({
  name = "bplint",
  cmd = { bplint, "server" },
  root_dir = ws,
  workspace_folders = { { uri = vim.uri_from_fname(ws), name = "ws" } },
})
if not id then return finish("FAIL: the client did not start") end
vim.lsp.buf_attach_client(buf, id)
local function codes()
  local list = {}
  for _, d in ipairs(vim.diagnostic.get(buf)) do table.insert(list, tostring(d.code)) end
  table.sort(list)
  return table.concat(list, ",")
end
if not vim.wait(30000, function() return codes() ~= "" end, 50) then
  return finish("FAIL: no diagnostics arrived")
end
if codes() ~= "BP004" then return finish("FAIL: diagnostics were " .. codes()) end
local d = vim.diagnostic.get(buf)[1]
local params = {
  textDocument = { uri = vim.uri_from_bufnr(buf) },
  range = { start = { line = d.lnum, character = d.col }, ["end"] = { line = d.end_lnum, character = d.end_col } },
  context = { diagnostics = {} },
}
local answers = vim.lsp.buf_request_sync(buf, "textDocument/codeAction", params, 30000)
local chosen
for _, answer in pairs(answers or {}) do
  for _, action in ipairs(answer.result or {}) do
    if action.isPreferred then chosen = action end
  end
end
if not chosen then return finish("FAIL: no preferred quick fix") end
vim.lsp.util.apply_workspace_edit(chosen.edit, "utf-16")
local line = vim.api.nvim_buf_get_lines(buf, 8, 9, false)[1]
if not line:find("!Find %[authentik_flows.flow") then return finish("FAIL: the fix left " .. line) end
if not vim.wait(30000, function() return codes() == "" end, 50) then
  return finish("FAIL: diagnostics after the fix were " .. codes())
end
finish("OK: BP004 reported, fixed with '" .. chosen.title .. "', diagnostics cleared")
LUA

timeout 120 nvim --headless -n -u NONE -i NONE \
  --cmd "lua _G.arg_bplint='$bplint'; _G.arg_ws='$work/ws'; _G.arg_out='$work/result'" \
  -c "luafile $work/test.lua" > "$work/nvim.log" 2>&1 || true
result=$(cat "$work/result" 2>/dev/null || echo "FAIL: Neovim ended without a result")
echo "neovim: $result"
case $result in
  OK:*) ;;
  *) cat "$work/nvim.log" >&2; exit 1 ;;
esac
