"""The Bot API as ``bot-api.json`` describes it, and the check of every request against it.

Telegram itself quietly ignores fields it does not know and converts what it can; the stand-in
is stricter on purpose, so a typo or a wrong type in the bot fails in a test instead of being
lost in production. Top-level parameters arrive as strings in query and form bodies (that is
how aiogram sends them: ints as "42", objects as JSON strings), so they are converted by the
type the spec gives; values inside JSON objects must already have the right JSON type.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Any

from omzien.sandbox.errors import BotApiError, bad_request

SCALARS = ("Integer", "Float", "Boolean", "String", "InputFile")
ARRAY = "Array of "
ATTACH = "attach://"
INTEGER = re.compile(r"^-?\d+$")
# Input subtypes of a union say which one they are: "Scope type, must be chat".
DISCRIMINATOR = re.compile(r'must be "?([a-z_]+)"?\s*$')


@dataclass(frozen=True)
class Upload:
    """A file part of a multipart request."""

    filename: str
    content_type: str
    data: bytes


@cache
def load_spec() -> Spec:
    """The bundled spec, parsed once per process (it is close to a megabyte)."""
    return Spec(json.loads(files("omzien.sandbox").joinpath("bot-api.json").read_text(encoding="utf-8")))


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "Boolean"
    if isinstance(value, int):
        return "Integer"
    return {float: "Float", str: "String", list: "Array", dict: "Object"}.get(type(value), type(value).__name__)


class Spec:
    def __init__(self, data: dict[str, Any]) -> None:
        self.version: str = data.get("version", "")
        self.methods: dict[str, Any] = data["methods"]
        self.types: dict[str, Any] = data["types"]
        self._by_lower = {name.lower(): name for name in self.methods}
        self._discriminators: dict[str, tuple[str, str]] = {}
        for name, spec_type in self.types.items():
            for field in spec_type.get("fields") or []:
                match = DISCRIMINATOR.search(field["description"])
                if match:
                    self._discriminators[name] = (field["name"], match.group(1))

    def method_name(self, name: str) -> str | None:
        """The spelling the spec uses, for a method name in any case (Telegram ignores case)."""
        return self._by_lower.get(name.lower())

    def check_request(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        """The parameters converted to their spec types; raises a 400 that names the field at fault."""
        fields = {field["name"]: field for field in self.methods[method].get("fields") or []}
        attached = {value[len(ATTACH):] for value in params.values()
                    if isinstance(value, str) and value.startswith(ATTACH)}
        for name, value in params.items():
            if name not in fields and not (isinstance(value, Upload) and name in attached):
                raise bad_request(f"unknown field '{name}'", field=name)
        checked: dict[str, Any] = {}
        for name, field in fields.items():
            value = params.get(name)
            if value is None or (value == "" and "String" not in field["types"]):
                if field["required"]:
                    raise bad_request(f"field '{name}' is required", field=name)
                continue
            checked[name] = self._top_level(value, field["types"], name, params)
        return checked

    def _top_level(self, value: Any, types: list[str], path: str, params: dict[str, Any]) -> Any:
        if isinstance(value, Upload):
            if "InputFile" in types:
                return value
            raise _wrong_type(path, types)
        if not isinstance(value, str):
            return self.check(value, types, path)
        # Strings come from query and form bodies: try the stricter readings before "String".
        for kind in sorted(types, key=lambda t: t == "String"):
            if kind == "Integer" and INTEGER.match(value):
                return int(value)
            if kind == "Float" and _is_float(value):
                return float(value)
            if kind == "Boolean" and value.lower() in ("true", "false", "1", "0"):
                return value.lower() in ("true", "1")
            if kind == "InputFile" and value.startswith(ATTACH):
                upload = params.get(value[len(ATTACH):])
                if not isinstance(upload, Upload):
                    raise bad_request(f"field '{path}' refers to {value}, but no such file was uploaded", field=path)
                return upload
            if kind == "String":
                return value
            if kind not in SCALARS:
                try:
                    parsed = json.loads(value)
                except ValueError:
                    continue
                return self.check(parsed, types, path)
        raise _wrong_type(path, types)

    def check(self, value: Any, types: list[str], path: str) -> Any:
        """``value`` (already JSON) against any of ``types``; the most specific error when none fits."""
        errors: list[BotApiError] = []
        for kind in types:
            try:
                return self._check_one(value, kind, path)
            except BotApiError as error:
                errors.append(error)
        deepest = [e for e in errors if e.field != path]
        if deepest:  # the value had the right shape for some type but something inside is wrong
            raise max(deepest, key=lambda e: _depth(e.field))
        if len(errors) == 1:
            raise errors[0]
        raise _wrong_type(path, types)

    def _check_one(self, value: Any, kind: str, path: str) -> Any:
        if kind in ("Integer", "Float", "Boolean", "String"):
            if _kind(value) == kind or (kind == "Float" and _kind(value) == "Integer"):
                return value
            raise _wrong_type(path, [kind])
        if kind == "InputFile":
            if isinstance(value, str | Upload):
                return value
            raise _wrong_type(path, [kind])
        if kind.startswith(ARRAY):
            if not isinstance(value, list):
                raise _wrong_type(path, [kind])
            item = kind[len(ARRAY):]
            return [self.check(element, [item], f"{path}[{index}]") for index, element in enumerate(value)]
        spec_type = self.types.get(kind)
        if spec_type is None:  # a type the spec mentions but does not define: nothing to check against
            return value
        if "subtypes" in spec_type:
            return self._check_union(value, kind, spec_type["subtypes"], path)
        if not isinstance(value, dict):
            raise _wrong_type(path, [kind])
        return self._check_object(value, spec_type, path)

    def _check_object(self, value: dict[str, Any], spec_type: dict[str, Any], path: str) -> dict[str, Any]:
        fields = {field["name"]: field for field in spec_type.get("fields") or []}
        for name in value:
            if name not in fields:
                raise bad_request(f"unknown field '{path}.{name}'", field=f"{path}.{name}")
        checked = {}
        for name, field in fields.items():
            inner = f"{path}.{name}"
            if value.get(name) is None:
                if field["required"]:
                    raise bad_request(f"field '{inner}' is required", field=inner)
                continue
            checked[name] = self.check(value[name], field["types"], inner)
            expected = DISCRIMINATOR.search(field["description"])
            if expected and checked[name] != expected.group(1):
                raise bad_request(f"field '{inner}' must be \"{expected.group(1)}\"", field=inner)
        return checked

    def _check_union(self, value: Any, kind: str, subtypes: list[str], path: str) -> Any:
        """A union type (BotCommandScope, InputMedia, …): the subtype its discriminator names, else any."""
        if isinstance(value, dict):
            candidates, allowed = [], []
            for subtype in subtypes:
                if subtype not in self._discriminators:
                    candidates.append(subtype)
                    continue
                key, expected = self._discriminators[subtype]
                allowed.append(expected)
                if value.get(key) == expected:
                    candidates.append(subtype)
            if not candidates:
                key = self._discriminators[subtypes[0]][0]
                raise bad_request(f"field '{path}.{key}' must be one of {', '.join(allowed)} (for {kind})",
                                  field=f"{path}.{key}")
            subtypes = candidates
        return self.check(value, subtypes, path)


def _is_float(value: str) -> bool:
    try:
        return math.isfinite(float(value))
    except ValueError:
        return False


def _depth(field: str | None) -> int:
    return (field or "").count(".") + (field or "").count("[")


def _wrong_type(path: str, types: list[str]) -> BotApiError:
    return bad_request(f"field '{path}' must be {' or '.join(types)}", field=path)
