from services.common.migrations_env import run
from services.webhooks.models import Base

run(Base.metadata)
