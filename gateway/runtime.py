"""The gateway's wiring: its read model lives in ``GATEWAY_DATABASE_URL``."""
from pathlib import Path

from services.common.runtime import Runtime

from .models import Base

MIGRATIONS = Path(__file__).parent / "migrations"


def make_runtime(config=None) -> Runtime:
    return Runtime("gateway", Base.metadata, MIGRATIONS, config)
