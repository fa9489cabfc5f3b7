"""Atomic writes: the folder is made when missing, text comes whole or in pieces, nothing is left half-written."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from regen_kg.fileio import write_atomic


def test_write_atomic_makes_missing_folders_and_returns_the_sha256(tmp_path: Path) -> None:
    target = tmp_path / "a" / "b" / "out.txt"
    digest = write_atomic(target, "héllo\n")
    assert target.read_bytes() == "héllo\n".encode()
    assert digest == hashlib.sha256("héllo\n".encode()).hexdigest()
    again = write_atomic(target.with_name("other.bin"), b"\x00\x01", durable=False)  # the folder exists now
    assert again == hashlib.sha256(b"\x00\x01").hexdigest()
    assert sorted(p.name for p in target.parent.iterdir()) == ["other.bin", "out.txt"]


def test_pieces_are_written_as_one_text(tmp_path: Path) -> None:
    target = tmp_path / "pieces.txt"
    digest = write_atomic(target, (piece for piece in ["one\n", "twö\n", "", "three\n"]))
    assert target.read_text(encoding="utf-8") == "one\ntwö\nthree\n"
    assert digest == hashlib.sha256("one\ntwö\nthree\n".encode()).hexdigest()


def test_a_failure_midway_keeps_the_old_file_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    target = tmp_path / "kept.txt"
    write_atomic(target, "old\n")

    def broken() -> Iterator[str]:
        yield "new, half"
        raise RuntimeError("the writer failed")

    with pytest.raises(RuntimeError, match="the writer failed"):
        write_atomic(target, broken())
    assert target.read_text(encoding="utf-8") == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["kept.txt"]
