"""What a partner reads of its page's analytics (API.md second round, ``GET
/api/v1/partners/<pid>/analytics``): the gateway's own route, never forwarded, answered from
the counts ``analytics`` writes."""
from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import date, timedelta

from flask import Blueprint, Response, current_app, jsonify, request
from sqlalchemy import func, select

from services.common.auth import authenticate
from services.common.errors import Problem
from services.common.members import MembershipUnreachable, live_members

from ..frontdoor.api_keys import exchange_api_key
from ..frontdoor.routes import OWN
from ..models import AnalyticsCount, AnalyticsVisitor, PublicPage
from .analytics import today

reports = Blueprint("reports", __name__)
MAX_DAYS = 366
DEFAULT_DAYS = 30
TOP = 50  # rows in each ranking
CSV_COLUMNS = ("start", "views", "visitors", "clicks")


@dataclass(frozen=True)
class Period:
    """UTC days ``first`` to ``last``, both included, in buckets of ``interval``."""

    first: date
    last: date
    interval: str

    def bucket(self, day: date) -> date:
        """The first day of ``day``'s bucket: the day itself, or its ISO week's Monday (never
        before ``first``)."""
        if self.interval == "day":
            return day
        return max(self.first, day - timedelta(days=day.weekday()))

    def starts(self) -> list[date]:
        days = (self.last - self.first).days + 1
        return sorted({self.bucket(self.first + timedelta(days=i)) for i in range(days)})


def period_of(args) -> Period:
    """``from``, ``to`` (ISO dates, UTC, both included; default the last 30 days) and
    ``interval`` (``day``, default, or ``week``); 400 ``invalid_parameter`` otherwise, or when
    the range is reversed or longer than 366 days (API.md "Details of the second round")."""
    try:
        last = date.fromisoformat(args["to"]) if args.get("to") else today()
        first = date.fromisoformat(args["from"]) if args.get("from") else last - timedelta(days=DEFAULT_DAYS - 1)
    except ValueError:
        raise _invalid("from", "from and to are dates as YYYY-MM-DD.") from None
    interval = args.get("interval", "day")
    if interval not in ("day", "week"):
        raise _invalid("interval", "interval is day or week.")
    if first > last:
        raise _invalid("from", "from is after to.")
    if (last - first).days + 1 > MAX_DAYS:
        raise _invalid("to", f"A range covers at most {MAX_DAYS} days.")
    return Period(first, last, interval)


def _invalid(name: str, message: str) -> Problem:
    return Problem(400, "invalid_parameter", message, errors={name: [message]})


def require_member(partner_id: str) -> None:
    """The caller is a member of ``partner_id`` (a member's token or the partner's API key),
    as membership says now; 401 without a valid token, 403 for the service token, 404 for any
    other partner, 503 while membership cannot tell."""
    exchange_api_key(request)
    principal = authenticate()
    if principal.kind != "member":
        raise Problem(403, "forbidden", "This call needs a member's access token.")
    if principal.api_key and principal.claims.get("partner_id") != partner_id:
        raise Problem(404, "not_found", "No such partner.")
    try:
        role = live_members().role_of(partner_id, principal.account_id)
    except MembershipUnreachable:
        raise Problem(503, "service_unavailable", "Membership cannot tell who you are right now.",
                      headers={"Retry-After": "5"}) from None
    if role is None:
        raise Problem(404, "not_found", "No such partner.")


@reports.get("/api/v1/partners/<partner_id>/analytics")
def analytics_report(partner_id):
    """The partner's page analytics: ``{series: [{start, views, visitors, clicks}], use_cases:
    [{id, name, views}], experts: [{freelancer_id, name, clicks}], referrers: [{host, views}],
    embeds: [{host, views}]}``; with ``Accept: text/csv`` the series as CSV (``start, views,
    visitors, clicks``). A week's visitors are the sum of its days' (a visitor is known for one
    day only). Query: ``from``, ``to``, ``interval`` (``period_of``). Member token or API key."""
    require_member(partner_id)
    period = period_of(request.args)
    with current_app.config["RUNTIME"].db.transaction() as session:
        answer = report(session, partner_id, period)
    if request.accept_mimetypes.best_match(["application/json", "text/csv"]) == "text/csv":
        return Response(series_csv(answer["series"]), mimetype="text/csv", headers={
            "Content-Disposition": f'attachment; filename="analytics-{period.first}-{period.last}.csv"'})
    return jsonify(answer)


def report(session, partner_id: str, period: Period) -> dict:
    """The answer of ``analytics_report`` from the stored counts."""
    in_range = (AnalyticsCount.partner_id == partner_id, AnalyticsCount.day >= period.first,
                AnalyticsCount.day <= period.last)
    series = {start: {"start": start.isoformat(), "views": 0, "visitors": 0, "clicks": 0}
              for start in period.starts()}
    for day, metric, count in session.execute(
            select(AnalyticsCount.day, AnalyticsCount.metric, func.sum(AnalyticsCount.count))
            .where(*in_range, AnalyticsCount.metric.in_(("view", "click")))
            .group_by(AnalyticsCount.day, AnalyticsCount.metric)):
        series[period.bucket(day)][metric + "s"] += int(count)
    for day, count in session.execute(
            select(AnalyticsVisitor.day, func.count()).where(
                AnalyticsVisitor.partner_id == partner_id, AnalyticsVisitor.day >= period.first,
                AnalyticsVisitor.day <= period.last).group_by(AnalyticsVisitor.day)):
        series[period.bucket(day)]["visitors"] += int(count)
    ranked = {metric: [] for metric in ("use_case", "expert", "referrer", "embed")}
    for metric, key, count in session.execute(
            select(AnalyticsCount.metric, AnalyticsCount.key, func.sum(AnalyticsCount.count).label("n"))
            .where(*in_range, AnalyticsCount.metric.in_(tuple(ranked)))
            .group_by(AnalyticsCount.metric, AnalyticsCount.key)
            .order_by(func.sum(AnalyticsCount.count).desc(), AnalyticsCount.key)):
        if len(ranked[metric]) < TOP:
            ranked[metric].append((key, int(count)))
    names = _names(session, partner_id)
    return {
        "series": list(series.values()),
        "use_cases": [{"id": k, "name": names["use_cases"].get(k, ""), "views": n} for k, n in ranked["use_case"]],
        "experts": [{"freelancer_id": k, "name": names["experts"].get(k, ""), "clicks": n}
                    for k, n in ranked["expert"]],
        "referrers": [{"host": k, "views": n} for k, n in ranked["referrer"]],
        "embeds": [{"host": k, "views": n} for k, n in ranked["embed"]],
    }


def _names(session, partner_id: str) -> dict:
    """Use case and expert names as the page shows them now (the read model)."""
    row = session.get(PublicPage, partner_id)
    page = json.loads(row.content or "{}") if row is not None else {}
    names = {"use_cases": {}, "experts": {}}
    for use_case in page.get("use_cases", []):
        names["use_cases"][use_case.get("id")] = use_case.get("name", "")
        for expert in use_case.get("experts", []):
            names["experts"][expert.get("freelancer_id")] = expert.get("name", "")
    return names


def series_csv(series: list[dict]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\r\n")  # RFC 4180
    writer.writeheader()
    writer.writerows(series)
    return out.getvalue()


def openapi_paths() -> dict:
    """This route in the gateway's merged OpenAPI document."""
    problem = {"application/problem+json": {"schema": {"type": "object"}}}
    query = [{"name": name, "in": "query", "required": False, "schema": schema, "description": text}
             for name, schema, text in (
                 ("from", {"type": "string", "format": "date"}, "First UTC day (default 29 days before to)"),
                 ("to", {"type": "string", "format": "date"}, "Last UTC day, included (default today)"),
                 ("interval", {"type": "string", "enum": ["day", "week"]}, "Bucket of the series"))]
    path = {"name": "partner_id", "in": "path", "required": True, "schema": {"type": "string"}}
    answers = {"200": {"description": "The counts", "content": {"application/json": {}, "text/csv": {}}},
               "400": {"description": "invalid_parameter", "content": problem},
               "401": {"description": "unauthorized", "content": problem},
               "403": {"description": "forbidden", "content": problem},
               "404": {"description": "not_found", "content": problem},
               "503": {"description": "service_unavailable", "content": problem}}
    return {template.replace("{pid}", "{partner_id}"): {"get": {
        "tags": ["Analytics"], "summary": "The page's views, visitors and clicks",
        "description": (analytics_report.__doc__ or "").strip(), "security": [{"bearerAuth": []}],
        "parameters": [path, *query], "responses": answers}} for template in OWN}
