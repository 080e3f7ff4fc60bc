"""Talent search latency on PostgreSQL, per query kind, beside the same query as raw SQL, in
the same run; at the given size and at a tenth of it. Figures are medians of --runs runs.

    python -m tests.bench.bench_search --profiles 100000 [--repeat 50] [--runs 3]
"""
from __future__ import annotations

import argparse
import os
import sys
import time

from sqlalchemy import insert, text

from tests.bench.results import figure, median, percentile, print_rows
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


def timed(fns, repeat: int) -> list[list[float]]:
    """Milliseconds of each of ``fns``, taking turns call by call, so that a noisy moment of this
    shared machine falls on both alike."""
    for fn in fns:
        fn()
    samples = [[] for _ in fns]
    for _ in range(repeat):
        for fn, taken in zip(fns, samples):
            started = time.perf_counter()
            fn()
            taken.append((time.perf_counter() - started) * 1000)
    return samples


def measure(runtime, repeat: int) -> dict[str, dict]:
    """p50 and p95 in milliseconds of each query kind, ours and raw, taking turns."""
    from services.catalog import search
    found = {}
    for kind, filters in QUERIES.items():
        def ours():
            with runtime.db.transaction() as session:
                search.search(session, "partner-1", filters, None, 50)

        def raw():
            with runtime.db.engine.connect() as conn:
                conn.execute(text(f"SELECT * FROM talent_profiles WHERE {RAW[kind]} "
                                  "ORDER BY name, freelancer_id LIMIT 51")).all()

        mine, base = timed([ours, raw], repeat)
        found[kind] = {"p50": percentile(mine, 50), "p95": percentile(mine, 95),
                       "raw_p50": percentile(base, 50), "raw_p95": percentile(base, 95)}
    return found


def run(profiles: int = 100_000, repeat: int = 50, runs: int = 3, tenth: bool = True) -> list[dict]:
    """Load ``profiles`` (and first a tenth of them) into a fresh database each; the median
    over ``runs`` runs of each query kind's p50 and p95, beside the same query as raw SQL."""
    command = f"python -m tests.bench.bench_search --profiles {profiles} --repeat {repeat} --runs {runs}"
    pg, rows = Postgres(), []
    try:
        for size in ((profiles // 10, profiles) if tenth else (profiles,)):
            os.environ["CATALOG_DATABASE_URL"] = pg.database(f"bench_search_{size}")
            os.environ.setdefault("PORTAL_DATA_DIR", "/tmp/bench-search")
            from services.catalog.runtime import make_runtime
            runtime = make_runtime()
            runtime.migrate()
            started = time.perf_counter()
            load(runtime, size)
            print(f"  loaded {size} profiles in {time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)
            measured = [measure(runtime, repeat) for _ in range(runs)]
            runtime.close()
            for kind in QUERIES:
                m = {key: median(run[kind][key] for run in measured) for key in measured[0][kind]}
                rows.append(figure(
                    "search", f"search p95: {kind}", m["p95"], "ms", command, baseline=m["raw_p95"],
                    baseline_what="raw SQL", target="< 50 ms and <= 1.5x raw",
                    met=m["p95"] < 50 and m["p95"] <= 1.5 * m["raw_p95"], size=size,
                    note=f"p50 {m['p50']:.1f} ms, raw p50 {m['raw_p50']:.1f} ms"))
    finally:
        pg.drop_all()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--profiles", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print_rows(run(args.profiles, args.repeat, args.runs))


if __name__ == "__main__":
    main()
