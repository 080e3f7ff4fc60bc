"""The OpenAPI documents are the contract generated clients rely on: each service's and the
gateway's merged one are valid OpenAPI 3 (openapi-spec-validator), and every `pattern` in
them is ECMA-262 that Node's RegExp (an ECMA-262 engine) reads exactly as the service
enforces it (services.common.openapi.Pattern), for generated and hostile sample strings."""
import json
import shutil
import subprocess

import pytest
import requests
from hypothesis import HealthCheck, given, settings, strategies as st
from openapi_spec_validator import OpenAPIV30SpecValidator

from services.common.openapi import Pattern, portable

pytestmark = pytest.mark.e2e
SERVICES = ("membership", "catalog", "eligibility", "assets", "webhooks")
NODE = shutil.which("node")
# strings that tell Python-only readings apart: trailing newline past `$`, a literal Z for
# `\Z`, Unicode digits and spaces for `\d`/`\s`, line separators for `.`, astral characters
HOSTILE = ["", "a", "Z", "AB", "AB\n", "ABZ", "\nAB", "ab", "a-b", "a\u2028b", "a\rb", "\u0663\u0664",
           "\u3000", "\ufeff", "\x1c", " x ", "x\x00", "\U0001F600", "-", "a" * 65, "0" * 64, "x@y.co"]


def documents(stack) -> dict:
    docs = {"gateway": requests.get(f"{stack.url}/openapi.json", timeout=10).json()}
    for service in SERVICES:
        docs[service] = requests.get(f"{stack.url_of(service)}/openapi.json", timeout=10).json()
    return docs


def patterns_in(value) -> set:
    if isinstance(value, dict):
        found = {value["pattern"]} if isinstance(value.get("pattern"), str) else set()
        return found.union(*(patterns_in(item) for item in value.values()))
    if isinstance(value, list):
        return set().union(*(patterns_in(item) for item in value))
    return set()


def ecma_verdicts(cases: list[tuple[str, str]]) -> list[list[bool]]:
    """[with the u flag, without it] per (pattern, sample), from Node's RegExp."""
    script = ("const cases = JSON.parse(require('fs').readFileSync(0, 'utf8'));"
              "console.log(JSON.stringify(cases.map(([p, s]) => [new RegExp(p, 'u').test(s), new RegExp(p).test(s)])));")
    done = subprocess.run([NODE, "-e", script], input=json.dumps(cases), capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr  # a pattern Node cannot compile fails here
    return json.loads(done.stdout)


def test_each_service_document_and_the_merged_one_are_valid_openapi_3(stack):
    if stack.name != "embedded":
        pytest.skip("the documents do not depend on the backends")
    for name, document in documents(stack).items():
        errors = [f"{list(e.absolute_path)}: {e.message[:200]}" for e in OpenAPIV30SpecValidator(document).iter_errors()]
        assert not errors, f"{name}: {errors[:5]}"
    gateway = documents(stack)["gateway"]
    assert all(operation.get("operationId") for item in gateway["paths"].values()
               for method, operation in item.items() if method in ("get", "post", "put", "patch", "delete"))
    links = gateway["paths"]["/api/v1/partners/{pid}/use-cases"]["post"]["responses"]["201"]["links"]
    assert links["SaveExperts"]["parameters"] == {"pid": "$request.path.pid", "uid": "$response.body#/id"}


def test_every_pattern_is_ecma262_and_means_what_the_service_enforces(stack):
    if stack.name != "embedded":
        pytest.skip("the documents do not depend on the backends")
    assert NODE, "node is needed (make test installs its tools with npm)"
    found = set().union(*(patterns_in(document) for document in documents(stack).values()))
    assert found and all(portable(p) for p in found), [p for p in found if not portable(p)]
    cases = []
    for pattern in sorted(found):
        samples = set(HOSTILE)
        body = pattern[1:-1] if pattern.startswith("^") else pattern

        @settings(max_examples=40, database=None, suppress_health_check=list(HealthCheck), deadline=None)
        @given(st.from_regex(body, fullmatch=True))
        def collect(sample):
            samples.update({sample, sample + "\n", sample + "Z", " " + sample, sample + "\x00"})
        collect()
        cases += [(pattern, sample) for sample in sorted(samples)]
    for (pattern, sample), (unicode, plain) in zip(cases, ecma_verdicts(cases)):
        ours = Pattern(pattern).matches(sample)
        assert ours == unicode == plain, f"{pattern!r} on {sample!r}: service {ours}, ECMA-262 u {unicode}, plain {plain}"


@pytest.mark.parametrize("pattern", [r"[A-Z]{2}\Z", r"\A[a-z]+$", r"^(?P<id>[a-z]+)$", r"^[a-z]++$", r"^(?>a)$",
                                     r"^\d+$", r"^\w+$", r"^\s*$", r"^a.b$", r"^a$|^b$", r"^(?i)a$"])
def test_python_only_or_ambiguous_syntax_is_refused_when_a_schema_is_built(pattern):
    with pytest.raises(ValueError):
        Pattern(pattern)
