"""Message text as Telegram keeps it: plain text plus MessageEntity ranges in UTF-16 code units.

``parse_html`` turns a bot's ``parse_mode=HTML`` text into that pair the way Telegram does (the
tag subset Telegram supports; unsupported or unbalanced tags are refused with Telegram's
"can't parse entities" wording), so length limits apply to what people see, not to the markup.
``render_html`` goes the other way for the chat page: everything escaped, then only harmless
tags around the entity ranges, so nothing a bot sends can inject markup into the page.
"""

from __future__ import annotations

import html
import itertools
import re
from collections.abc import Callable
from typing import Any

from omzien.sandbox.errors import bad_request

WHITESPACE = " \t\r\n\v\f"
# Telegram decodes only these named entities; any other "&" stays as it is.
NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
ENTITY = re.compile(r"&(?:#(\d{1,7})|#[xX]([0-9a-fA-F]{1,6})|(lt|gt|amp|quot));")
TAG_NAME = re.compile(r"[a-zA-Z][a-zA-Z0-9-]*")
ATTRIBUTE_NAME = re.compile(r"[^\s=>/\"']+")
END_TAG = re.compile(r"</([a-zA-Z][a-zA-Z0-9-]*)\s*>")
COMMAND = re.compile(r"/[a-zA-Z0-9_]{1,32}(?:@[a-zA-Z0-9_]{3,32})?(?![a-zA-Z0-9_@])")

SIMPLE_TAGS = {
    "b": "bold", "strong": "bold", "i": "italic", "em": "italic", "u": "underline", "ins": "underline",
    "s": "strikethrough", "strike": "strikethrough", "del": "strikethrough", "tg-spoiler": "spoiler",
    "code": "code", "pre": "pre",
}
OTHER_TAGS = {"a", "span", "blockquote", "tg-emoji", "tg-time"}

# Entity type → tag the chat page may show; other entity types show as plain text.
RENDERED = {"bold": "b", "italic": "i", "underline": "u", "strikethrough": "s", "code": "code", "pre": "pre",
            "blockquote": "blockquote", "expandable_blockquote": "blockquote"}
SAFE_LINK = re.compile(r"^(?:https?://|tg://)", re.IGNORECASE)


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _refuse(reason: str, field: str) -> Exception:
    return bad_request(f"can't parse entities: {reason}", field=field)


class _Tag:
    def __init__(self, name: str, start: int, attributes: dict[str, str]) -> None:
        self.name, self.start, self.attributes = name, start, attributes
        self.language: str | None = None  # <pre><code class="language-x"> gives the pre a language


def parse_html(source: str, field: str = "text") -> tuple[str, list[dict[str, Any]]]:
    """Telegram's HTML parse mode: (plain text, entities); bad markup raises a 400 naming ``field``."""
    out: list[str] = []
    length = 0  # UTF-16 length of the text so far
    open_tags: list[_Tag] = []
    entities: list[dict[str, Any]] = []
    position = 0

    def byte_offset(index: int) -> int:
        return len(source[:index].encode())

    def add(piece: str) -> None:
        nonlocal length
        out.append(piece)
        length += utf16_len(piece)

    while position < len(source):
        char = source[position]
        if char == "&":
            match = ENTITY.match(source, position)
            if match is None:
                add("&")
                position += 1
                continue
            decimal, hexadecimal, name = match.groups()
            code = int(decimal) if decimal else int(hexadecimal, 16) if hexadecimal else None
            add(NAMED[name] if name else chr(code) if code is not None and code <= 0x10FFFF else "\ufffd")
            position = match.end()
        elif char == "<" and source.startswith("</", position):
            match = END_TAG.match(source, position)
            if match is None:
                raise _refuse(f"Unclosed end tag at byte offset {byte_offset(position)}", field)
            name = match.group(1).lower()
            if not open_tags:
                raise _refuse(f"Unexpected end tag at byte offset {byte_offset(position)}", field)
            tag = open_tags.pop()
            if tag.name != name:
                raise _refuse(f'Unmatched end tag at byte offset {byte_offset(position)}, '
                              f'expected "</{tag.name}>", found "</{name}>"', field)
            entity = _entity(tag, length, open_tags[-1] if open_tags else None)
            if entity is not None:
                entities.append(entity)
            position = match.end()
        elif char == "<":
            tag, position = _start_tag(source, position, length, byte_offset, field)
            open_tags.append(tag)
        else:
            end = position + 1
            while end < len(source) and source[end] not in "&<":
                end += 1
            add(source[position:end])
            position = end
    if open_tags:
        raise _refuse(f'Can\'t find end tag corresponding to start tag "{open_tags[-1].name}"', field)
    return strip("".join(out), sorted(entities, key=lambda e: (e["offset"], -e["length"])))


def _start_tag(source: str, position: int, length: int, byte_offset: Callable[[int], int],
               field: str) -> tuple[_Tag, int]:
    match = TAG_NAME.match(source, position + 1)
    name = match.group(0).lower() if match else ""
    if match is None or (name not in SIMPLE_TAGS and name not in OTHER_TAGS):
        shown = match.group(0) if match else ""
        raise _refuse(f'Unsupported start tag "{shown}" at byte offset {byte_offset(position)}', field)
    attributes: dict[str, str] = {}
    index = match.end()
    while True:
        while index < len(source) and source[index].isspace():
            index += 1
        if index >= len(source):
            raise _refuse(f"Unclosed start tag at byte offset {byte_offset(position)}", field)
        if source[index] == ">":
            break
        if source.startswith("/>", index):
            raise _refuse(f'Unsupported self-closing tag "{name}" at byte offset {byte_offset(position)}', field)
        attribute = ATTRIBUTE_NAME.match(source, index)
        if attribute is None:
            raise _refuse(f'Empty attribute name in the tag "{name}" at byte offset {byte_offset(index)}', field)
        key, index = attribute.group(0).lower(), attribute.end()
        while index < len(source) and source[index].isspace():
            index += 1
        value = ""
        if index < len(source) and source[index] == "=":
            index += 1
            while index < len(source) and source[index].isspace():
                index += 1
            if index < len(source) and source[index] in "\"'":
                close = source.find(source[index], index + 1)
                if close < 0:
                    raise _refuse(f'Unclosed attribute value in the tag "{name}" '
                                  f"at byte offset {byte_offset(index)}", field)
                value, index = source[index + 1:close], close + 1
            else:
                end = index
                while end < len(source) and not source[end].isspace() and source[end] != ">":
                    end += 1
                value, index = source[index:end], end
        attributes[key] = html.unescape(value)
    if name == "span" and attributes.get("class") != "tg-spoiler":
        raise _refuse(f'Tag "span" must have class "tg-spoiler" at byte offset {byte_offset(position)}', field)
    return _Tag(name, length, attributes), index + 1


def _entity(tag: _Tag, end: int, parent: _Tag | None) -> dict[str, Any] | None:
    """The entity a closed tag makes, or None (empty range, link without href, code inside pre)."""
    if end <= tag.start:
        return None
    entity: dict[str, Any] = {"offset": tag.start, "length": end - tag.start}
    if tag.name == "code" and parent is not None and parent.name == "pre":
        language = tag.attributes.get("class", "")
        if language.startswith("language-"):
            parent.language = language.removeprefix("language-")
        return None
    if tag.name in SIMPLE_TAGS:
        entity["type"] = SIMPLE_TAGS[tag.name]
        if tag.name == "pre" and tag.language:
            entity["language"] = tag.language
    elif tag.name == "span":
        entity["type"] = "spoiler"
    elif tag.name == "blockquote":
        entity["type"] = "expandable_blockquote" if "expandable" in tag.attributes else "blockquote"
    elif tag.name == "a":
        if not tag.attributes.get("href"):
            return None
        entity.update(type="text_link", url=tag.attributes["href"])
    elif tag.name == "tg-emoji":
        entity.update(type="custom_emoji", custom_emoji_id=tag.attributes.get("emoji-id", ""))
    else:  # tg-time
        unix = tag.attributes.get("unix", "")
        entity.update(type="date_time", unix_time=int(unix) if unix.isdigit() else 0)
    return entity


def strip(text: str, entities: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    """Telegram trims leading and trailing whitespace; entities move along and empty ones go."""
    lead = len(text) - len(text.lstrip(WHITESPACE))  # whitespace is one UTF-16 unit per character
    text = text.strip(WHITESPACE)
    total = utf16_len(text)
    kept = []
    for entity in entities:
        start = max(0, entity["offset"] - lead)
        end = min(total, entity["offset"] + entity["length"] - lead)
        if end > start:
            kept.append({**entity, "offset": start, "length": end - start})
    return text, kept


def fit(text: str, entities: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Entities a bot passed explicitly, without those that do not fit the text (Telegram drops them)."""
    total = utf16_len(text)
    return [e for e in entities if e["offset"] >= 0 and e["length"] > 0 and e["offset"] + e["length"] <= total]


def command_entities(text: str) -> list[dict[str, Any]]:
    """A leading ``/command`` (optionally ``@bot``) in what a person types, as Telegram marks it."""
    match = COMMAND.match(text)
    return [{"type": "bot_command", "offset": 0, "length": utf16_len(match.group(0))}] if match else []


def render_html(text: str, entities: list[dict[str, Any]]) -> str:
    """Safe HTML for the chat page: escaped text, with b/i/u/s/code/pre/blockquote/a around entity ranges.

    Entities may overlap without nesting, so the text is cut at every entity boundary and each
    piece is wrapped in the tags active there, closing and reopening tags where needed.
    """
    index_of = _utf16_to_index(text)
    spans = []
    for entity in entities:
        start, end = index_of.get(entity["offset"]), index_of.get(entity["offset"] + entity["length"])
        if start is None or end is None or end <= start:
            continue
        tag = _open_tag(entity, text[start:end])
        if tag is not None:
            spans.append((start, end, tag))
    spans.sort(key=lambda span: (span[0], -span[1]))
    cuts = sorted({0, len(text)} | {s for s, _, _ in spans} | {e for _, e, _ in spans})
    out: list[str] = []
    stack: list[tuple[int, int, str]] = []
    for start, end in itertools.pairwise(cuts):
        active = [span for span in spans if span[0] <= start and span[1] >= end]
        keep = 0
        while keep < len(stack) and keep < len(active) and stack[keep] == active[keep]:
            keep += 1
        for span in reversed(stack[keep:]):
            out.append(_close_tag(span[2]))
        out.extend(span[2] for span in active[keep:])
        stack = active
        out.append(html.escape(text[start:end]))
    out.extend(_close_tag(span[2]) for span in reversed(stack))
    return "".join(out)


def _open_tag(entity: dict[str, Any], shown: str) -> str | None:
    kind = entity.get("type")
    if kind in ("text_link", "url"):
        url = entity.get("url", "") if kind == "text_link" else shown
        if not SAFE_LINK.match(url):
            return None
        return f'<a href="{html.escape(url, quote=True)}" target="_blank" rel="noopener noreferrer">'
    return f"<{RENDERED[kind]}>" if kind in RENDERED else None


def _close_tag(open_tag: str) -> str:
    return f"</{open_tag[1:].split(maxsplit=1)[0].rstrip('>')}>"


def _utf16_to_index(text: str) -> dict[int, int]:
    """UTF-16 offset → index into ``text``, for every offset that falls between characters."""
    index_of, offset = {0: 0}, 0
    for index, char in enumerate(text, start=1):
        offset += 2 if ord(char) > 0xFFFF else 1
        index_of[offset] = index
    return index_of
