"""The body of every service's Alembic ``env.py``: online migrations on the given engine."""
from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine


def run(target_metadata) -> None:
    """Run the migrations with the engine handed over by ``run_migrations`` (or the URL in alembic.ini)."""
    config = context.config
    engine = config.attributes.get("engine")
    if engine is None:
        engine = create_engine(config.get_main_option("sqlalchemy.url"))
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()
