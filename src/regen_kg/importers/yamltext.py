"""Records as YAML text: render a new record, or edit one top-level block of a curated file.

Curated files carry comments and a hand-made layout, so an importer never re-serialises a whole
curated file: it replaces one top-level block (``citation:``, ``registration:``...) or appends
items to one sequence (``statements:``), and checks that every other field parses unchanged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import yaml

from regen_kg.errors import RegenError

_KEY = re.compile(r"^([A-Za-z_][A-Za-z0-9_-]*)\s*:(?:\s|$)")
_MAX_FLOW = 100
_MAX_ITEM = 160


class _Block(dict[str, Any]):
    """A mapping always written in block style (the top level of a record)."""


class _Dumper(yaml.SafeDumper):
    """Block style for records, flow style for short lists and small flat mappings (as in the seeds)."""


def _is_scalar(value: Any) -> bool:
    return value is None or isinstance(value, (bool, int, float)) or (isinstance(value, str) and "\n" not in value)


def _size(value: Any) -> int:
    if isinstance(value, dict):
        return sum(len(str(k)) + _size(v) + 4 for k, v in value.items())
    if isinstance(value, list):
        return sum(_size(v) + 2 for v in value) + 2
    return len(str(value))


def _flat(value: Any) -> bool:
    return _is_scalar(value) or (isinstance(value, list) and all(_is_scalar(v) for v in value))


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


def _represent_list(dumper: yaml.SafeDumper, value: list[Any]) -> yaml.SequenceNode:
    if any(isinstance(v, dict) for v in value):
        # items of one list share a style: one line each when every item is small and flat
        one_line = all(isinstance(v, dict) and all(map(_flat, v.values())) and _size(v) <= _MAX_ITEM for v in value)
        value = [v if one_line or not isinstance(v, dict) else _Block(v) for v in value]
    flow = all(_is_scalar(v) for v in value) and _size(value) <= _MAX_FLOW
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=flow)


def _represent_dict(dumper: yaml.SafeDumper, value: dict[Any, Any]) -> yaml.MappingNode:
    flow = all(_flat(v) for v in value.values()) and _size(value) <= _MAX_ITEM
    return dumper.represent_mapping("tag:yaml.org,2002:map", value, flow_style=flow)


def _represent_block(dumper: yaml.SafeDumper, value: _Block) -> yaml.MappingNode:
    return dumper.represent_mapping("tag:yaml.org,2002:map", dict(value), flow_style=False)


_Dumper.add_representer(str, _represent_str)
_Dumper.add_representer(list, _represent_list)
_Dumper.add_representer(dict, _represent_dict)
_Dumper.add_representer(_Block, _represent_block)


def dump(value: Any) -> str:
    """``value`` as YAML in the records' style (UTF-8 text, keys in the given order, no line folding)."""
    return yaml.dump(value, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=1_000_000)


def dump_key(key: str, value: Any) -> str:
    """One top-level ``key: value`` block; mappings are always written in block style."""
    inner = _Block(value) if isinstance(value, dict) else value
    return dump(_Block({key: inner}))


def render(body: dict[str, Any], comments: dict[str, str] | None = None) -> str:
    """A whole record, one top-level key after another, each optionally preceded by a comment."""
    comments = comments or {}
    parts = []
    for key, value in body.items():
        if key in comments:
            parts.append("".join(f"# {line}\n" for line in comments[key].splitlines()))
        parts.append(dump_key(key, value))
    return "".join(parts)


# --- editing one block of a curated file ---------------------------------------------------------


@dataclass(frozen=True)
class Span:
    """Lines ``start`` (the key's line) to ``end`` (exclusive) of one top-level block."""

    start: int
    end: int


def top_level_spans(lines: list[str]) -> dict[str, Span]:
    """Each top-level key's block; comments and blank lines before the next key belong to that key."""
    starts = [(m.group(1), i) for i, line in enumerate(lines) if (m := _KEY.match(line))]
    spans: dict[str, Span] = {}
    for n, (key, start) in enumerate(starts):
        end = starts[n + 1][1] if n + 1 < len(starts) else len(lines)
        while end > start + 1 and (not lines[end - 1].strip() or lines[end - 1].startswith("#")):
            end -= 1
        spans[key] = Span(start, end)
    return spans


def _lines(text: str) -> list[str]:
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    return lines


def replace_block(text: str, key: str, value: Any) -> str:
    """``text`` with the top-level block of ``key`` replaced by ``value`` (removed when None,
    appended at the end when absent)."""
    lines = _lines(text)
    span = top_level_spans(lines).get(key)
    new = [] if value is None else _lines(dump_key(key, value))
    if span is None:
        return "".join(lines + new)
    return "".join(lines[: span.start] + new + lines[span.end :])


def append_items(text: str, key: str, items: list[Any]) -> str:
    """``text`` with ``items`` added at the end of the top-level sequence ``key``, keeping its layout."""
    lines = _lines(text)
    span = top_level_spans(lines).get(key)
    if span is None:
        return "".join(lines + _lines(dump_key(key, items)))
    first = lines[span.start]
    block_style = re.match(rf"^{re.escape(key)}\s*:\s*(#.*)?$", first.rstrip("\n")) is not None
    if not block_style:  # a flow sequence (``key: []``): rewrite the block with old and new items
        current = yaml.safe_load("".join(lines[span.start : span.end]))
        old = current.get(key) if isinstance(current, dict) else None
        return replace_block(text, key, [*(old or []), *items])
    indent = ""
    for line in lines[span.start + 1 : span.end]:
        found = re.match(r"^(\s*)- ", line)
        if found:
            indent = found.group(1)
            break
    added = [indent + line if line.strip() else line for line in _lines(dump(items))]
    return "".join(lines[: span.end] + added + lines[span.end :])


def check_edit(old_text: str, new_text: str, keys: set[str], where: str) -> dict[str, Any]:
    """Parse the edited text and make sure only the top-level ``keys`` changed; returns the new data."""
    try:
        old = yaml.safe_load(old_text)
        new = yaml.safe_load(new_text)
    except yaml.YAMLError as exc:
        raise RegenError(f"{where}: the edit would leave the file unreadable ({exc}); nothing written") from exc
    if not isinstance(old, dict) or not isinstance(new, dict):
        raise RegenError(f"{where}: not a YAML mapping; nothing written")
    changed = sorted(k for k in set(old) | set(new) if k not in keys and old.get(k) != new.get(k))
    if changed:
        raise RegenError(
            f"{where}: editing {', '.join(sorted(keys))} would also change {', '.join(changed)}; nothing written. "
            "Check the file's layout (each top-level key at the start of its line)."
        )
    return new
