"""Autogenerate a migration for one service against a scratch SQLite database.

    python deploy/make_migration.py <service> "<message>"
"""
import importlib
import sys
import tempfile
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine


def main(service: str, message: str) -> None:
    folder = Path("gateway" if service == "gateway" else f"services/{service}") / "migrations"
    importlib.import_module(f"{'gateway' if service == 'gateway' else 'services.' + service}.models")
    with tempfile.TemporaryDirectory() as scratch:
        cfg = Config()
        cfg.set_main_option("script_location", str(folder))
        cfg.attributes["engine"] = create_engine(f"sqlite:///{scratch}/scratch.db")
        command.upgrade(cfg, "head")
        command.revision(cfg, message=message, autogenerate=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
