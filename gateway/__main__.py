import click

from services.common.cli import service_cli

from .consumer import make_consumer
from .public.refresh import PageRefresher
from .runtime import make_runtime

cli = service_cli(make_runtime, make_consumer, has_outbox=False)


@cli.command("rebuild-read-model")
def rebuild_read_model():
    """Fetch every published page from catalog into the gateway's read model."""
    click.echo(f"stored {PageRefresher(make_runtime()).rebuild()} pages")


if __name__ == "__main__":
    cli()
