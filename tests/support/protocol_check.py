"""Does a class offer every member of a Protocol with the very same signature? (mypy checks the
types; this checks, at run time, the names, defaults and kinds a caller may rely on too)."""

from __future__ import annotations

import inspect

_DUNDERS = ("__aenter__", "__aexit__")


def protocol_methods(protocol: type) -> list[str]:
    return sorted(
        name
        for name, value in vars(protocol).items()
        if inspect.isfunction(value) and (not name.startswith("_") or name in _DUNDERS)
    )


def signature_mismatches(protocol: type, cls: type) -> list[str]:
    """One line per member of ``protocol`` that ``cls`` lacks or declares otherwise."""
    found: list[str] = []
    for name in protocol_methods(protocol):
        wanted = getattr(protocol, name)
        offered = getattr(cls, name, None)
        if offered is None:
            found.append(f"{cls.__name__}.{name} is missing")
            continue
        if inspect.signature(offered) != inspect.signature(wanted):
            found.append(f"{cls.__name__}.{name}{inspect.signature(offered)} != {inspect.signature(wanted)}")
        if inspect.iscoroutinefunction(offered) != inspect.iscoroutinefunction(wanted):
            found.append(f"{cls.__name__}.{name}: async in one, not in the other")
    return found
