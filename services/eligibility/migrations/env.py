from services.common.migrations_env import run
from services.eligibility.models import Base

run(Base.metadata)
