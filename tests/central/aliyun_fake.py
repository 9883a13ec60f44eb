"""A local fake of Alibaba Cloud's Dysmsapi `SendSms` endpoint: a real HTTP server on loopback
(http.server in a thread) that checks each request as the provider does and answers in its
format.

Its signature check is written apart from central's signer, from the provider's documentation
(percent-encoding of RFC 3986 unreserved characters, sorted canonical query, StringToSign of the
method, "/" and the query, HMAC-SHA1 keyed with secret + "&", Base64), and is itself checked
against the documented example in tests/central/test_sms_aliyun.py.

What it answers is set by `behaviour`: "ok", "throttled" (isv.BUSINESS_LIMIT_CONTROL),
"bad_phone" (isv.MOBILE_NUMBER_ILLEGAL), "malformed" (HTML from a proxy), "hang" (no answer
until `release` is set). A wrong signature answers SignatureDoesNotMatch (HTTP 400) and an
unknown AccessKeyId InvalidAccessKeyId.NotFound (HTTP 404), whatever the behaviour.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, quote

KEY_ID = "LTAI-test-key-id"
SECRET = "fake-secret-kept-only-by-the-test"  # noqa: S105 - the fake's own
REQUIRED = (
    "AccessKeyId",
    "Action",
    "Format",
    "PhoneNumbers",
    "RegionId",
    "SignName",
    "Signature",
    "SignatureMethod",
    "SignatureNonce",
    "SignatureVersion",
    "TemplateCode",
    "TemplateParam",
    "Timestamp",
    "Version",
)
HANG_LIMIT_S = 30.0  # the fake never keeps a thread longer, even if a test forgets to release


def provider_encode(text: str) -> str:
    """UTF-8, and only A-Z a-z 0-9 - _ . ~ left as they are (a space is %20, * is %2A)."""
    return quote(text, safe="~", encoding="utf-8")


def provider_signature(method: str, params: Mapping[str, str], secret: str) -> str:
    pairs = sorted((k, v) for k, v in params.items() if k != "Signature")
    query = "&".join(provider_encode(k) + "=" + provider_encode(v) for k, v in pairs)
    to_sign = method + "&" + provider_encode("/") + "&" + provider_encode(query)
    mac = hmac.new(f"{secret}&".encode(), to_sign.encode("utf-8"), hashlib.sha1)
    return base64.b64encode(mac.digest()).decode()


@dataclass
class FakeDysmsapi:
    url: str = ""
    behaviour: str = "ok"
    release: threading.Event = field(default_factory=threading.Event)
    received: list[dict[str, str]] = field(default_factory=list)

    def answer(self, method: str, params: dict[str, str]) -> tuple[int, bytes, str]:
        self.received.append(params)
        if any(name not in params for name in REQUIRED):
            return _json(400, "MissingParameter", "a required parameter is missing")
        if params["AccessKeyId"] != KEY_ID:
            return _json(404, "InvalidAccessKeyId.NotFound", "Specified access key is not found.")
        if params["Signature"] != provider_signature(method, params, SECRET):
            return _json(
                400,
                "SignatureDoesNotMatch",
                "Specified signature is not matched with our calculation.",
            )
        if self.behaviour == "hang":
            self.release.wait(HANG_LIMIT_S)
            return _json(200, "OK", "OK")
        if self.behaviour == "throttled":
            return _json(200, "isv.BUSINESS_LIMIT_CONTROL", "触发分钟级流控Permits:1")
        if self.behaviour == "bad_phone":
            return _json(200, "isv.MOBILE_NUMBER_ILLEGAL", "非法手机号")
        if self.behaviour == "malformed":
            return 502, b"<html><body>Bad Gateway</body></html>", "text/html"
        return _json(200, "OK", "OK", BizId="900619746936498440^0")


def _json(status: int, code: str, message: str, **more: str) -> tuple[int, bytes, str]:
    body: dict[str, Any] = {"RequestId": "F655A8D5-B967-440B-8683-DAD6FF8DE990", "Code": code}
    body["Message"] = message
    body.update(more)
    return status, json.dumps(body, ensure_ascii=False).encode(), "application/json;charset=utf-8"


@contextmanager
def running_fake() -> Iterator[FakeDysmsapi]:
    fake = FakeDysmsapi()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length).decode("utf-8")
            params = dict(parse_qsl(body, keep_blank_values=True))
            status, payload, kind = fake.answer("POST", params)
            try:
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up waiting (the timeout test)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    fake.url = f"http://127.0.0.1:{server.server_address[1]}/"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        fake.release.set()
        server.shutdown()
        server.server_close()
        thread.join()
