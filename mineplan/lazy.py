"""Package names imported on first use (PEP 562), for packages whose modules are heavy.

``import mineplan`` and the CLI's parser load no pandas; a pre-grant check loads its
rules but not the plan-wide audit or the findings writers. A package lists where each
public name lives and takes its ``__getattr__`` and ``__dir__`` from :func:`lazy_names`.

May import: nothing of mineplan.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Iterable, Mapping
from typing import Any

__all__ = ["lazy_names"]


def lazy_names(package: str, where: Mapping[str, str], public: Iterable[str]
               ) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """``(__getattr__, __dir__)`` for ``package``: a name of ``where`` (name → module) is
    imported from its module the first time it is looked up, then kept in the package."""
    names = sorted(set(public))

    def __getattr__(name: str) -> Any:
        try:
            module = where[name]
        except KeyError:
            raise AttributeError(f"module {package!r} has no attribute {name!r}") from None
        value = getattr(importlib.import_module(module), name)
        setattr(sys.modules[package], name, value)  # later look-ups do not come back here
        return value

    def __dir__() -> list[str]:
        return sorted(set(vars(sys.modules[package])) | set(names))

    return __getattr__, __dir__
