"""PubMed efetch XML (a ``PubmedArticleSet``) -> one study (or source) record skeleton per article.

Everything comes from the XML: PMID, DOI, title, authors, journal, year, abstract, MeSH headings
(descriptor IRIs ``http://id.nlm.nih.gov/mesh/D…`` with NLM's labels) and publication types, which
are mapped to our study designs. The citation status is ``verified``: the identifiers come from the
source. Findings are left for the curator (``findings_pending: true``), so a skeleton has no arms
and goes to ``data/inbox/``, which the build does not read.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from regen_kg.errors import InputError, Location
from regen_kg.importers.base import Identifiers, ImportedRecord, SourceKey, normalize_space, slugify
from regen_kg.prefixes import MESH_URI_PREFIX

ROOT = "PubmedArticleSet"

#: PubMed publication types -> our study design classes (most specific kept).
DESIGNS = {
    "Randomized Controlled Trial": "RandomizedControlledTrial",
    "Controlled Clinical Trial": "ControlledClinicalTrial",
    "Clinical Trial": "ClinicalStudy",
    "Clinical Trial, Phase I": "ClinicalStudy",
    "Clinical Trial, Phase II": "ClinicalStudy",
    "Clinical Trial, Phase III": "ClinicalStudy",
    "Clinical Trial, Phase IV": "ClinicalStudy",
}
#: design -> the designs it is more specific than
_BROADER = {
    "RandomizedControlledTrial": {"ControlledClinicalTrial", "ClinicalStudy"},
    "ControlledClinicalTrial": {"ClinicalStudy"},
}
#: Publication types of secondary sources: the record becomes a source document (citation kind review).
REVIEWS = {"Review", "Systematic Review", "Meta-Analysis", "Scoping Review"}
MONTHS = {
    f"{i:02d}": m
    for i, m in enumerate(["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"], start=1)
}
_NCT = re.compile(r"^NCT[0-9]{8}$")


@dataclass
class Article:
    """What one ``PubmedArticle`` says, read as faithfully as the format allows."""

    pmid: str
    title: str
    authors: list[str] = field(default_factory=list)
    first_author: str | None = None
    year: int | None = None
    journal: str | None = None
    doi: str | None = None
    pmcid: str | None = None
    abstract: str | None = None
    publication_types: list[str] = field(default_factory=list)
    mesh_headings: list[dict[str, Any]] = field(default_factory=list)
    nct_ids: list[str] = field(default_factory=list)
    #: what the importer left out of the file, to tell the curator
    skipped: list[str] = field(default_factory=list)


def read_articles(path: Path) -> list[Article]:
    """Parse a PubMed efetch XML file; any problem raises InputError naming the file."""
    try:
        tree = ET.parse(path)
    except ET.ParseError as exc:
        line, column = exc.position
        raise InputError(
            Location(path, line, column + 1), f"malformed XML (not a complete PubMed file): {exc}"
        ) from exc
    except OSError as exc:
        raise InputError(Location(path), f"cannot read file: {exc}") from exc
    root = tree.getroot()
    if root.tag != ROOT:
        raise InputError(
            Location(path), f"expected a PubMed efetch file with root element <{ROOT}>, found <{root.tag}>"
        )
    elements = root.findall("PubmedArticle")
    if not elements:
        others = sorted({child.tag for child in root})
        found = f" (it holds only {', '.join('<' + t + '>' for t in others)})" if others else ""
        raise InputError(Location(path), f"no <PubmedArticle> in the file{found}")
    articles = [_article(path, number, element) for number, element in enumerate(elements, start=1)]
    books = len(root.findall("PubmedBookArticle"))
    if books:
        articles[0].skipped.append(f"the file also holds {books} <PubmedBookArticle>(s), which are not imported")
    return articles


def to_records(path: Path, articles: list[Article]) -> list[ImportedRecord]:
    return [to_record(path, number, article, len(articles)) for number, article in enumerate(articles, start=1)]


def read(path: Path) -> list[ImportedRecord]:
    """The records of every article in ``path`` (nothing is written here)."""
    return to_records(path, read_articles(path))


# --- one article -----------------------------------------------------------------------------


def _text(element: ET.Element | None) -> str | None:
    """The element's text with inline markup flattened and whitespace normalised."""
    if element is None:
        return None
    text = normalize_space("".join(element.itertext()))
    return text or None


def _article(path: Path, number: int, element: ET.Element) -> Article:
    citation = element.find("MedlineCitation")
    where = f"article {number}"
    if citation is None:
        raise InputError(Location(path), f"{where}: missing required element <MedlineCitation>")
    pmid = _text(citation.find("PMID"))
    if not pmid or not pmid.isdigit():
        raise InputError(Location(path), f"{where}: missing required element MedlineCitation/<PMID> (digits)")
    where = f"article {number} (PMID {pmid})"
    art = citation.find("Article")
    if art is None:
        raise InputError(Location(path), f"{where}: missing required element MedlineCitation/<Article>")
    title = _text(art.find("ArticleTitle")) or _text(art.find("VernacularTitle"))
    if not title:
        raise InputError(Location(path), f"{where}: missing required element Article/<ArticleTitle>")
    if title.endswith(".") and not title.endswith(".."):
        title = title[:-1]  # PubMed ends every title with a period
    out = Article(pmid=pmid, title=title)
    _authors(art, out)
    _journal(art, out)
    _identifiers(element, art, out)
    _abstract(art, out)
    out.publication_types = [t for t in (_text(p) for p in art.iterfind("PublicationTypeList/PublicationType")) if t]
    _mesh(citation, out)
    for bank in art.iterfind("DataBankList/DataBank"):
        if _text(bank.find("DataBankName")) == "ClinicalTrials.gov":
            numbers = (_text(a) for a in bank.iterfind("AccessionNumberList/AccessionNumber"))
            out.nct_ids += [n for n in numbers if n and _NCT.match(n) and n not in out.nct_ids]
    return out


def _authors(art: ET.Element, out: Article) -> None:
    for author in art.iterfind("AuthorList/Author"):
        if author.get("ValidYN", "Y") != "Y":
            continue
        collective = _text(author.find("CollectiveName"))
        last = _text(author.find("LastName"))
        if last:
            initials = _text(author.find("Initials"))
            out.authors.append(f"{last} {initials}" if initials else last)
            out.first_author = out.first_author or last
        elif collective:
            out.authors.append(collective)
            out.first_author = out.first_author or collective


def _journal(art: ET.Element, out: Article) -> None:
    journal = art.find("Journal")
    if journal is None:
        return
    issue = journal.find("JournalIssue")
    date = issue.find("PubDate") if issue is not None else None
    when = _pub_date(date, out)
    if out.year is None:
        electronic = _text(art.find("ArticleDate/Year"))
        out.year = int(electronic) if electronic and electronic.isdigit() else None
    name = _text(journal.find("ISOAbbreviation")) or _text(journal.find("Title"))
    volume = _text(issue.find("Volume")) if issue is not None else None
    number = _text(issue.find("Issue")) if issue is not None else None
    pages = _text(art.find("Pagination/MedlinePgn"))
    text = f"{name}." if name else ""
    text += f" {when}" if when else ""
    if volume or number:
        text += f";{volume or ''}" + (f"({number})" if number else "")
    if pages:
        text += f":{pages}"
    out.journal = text.strip() or None


def _pub_date(date: ET.Element | None, out: Article) -> str | None:
    """The publication date as PubMed shows it (``2018 May 17``, ``1990 Spring``, ``2001 May-Jun``)."""
    if date is None:
        return None
    medline = _text(date.find("MedlineDate"))
    if medline:
        found = re.search(r"\b(1[89][0-9]{2}|2[0-9]{3})\b", medline)
        out.year = int(found.group(1)) if found else None
        return medline
    year = _text(date.find("Year"))
    out.year = int(year) if year and year.isdigit() else None
    month = _text(date.find("Month"))
    month = MONTHS.get(month.zfill(2), month) if month and month.isdigit() else month
    parts = [year, month or _text(date.find("Season")), _text(date.find("Day")) if month else None]
    return " ".join(p for p in parts if p) or None


def _identifiers(element: ET.Element, art: ET.Element, out: Article) -> None:
    for location in art.iterfind("ELocationID"):
        if location.get("EIdType") == "doi" and location.get("ValidYN", "Y") == "Y":
            out.doi = out.doi or _text(location)
    for ident in element.iterfind("PubmedData/ArticleIdList/ArticleId"):
        kind = ident.get("IdType")
        if kind == "doi":
            out.doi = out.doi or _text(ident)
        elif kind == "pmc":
            out.pmcid = out.pmcid or _text(ident)


def _abstract(art: ET.Element, out: Article) -> None:
    sections = []
    for part in art.iterfind("Abstract/AbstractText"):
        text = _text(part)
        if text:
            label = part.get("Label")
            sections.append(f"{label}: {text}" if label else text)
    out.abstract = "\n".join(sections) or None


def _mesh(citation: ET.Element, out: Article) -> None:
    for heading in citation.iterfind("MeshHeadingList/MeshHeading"):
        descriptor = heading.find("DescriptorName")
        ui = descriptor.get("UI") if descriptor is not None else None
        label = _text(descriptor)
        if not ui or not label or not re.fullmatch(r"D[0-9]{6,9}", ui):
            continue
        qualifiers = heading.findall("QualifierName")
        major = descriptor is not None and descriptor.get("MajorTopicYN") == "Y"
        major = major or any(q.get("MajorTopicYN") == "Y" for q in qualifiers)
        entry: dict[str, Any] = {"iri": f"{MESH_URI_PREFIX}{ui}", "label": label, "major": major}
        names = [n for n in (_text(q) for q in qualifiers) if n]
        if names:
            entry["qualifiers"] = names
        out.mesh_headings.append(entry)


# --- article -> record -----------------------------------------------------------------------


def designs_of(publication_types: list[str]) -> list[str]:
    """Our design classes for PubMed publication types, most specific only (RCT, not also ClinicalStudy)."""
    found = {DESIGNS[t] for t in publication_types if t in DESIGNS}
    broader = set().union(*(_BROADER.get(d, set()) for d in found)) if found else set()
    return sorted(found - broader)


def is_review(publication_types: list[str]) -> bool:
    """A review (or meta-analysis) that does not also report a trial of its own."""
    return any(t in REVIEWS for t in publication_types) and not designs_of(publication_types)


def record_id(article: Article) -> str:
    """``<first author>-<year>`` like the seed records, else ``pmid-<PMID>``."""
    if article.first_author and article.year:
        return f"{slugify(article.first_author, max_length=30)}-{article.year}"
    return f"pmid-{article.pmid}"


def citation_of(article: Article, origin: str) -> dict[str, Any]:
    """The record's ``citation`` block for an article (also what ``--link`` merges into a record)."""
    citation: dict[str, Any] = {
        "kind": "review" if is_review(article.publication_types) else "primary",
        "status": "verified",
        "first_author": article.first_author,
        "authors": ", ".join(article.authors) or None,
        "year": article.year,
        "title": article.title,
        "journal": article.journal,
        "pmid": article.pmid,
        "pmcid": article.pmcid,
        "doi": article.doi,
        "verified_at": origin,
        "nct_ids": article.nct_ids,
        "publication_types": article.publication_types,
        "mesh_headings": article.mesh_headings,
        "abstract": article.abstract,
    }
    return {k: v for k, v in citation.items() if v not in (None, [], "")}


def to_record(path: Path, number: int, article: Article, total: int = 1) -> ImportedRecord:
    where = f"{path.name}, article {number} of {total}" if total > 1 else path.name
    origin = f"PubMed efetch XML ({where}), PMID {article.pmid}"
    citation = citation_of(article, origin)
    review = citation["kind"] == "review"
    who = f"{article.first_author} {article.year}" if article.first_author and article.year else f"PMID {article.pmid}"
    body: dict[str, Any] = {"id": record_id(article), "label": f"{who}: {article.title}"}
    designs = designs_of(article.publication_types)
    notes: list[str] = list(article.skipped)
    comments: dict[str, str] = {}
    if not review:
        body["design"] = designs
        if not designs:
            types = ", ".join(article.publication_types) or "none"
            notes.append(f"the publication types ({types}) name no study design: choose one")
            comments["design"] = f"The publication types ({types}) name no study design: choose one."
    body["findings_pending"] = True
    body["citation"] = citation
    if not article.doi:
        notes.append("the PubMed record has no DOI: look it up (never guess one)")
        comments["citation"] = "The PubMed record has no DOI: look it up and add it, or list doi under not_reported."
    if review:
        comments["findings_pending"] = (
            "A review: curate its claims, then move this file to data/sources/ (remove findings_pending)."
        )
    else:
        comments["findings_pending"] = (
            "Findings are left for you: add the condition, population, sample size, interventions, arms and one\n"
            "statement per outcome the paper reports, remove findings_pending, then move this file to data/studies/."
        )
    key = SourceKey("pubmed", article.pmid)
    ids = Identifiers(pmid=article.pmid, doi=article.doi, nct_ids=tuple(article.nct_ids))
    return ImportedRecord(key, body["id"], body, "inbox", ids, origin, notes, comments)
