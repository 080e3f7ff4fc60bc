"""A partner's webhook receiver on a real socket: it records every request (headers and raw
body) and answers as told: a status, a redirect, a hang, a huge body, or slow headers.
With ``tls`` it serves https with a certificate from a test CA (trustme) for ``localhost``."""
from __future__ import annotations

import ssl
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks.webhooks import Webhook


@dataclass
class Received:
    path: str
    headers: dict
    body: bytes
    at: float = field(default_factory=time.monotonic)

    def verified_by(self, secret: str) -> dict:
        """The body as the Standard Webhooks library verifies it under ``secret`` (raises
        ``WebhookVerificationError`` otherwise)."""
        return Webhook(secret).verify(self.body, self.headers)


class Receiver:
    def __init__(self, tls_cert=None, port: int = 0):
        self.received: list[Received] = []
        self.status, self.mode = 200, "answer"  # answer | hang | redirect | huge | drip
        self.delay = 0.0  # seconds before each answer
        self.redirect_to = ""
        self.release = threading.Event()
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                with receiver.lock:
                    receiver.received.append(Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body))
                receiver.answer(self)

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.server.daemon_threads = True
        self.scheme = "http"
        if tls_cert is not None:
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            tls_cert.configure_cert(context)
            self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
            self.scheme = "https"
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def url(self, path: str = "/hook", host: str = "127.0.0.1") -> str:
        return f"{self.scheme}://{host}:{self.port}{path}"

    def answer(self, handler: BaseHTTPRequestHandler) -> None:
        if self.delay:
            time.sleep(self.delay)
        if self.mode == "hang":
            self.release.wait(60)
            return
        if self.mode == "drip":  # the status line a byte at a time: never a whole answer in time
            for byte in b"HTTP/1.1 200 OK\r\n":
                if self.release.wait(0.5):
                    return
                handler.wfile.write(bytes([byte]))
                handler.wfile.flush()
            return
        if self.mode == "redirect":
            handler.send_response(302)
            handler.send_header("Location", self.redirect_to)
            handler.send_header("Content-Length", "0")
            handler.end_headers()
            return
        body = b"x" * (10 * 1024 * 1024) if self.mode == "huge" else b"" if self.status in (204, 304) else b"ok"
        handler.send_response(self.status)
        if self.status not in (204, 304):
            handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        try:
            handler.wfile.write(body)
        except OSError:
            pass

    def bodies(self) -> list[bytes]:
        with self.lock:
            return [r.body for r in self.received]

    def stop(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()
