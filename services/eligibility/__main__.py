import threading
from pathlib import Path

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


@cli.command("import-talent")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--url", envvar="PORTAL_URL", required=True, help="The gateway (or eligibility), e.g. https://experts.example.com.")
@click.option("--token", envvar="PORTAL_OPERATOR_TOKEN", required=True, help="The service token.")
@click.option("--batch-lines", default=1000, show_default=True,
              help="Lines per request: each must be answered within the gateway's read timeout (10 s).")
@click.option("--format", "fmt", type=click.Choice(["auto", "ndjson", "csv"]), default="auto", show_default=True)
@click.option("--attempts", default=6, show_default=True, help="Tries per batch before giving up (resumable).")
@click.option("--restart", is_flag=True, help="Forget the saved position and send the file from its start.")
@click.option("--quiet", is_flag=True, help="No progress bar.")
def import_talent_command(file, url, token, batch_lines, fmt, attempts, restart, quiet):
    """Stream FILE (NDJSON or CSV) to POST /internal/v1/talent:bulk in batches, with progress;
    resumes after an interruption; rejected lines go to FILE.rejected.ndjson."""
    from .importer import ImportFailed, import_talent
    try:
        state = import_talent(file, url, token, batch_lines, fmt, attempts, restart=restart, progress=not quiet)
    except ImportFailed as exc:
        raise click.ClickException(f"{exc} (run the same command again to resume)") from exc
    click.echo(f"{file}: {state.accepted:,} lines accepted ({state.stale:,} stale), {state.rejected:,} rejected"
               + (f" (see {file}.rejected.ndjson)" if state.rejected else ""))


if __name__ == "__main__":
    cli()
