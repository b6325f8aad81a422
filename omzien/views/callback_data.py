"""Button data packed exactly as aiogram's ``CallbackData`` packs it, without loading aiogram.

The views render buttons for the command line too (``omzien sla sweep`` writes reminders with buttons
to the outbox), and aiogram costs seconds to import. So ``buttons`` builds on this base: a pydantic
model (pydantic is loaded anyway, by the settings) with aiogram's string, which buttons already sent
with aiogram's ``CallbackData`` carry too:

- the prefix, then each field in the order it is declared, joined by ``:``;
- ``None`` is empty, an enum is its value, ``True`` and ``False`` are ``1`` and ``0``;
- no ``:`` inside a value, and at most 64 bytes in all (Telegram's limit);
- unpacking gives an empty part the field's default (``None`` when it has none) if the field has a
  default or may be ``None``, and validates: a forged or stale value is a ``ValueError`` (pydantic's
  ``ValidationError`` is one), and so is a wrong prefix; a wrong count of parts is a ``TypeError``.

``filter()`` gives the handlers aiogram's own ``CallbackQueryFilter``, which only calls ``unpack``.
"""

from __future__ import annotations

import types
import typing
from enum import Enum
from typing import TYPE_CHECKING, Any, ClassVar, Self

from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

if TYPE_CHECKING:
    from aiogram.filters.callback_data import CallbackQueryFilter
    from magic_filter import MagicFilter

SEPARATOR = ":"
MAX_BYTES = 64
"""Telegram's limit for ``callback_data``."""


class CallbackData(BaseModel):
    """The data of one kind of button: ``class ClaimButton(CallbackData, prefix="c1"): signal_id: int``."""

    __prefix__: ClassVar[str]

    def __init_subclass__(cls, *, prefix: str, **kwargs: Any) -> None:
        if SEPARATOR in prefix:
            raise ValueError(f"{SEPARATOR!r} cannot be used in the prefix {prefix!r}")
        cls.__prefix__ = prefix
        super().__init_subclass__(**kwargs)

    def pack(self) -> str:
        parts = [self.__prefix__]
        for name in type(self).model_fields:
            part = _encoded(name, getattr(self, name))
            if SEPARATOR in part:
                raise ValueError(f"{SEPARATOR!r} cannot be used in the value of {name}: {part!r}")
            parts.append(part)
        packed = SEPARATOR.join(parts)
        if len(packed.encode()) > MAX_BYTES:
            raise ValueError(f"callback data over {MAX_BYTES} bytes: {packed!r}")
        return packed

    @classmethod
    def unpack(cls, value: str) -> Self:
        prefix, *parts = value.split(SEPARATOR)
        fields = cls.model_fields
        if len(parts) != len(fields):
            raise TypeError(f"{cls.__name__} takes {len(fields)} values, not {len(parts)}")
        if prefix != cls.__prefix__:
            raise ValueError(f"prefix {prefix!r} is not {cls.__prefix__!r}")
        return cls(**{name: _empty(field) if part == "" and _may_be_empty(field) else part
                      for (name, field), part in zip(fields.items(), parts, strict=True)})

    @classmethod
    def filter(cls, rule: MagicFilter | None = None) -> CallbackQueryFilter:
        """aiogram's filter of callback queries carrying this data (``rule`` on the unpacked data)."""
        from aiogram.filters.callback_data import CallbackQueryFilter

        return CallbackQueryFilter(callback_data=cls, rule=rule)  # type: ignore[arg-type]  # it only unpacks


def _encoded(name: str, value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, bool):
        return str(int(value))
    if isinstance(value, int | str | float):
        return str(value)
    raise ValueError(f"{name}={value!r} of type {type(value).__name__} cannot be packed")


def _may_be_empty(field: FieldInfo) -> bool:
    """An empty part means "the default" (None if there is none) for a field with a default or that may be None."""
    return not field.is_required() or (typing.get_origin(field.annotation) in (typing.Union, types.UnionType)
                                       and type(None) in typing.get_args(field.annotation))


def _empty(field: FieldInfo) -> Any:
    return None if field.default is PydanticUndefined else field.default
