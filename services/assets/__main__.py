from services.common.cli import service_cli

from .consumer import make_consumer
from .runtime import make_runtime

cli = service_cli(make_runtime, make_consumer)

if __name__ == "__main__":
    cli()
