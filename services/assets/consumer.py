"""What assets listens to: who belongs to which partner (for its partner-scoped routes)."""
from services.common.consumer import Consumer
from services.common.members import membership_handlers
from services.common.runtime import Runtime

from .models import members


def make_consumer(runtime: Runtime) -> Consumer:
    return Consumer("assets", runtime.db, runtime.bus, runtime.inbox, membership_handlers(members))
