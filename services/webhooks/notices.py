"""The mail to a partner's admins when one of its endpoints was disabled after failing for
three days. Membership owns addresses and mail: this asks it, over its internal API
(``POST /internal/v1/partners/<pid>/admin-notices``, service token), to mail the partner's
admins; until membership has taken the notice, it is asked again on the next round."""
from __future__ import annotations

from urllib.parse import quote

import requests
import structlog
from sqlalchemy import select

from services.common.config import Config
from services.common.db import Database, utcnow

from .models import Endpoint

log = structlog.get_logger("notices")


def disabled_notice(endpoint: Endpoint, public_url: str) -> dict:
    """The mail's subject and text (plain text; the URL is the partner's own)."""
    since = endpoint.failing_since.strftime("%Y-%m-%d %H:%M UTC") if endpoint.failing_since else "three days ago"
    return {
        "subject": "A webhook endpoint was disabled",
        "body": (f"Deliveries to your webhook endpoint\n\n  {endpoint.url}\n\nhave failed since {since}, "
                 "so we stopped sending to it. Its pending deliveries are marked failed.\n\n"
                 "When the endpoint answers again, turn it back on (PATCH the webhook with "
                 "enabled: true) and redeliver the events you need from its deliveries list.\n\n"
                 f"Webhook id: {endpoint.id}\nPortal: {public_url}/\n"),
    }


class Notifier:
    def __init__(self, config: Config, timeout: float = 5.0):
        self.config, self.timeout = config, timeout
        self.http = requests.Session()
        self.http.headers["Authorization"] = f"Bearer {config.operator_token}"

    def send_pending(self, db: Database, batch: int = 20) -> int:
        """Hand membership the notices not yet taken; the count taken."""
        with db.transaction() as session:
            waiting = list(session.scalars(select(Endpoint).where(
                Endpoint.disabled_at.is_not(None), Endpoint.notice_sent_at.is_(None)).limit(batch)))
        taken = 0
        for endpoint in waiting:
            url = (f"{self.config.url_of('membership')}/internal/v1/partners/"
                   f"{quote(endpoint.partner_id, safe='')}/admin-notices")
            try:
                answer = self.http.post(url, json=disabled_notice(endpoint, self.config.public_url),
                                        headers={"Idempotency-Key": f"webhook-disabled-{endpoint.id}-"
                                                                    f"{endpoint.disabled_at.timestamp():.0f}"},
                                        timeout=self.timeout)
            except requests.RequestException as exc:
                log.warning("membership did not take the notice; will ask again", error=repr(exc))
                return taken
            if answer.status_code // 100 != 2:
                log.warning("membership refused the notice; will ask again", status=answer.status_code,
                            endpoint_id=endpoint.id)
                continue
            with db.transaction() as session:
                row = session.get(Endpoint, endpoint.id)
                if row is not None and row.disabled_at == endpoint.disabled_at:
                    row.notice_sent_at = utcnow()
            taken += 1
        return taken
