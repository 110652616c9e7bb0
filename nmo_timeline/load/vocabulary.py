"""A clinic's registry file (``--registry FILE``): the shipped therapy registry extended by
the file's entries, with every problem in it reported as ``FILE:LINE: key: message``."""

from __future__ import annotations

from pathlib import Path

from ..domain.registry import Registry, default_registry
from ..domain.registry_file import RegistryFileError, parse_registry_text
from ..errors import InputError, Problem
from .text import file_problem


def read_registry(path: str | Path, base: Registry | None = None) -> Registry:
    """``base`` (default: the shipped registry) extended by the registry file ``path``.

    The file has the format of the shipped ``therapies.toml`` (README, "Therapy names"):
    an entry whose key the registry has changes the fields it gives and adds its aliases;
    a new key adds a therapy; an alias it lists names its therapy, whichever had it before.

    Raises
    ------
    InputError
        Every problem in the file, each with its line.
    """
    p = Path(path)
    name = str(path)
    if not p.is_file():
        raise file_problem(name, "no such registry file" if not p.exists()
                           else "is not a registry file (a folder?)")
    try:
        text = p.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise file_problem(name, "is not UTF-8 text; save the registry file as UTF-8") from None
    except OSError as exc:
        raise file_problem(name, f"cannot be read ({exc.strerror or exc})") from None
    try:
        registry = parse_registry_text(text, base if base is not None else default_registry())
    except RegistryFileError as exc:
        raise InputError([Problem(name, q.line, None, str(q)) for q in exc.problems]) from None
    return Registry(registry.therapies, registry.aliases, registry.class_colours,
                    (*registry.sources, name))
