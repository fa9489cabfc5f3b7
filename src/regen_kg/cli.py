"""The ``regen-kg`` command line: a thin shell over the library's stages."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from rdflib.namespace import RDF
from rich.console import Console
from rich.table import Table

from regen_kg import __version__
from regen_kg import build as pipeline
from regen_kg.context import build_context
from regen_kg.errors import RegenError
from regen_kg.export import FORMATS, serialize
from regen_kg.fileio import write_atomic
from regen_kg.paths import ProjectPaths, project_paths
from regen_kg.prefixes import REGEN

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
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("dist"),
              show_default=True, help="Folder to write the outputs into.")
@click.pass_obj
def build(paths: ProjectPaths, out_dir: Path) -> None:
    """Load, validate (SHACL), reason (OWL 2 RL) and write every output format.

    Nothing is written if the records have errors or SHACL violations.
    """
    built, written = pipeline.build(paths, out_dir)
    data = built.loaded.data
    table = Table(title=f"regen-kg {__version__}: graph built", show_header=False)
    table.add_row("triples asserted", str(len(built.loaded.asserted)))
    table.add_row("  ontology", str(len(built.loaded.ontology)))
    table.add_row("  records", str(len(data)))
    table.add_row("triples inferred (OWL 2 RL)", str(len(built.inferred)))
    table.add_row("studies", str(len(set(data.subjects(RDF.type, REGEN.Study)))))
    table.add_row("findings (primary publications)", str(len(set(data.subjects(RDF.type, REGEN.Finding)))))
    table.add_row("claims (secondary source)", str(len(set(data.subjects(RDF.type, REGEN.Claim)))))
    report = built.report
    table.add_row("SHACL", f"conforms; {len(report.warnings)} warning(s)")
    table.add_row("files written", f"{len(written)} in {out_dir}/")
    console.print(table)
    for problem in report.warnings:
        console.print(f"  warning {problem.file}: {problem.focus} {problem.path}: {problem.message}")
    for path in written:
        console.print(f"  {path}")


@cli.command()
@click.pass_obj
def validate(paths: ProjectPaths) -> None:
    """Check every record and the ontology against the SHACL shapes; exit 1 on violations."""
    report = pipeline.validate(paths)
    console.print(pipeline.format_problems(report), markup=False)
    if not report.conforms:
        sys.exit(1)


@cli.command()
@click.option("--format", "fmt", type=click.Choice(FORMATS), required=True, help="Serialization to write.")
@click.option("--inferred/--asserted", default=False, show_default=True,
              help="Include the OWL 2 RL inferences (trig and nq always hold them as a named graph).")
@click.option("--out", "out_file", type=click.Path(dir_okay=False, path_type=Path),
              help="File to write (default: standard output).")
@click.pass_obj
def export(paths: ProjectPaths, fmt: str, inferred: bool, out_file: Path | None) -> None:
    """Write the graph in one format."""
    built = pipeline.run(paths)
    graphs = built.graphs(inferred=inferred or fmt in ("trig", "nq"))
    text = serialize(fmt, graphs, build_context(built.loaded.ontology))
    if out_file is None:
        click.echo(text, nl=False)
    else:
        write_atomic(out_file, text)
        err.print(f"wrote {out_file}")


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
    except RegenError as exc:
        err.print(f"error: {exc}", markup=False)
        sys.exit(1)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)


if __name__ == "__main__":  # pragma: no cover
    main()
