"""Command-line commands for benchmarks and the fast build engines."""

from __future__ import annotations

import tempfile
from pathlib import Path

import click


def register(cli: click.Group) -> None:
    """Add the benchmark commands to ``regen-kg``."""

    @cli.group()
    def bench() -> None:
        """Synthetic corpora and the build benchmark."""

    @bench.command("generate")
    @click.option("--studies", type=int, required=True, help="Number of synthetic study records.")
    @click.option("--seed", type=int, default=1, show_default=True)
    @click.option("--defects", type=float, default=0.0, show_default=True, help="Share of records with a SHACL defect.")
    @click.option("--out", type=click.Path(path_type=Path), required=True, help="Folder for the project tree.")
    def generate_cmd(studies: int, seed: int, defects: float, out: Path) -> None:
        """Write a deterministic synthetic project tree (records shaped like data/studies/)."""
        from regen_kg.bench import generate

        corpus = generate(studies, seed, defects, out=out)
        click.echo(f"{studies} studies written to {corpus.root / 'data' / 'studies'}; {len(corpus.defects)} defective")

    @bench.command("run")
    @click.option("--studies", default="100,1000", show_default=True, help="Comma-separated corpus sizes.")
    @click.option("--reference/--no-reference", default=True, show_default=True, help="Also time the reference.")
    @click.option(
        "--reference-limit",
        type=int,
        default=100,
        show_default=True,
        help="Largest corpus the reference pipeline runs on (pyld alone takes over 25 min at 1,000 studies).",
    )
    @click.option("--seed", type=int, default=1, show_default=True)
    @click.option("--out", type=click.Path(path_type=Path), default=Path("bench/results"), show_default=True)
    def run_cmd(studies: str, reference: bool, reference_limit: int, seed: int, out: Path) -> None:
        """Time every build stage and stored query; write bench.md and bench.json."""
        from regen_kg.bench import markdown, run_benchmark

        sizes = [int(s) for s in studies.split(",") if s.strip()]
        with tempfile.TemporaryDirectory(prefix="regen-bench-") as work:
            rows = run_benchmark(
                sizes, reference=reference, reference_limit=reference_limit, out=out, work=Path(work), seed=seed
            )
        click.echo(markdown(rows))
