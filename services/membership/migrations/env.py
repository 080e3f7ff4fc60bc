from services.common.migrations_env import run
from services.membership.models import Base
import services.membership.account_models  # noqa: F401,E402  (its tables are in Base.metadata)

run(Base.metadata)
