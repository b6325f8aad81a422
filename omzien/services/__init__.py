"""Use cases: every change of a signal, each ending in one ``publish`` that decides who hears of it.

``signals`` holds one function per change of a signal, ``points`` adding a point and linking its
group, ``signallers`` partners and their start links,
``publish`` the table of who hears of which change, ``sweep`` what the clock says people
must hear. Handlers and the command line call these; these call ``flows`` (which decides) and
``storage`` (which stores), and render with ``views``.

A module is imported when first named (``services.points``), so a command that needs one use case does
not load them all, nor the views and aiogram behind them.
"""

from importlib import import_module
from types import ModuleType

__all__ = ["points", "signallers", "signals"]


def __getattr__(name: str) -> ModuleType:
    if name in __all__:
        return import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
