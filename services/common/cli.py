"""The commands every service answers: ``python -m services.<name> <command>``.

``migrate``, ``declare`` (its queues), ``relay`` (the outbox), ``consume`` (its
queue), ``dead-letters`` and ``replay``. SIGTERM and Ctrl-C stop the loops
after the message in hand is finished.
"""
from __future__ import annotations

import faulthandler
import json
import signal
import threading
from typing import Callable

import click

from .logs import configure_logging
from .metrics import serve_metrics_if_configured
from .runtime import Runtime


def stop_on_signals() -> threading.Event:
    """SIGTERM and SIGINT stop the loop; SIGUSR1 writes every thread's stack to stderr (the
    log), to see where a worker that seems stuck is waiting."""
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    faulthandler.register(signal.SIGUSR1, all_threads=True)
    return stop


def service_cli(make_runtime: Callable[[], Runtime], make_consumer=None,
                has_outbox: bool = True) -> click.Group:
    """A click group for one service; ``make_consumer(runtime)`` when the service consumes events,
    ``has_outbox`` when it publishes them."""

    @click.group()
    def cli():
        """Operate one service of the Partner Experts Portal."""

    @cli.command()
    def migrate():
        """Apply this service's database migrations."""
        make_runtime().migrate()
        click.echo("migrated")

    @cli.command(hidden=not has_outbox)
    def relay():
        """Publish the outbox to the bus until stopped."""
        runtime = make_runtime()
        configure_logging(f"{runtime.service}-relay")
        serve_metrics_if_configured()
        runtime.relay().run(stop_on_signals())
        runtime.close()

    if make_consumer is not None:
        @cli.command()
        def declare():
            """Declare this service's queue, bindings and dead-letter queue."""
            make_consumer(make_runtime()).declare()

        @cli.command()
        def consume():
            """Handle this service's events until stopped."""
            runtime = make_runtime()
            configure_logging(f"{runtime.service}-consumer")
            serve_metrics_if_configured()
            make_consumer(runtime).run(stop_on_signals())
            runtime.close()

        @cli.command("dead-letters")
        @click.option("--limit", default=100, show_default=True)
        def dead_letters(limit):
            """List the dead-lettered events of this service's queue (left in place)."""
            consumer = make_consumer(make_runtime())
            for message in consumer.bus.dead_letters(consumer.name, limit):
                click.echo(json.dumps({"message_id": message.message_id,
                                       "event_type": message.headers.get("event_type"),
                                       "body": message.body.decode(errors="replace")}))

        @cli.command()
        @click.argument("message_ids", nargs=-1)
        def replay(message_ids):
            """Put dead-lettered events (all, or the given ids) back on the queue."""
            consumer = make_consumer(make_runtime())
            moved = consumer.bus.replay(consumer.name, list(message_ids) or None)
            click.echo(f"replayed {moved}")

    return cli
