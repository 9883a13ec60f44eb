"""The first-login page the `central init` link opens: set a password with the setup token.

A minimal form until the web administration arrives; it posts to `/api/v1/auth/setup`.
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

router = APIRouter(include_in_schema=False)

PAGE = """<!doctype html>
<html lang="zh"><head><meta charset="utf-8"><title>设置管理员密码 · Set the password</title>
<style>body{font:18px sans-serif;max-width:32em;margin:3em auto}input,button{font:inherit}</style>
</head><body>
<h1>设置管理员密码<br><small>Set the administrator password</small></h1>
<form id="f"><p><label>密码 Password (12+)<br><input type="password" id="p" minlength="12"
required autocomplete="new-password"></label></p><p><button>保存 Save</button></p></form>
<p id="r" role="status"></p>
<script>
document.getElementById("f").addEventListener("submit", async (e) => {
  e.preventDefault();
  const token = new URLSearchParams(location.search).get("token") || "";
  const answer = await fetch("/api/v1/auth/setup", {method: "POST",
    headers: {"content-type": "application/json"},
    body: JSON.stringify({token, password: document.getElementById("p").value})});
  const body = await answer.json();
  document.getElementById("r").textContent = answer.ok
    ? "已设置，请登录 / Done: log in as " + body.username : (body.detail || answer.status);
});
</script></body></html>
"""


@router.get("/setup")
def setup_page() -> HTMLResponse:
    return HTMLResponse(PAGE)
