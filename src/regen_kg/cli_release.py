"""Command-line commands for documentation, quality control, figures and releases."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from regen_kg.choices import SEVERITIES
from regen_kg.cli_options import out_option, store_option
from regen_kg.paths import ProjectPaths


def _image_path(value: Path, formats: tuple[str, ...] = ("svg", "png")) -> Path:
    if value.suffix.lower().lstrip(".") not in formats:
        raise click.BadParameter(f"{value}: write a file ending in {' or '.join('.' + f for f in formats)}")
    return value


def register(cli: click.Group) -> None:
    """Add the documentation, QC, evidence-map and release commands to ``regen-kg``."""

    @cli.command()
    @click.option(
        "--level",
        type=click.Choice(SEVERITIES, case_sensitive=False),
        default="INFO",
        show_default=True,
        help="Least severe rows to print (the summary always counts them all).",
    )
    @click.option(
        "--tsv", "tsv_file", type=click.Path(dir_okay=False, path_type=Path), help="Also write the rows as TSV."
    )
    @store_option()
    @click.pass_obj
    def qc(paths: ProjectPaths, level: str, tsv_file: Path | None, store: str) -> None:
        """Run the quality checks of qc/checks (severities in qc/profile.txt); exit 1 on errors.

        The checks run on the asserted graph and the stored queries, without SHACL validation or
        reasoning, so they also report on an ontology that does not validate.
        """
        from regen_kg import build as pipeline
        from regen_kg.fileio import write_atomic
        from regen_kg.qc import format_report, report_tsv, run_qc

        report = run_qc(paths, loaded=pipeline.load_project(paths), store=store)
        click.echo(format_report(report, level.upper()), nl=False)
        if tsv_file is not None:
            write_atomic(tsv_file, report_tsv(report))
            click.echo(f"wrote {tsv_file}", err=True)
        if not report.passed:
            sys.exit(1)

    @cli.command()
    @out_option("out_dir", "dist/docs", "Folder for index.html and model.svg.", folder=True)
    @click.pass_obj
    def docs(paths: ProjectPaths, out_dir: Path) -> None:
        """Write HTML documentation of the ontology: one anchor per class, property and individual."""
        from regen_kg import build as pipeline
        from regen_kg.diagram import model_svg
        from regen_kg.docs import render_docs, write_docs

        loaded = pipeline.load_project(paths)
        files = render_docs(loaded.ontology, loaded.mappings, model_svg(loaded.ontology, loaded.data))
        for path in write_docs(files, out_dir):
            click.echo(f"wrote {path}")

    @cli.command(name="evidence-map")
    @out_option("out_file", "dist/evidence-map.svg", "File to write, .svg or .png.", folder=False)
    @click.pass_obj
    def evidence_map_command(paths: ProjectPaths, out_file: Path) -> None:
        """Draw the intervention x outcome evidence map (the stored evidence-map query's rows).

        Cell size: number of statements; colour: direction; marker: strongest design.
        """
        from regen_kg import build as pipeline
        from regen_kg.evidence_map import evidence_query, format_for, write_evidence_map
        from regen_kg.querystore import saved_store

        _image_path(out_file)
        format_for(out_file)
        # the graph that query and serve keep (built and saved first when an input changed)
        store = saved_store(paths, lambda: pipeline.run_project(paths))
        cells = write_evidence_map(store, evidence_query(paths), out_file)
        statements = sum(c.statements for c in cells)
        click.echo(f"wrote {out_file}: {len(cells)} cells, {statements} statements")

    @cli.command()
    @click.option(
        "--out",
        "out_file",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help="File to write, .svg or .png (default: docs/model.svg in the project folder).",
    )
    @click.pass_obj
    def diagram(paths: ProjectPaths, out_file: Path | None) -> None:
        """Draw the model (main classes and the finding pattern) from the ontology."""
        from regen_kg import build as pipeline
        from regen_kg.diagram import model_svg
        from regen_kg.fileio import write_atomic

        target = _image_path(out_file) if out_file is not None else paths.root / "docs" / "model.svg"
        loaded = pipeline.load_project(paths)
        write_atomic(target, model_svg(loaded.ontology, loaded.data, target.suffix.lower().lstrip(".")))
        click.echo(f"wrote {target}")

    @cli.command()
    @click.argument("version")
    @click.option(
        "--date", "date", metavar="YYYY-MM-DD", help="Release date (default: $SOURCE_DATE_EPOCH, else today)."
    )
    @click.option(
        "--out",
        "out_root",
        type=click.Path(file_okay=False, path_type=Path),
        default=Path("dist"),
        show_default=True,
        help="Folder holding one sub-folder per release and CHANGELOG.md.",
    )
    @click.pass_obj
    def release(paths: ProjectPaths, version: str, date: str | None, out_root: Path) -> None:
        """Build release VERSION into OUT/VERSION/ with a changelog entry in OUT/CHANGELOG.md.

        The version and date are stamped into the built ontology and dataset description (the
        source files are not changed). QC errors stop the release.
        """
        from regen_kg import build as pipeline
        from regen_kg.release import ReleaseError, check_version, release_date
        from regen_kg.release import release as make_release

        try:
            check_version(version)
            release_date(date)
        except ReleaseError as exc:
            raise click.BadParameter(str(exc)) from exc
        made = make_release(paths, version, out_root, date, built=pipeline.run_project(paths))
        click.echo(f"release {made.version} ({made.date}) in {made.directory}/: {len(made.files)} files")
        for name in made.files:
            click.echo(f"  {name}")
        click.echo(made.qc_summary)
        click.echo(f"changelog: {out_root / 'CHANGELOG.md'}" + (f" (since {made.previous})" if made.previous else ""))
        click.echo("")
        click.echo(made.entry, nl=False)
