"""End to end: a real editor (Neovim, headless) starts `paralift lsp`, opens a file and
receives its diagnostics."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

NVIM = shutil.which("nvim")
pytestmark = pytest.mark.skipif(NVIM is None, reason="Neovim is not installed (Debian: apt install neovim)")

SCRIPT = r"""
vim.cmd('edit ' .. vim.env.PARALIFT_FILE)
local buf = vim.api.nvim_get_current_buf()
local client = vim.lsp.start_client({ name = 'paralift', root_dir = vim.fn.getcwd(),
                                      cmd = { vim.env.PARALIFT_PYTHON, '-m', 'paralift', 'lsp' } })
vim.lsp.buf_attach_client(buf, client)
vim.wait(60000, function() return #vim.diagnostic.get(buf) > 0 end, 50)
local lines = {}
for _, d in ipairs(vim.diagnostic.get(buf)) do
  local code = d.code or (d.user_data and d.user_data.lsp and d.user_data.lsp.code) or '?'
  table.insert(lines, string.format('%d %s %s', d.lnum, code, d.message))
end
vim.fn.writefile(lines, vim.env.PARALIFT_OUT)
vim.cmd('qa!')
"""


def test_neovim_receives_the_diagnostics(tmp_path):
    source = tmp_path / "kernels.py"
    source.write_text("def scale(a, n):\n    for i in range(n):\n        a[i] = 2.0 * a[i]\n")
    script, out = tmp_path / "run.lua", tmp_path / "diagnostics.txt"
    script.write_text(SCRIPT)
    env = dict(os.environ, PARALIFT_FILE=str(source), PARALIFT_OUT=str(out), PARALIFT_PYTHON=sys.executable)
    subprocess.run([NVIM, "--headless", "-u", "NONE", "-c", f"luafile {script}"], cwd=tmp_path, env=env,
                   timeout=120, check=True, capture_output=True)
    lines = out.read_text().splitlines()
    assert lines == ["1 PL110 this loop can run in parallel"]
