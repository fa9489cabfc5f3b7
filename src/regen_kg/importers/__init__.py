"""Importers of real source formats into the curation format (YAML records of ``data/``).

- ``pubmed``: PubMed efetch XML (``PubmedArticleSet``) -> one record skeleton per article;
- ``ctgov``: a ClinicalTrials.gov API v2 study object (JSON) -> one study record;
- ``table``: a CSV table of findings, one a row -> statements added to existing records;
- ``writer``: where an imported record goes, and the create / update / refuse / link decision;
- ``yamltext``: rendering records as YAML and editing one top-level block of a curated file.

Every importer reads its whole input before anything is written; a malformed input raises
``InputError`` naming the file, and nothing is written.
"""

from __future__ import annotations

from regen_kg.importers.base import Identifiers, ImportedRecord, SourceKey

__all__ = ["Identifiers", "ImportedRecord", "SourceKey"]
