"""Command-line commands for curating new evidence (templates and importers)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from regen_kg.errors import InputErrors, RegenError
from regen_kg.paths import ProjectPaths

if TYPE_CHECKING:
    from regen_kg.importers import ImportedRecord, writer


def _rel(paths: ProjectPaths, path: Path) -> str:
    try:
        return str(path.resolve().relative_to(paths.root))
    except ValueError:
        return str(path)


@click.command("new-study")
@click.option("--id", "record_id", required=True, help="Record id, e.g. smith-2021 (lower-case, digits, hyphens).")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder to write the template into (default: data/studies).",
)
@click.pass_obj
def new_study(paths: ProjectPaths, record_id: str, out_dir: Path | None) -> None:
    """Write a study record template with every field explained.

    Fill in the empty fields, then run 'regen-kg validate': each message names the file, the line
    and the field, with the accepted values or the closest known terms.
    """
    from regen_kg.curation import write_template
    from regen_kg.ontology import TermIndex, load_ontology

    path = write_template(paths, record_id, TermIndex(load_ontology(paths)), out_dir)
    click.echo(f"wrote {_rel(paths, path)}: fill it in, then run 'regen-kg validate'")


@click.group("import")
def import_group() -> None:
    """Import studies from PubMed or ClinicalTrials.gov files, or findings from a CSV table.

    Importing the same source again updates its record instead of duplicating it; a record you
    have edited is not overwritten without --force. When an existing record has the same PMID,
    DOI or NCT id, the candidates are printed and nothing is written: confirm with --link ID.
    """


def _report(paths: ProjectPaths, outcomes: list[writer.Outcome]) -> None:
    for outcome in outcomes:
        click.echo(f"{outcome.action}: {outcome.message}")
        for note in outcome.record.notes if outcome.action in ("created", "updated", "replaced") else []:
            click.echo(f"  note: {note}")
    refused = [o for o in outcomes if o.failed]
    if refused:
        raise RegenError(f"{len(refused)} record(s) not written because they were edited; see above")


def _import(paths: ProjectPaths, records: list[ImportedRecord], link: str | None, force: bool) -> None:
    """Write records read (and checked) from a whole file, then report what happened to each."""
    from regen_kg.importers import writer

    _report(paths, writer.apply(paths, records, force=force, link=link))


_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)
_LINK = click.option(
    "--link", "link", metavar="STUDY_ID", default=None, help="Attach the imported metadata to this existing record."
)
_FORCE = click.option("--force", is_flag=True, help="Overwrite an imported record even if it was edited since.")


@import_group.command("pubmed")
@click.argument("file", type=_FILE)
@_LINK
@_FORCE
@click.pass_obj
def import_pubmed(paths: ProjectPaths, file: Path, link: str | None, force: bool) -> None:
    """PubMed efetch XML (a PubmedArticleSet) -> one record skeleton per article, in data/inbox/.

    PMID, DOI, title, authors, journal, year, abstract, MeSH headings and publication types (mapped
    to study designs) come from the file; the citation is verified; findings are left for you.
    """
    from regen_kg.importers import pubmed

    _import(paths, pubmed.read(file), link, force)


@import_group.command("ctgov")
@click.argument("file", type=_FILE)
@_LINK
@_FORCE
@click.pass_obj
def import_ctgov(paths: ProjectPaths, file: Path, link: str | None, force: bool) -> None:
    """ClinicalTrials.gov API v2 study JSON -> a study record with its registration.

    An interventional study with arms goes to data/studies/ (it builds as it is); one without arms or
    a design that fits ours (an observational study) goes to data/inbox/.
    """
    from regen_kg.importers import ctgov

    _import(paths, ctgov.read(file), link, force)


@import_group.command("table")
@click.argument("file", type=_FILE)
@click.option("--keep-going", is_flag=True, help="Write the good rows even if some rows have errors.")
@click.pass_obj
def import_table(paths: ProjectPaths, file: Path, keep_going: bool) -> None:
    """A CSV table of findings, one a row -> statements added to the study records it names.

    Columns: study, intervention, outcome, direction (required); comparator, timepoint, method,
    text, id, kind, stated_in, magnitude, comparison, synergy, safety, adverse_events, note.
    Nothing is written if a row has an error, unless --keep-going.
    """
    from regen_kg.importers import table
    from regen_kg.ontology import TermIndex, load_ontology

    checked = table.plan(paths, file, TermIndex(load_ontology(paths)))
    if checked.errors and not keep_going:
        raise InputErrors(checked.errors)
    written = table.write(checked, keep_going=keep_going)
    for path in written:
        added = len(checked.added[path])
        click.echo(f"added {added} statement(s) to {_rel(paths, path)}")
        if "\nfindings_pending: true" in path.read_text(encoding="utf-8"):
            click.echo("  note: the record still has findings_pending: true; remove it when its findings are complete")
    if checked.unchanged:
        click.echo(f"{len(checked.unchanged)} row(s) already in their records, unchanged")
    if not written and not checked.unchanged and not checked.errors:
        click.echo("no rows to import")
    if checked.errors:  # with --keep-going: the good rows were written, the bad ones are reported
        raise InputErrors(checked.errors)


def register(cli: click.Group) -> None:
    """Add the curation commands to the ``regen-kg`` command group."""
    cli.add_command(new_study)
    cli.add_command(import_group)
