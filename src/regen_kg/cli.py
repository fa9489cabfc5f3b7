"""The ``regen-kg`` command line: a thin shell over the library's stages."""

from __future__ import annotations

import gc
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click
from rich.console import Console
from rich.table import Table

from regen_kg import __version__, cli_bench, cli_curation, cli_release
from regen_kg.choices import (
    DEFAULT_ENGINE,
    DEFAULT_JOBS,
    DEFAULT_STORE,
    ENGINES,
    FORMATS,
    GRAPH_FORMATS,
    SELECT_FORMATS,
    TABLE_ROWS,
)
from regen_kg.cli_options import cache_option, out_option, store_option
from regen_kg.errors import ParameterError, RegenError
from regen_kg.paths import ProjectPaths, project_paths

if TYPE_CHECKING:
    from collections.abc import Iterable

    from regen_kg.queries import QueryResult, StoredQuery

# Each command imports the modules it needs when it runs: 'regen-kg check' or a saved answer does
# not pay for importing the build, the exporters and the servers (tests/test_cli.py).

console = Console(stderr=False, highlight=False)
err = Console(stderr=True, highlight=False)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="regen-kg")
@click.option(
    "--root",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="REGEN_KG_ROOT",
    help="Project folder holding ontology/, data/, shapes/, queries/ (default: this checkout).",
)
@click.pass_context
def cli(ctx: click.Context, root: Path | None) -> None:
    """regen-kg: an evidence knowledge graph of stem-cell and PRP therapies for facial skin aging.

    Claims of a secondary review are kept apart from findings of verified primary studies.
    """
    ctx.obj = project_paths(root)


@cli.command()
@out_option("out_dir", "dist", "Folder to write the outputs into.", folder=True)
@store_option(DEFAULT_STORE)
@click.option(
    "--engine",
    type=click.Choice(ENGINES),
    default=DEFAULT_ENGINE,
    show_default=True,
    help="SHACL and OWL 2 RL engines: fast (compiled) or reference (pyshacl, owlrl); same results.",
)
@cache_option()
@click.option(
    "--jobs",
    type=click.IntRange(1, 2),
    default=DEFAULT_JOBS,
    show_default=True,
    help="Processes: 2 converts records and checks beside the reasoning (same files); 1 runs every stage in turn.",
)
@click.pass_obj
def build(paths: ProjectPaths, out_dir: Path, store: str, engine: str, use_cache: bool, jobs: int) -> None:
    """Load, validate (SHACL), reason (OWL 2 RL) and write every output format.

    Nothing is written if the records have errors or SHACL violations.
    """
    from regen_kg import build as pipeline
    from regen_kg.cache import project_cache
    from regen_kg.gcpause import collector_paused
    from regen_kg.memstore import instance_counts, union_size
    from regen_kg.prefixes import REGEN

    cache = project_cache(paths.root) if use_cache else None
    with collector_paused():  # the summary reads the whole graph once more
        built, written = pipeline.build(paths, out_dir, engine=engine, store=store, cache=cache, jobs=jobs)
        data = built.loaded.data
        instances = instance_counts(data)  # asserted instances per class
        table = Table(title=f"regen-kg {__version__}: graph built", show_header=False)
        table.add_row("triples asserted", str(union_size(*built.loaded.parts_of_asserted)))
        table.add_row("  ontology", str(len(built.loaded.ontology)))
        table.add_row("  records", str(len(data)))
        table.add_row("triples inferred (OWL 2 RL)", str(len(built.inferred)))
        table.add_row("studies", str(instances[REGEN.Study]))
        table.add_row("findings (primary publications)", str(instances[REGEN.Finding]))
        table.add_row("claims (secondary source)", str(instances[REGEN.Claim]))
    report = built.report
    table.add_row("SHACL", f"conforms; {len(report.warnings)} warning(s)")
    table.add_row("files written", f"{len(written)} in {out_dir}/")
    console.print(table)
    for problem in report.warnings:
        click.echo(f"  warning {problem.file}: {problem.focus} {problem.path}: {problem.message}")
    for path in written:
        click.echo(f"  {path}")


@cli.command()
@click.pass_obj
def validate(paths: ProjectPaths) -> None:
    """Check every record and the ontology against the SHACL shapes; exit 1 on violations."""
    from regen_kg import build as pipeline
    from regen_kg.validate import format_problems

    report = pipeline.validate(paths, pipeline.load_project(paths))
    click.echo(format_problems(report))
    if not report.conforms:
        sys.exit(1)


@cli.command()
@click.option("--full", is_flag=True, help="Check every record, not only those changed since the last check.")
@click.pass_obj
def check(paths: ProjectPaths, full: bool) -> None:
    """Validate (SHACL) and reason (OWL 2 RL) only what changed since the last check; write nothing
    but the check's own state in .cache/regen-kg. Exit 1 on violations or an inconsistency.

    The first check, or one after a change to the ontology, shapes, vocabularies or sources, checks
    everything. 'regen-kg build' always runs the whole pipeline.
    """
    from regen_kg.cache import project_cache
    from regen_kg.gcpause import collector_paused
    from regen_kg.incremental import check as run_check
    from regen_kg.validate import format_problems

    with collector_paused():
        checked = run_check(paths, project_cache(paths.root), full=full)
    if checked.incremental:
        done = f"{len(checked.changed) + len(checked.removed)} record file(s) changed since the last check"
        done += f"; {checked.refocused} node(s) re-validated" if checked.changed or checked.removed else ""
    else:
        done = f"full check of {len(checked.changed)} record file(s) ({checked.why_full})"
    err.print(f"{done}, in {checked.seconds:.2f} s")
    for name in [*checked.changed, *checked.removed] if checked.incremental else []:
        err.print(f"  {name}")
    click.echo(format_problems(checked.report))
    click.echo(f"OWL 2 RL: {'consistent.' if not checked.inconsistency else checked.inconsistency}")
    if not checked.passed:
        sys.exit(1)


@cli.command()
@click.option("--format", "fmt", type=click.Choice((*FORMATS, "sssom")), required=True, help="Serialization to write.")
@click.option(
    "--inferred/--asserted",
    default=False,
    show_default=True,
    help="Include the OWL 2 RL inferences (trig and nq always hold them as a named graph).",
)
@click.option(
    "--out",
    "out_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="File to write (default: standard output).",
)
@click.pass_obj
def export(paths: ProjectPaths, fmt: str, inferred: bool, out_file: Path | None) -> None:
    """Write the graph in one format."""
    from regen_kg import build as pipeline
    from regen_kg.context import build_context
    from regen_kg.export import pieces
    from regen_kg.fileio import write_atomic

    built = pipeline.run_project(paths)
    if fmt == "sssom":
        text: Iterable[str] = [pipeline.sssom_text(built)]
    else:  # a piece at a time: a large graph is never held whole as text
        graphs = built.graphs(inferred=inferred or fmt in ("trig", "nq"))
        text = pieces(fmt, graphs, build_context(built.loaded.ontology))
    if out_file is None:
        for piece in text:
            click.echo(piece, nl=False)
    else:
        write_atomic(out_file, text)
        err.print(f"wrote {out_file}")


@cli.command(name="queries")
@click.pass_obj
def list_queries(paths: ProjectPaths) -> None:
    """List the stored query catalogue: name, title and parameters."""
    from regen_kg.queries import load_catalogue

    table = Table(title="stored queries (queries/*.rq)")
    table.add_column("name")
    table.add_column("title")
    table.add_column("parameters")
    for query in load_catalogue(paths).values():
        params = ", ".join(f"{p.name}: {p.type}" + (f" = {p.default}" if p.default else "") for p in query.params)
        table.add_row(query.name, query.title, params)
    console.print(table)


def _parse_params(pairs: tuple[str, ...]) -> dict[str, str]:
    values: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise click.BadParameter(f"{pair!r}: write name=value", param_hint="--param")
        values[name.strip()] = value.strip()
    return values


@cli.command()
@click.argument("name", required=False)
@click.option(
    "--param",
    "-p",
    "params",
    multiple=True,
    metavar="NAME=VALUE",
    help="Bind a parameter (CURIEs such as regen:SkinElasticity or CL:0000134, or full IRIs).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(SELECT_FORMATS + GRAPH_FORMATS),
    default=None,
    help="Output: table (default), csv, tsv, json (SPARQL 1.1 results), md; ttl or jsonld for CONSTRUCT.",
)
@click.option(
    "--file",
    "query_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Run your own query file, with the project's prefixes predeclared.",
)
@click.option(
    "--endpoint", metavar="URL", help="Run against a remote SPARQL 1.1 endpoint instead of the embedded graph."
)
@click.option(
    "--max-rows",
    type=click.IntRange(min=0),
    default=TABLE_ROWS,
    show_default=True,
    help="Rows the table format draws (0: every row); the other formats write every row.",
)
@store_option()
@cache_option()
@click.pass_obj
def query(
    paths: ProjectPaths,
    name: str | None,
    params: tuple[str, ...],
    fmt: str | None,
    query_file: Path | None,
    endpoint: str | None,
    max_rows: int,
    store: str,
    use_cache: bool,
) -> None:
    """Run a stored query by NAME (see 'regen-kg queries'), or --file for your own."""
    from regen_kg.queries import adhoc_query, bind, check_syntax, load_catalogue
    from regen_kg.results import render_rows

    if (name is None) == (query_file is None):
        raise click.UsageError("give either a stored query NAME or --file FILE")
    if query_file is not None:
        stored = adhoc_query(query_file)
    else:
        catalogue = load_catalogue(paths, check=False)  # headers only: the chosen query is checked before it runs
        if name not in catalogue:
            raise click.BadParameter(
                f"no stored query {name!r}; run 'regen-kg queries' to list them", param_hint="NAME"
            )
        stored = catalogue[name]
        if endpoint:  # the embedded stores' answers check it (answers.ask), unless saved already
            check_syntax(stored.text, stored.path)
    values = _parse_params(params)
    bind(stored, values)  # check parameters before any expensive work
    result = _answer(paths, stored, values, endpoint=endpoint, store=store, use_cache=use_cache)
    if result.graph is not None:
        graph_fmt = fmt or "ttl"
        if graph_fmt not in GRAPH_FORMATS:
            raise click.BadParameter("a CONSTRUCT query writes ttl or jsonld", param_hint="--format")
        from rdflib import URIRef

        from regen_kg.context import build_context
        from regen_kg.export import serialize
        from regen_kg.ontology import load_ontology

        context = build_context(load_ontology(paths))
        click.echo(serialize(graph_fmt, {URIRef("urn:x-regen:result"): result.graph}, context), nl=False)
        return
    row_fmt = fmt or "table"
    if row_fmt not in SELECT_FORMATS:
        raise click.BadParameter("a SELECT query writes table, csv, tsv, json or md", param_hint="--format")
    click.echo(render_rows(result, row_fmt, max_rows=max_rows), nl=False)
    if row_fmt == "table" and 0 < max_rows < len(result.rows):
        _to_stderr(
            f"the table shows {max_rows} of {len(result.rows)} rows: --max-rows 0 draws every row;"
            " --format tsv, csv, json or md writes them all"
        )


def _to_stderr(note: str) -> None:
    """Notes for the user beside a command's output (external ids resolved, a build started)."""
    click.echo(note, err=True)


def _answer(
    paths: ProjectPaths,
    stored: StoredQuery,
    values: dict[str, str],
    *,
    endpoint: str | None,
    store: str,
    use_cache: bool,
) -> QueryResult:
    """The answer of ``stored`` from an endpoint, or from the project (``answers.ask``)."""
    from regen_kg.answers import ask, evaluate
    from regen_kg.store import open_store

    if endpoint:
        return evaluate(open_store(f"sparql:{endpoint}"), stored, values, _to_stderr)
    return ask(paths, stored, values, store=store, use_cache=use_cache, say=_to_stderr)


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind (loopback by default).")
@click.option("--port", default=8000, show_default=True, type=int, help="Port to listen on.")
@click.option("--timeout", default=5.0, show_default=True, type=float, help="Time limit per query, in seconds.")
@click.option("--max-rows", default=10_000, show_default=True, type=int, help="Largest result served.")
@click.option("--workers", default=4, show_default=True, type=int, help="Queries evaluated at the same time.")
@click.pass_obj
def serve(paths: ProjectPaths, host: str, port: int, timeout: float, max_rows: int, workers: int) -> None:
    """Serve the graph: SPARQL 1.1 endpoint at /sparql, a page per record, the query web page at /.

    The graph is the one saved by the last build of the same inputs ('query'
    saves it too); it is built and saved first when the inputs changed.
    """
    from regen_kg.endpoint import Limits
    from regen_kg.serve import open_served, run

    served = open_served(paths, jobs=DEFAULT_JOBS, say=_to_stderr)  # before the server starts its threads
    click.echo(f"serving http://{host}:{port}/ (SPARQL at /sparql); Ctrl-C to stop", err=True)
    run(served, paths, host, port, Limits(timeout=timeout, max_rows=max_rows, workers=workers))


@cli.command()
@click.option("--endpoint", required=True, metavar="URL", help="The store's SPARQL query endpoint.")
@click.option("--update", "update_url", metavar="URL", help="SPARQL Update endpoint (default: --endpoint).")
@click.option("--graph-store", "graph_store", metavar="URL", help="Graph Store HTTP Protocol endpoint, if any.")
@click.option("--user", envvar="REGEN_KG_STORE_USER", help="User name (or $REGEN_KG_STORE_USER).")
@click.option("--password", envvar="REGEN_KG_STORE_PASSWORD", help="Password (or $REGEN_KG_STORE_PASSWORD).")
@click.option(
    "--auth",
    type=click.Choice(["basic", "digest"]),
    default="basic",
    show_default=True,
    help="HTTP authentication scheme (Virtuoso's -auth endpoints use digest).",
)
@click.pass_obj
def publish(
    paths: ProjectPaths,
    endpoint: str,
    update_url: str | None,
    graph_store: str | None,
    user: str | None,
    password: str | None,
    auth: str,
) -> None:
    """Load the graph into a SPARQL 1.1 store: one named graph per part, replacing only those."""
    from regen_kg import build as pipeline
    from regen_kg.publish import Target
    from regen_kg.publish import publish as publish_graphs

    built = pipeline.run_project(paths)
    target = Target(endpoint, update_url, graph_store, user, password, auth)
    report = publish_graphs(built.graphs(queries=True), target)
    table = Table(title=f"published to {endpoint} via {report.method}")
    table.add_column("named graph")
    table.add_column("triples", justify="right")
    table.add_column("read back", justify="right")
    for name, n in report.expected.items():
        table.add_row(name, str(n), str(report.found[name]))
    console.print(table)


@cli.group()
def links() -> None:
    """Links to external vocabularies: check them, report coverage, enrich from an endpoint."""


@links.command(name="check")
@click.pass_obj
def links_check(paths: ProjectPaths) -> None:
    """Check every external IRI of the built graph; exit 1 listing each problem."""
    from rdflib.graph import ReadOnlyGraphAggregate

    from regen_kg import build as pipeline
    from regen_kg.links import check_links, external_iris
    from regen_kg.terms import load_terms

    built = pipeline.run_project(paths)
    # the asserted and inferred graphs side by side, read without copying them into one
    graph = ReadOnlyGraphAggregate([*built.loaded.parts_of_asserted, built.inferred])
    problems = check_links(graph, load_terms(paths.external_terms), built.loaded.mapping_sets)
    n = len(external_iris(graph))
    if not problems:
        click.echo(f"links: {n} external terms checked; all known, well-formed, listed and correctly labelled")
        return
    for p in problems:
        click.echo(f"{p.kind:18} {p.term}: {p.message}")
    click.echo(f"links: {len(problems)} problem(s) in {n} external terms")
    sys.exit(1)


@links.command(name="report")
@click.pass_obj
def links_report(paths: ProjectPaths) -> None:
    """Mapping coverage: per vocabulary, how many of our classes are mapped; which are not."""
    from regen_kg import build as pipeline
    from regen_kg.links import coverage

    loaded = pipeline.load_project(paths)
    cov = coverage(loaded.ontology, loaded.mappings)
    table = Table(title=f"classes mapped: {cov.mapped} of {cov.total}")
    table.add_column("vocabulary")
    table.add_column("classes of ours mapped", justify="right")
    for vocab, n in cov.per_vocabulary.items():
        table.add_row(vocab, str(n))
    console.print(table)
    click.echo(f"classes with no mapping ({len(cov.unmapped)}): " + ", ".join(cov.unmapped))


@links.command(name="enrich")
@click.option("--endpoint", required=True, metavar="URL", help="SPARQL endpoint holding the vocabularies.")
@click.pass_obj
def links_enrich(paths: ProjectPaths, endpoint: str) -> None:
    """Fetch labels, synonyms and cross-references of our mapped terms; report label differences."""
    from rdflib import URIRef

    from regen_kg import build as pipeline
    from regen_kg.links import enrich
    from regen_kg.store import open_store
    from regen_kg.terms import load_terms

    loaded = pipeline.load_project(paths)
    terms = load_terms(paths.external_terms)
    found = enrich(
        open_store(f"sparql:{endpoint}"), {o for o in loaded.mappings.objects() if isinstance(o, URIRef)}, terms
    )
    table = Table(title=f"external terms from {endpoint}")
    for column in ("term", "shipped label", "endpoint label", "synonyms", "xrefs", "status"):
        table.add_column(column, overflow="fold")
    differ = 0
    for e in found:
        status = "missing" if e.missing else ("LABEL DIFFERS" if e.label_differs else "ok")
        differ += e.label_differs
        table.add_row(e.term, e.table_label, e.endpoint_label, "; ".join(e.synonyms), "; ".join(e.xrefs), status)
    console.print(table)
    missing = sum(e.missing for e in found)
    click.echo(f"{len(found)} terms: {differ} label difference(s), {missing} not found at the endpoint")


@links.command(name="prefixes")
@click.option("--check", "check_only", is_flag=True, help="Only check the shipped table against bioregistry.")
@click.pass_obj
def links_prefixes(paths: ProjectPaths, check_only: bool) -> None:
    """Regenerate data/vocab/prefixes.tsv from bioregistry (needs the bioregistry package)."""
    from regen_kg.fileio import write_atomic
    from regen_kg.prefixes import prefix_table_text, refresh_external_prefixes

    text = prefix_table_text(refresh_external_prefixes())
    target = paths.data / "vocab" / "prefixes.tsv"
    if check_only:
        if target.read_text(encoding="utf-8") != text:
            click.echo(f"{target} differs from bioregistry; run 'regen-kg links prefixes' to refresh it")
            sys.exit(1)
        click.echo(f"{target} matches bioregistry")
        return
    write_atomic(target, text)
    click.echo(f"wrote {target}")


cli_curation.register(cli)
cli_release.register(cli)
cli_bench.register(cli)


def main() -> None:
    """Entry point: data and validation errors exit 1 with the message; usage errors exit 2."""
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        err.print("aborted")
        sys.exit(1)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except ParameterError as exc:
        click.echo(f"usage error: {exc}", err=True)
        sys.exit(2)
    except RegenError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    finally:
        # The process is about to end: what the command left behind (a large graph held in
        # reference cycles) is returned to the system at exit. Frozen, it is not walked and freed
        # once more by the interpreter's last collection (3 s at 10,000 studies).
        gc.freeze()


if __name__ == "__main__":  # pragma: no cover
    main()
