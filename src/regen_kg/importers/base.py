"""What every importer produces: a record body, the source it came from, and where it should go."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any, Literal

Folder = Literal["studies", "sources", "inbox"]

#: Letters that Unicode decomposition does not reduce to ASCII.
_FOLD = str.maketrans({"ø": "o", "Ø": "O", "æ": "ae", "Æ": "AE", "ß": "ss", "đ": "d", "Đ": "D", "ł": "l", "Ł": "L"})
_FOLD |= str.maketrans({"þ": "th", "Þ": "Th", "œ": "oe", "Œ": "OE", "\u0131": "i"})


@dataclass(frozen=True)
class SourceKey:
    """The source record an import came from, e.g. ``pubmed:29768149`` or ``ctgov:NCT02210780``."""

    registry: Literal["pubmed", "ctgov"]
    id: str

    def __str__(self) -> str:
        return f"{self.registry}:{self.id}"

    @classmethod
    def parse(cls, text: str) -> SourceKey | None:
        registry, sep, ident = text.partition(":")
        if not sep or not ident:
            return None
        if registry == "pubmed":
            return cls("pubmed", ident)
        if registry == "ctgov":
            return cls("ctgov", ident)
        return None


@dataclass(frozen=True)
class Identifiers:
    """Identifiers read from the source, used to find records about the same publication or trial."""

    pmid: str | None = None
    doi: str | None = None
    nct_ids: tuple[str, ...] = ()

    def describe(self) -> str:
        parts = [f"PMID {self.pmid}"] if self.pmid else []
        parts += [f"DOI {self.doi}"] if self.doi else []
        parts += [f"{n}" for n in self.nct_ids]
        return ", ".join(parts) or "no identifiers"


@dataclass
class ImportedRecord:
    """One record read from a source file, ready to be written as YAML."""

    key: SourceKey
    #: the proposed record id (file name); an existing import of the same source keeps its own
    record_id: str
    #: the record as plain data in the curation format (checked against ``schema.Record``)
    body: dict[str, Any]
    #: where a new record goes: ``studies``/``sources`` when it can be built as it is, else ``inbox``
    folder: Folder
    identifiers: Identifiers
    #: a short description of the source, e.g. "PubMed PMID 29768149 (pubmed1.xml, article 2)"
    origin: str
    #: what the curator should know or do next
    notes: list[str] = field(default_factory=list)
    #: comments written above top-level keys of the YAML file
    comments: dict[str, str] = field(default_factory=dict)

    @property
    def kind(self) -> str:
        """``study`` or ``source`` (a review's own record)."""
        return "source" if self.body.get("citation", {}).get("kind") == "review" else "study"


def ascii_fold(text: str) -> str:
    """``Tåddëi`` -> ``Taddei``: accents and ligatures reduced to ASCII letters."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_FOLD))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).encode("ascii", "ignore").decode()


def slugify(text: str, *, max_length: int = 40) -> str:
    """A record or item id: lower-case ASCII letters, digits and hyphens (``O'Byrne`` -> ``obyrne``)."""
    folded = ascii_fold(text).lower().replace("'", "").replace("\u2019", "")
    slug = re.sub(r"[^a-z0-9]+", "-", folded).strip("-")
    if len(slug) > max_length:
        cut = slug[:max_length]
        slug = cut.rsplit("-", 1)[0] if "-" in cut else cut
    return slug or "item"


def unique_slug(base: str, taken: set[str]) -> str:
    """``base``, or ``base-2``, ``base-3``... whichever is not in ``taken``; the result is added to it."""
    candidate = base
    number = 2
    while candidate in taken:
        candidate = f"{base}-{number}"
        number += 1
    taken.add(candidate)
    return candidate


def normalize_space(text: str) -> str:
    return " ".join(text.split())
