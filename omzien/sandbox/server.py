"""The stand-in's HTTP side: the Bot API, the control API for simulated people, and the chat page.

A Bot API request goes: token → method known? → injected fault? → read and check against the
spec → flood control → carry out. Every 4xx answer is kept in ``Sandbox.refusals``, so a test can
assert the bot never sent anything Telegram would refuse. Injected faults are not refusals: the
bot did nothing wrong, and they are counted separately (``GET /sandbox/faults``). A failure of the
stand-in itself is answered 500 and kept in the refusals too, so it cannot pass unnoticed.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from aiohttp import web
from multidict import MultiMapping

from omzien.sandbox.errors import BotApiError, ControlError
from omzien.sandbox.methods import BotApi
from omzien.sandbox.people import People
from omzien.sandbox.spec import Upload, load_spec
from omzien.sandbox.state import State
from omzien.sandbox.traffic import FaultInjector, Faults, FloodControl, Limits, counts_for_flood
from omzien.sandbox.webhook import Webhook

log = logging.getLogger(__name__)

PAGE = Path(__file__).with_name("page")
MAX_BODY = 50 * 1024 * 1024  # Telegram takes documents up to 50 MB
MAX_CHANGES_WAIT = 60.0
SERVER_ERRORS = {500: "Internal Server Error", 502: "Bad Gateway"}
CONTENT_TYPES = {".html": "text/html", ".js": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml",
                 ".png": "image/png", ".ico": "image/x-icon", ".json": "application/json"}


def _json(body: Any, status: int = 200) -> web.Response:
    return web.Response(text=json.dumps(body, ensure_ascii=False), status=status, content_type="application/json")


class Sandbox:
    """The Bot API stand-in for one bot token, served in-process on an aiohttp server."""

    def __init__(self, token: str, *, limits: Limits | None = None, faults: Faults | None = None,
                 bot_username: str = "omzien_sandbox_bot", bot_name: str = "Omzien (sandbox)") -> None:
        self.token = token
        self.spec = load_spec()
        self.state = State(bot_username=bot_username, bot_name=bot_name)
        self.people = People(self.state)
        self.api = BotApi(self.state)
        self.webhook = Webhook(self.state.updates, self._carry_out)
        self.api.methods.update(self.webhook.methods(self.api.get_updates))
        self.limits = replace(limits) if limits else Limits()  # a copy: the control API changes it
        self.flood = FloodControl(self.limits)
        self.faults = FaultInjector(replace(faults) if faults else Faults())
        self.refusals: list[dict[str, Any]] = []
        self.url = ""
        self.app = self._make_app()
        self._runner: web.AppRunner | None = None

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Serve on ``host:port`` (0: a free port); returns and sets ``self.url``."""
        # handler_cancellation: a bot that goes away (killed, stopped) takes its waiting getUpdates with it,
        # so its successor does not meet a stale poll (409 Conflict).
        self._runner = web.AppRunner(self.app, handler_cancellation=True, shutdown_timeout=1.0, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        bound_host, bound_port = self._runner.addresses[0][:2]
        self.url = f"http://{bound_host if ':' not in bound_host else f'[{bound_host}]'}:{bound_port}"
        return self.url

    async def stop(self) -> None:
        self.state.close()
        await self.webhook.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Sandbox:
        await self.start()
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.stop()

    def _make_app(self) -> web.Application:
        app = web.Application(client_max_size=MAX_BODY, middlewares=[_control_errors])
        routes = [
            web.route("*", "/bot{token}/{method}", self._bot_api),
            web.get("/sandbox/users", self._people),
            web.post("/sandbox/users", self._add_person),
            web.post("/sandbox/groups", self._add_group),
            web.post("/sandbox/chats/{chat_id}/messages", self._say),
            web.post("/sandbox/chats/{chat_id}/press", self._press),
            web.post("/sandbox/chats/{chat_id}/contact", self._share_contact),
            web.post("/sandbox/chats/{chat_id}/tap", self._tap),
            web.get("/sandbox/chats/{chat_id}", self._chat),
            web.post("/sandbox/users/{user_id}/block", self._block),
            web.post("/sandbox/users/{user_id}/unblock", self._unblock),
            web.get("/sandbox/users/{user_id}/chats", self._chats_of),
            web.get("/sandbox/users/{user_id}/answers", self._answers),
            web.get("/sandbox/changes", self._changes),
            web.get("/sandbox/personas", self._personas),
            web.post("/sandbox/personas", self._set_personas),
            web.get("/sandbox/refusals", self._refusals),
            web.delete("/sandbox/refusals", self._forget_refusals),
            web.get("/sandbox/faults", self._faults),
            web.post("/sandbox/faults", self._set_faults),
            web.get("/sandbox/limits", self._limits),
            web.post("/sandbox/limits", self._set_limits),
            web.get("/sandbox/bot", self._bot),
            web.get("/sandbox/files/{file_id}", self._file),
            web.get("/", self._index),
            web.get("/page/{name}", self._page_file),
        ]
        app.add_routes(routes)
        return app

    # The Bot API

    async def _bot_api(self, request: web.Request) -> web.StreamResponse:
        asked = request.match_info["method"]
        if request.match_info["token"] != self.token:
            return self._refuse(asked, BotApiError(401, "Unauthorized"))
        method = self.spec.method_name(asked)
        if method is None:
            return self._refuse(asked, BotApiError(404, "Not Found"))
        fault = self.faults.draw(method)
        if fault == "cut":  # dropped on the way in: the request is never read nor carried out
            if request.transport is not None:
                request.transport.abort()
            return web.Response()
        if fault == "error":
            code = self.faults.error_code()
            return _json({"ok": False, "error_code": code, "description": SERVER_ERRORS[code]}, status=code)
        if fault == "flood":
            wait = self.faults.faults.flood_retry_after
            return _json(BotApiError(429, f"Too Many Requests: retry after {wait}",
                                     parameters={"retry_after": wait}).body(), status=429)
        try:
            params = self.spec.check_request(method, await _read_params(request))
            if counts_for_flood(method):
                chat_id = params.get("chat_id")
                wait = self.flood.admit(chat_id if isinstance(chat_id, int) else None)
                if wait:
                    raise BotApiError(429, f"Too Many Requests: retry after {wait}", field="chat_id",
                                      parameters={"retry_after": wait})
            response = _json({"ok": True, "result": await self.api.call(method, params)})
        except BotApiError as error:
            response = self._refuse(method, error)
        except Exception as error:  # a bug in the stand-in: loud in the log and in the refusals, Telegram-shaped
            log.exception("The sandbox failed on %s", method)
            response = self._refuse(method, BotApiError(500, f"Internal Server Error: sandbox bug: {error!r}"))
        if fault == "delay":  # carried out already; only the answer is late
            await asyncio.sleep(self.faults.faults.delay_seconds)
        return response

    async def _carry_out(self, asked: str, params: dict[str, Any]) -> None:
        """A method the bot put in its answer to a webhook request: checked and carried out like a request."""
        method = self.spec.method_name(asked)
        try:
            if method is None:
                raise BotApiError(404, "Not Found")
            await self.api.call(method, self.spec.check_request(method, params))
        except BotApiError as error:
            self._refuse(method or asked, error)

    def _refuse(self, method: str, error: BotApiError) -> web.Response:
        """Answer ``error`` and remember it (4xx: the bot sent something Telegram would refuse)."""
        self.refusals.append({"method": method, "error_code": error.error_code, "description": error.description,
                              "field": error.field, "parameters": error.parameters, "time": time.time()})
        return _json(error.body(), status=error.error_code)

    # The control API: people and what they see

    async def _people(self, _: web.Request) -> web.Response:
        return _json([person.user() for person in self.state.people.values()])

    async def _add_person(self, request: web.Request) -> web.Response:
        body = await _body(request)
        person = self.people.add_person(_text(body, "first_name"), _text(body, "language_code", "nl"),
                                        _text(body, "username", None), _text(body, "last_name", None))
        return _json(person.user())

    async def _add_group(self, request: web.Request) -> web.Response:
        body = await _body(request)
        member_ids = body.get("member_ids", [])
        if not isinstance(member_ids, list):
            raise ControlError(400, "member_ids must be a list of user ids")
        group = self.people.add_group(_text(body, "title"), [_integer(m, "member_ids") for m in member_ids])
        return _json(self.people.view(group.id))

    async def _say(self, request: web.Request) -> web.Response:
        body = await _body(request)
        message, update_id = self.people.say(_path_id(request, "chat_id"), _integer(body.get("from_id"), "from_id"),
                                             _text(body, "text"))
        return _json({**message.view(), "update_id": update_id})

    async def _press(self, request: web.Request) -> web.Response:
        body = await _body(request)
        exact = body.get("exact", False)
        if not isinstance(exact, bool):
            raise ControlError(400, "exact must be true or false")
        message, update_id = self.people.press(_path_id(request, "chat_id"),
                                               _integer(body.get("from_id"), "from_id"), _text(body, "label"),
                                               exact=exact)
        return _json({**message.view(), "update_id": update_id})

    async def _share_contact(self, request: web.Request) -> web.Response:
        body = await _body(request)
        message, update_id = self.people.share_contact(_path_id(request, "chat_id"),
                                                       _integer(body.get("from_id"), "from_id"))
        return _json({**message.view(), "update_id": update_id})

    async def _tap(self, request: web.Request) -> web.Response:
        body = await _body(request)
        message_id = body.get("message_id")
        return _json(self.people.tap(_path_id(request, "chat_id"), _integer(body.get("from_id"), "from_id"),
                                     _text(body, "label"),
                                     None if message_id is None else _integer(message_id, "message_id"),
                                     _text(body, "callback_data", None)))

    async def _chat(self, request: web.Request) -> web.Response:
        return _json(self.people.view(_path_id(request, "chat_id")))

    async def _block(self, request: web.Request) -> web.Response:
        return _json(self.people.view(self.people.block(_path_id(request, "user_id")).id))

    async def _unblock(self, request: web.Request) -> web.Response:
        return _json(self.people.view(self.people.unblock(_path_id(request, "user_id")).id))

    async def _chats_of(self, request: web.Request) -> web.Response:
        return _json(self.people.chats_of(_path_id(request, "user_id")))

    async def _answers(self, request: web.Request) -> web.Response:
        return _json(self.people.person(_path_id(request, "user_id")).answers)

    async def _changes(self, request: web.Request) -> web.Response:
        since = _integer(request.query.get("since", "-1"), "since")
        try:
            timeout = min(MAX_CHANGES_WAIT, max(0.0, float(request.query.get("timeout", "0"))))
        except ValueError:
            raise ControlError(400, "timeout must be a number of seconds") from None
        if "chat_id" not in request.query:
            return _json({"version": await self.state.changes.wait_beyond(since, timeout)})
        # Only this chat: a test with a hundred people waiting is not woken a hundred times per message.
        chat_id = _integer(request.query["chat_id"], "chat_id")
        loop = asyncio.get_running_loop()
        deadline, seen = loop.time() + timeout, self.state.changes.version
        while (version := self._chat_version(chat_id)) <= since and (remaining := deadline - loop.time()) > 0:
            seen = await self.state.changes.wait_beyond(seen, remaining)
        return _json({"version": version})

    def _chat_version(self, chat_id: int) -> int:
        chat = self.state.chats.get(chat_id)
        return chat.version if chat else 0

    async def _personas(self, _: web.Request) -> web.Response:
        return _json(self.state.personas)

    async def _set_personas(self, request: web.Request) -> web.Response:
        personas = await request.json()
        if not isinstance(personas, list) or not all(isinstance(p, dict) and {"user_id", "name"} <= p.keys()
                                                     for p in personas):
            raise ControlError(400, 'personas must be a list of {"user_id", "name", "description", "chat_ids"}')
        self.state.personas = [{"description": "", "chat_ids": [p["user_id"]], **p} for p in personas]
        self.state.changes.bump()
        return _json(self.state.personas)

    # The control API: the stand-in itself

    async def _refusals(self, _: web.Request) -> web.Response:
        return _json(self.refusals)

    async def _forget_refusals(self, _: web.Request) -> web.Response:
        self.refusals.clear()
        return _json([])

    async def _faults(self, _: web.Request) -> web.Response:
        return _json(self.faults.report())

    async def _set_faults(self, request: web.Request) -> web.Response:
        self.faults.faults.update(await _body(request))
        self.faults.reset()
        return _json(self.faults.report())

    async def _limits(self, _: web.Request) -> web.Response:
        return _json(self.limits.report())

    async def _set_limits(self, request: web.Request) -> web.Response:
        self.limits.update(await _body(request))
        return _json(self.limits.report())

    async def _bot(self, _: web.Request) -> web.Response:
        commands = [{"scope": scope, "language_code": language, "commands": listed}
                    for (scope, language), listed in ((json.loads(k), v) for k, v in self.state.commands.items())]
        return _json({"user": self.state.bot_user, "commands": commands})

    async def _file(self, request: web.Request) -> web.StreamResponse:
        media = self.state.files.get(request.match_info["file_id"])
        if media is None:
            raise ControlError(404, "no such file")
        if media.data is None:
            raise web.HTTPFound(media.url or "/")
        return web.Response(body=media.data, content_type=media.mime_type or "application/octet-stream")

    # The chat page

    async def _index(self, _: web.Request) -> web.StreamResponse:
        if not (PAGE / "index.html").is_file():
            return web.Response(text="Omzien sandbox: the Bot API stand-in runs; the chat page is not installed.\n")
        return _page_response(PAGE / "index.html")

    async def _page_file(self, request: web.Request) -> web.StreamResponse:
        name = request.match_info["name"]
        path = PAGE / name
        if name.startswith(".") or "/" in name or "\\" in name or not path.is_file():
            raise web.HTTPNotFound()
        return _page_response(path)


def _page_response(path: Path) -> web.Response:
    return web.Response(body=path.read_bytes(), headers={"Cache-Control": "no-cache"},
                        content_type=CONTENT_TYPES.get(path.suffix, "application/octet-stream"))


async def _read_params(request: web.Request) -> dict[str, Any]:
    """Parameters from the query string and the body (JSON, URL-encoded or multipart), as Telegram reads them."""
    params: dict[str, Any] = dict(request.query)
    if not request.body_exists:
        return params
    if request.content_type == "application/json":
        try:
            body = await request.json()
        except ValueError:
            raise BotApiError(400, "Bad Request: can't parse JSON body") from None
        if not isinstance(body, dict):
            raise BotApiError(400, "Bad Request: the JSON body must be an object")
        return {**params, **body}
    if request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        form: MultiMapping[Any] = await request.post()
        for key, value in form.items():
            if isinstance(value, web.FileField):
                params[key] = Upload(value.filename, value.content_type, value.file.read())
            else:
                params[key] = value
        return params
    raise BotApiError(400, f"Bad Request: unsupported content type {request.content_type}")


@web.middleware
async def _control_errors(request: web.Request, handler: Any) -> web.StreamResponse:
    """ControlError → ``{"error": …, "reason"?: …}`` with its status; a control body that is not JSON → 400."""
    try:
        return await handler(request)
    except ControlError as error:
        return _json(error.body(), status=error.status)
    except json.JSONDecodeError as error:
        return _json({"error": f"the body is not JSON: {error}"}, status=400)


async def _body(request: web.Request) -> dict[str, Any]:
    body = await request.json() if request.body_exists else {}
    if not isinstance(body, dict):
        raise ControlError(400, "the body must be a JSON object")
    return body


_REQUIRED = object()


def _text(body: dict[str, Any], key: str, default: Any = _REQUIRED) -> Any:
    value = body.get(key)
    if value is None:
        if default is _REQUIRED:
            raise ControlError(400, f"{key} is required")
        return default
    if not isinstance(value, str):
        raise ControlError(400, f"{key} must be a string")
    return value


def _integer(value: Any, name: str) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lstrip("-").isdigit():
        return int(value)
    raise ControlError(400, f"{name} must be an integer")


def _path_id(request: web.Request, name: str) -> int:
    return _integer(request.match_info[name], name)
