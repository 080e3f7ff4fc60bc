from services.common.cli import service_cli

from .runtime import make_runtime

cli = service_cli(make_runtime)

if __name__ == "__main__":
    cli()
