from services.common.migrations_env import run
from services.membership.models import Base

run(Base.metadata)
