"""A fast local webhook receiver for the webhooks benchmark, in a process of its own (so it
never competes with the sender's event loop): ``POST /ok`` answers 204 at once, ``POST
/hang`` never answers.

    python -m tests.bench.webhook_receiver <port>
"""
import asyncio
import sys

from aiohttp import web


async def ok(request: web.Request) -> web.Response:
    await request.read()
    return web.Response(status=204)


async def hang(request: web.Request) -> web.Response:
    await asyncio.sleep(3600)
    return web.Response(status=204)


def main() -> None:
    app = web.Application()
    app.add_routes([web.post("/ok", ok), web.post("/hang", hang)])
    web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), access_log=None, print=None)


if __name__ == "__main__":
    main()
