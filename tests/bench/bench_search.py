"""Talent search latency on PostgreSQL, per query kind, beside the same query as raw SQL, in
the same run; at the given size and at a tenth of it.

    python -m tests.bench.bench_search --profiles 100000 [--repeat 50]
"""
from __future__ import annotations

import argparse
import os
import statistics
import time

from sqlalchemy import insert, text

from tests.support.infra import Postgres

QUERIES = {
    "text": {"q": "python"},
    "text, 2 words": {"q": "email autom"},
    "filters": {"min_jss": 90, "max_rate": 80, "country": "US"},
    "text + filters": {"q": "design", "min_jss": 85, "badge": "top_rated"},
    "eligible for partner": {"eligible": True, "skill": "seo"},
}
RAW = {
    "text": "to_tsvector('simple'::regconfig, search_text) @@ to_tsquery('simple'::regconfig, 'python:*')",
    "text, 2 words": "to_tsvector('simple'::regconfig, search_text) @@ to_tsquery('simple'::regconfig, 'email:* & autom:*')",
    "filters": "jss >= 90 AND hourly_rate <= 80 AND country = 'US'",
    "text + filters": "to_tsvector('simple'::regconfig, search_text) @@ to_tsquery('simple'::regconfig, 'design:*') "
                      "AND jss >= 85 AND badges LIKE '%|top_rated|%'",
    "eligible for partner": "(eligible OR eligible_for_partners LIKE '%|partner-1|%') AND skills_key LIKE '%|seo|%'",
}


def load(runtime, count: int) -> None:
    from services.catalog.models import TalentProfile
    from services.catalog.search import profile_row
    from services.eligibility.domain import searchable_profile
    from services.eligibility.schemas import BulkTalentLineSchema
    from services.eligibility.talentgen import generate_talent
    schema, batch = BulkTalentLineSchema(), []
    with runtime.db.engine.begin() as conn:
        for doc in generate_talent(count, seed=5, partner_ids=["partner-1"]):
            loaded = schema.load(doc)
            batch.append(profile_row(searchable_profile(loaded["freelancer_id"], loaded)))
            if len(batch) == 2000:
                conn.execute(insert(TalentProfile), batch)
                batch = []
        if batch:
            conn.execute(insert(TalentProfile), batch)
        conn.execute(text("ANALYZE talent_profiles"))


def timed(fn, repeat: int) -> list[float]:
    fn()
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def p(samples, q):
    return statistics.quantiles(samples, n=100)[q - 1]


def measure(runtime, repeat: int) -> list[tuple]:
    from services.catalog import search
    rows = []
    for kind, filters in QUERIES.items():
        def ours():
            with runtime.db.transaction() as session:
                search.search(session, "partner-1", filters, None, 50)

        def raw():
            with runtime.db.engine.connect() as conn:
                conn.execute(text(f"SELECT * FROM talent_profiles WHERE {RAW[kind]} "
                                  "ORDER BY name, freelancer_id LIMIT 51")).all()

        mine, base = timed(ours, repeat), timed(raw, repeat)
        rows.append((kind, p(mine, 50), p(mine, 95), p(base, 50), p(base, 95)))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--profiles", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args()
    pg = Postgres()
    try:
        for size in (args.profiles // 10, args.profiles):
            os.environ["CATALOG_DATABASE_URL"] = pg.database(f"bench_search_{size}")
            os.environ.setdefault("PORTAL_DATA_DIR", "/tmp/bench-search")
            from services.catalog.runtime import make_runtime
            runtime = make_runtime()
            runtime.migrate()
            load(runtime, size)
            print(f"\n{size} profiles (PostgreSQL), milliseconds")
            print(f"{'query':22} {'p50':>7} {'p95':>7} {'raw p50':>8} {'raw p95':>8} {'p95 ratio':>9}")
            for kind, p50, p95, r50, r95 in measure(runtime, args.repeat):
                print(f"{kind:22} {p50:7.2f} {p95:7.2f} {r50:8.2f} {r95:8.2f} {p95 / r95:9.2f}")
            runtime.close()
    finally:
        pg.drop_all()


if __name__ == "__main__":
    main()
