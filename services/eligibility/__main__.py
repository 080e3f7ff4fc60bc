import threading

import click

from services.common.cli import service_cli, stop_on_signals
from services.common.metrics import serve_metrics_if_configured

from . import handlers
from .consumer import make_consumer
from .runtime import make_runtime

cli = service_cli(make_runtime, make_consumer)


@cli.command()
@click.option("--every", type=float, default=0, help="Repeat every N seconds until stopped (0: once).")
def sweep(every):
    """Re-judge every watched pair and re-publish its verdict (reconciliation)."""
    runtime, criteria = make_runtime(), handlers.criteria_from_env()
    stop = stop_on_signals() if every else threading.Event()
    if every:
        serve_metrics_if_configured()
    while True:
        click.echo(handlers.sweep(runtime, criteria))
        if not every or stop.wait(every):
            return


if __name__ == "__main__":
    cli()
