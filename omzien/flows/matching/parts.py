"""An index in parts, to move it from the process that built it to the one that searches it.

The receiving process (the bot) keeps answering people while it takes in a new index, so no part may take
more than a few milliseconds to unpickle: a long list or dict goes ``PIECE`` items at a time, and numpy arrays
are best pickled out-of-band (protocol 5), which costs no copy. The offers are left out: the receiver brings
its own sequence of them, for instance one that reads an offer only when it is shown.
"""

from __future__ import annotations

from collections.abc import Iterator

from omzien.flows.matching.index import Index

PIECE = 5_000
"""Items of a list or dict per part: unpickling one takes about a millisecond (2-5 ms on a busy machine)."""


def parts(index: Index) -> Iterator[tuple[str, object]]:
    """The index's state as (attribute, value) parts; a long list or dict as several parts of the same name."""
    for name, value in vars(index).items():
        if name == "offers":
            continue
        if isinstance(value, dict) and len(value) > PIECE:
            empty = value.copy()
            empty.clear()  # keeps a defaultdict a defaultdict
            yield name, empty
            items = list(value.items())
            yield from ((name, items[start:start + PIECE]) for start in range(0, len(items), PIECE))
        elif isinstance(value, list) and len(value) > PIECE:
            yield from ((name, value[start:start + PIECE]) for start in range(0, len(value), PIECE))
        else:
            yield name, value


class Assembly:
    """An index put together again from its parts, one part at a time."""

    def __init__(self) -> None:
        self.state: dict[str, object] = {}

    def add(self, name: str, value: object) -> None:
        """The first part of a name is its value; a later one extends it (a list) or adds to it (a dict)."""
        if name not in self.state:
            self.state[name] = value
        elif isinstance(held := self.state[name], list):
            held.extend(value)  # type: ignore[arg-type]
        else:
            held.update(value)  # type: ignore[attr-defined]

    def index(self) -> Index:
        """The index; its ``offers`` (left out of the parts) must have been added, in the order of the one sent."""
        assert "offers" in self.state, "the receiver adds the offers"
        index = Index.__new__(Index)
        vars(index).update(self.state)
        return index


def long_lists(index: Index) -> list[list]:
    """The long lists of an index: freeing one at once takes longer than a part (``PIECE`` items at a time)."""
    return [value for value in vars(index).values() if isinstance(value, list) and len(value) > PIECE]
