"""Buttons carry the same strings as with aiogram's CallbackData: a button sent before still works, and a
forged or stale one is refused just as aiogram would refuse it."""

from __future__ import annotations

import itertools
import types
import typing
from enum import Enum
from typing import Any

import annotated_types
import pytest
from aiogram.filters.callback_data import CallbackData as AiogramCallbackData
from pydantic import create_model
from pydantic.fields import FieldInfo

from omzien.views import buttons
from omzien.views.callback_data import CallbackData

KINDS = sorted((kind for kind in vars(buttons).values()
                if isinstance(kind, type) and issubclass(kind, CallbackData) and kind is not CallbackData),
               key=lambda kind: kind.__name__)


def aiogram_twin(kind: type[CallbackData]) -> type[AiogramCallbackData]:
    """The same button declared with aiogram's CallbackData, as the bot declared it before."""
    return create_model(kind.__name__, __base__=AiogramCallbackData, __cls_kwargs__={"prefix": kind.__prefix__},
                        **{name: (field.annotation, field) for name, field in kind.model_fields.items()})


def values(field: FieldInfo) -> list[Any]:
    """Values of every sort the field takes: each member of an enum, both ends of a range, None, empty."""
    annotation, optional = field.annotation, []
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        [annotation] = [a for a in typing.get_args(annotation) if a is not type(None)]
        optional = [None]
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return [*annotation, *optional]
    if annotation is bool:
        return [True, False, *optional]
    if annotation is int:
        low = next((m.ge for m in field.metadata if isinstance(m, annotated_types.Ge)), 1)
        high = next((m.le for m in field.metadata if isinstance(m, annotated_types.Le)), 12345)
        return [low, high, *optional]
    assert annotation is str, f"no sample values for {annotation}"
    return ["", "x1", *optional]


def samples(kind: type[CallbackData]) -> list[CallbackData]:
    columns = {name: values(field) for name, field in kind.model_fields.items()}
    count = max((len(column) for column in columns.values()), default=1)
    return [kind(**{name: column[at % len(column)] for name, column in columns.items()}) for at in range(count)]


def outcome(unpack: Any, data: str) -> Any:
    try:
        return unpack(data).model_dump()
    except (TypeError, ValueError) as error:
        return type(error) if isinstance(error, TypeError) else ValueError


@pytest.mark.parametrize("kind", KINDS, ids=lambda kind: kind.__name__)
def test_a_button_packs_and_unpacks_as_aiogram_did(kind: type[CallbackData]) -> None:
    twin = aiogram_twin(kind)
    for sample in samples(kind):
        packed = sample.pack()
        assert packed == twin(**sample.model_dump()).pack()
        assert kind.unpack(packed) == sample
        assert kind.unpack(packed).model_dump() == twin.unpack(packed).model_dump()


@pytest.mark.parametrize("kind", KINDS, ids=lambda kind: kind.__name__)
def test_a_forged_or_stale_button_is_refused_as_aiogram_refused_it(kind: type[CallbackData]) -> None:
    twin = aiogram_twin(kind)
    for sample in samples(kind):
        prefix, *parts = sample.pack().split(":")
        forged = [":".join([prefix, *parts[:at], odd, *parts[at + 1:]])
                  for at, odd in itertools.product(range(len(parts)), ["", "0", "-1", "zz", "2147483648"])]
        forged += [":".join(["x9", *parts]), ":".join([prefix, *parts, "1"]), ":".join([prefix, *parts[:-1]])]
        for data in forged:
            assert outcome(kind.unpack, data) == outcome(twin.unpack, data), data


def test_a_value_with_the_separator_or_data_over_64_bytes_is_never_packed() -> None:
    with pytest.raises(ValueError, match="':'"):
        buttons.LanguageChoice(code="n:l").pack()
    assert len(buttons.LanguageChoice(code="x" * 58).pack()) == 64
    with pytest.raises(ValueError, match="64 bytes"):
        buttons.LanguageChoice(code="x" * 59).pack()


def test_a_prefix_with_the_separator_is_refused() -> None:
    with pytest.raises(ValueError, match="prefix"):
        type("Odd", (CallbackData,), {"__annotations__": {"n": "int"}}, prefix="a:b")
