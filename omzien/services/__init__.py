"""Use cases: every change of a signal, each ending in one ``publish`` that decides who hears of it.

``signals`` holds one function per change of a signal, ``points`` adding a point and linking its
group, ``signallers`` partners and their start links,
``publish`` the table of who hears of which change, ``sweep`` what the clock says people
must hear. Handlers and the command line call these; these call ``flows`` (which decides) and
``storage`` (which stores), and render with ``views``.
"""

from omzien.services import points, signallers, signals

__all__ = ["points", "signallers", "signals"]
