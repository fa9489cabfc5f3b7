"""The JSON-LD @context, generated from the one prefix map and the ontology's properties."""

from __future__ import annotations

import json
from typing import Any

from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF

from regen_kg.prefixes import REGEN, prefix_map


def build_context(ontology: Graph) -> dict[str, Any]:
    """Prefixes (with ``@prefix: true`` so OBO ``CL_`` IRIs compact to ``CL:0000134``) and one
    term per property of ours; object properties are coerced to IRIs."""
    ctx: dict[str, Any] = {}
    for prefix, namespace in sorted(prefix_map().items()):
        ctx[prefix] = {"@id": namespace, "@prefix": True}
    for prop in sorted((p for p in ontology.subjects(RDF.type, OWL.ObjectProperty) if isinstance(p, URIRef)), key=str):
        if str(prop).startswith(str(REGEN)):
            ctx[str(prop)[len(str(REGEN)) :]] = {"@id": f"regen:{str(prop)[len(str(REGEN)) :]}", "@type": "@id"}
    for prop in sorted(
        (p for p in ontology.subjects(RDF.type, OWL.DatatypeProperty) if isinstance(p, URIRef)), key=str
    ):
        if str(prop).startswith(str(REGEN)):
            ctx[str(prop)[len(str(REGEN)) :]] = {"@id": f"regen:{str(prop)[len(str(REGEN)) :]}"}
    return {"@context": {"@version": 1.1, **ctx}}


def context_json(ontology: Graph) -> str:
    return json.dumps(build_context(ontology), indent=2, sort_keys=False, ensure_ascii=False) + "\n"
