from services.common.migrations_env import run
from services.catalog.models import Base

run(Base.metadata)
