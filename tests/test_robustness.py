"""Property-based robustness: generated malformed and hostile queries never kill the server."""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .conftest import ROOT

STORED = [p.read_text() for p in sorted((ROOT / "queries").glob("*.rq"))]
HOSTILE = [
    "SELECT * WHERE {{ SERVICE <{iri}> {{ ?s ?p ?o }} }}",
    "SELECT * FROM <{iri}> WHERE {{ ?s ?p ?o }}",
    "SELECT * FROM NAMED <{iri}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
    "LOAD <{iri}>",
    "INSERT DATA {{ <{iri}> <{iri}> <{iri}> }}",
    "DELETE WHERE {{ ?s ?p ?o }} ; LOAD <{iri}>",
    'CONSTRUCT {{ ?s ?p ?o }} WHERE {{ ?s ?p ?o . FILTER(REGEX(STR(?o), "{text}")) }}',
    'SELECT * WHERE {{ ?s ?p "{text}" }}',
    "DESCRIBE <{iri}>",
    "ASK {{ <{iri}> ?p ?o }}",
]
iris = st.one_of(
    st.sampled_from(
        [
            "http://example.org/x",
            "file:///etc/passwd",
            "https://w3id.org/regen-kg/graph/data",
            "http://127.0.0.1:1/sparql",
            "urn:x",
        ]
    ),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=30).map(lambda t: "http://h/" + t),
)


@st.composite
def hostile_queries(draw: st.DrawFn) -> str:
    kind = draw(st.integers(0, 2))
    if kind == 0:
        return draw(st.text(max_size=200))
    if kind == 1:
        text = draw(st.sampled_from(STORED))
        at = draw(st.integers(0, len(text)))
        cut = draw(st.integers(0, 40))
        return text[:at] + draw(st.text(max_size=20)) + text[at + cut :]
    template = draw(st.sampled_from(HOSTILE))
    return template.format(iri=draw(iris), text=draw(st.text(max_size=20)).replace('"', ""))


def status_of(url: str, data: bytes | None = None, headers: dict[str, str] | None = None) -> int:
    request = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            response.read()
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(query=hostile_queries(), method=st.sampled_from(["get", "post-form", "post-body"]))
def test_hostile_queries_get_an_answer_or_a_4xx(server: str, query: str, method: str) -> None:
    if method == "get":
        status = status_of(f"{server}/sparql?" + urllib.parse.urlencode({"query": query}))
    elif method == "post-form":
        status = status_of(
            f"{server}/sparql",
            urllib.parse.urlencode({"query": query}).encode(),
            {"Content-Type": "application/x-www-form-urlencoded"},
        )
    else:
        status = status_of(
            f"{server}/sparql", query.encode("utf-8", "surrogatepass"), {"Content-Type": "application/sparql-query"}
        )
    assert status == 200 or 400 <= status < 500, (status, query)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    name=st.sampled_from([p.stem.split("-", 1)[1] for p in sorted((ROOT / "queries").glob("*.rq"))]),
    value=st.text(max_size=60),
)
def test_hostile_parameters_on_the_web_page(server: str, name: str, value: str) -> None:
    query = urllib.parse.urlencode({p: value for p in ("outcome", "cellType", "months", "finding", "study")})
    status = status_of(f"{server}/queries/{name}?{query}")
    assert status == 200 or 400 <= status < 500, (status, name, value)


def test_server_still_answers_after_the_barrage(server: str) -> None:
    assert status_of(f"{server}/sparql?" + urllib.parse.urlencode({"query": "ASK { ?s ?p ?o }"})) == 200
