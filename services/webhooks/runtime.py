"""Webhooks' wiring."""
from pathlib import Path

from services.common.runtime import Runtime

from .models import Base

MIGRATIONS = Path(__file__).parent / "migrations"


def make_runtime(config=None) -> Runtime:
    return Runtime("webhooks", Base.metadata, MIGRATIONS, config)
