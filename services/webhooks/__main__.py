from services.common.cli import service_cli, stop_on_signals
from services.common.logs import configure_logging
from services.common.metrics import serve_metrics_if_configured

from .config import WebhookSettings
from .consumer import make_consumer
from .runtime import make_runtime

cli = service_cli(make_runtime, make_consumer, has_outbox=False)


@cli.command()
def deliver():
    """Send pending webhook deliveries, with retries, until stopped."""
    from .deliverer import Deliverer
    runtime = make_runtime()
    configure_logging("webhooks-deliver")
    serve_metrics_if_configured()
    Deliverer(runtime, WebhookSettings.from_env()).run(stop_on_signals())
    runtime.close()


if __name__ == "__main__":
    cli()
