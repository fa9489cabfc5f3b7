"""The names the command line offers as choices, kept apart from the modules that implement them:
``regen-kg`` declares its options from here and imports a command's modules only when it runs."""

from __future__ import annotations

#: The build engines: ``reference`` (pyshacl + owlrl) and ``fast`` (SHACL compiled to SPARQL on
#: Oxigraph + the compiled OWL 2 RL tables). Both give the same report and inferences (tests/test_fast*.py);
#: ``fast`` falls back to the reference for a TBox or shapes outside what it compiles.
ENGINES = ("fast", "reference")
DEFAULT_ENGINE = "fast"
#: The embedded stores (``store.open_store`` selectors) a build and ``query`` can run on. The
#: build's quality checks give the same rows on both (tests/test_qc.py), and the stored queries
#: the same answers (tests/test_query_answers.py, tests/test_oxstore.py), so both use the fast one.
STORES = ("oxigraph", "rdflib")
DEFAULT_STORE = "oxigraph"
#: Processes a build uses: validation, quality checks and the asserted outputs in a forked child
#: while the parent reasons and writes the rest. 1 runs every stage in order in one process.
DEFAULT_JOBS = 2
#: The serializations of the whole graph (``export.serialize``).
FORMATS = ("ttl", "jsonld", "nt", "trig", "nq")
#: How query answers are written (``results.render_rows``; a CONSTRUCT answer as a graph).
SELECT_FORMATS = ("table", "csv", "tsv", "json", "md")
GRAPH_FORMATS = ("ttl", "jsonld")
#: Rows the table format draws by default: every answer of the curated graph, a readable screen
#: of a large one (drawing 30,000 rows took over a minute); the other formats write every row.
TABLE_ROWS = 200
#: Reported quality-check severities, most severe first.
SEVERITIES = ("ERROR", "WARN", "INFO")
