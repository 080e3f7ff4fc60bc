from services.common.migrations_env import run
from gateway.models import Base

run(Base.metadata)
