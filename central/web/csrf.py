"""CSRF protection for the server-rendered HTML forms: a signed double-submit token.

A page with a form sets a random nonce in a cookie (HttpOnly, SameSite=Strict, limited to the
form's path) and puts into the form a token: a keyed MAC of that nonce and of what the form is
bound to (for the first-login form, the setup token's digest). The POST handler accepts the form
only when the cookie is there and the token matches both. A page on another site can make a
browser post the form, but it cannot read or set our cookie, nor compute the token without the
key, so its post is refused. The MAC key is central's blind-index key (keys/records.key, kind
`csrf:...`), shared by every `serve` process, so any process may check a token another issued.

The JSON API needs none of this: it authenticates by an `Authorization: Bearer` header (or the
one-time token in the body), never by a cookie, and a browser does not attach those to a
cross-site request by itself.
"""

from __future__ import annotations

import base64
import hmac
import secrets
from collections.abc import Mapping

from fastapi import Response

from central.administration.employees import keyed_index
from central.core.cipher import RecordCipher
from central.core.security import token_digest

NONCE_BYTES = 16


def cookie_name(purpose: str) -> str:
    return f"csrf_{purpose}"


def _token(cipher: RecordCipher, purpose: str, nonce: str, binding: str) -> str:
    bound = token_digest(binding).hex()  # the binding (a secret token) only as its digest
    mac = keyed_index(cipher, f"csrf:{purpose}", f"{nonce}\x00{bound}")
    return base64.urlsafe_b64encode(mac).decode().rstrip("=")


def issue(cipher: RecordCipher, *, purpose: str, binding: str) -> tuple[str, str]:
    """A new (cookie nonce, form token) pair: set the nonce with `set_cookie`, put the token in
    the form's hidden `csrf` field."""
    nonce = secrets.token_urlsafe(NONCE_BYTES)
    return nonce, _token(cipher, purpose, nonce, binding)


def set_cookie(response: Response, nonce: str, *, purpose: str, path: str, secure: bool) -> None:
    response.set_cookie(
        cookie_name(purpose), nonce, path=path, httponly=True, samesite="strict", secure=secure
    )


def is_valid(
    cipher: RecordCipher,
    cookies: Mapping[str, str],
    submitted: str | None,
    *,
    purpose: str,
    binding: str,
) -> bool:
    """True when the form's token matches the cookie's nonce and the binding."""
    nonce = cookies.get(cookie_name(purpose))
    if not nonce or not submitted:
        return False
    return hmac.compare_digest(_token(cipher, purpose, nonce, binding), submitted)


def session_form_token(cipher: RecordCipher, session_token: str) -> str:
    """The form token of every page behind a login: bound to the session token, which the
    browser already holds in an HttpOnly, SameSite=Strict cookie, so no nonce cookie is needed.
    Another site can neither read the session cookie nor compute this MAC of it."""
    return _token(cipher, "session", "", session_token)


def is_valid_for_session(
    cipher: RecordCipher, session_token: str | None, submitted: str | None
) -> bool:
    """True when a logged-in form's token belongs to the session the request carries."""
    if not session_token or not submitted:
        return False
    return hmac.compare_digest(session_form_token(cipher, session_token), submitted)


def forget(response: Response, *, purpose: str, path: str) -> None:
    response.delete_cookie(cookie_name(purpose), path=path)
