"""The operator's import-talent: a file streamed to the bulk endpoint over real HTTP in
batches, a failed batch retried, an interrupted import resumed after its last accepted batch
(no line sent twice, none skipped), rejected lines written beside the file with their reasons."""
from __future__ import annotations

import csv
import json
import threading

import pytest
from werkzeug.serving import make_server

from services.common.config import Config
from services.eligibility.app import create_app
from services.eligibility.importer import ImportFailed, import_talent
from tests.integration.eligibility.test_talent_and_verdicts import talent
from tests.support.infra import free_port

pytestmark = pytest.mark.integration
TOKEN = "op-token"


class Endpoint:
    """The eligibility app over HTTP, with a switch that makes the bulk endpoint fail."""

    def __init__(self, app):
        self.app, self.fail_next, self.down, self.posts, self.lines_received = app, 0, False, 0, 0

    def __call__(self, environ, start_response):
        if environ["PATH_INFO"].endswith("talent:bulk"):
            self.posts += 1
            if self.down or self.fail_next:
                self.fail_next = max(0, self.fail_next - 1)
                environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
                start_response("503 Service Unavailable", [("Content-Type", "application/problem+json")])
                return [b'{"code": "service_unavailable"}']
        return self.app(environ, start_response)


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory):
    work = tmp_path_factory.mktemp("import")
    app = create_app(Config.from_env("eligibility", {"PORTAL_DATA_DIR": str(work), "PORTAL_OPERATOR_TOKEN": TOKEN,
                                                     "PORTAL_GATEWAY_PORT": str(free_port())}))
    app.config["RUNTIME"].migrate()
    wrapped = Endpoint(app)
    server = make_server("127.0.0.1", free_port(), wrapped, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    wrapped.url = f"http://127.0.0.1:{server.server_port}"
    yield wrapped
    server.shutdown()
    app.config["RUNTIME"].close()


def stored(endpoint, fid: str) -> dict | None:
    answer = endpoint.app.test_client().get(f"/internal/v1/talent/{fid}", headers={"Authorization": f"Bearer {TOKEN}"})
    return answer.get_json()["document"] if answer.status_code == 200 else None


def ndjson_file(path, prefix: str, count: int, bad: dict[int, str] | None = None):
    lines = [json.dumps({"freelancer_id": f"{prefix}-{i}", **talent(jss=81 + i % 19)}) for i in range(count)]
    for index, text in (bad or {}).items():
        lines[index] = text
    path.write_text("\n".join(lines) + "\n")
    return path


def test_a_failed_batch_is_retried_and_the_whole_file_arrives(endpoint, tmp_path):
    source = ndjson_file(tmp_path / "retry.ndjson", "retry", 250)
    endpoint.posts, endpoint.fail_next = 0, 2
    state = import_talent(source, endpoint.url, TOKEN, batch_lines=100, retry_wait=0.01, progress=False)
    assert (state.accepted, state.rejected, state.done) == (250, 0, True)
    assert endpoint.posts == 3 + 2  # three batches, the first sent three times
    assert stored(endpoint, "retry-249")["jss"] == 81 + 249 % 19


def test_an_interrupted_import_resumes_after_its_last_accepted_batch(endpoint, tmp_path):
    source = ndjson_file(tmp_path / "resume.ndjson", "resume", 500, bad={120: "not json"})
    endpoint.posts = 0

    def outage_after_two(state):
        endpoint.down = state.line >= 200
    with pytest.raises(ImportFailed):
        import_talent(source, endpoint.url, TOKEN, batch_lines=100, attempts=2, retry_wait=0.01, progress=False,
                      on_batch=outage_after_two)
    saved = json.loads((tmp_path / "resume.ndjson.import-state.json").read_text())
    assert (saved["line"], saved["accepted"], saved["done"]) == (200, 199, False)
    assert stored(endpoint, "resume-199") is not None and stored(endpoint, "resume-200") is None
    endpoint.down, endpoint.posts = False, 0
    state = import_talent(source, endpoint.url, TOKEN, batch_lines=100, progress=False)
    assert endpoint.posts == 3  # lines 201-500: nothing sent twice
    assert (state.accepted, state.stale, state.rejected, state.done) == (499, 0, 1, True)
    rejects = [json.loads(x) for x in (tmp_path / "resume.ndjson.rejected.ndjson").read_text().splitlines()]
    assert [(r["line"], r["code"], r["text"]) for r in rejects] == [(121, "invalid_json", "not json")]
    again = import_talent(source, endpoint.url, TOKEN, batch_lines=100, progress=False)
    assert endpoint.posts == 3 and again.accepted == 499  # finished: nothing more to send


def test_a_csv_file_is_imported_and_its_bad_rows_are_written_beside_it_with_their_reasons(endpoint, tmp_path):
    source = tmp_path / "rescore.csv"
    fields = ["freelancer_id", "name", "title", "skills", "hourly_rate", "country", "jss", "badges",
              "account_status", "profile_visibility", "referred_by_partner_id", "projects", "consultations",
              "updated_at"]
    with open(source, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(fields)
        for i in range(40):
            writer.writerow([f"csv-{i}", f"Grace {i}", "Data engineer", "Python; SQL", "70.5", "US",
                             str(150 if i == 7 else 85), "top_rated" if i % 2 else "", "active", "public",
                             "", '[{"id": "p1", "title": "Setup", "price": 100, "delivery_days": 2}]', "",
                             "2026-01-01T00:00:00Z"])
        writer.writerow(["csv-x", "No rate", "t", "", "lots", "US", "85", "", "active", "public", "", "", "",
                         "2026-01-01T00:00:00Z"])
    state = import_talent(source, endpoint.url, TOKEN, batch_lines=15, progress=False)
    assert (state.accepted, state.rejected) == (39, 2)
    rejects = [json.loads(x) for x in (tmp_path / "rescore.csv.rejected.ndjson").read_text().splitlines()]
    assert [(r["line"], r["code"]) for r in rejects] == [(9, "validation_error"), (42, "validation_error")]
    assert "jss" in rejects[0]["detail"] and "hourly_rate" in rejects[1]["detail"]
    assert rejects[0]["text"].startswith("csv-7,")
    grace = stored(endpoint, "csv-3")
    assert (grace["skills"], grace["badges"], grace["projects"][0]["id"]) == (["Python", "SQL"], ["top_rated"], "p1")


def test_a_refused_token_stops_the_import_at_once(endpoint, tmp_path):
    source = ndjson_file(tmp_path / "token.ndjson", "token", 3)
    with pytest.raises(ImportFailed, match="401"):
        import_talent(source, endpoint.url, "wrong", progress=False)
