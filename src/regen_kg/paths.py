"""Where the project's plain-file inputs live; every other module asks here."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

#: The repository root when running from a checkout (editable install).
_SOURCE_ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class ProjectPaths:
    """The input folders of one project tree (the checkout, or a copy used in tests)."""

    root: Path

    @property
    def ontology(self) -> Path:
        return self.root / "ontology"

    @property
    def shapes(self) -> Path:
        return self.root / "shapes"

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def queries(self) -> Path:
        return self.root / "queries"

    @property
    def context(self) -> Path:
        """The JSON-LD @context shipped with the ontology."""
        return self.ontology / "context.jsonld"

    @property
    def external_terms(self) -> Path:
        return self.data / "vocab" / "external-terms.tsv"

    def record_files(self) -> list[Path]:
        """Every curation record, sources first, in a stable order."""
        files = sorted((self.data / "sources").glob("*.yaml"))
        files += sorted((self.data / "studies").glob("*.yaml"))
        return files

    def ontology_files(self) -> list[Path]:
        return sorted(self.ontology.glob("*.ttl"))

    def shape_files(self) -> list[Path]:
        return sorted(self.shapes.glob("*.ttl"))

    def schema_files(self) -> list[Path]:
        """The inputs besides the records and queries that shape the graph or its checks:
        ontology, shapes, the external term table and the mappings (those that exist)."""
        files = [*self.ontology_files(), *self.shape_files(), self.external_terms]
        files += sorted((self.data / "mappings").glob("*"))
        return [p for p in files if p.is_file()]


def project_paths(root: Path | str | None = None) -> ProjectPaths:
    """Paths for ``root``, else ``$REGEN_KG_ROOT``, else the checkout this package runs from."""
    chosen = root or os.environ.get("REGEN_KG_ROOT") or _SOURCE_ROOT
    return ProjectPaths(Path(chosen).resolve())
