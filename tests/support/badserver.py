"""A misbehaving HTTP server for the gateway's failure tests: it hangs, answers garbage,
or fails, on a real socket."""
from __future__ import annotations

import socket
import threading
import time


class BadServer:
    def __init__(self, mode: str):
        self.mode = mode  # "hang", "garbage", "error" (500), "unavailable" (503)
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.stopped = threading.Event()
        threading.Thread(target=self._serve, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _serve(self) -> None:
        while not self.stopped.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def _answer(self, conn: socket.socket) -> None:
        with conn:
            conn.recv(65536)
            if self.mode == "hang":
                self.stopped.wait(30)
                return
            if self.mode == "garbage":
                body = b'{"items": [oops'
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
                             + str(len(body)).encode() + b"\r\nConnection: close\r\n\r\n" + body)
                return
            status = b"503 Service Unavailable" if self.mode == "unavailable" else b"500 Internal Server Error"
            conn.sendall(b"HTTP/1.1 " + status + b"\r\nContent-Type: text/plain\r\n"
                         b"Content-Length: 4\r\nConnection: close\r\n\r\nboom")
            time.sleep(0.01)

    def stop(self) -> None:
        self.stopped.set()
        self.sock.close()
