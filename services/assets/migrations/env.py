from services.common.migrations_env import run
from services.assets.models import Base

run(Base.metadata)
