"""regen-kg: an evidence knowledge graph of regenerative therapies for facial skin aging."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("regen-kg")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0.0.0"

__all__ = ["__version__"]
