"""A TCP fault proxy for tests (asyncio, in a thread): sits between a process and a server
and can cut, refuse, stall and slow connections on command."""
from __future__ import annotations

import asyncio
import threading


class FaultProxy:
    def __init__(self, target_host: str, target_port: int, listen_port: int = 0):
        self.target = (target_host, target_port)
        self.listen_port = listen_port
        self.port = 0
        self.refusing = False
        self.stalled = asyncio.Event()
        self.delay = 0.0
        self._writers: set[asyncio.StreamWriter] = set()
        self.accepted = 0  # connections forwarded so far
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    # -- control (any thread)
    def start(self) -> "FaultProxy":
        self._thread.start()
        self._ready.wait(5)
        return self

    def cut(self) -> None:
        """Close every open connection at once (both directions)."""
        self._call(self._cut)

    def down(self) -> None:
        """Cut every connection and refuse new ones, as if the server had stopped."""
        self.refusing = True
        self.cut()

    def up(self) -> None:
        self.refusing = False

    def stall(self, on: bool = True) -> None:
        """Stop forwarding bytes (connections stay open) until stalled off."""
        self._call(self.stalled.set if on else self.stalled.clear)

    def slow(self, seconds: float) -> None:
        self.delay = seconds

    @property
    def open_connections(self) -> int:
        return len(self._writers) // 2

    def stop(self) -> None:
        self._call(self._cut)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)

    # -- inside the loop
    def _call(self, fn) -> None:
        done = threading.Event()

        def run():
            fn()
            done.set()

        self._loop.call_soon_threadsafe(run)
        done.wait(5)

    def _cut(self) -> None:
        for writer in list(self._writers):
            writer.transport.abort()
        self._writers.clear()

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        server = self._loop.run_until_complete(
            asyncio.start_server(self._accept, "127.0.0.1", self.listen_port))
        self.port = server.sockets[0].getsockname()[1]
        self._ready.set()
        self._loop.run_forever()

    async def _accept(self, client_reader, client_writer) -> None:
        if self.refusing:
            client_writer.transport.abort()
            return
        try:
            server_reader, server_writer = await asyncio.open_connection(*self.target)
        except OSError:
            client_writer.transport.abort()
            return
        self.accepted += 1
        self._writers.update({client_writer, server_writer})
        await asyncio.gather(self._pipe(client_reader, server_writer),
                             self._pipe(server_reader, client_writer), return_exceptions=True)
        for writer in (client_writer, server_writer):
            self._writers.discard(writer)
            writer.transport.abort()

    async def _pipe(self, reader, writer) -> None:
        while True:
            data = await reader.read(65536)
            if not data:
                break
            while self.stalled.is_set():
                await asyncio.sleep(0.05)
            if self.delay:
                await asyncio.sleep(self.delay)
            writer.write(data)
            await writer.drain()
        writer.transport.abort()
