"""A local stand-in for the Telegram Bot API, and a chat page in the browser, for tests and ``omzien demo``.

The stand-in speaks the real Bot API over HTTP (``{base}/bot{token}/{method}``, JSON or form
bodies, Telegram's response shape), checks every request against ``bot-api.json`` (Bot API 10.1,
MIT licence: ``bot-api.LICENSE``), keeps state like Telegram (users, chats, messages edited in
place, callback queries), enforces the limits a bot can break, applies flood control, and can be
told to fail. Updates go out by ``getUpdates``, or after ``setWebhook`` as POSTs to the bot
(``omzien.sandbox.webhook``). People are simulated through the control API below; the chat page and the Python
client (``omzien.sandbox.client``) both use it.

Control API (JSON; all under ``/sandbox``):

=======================================  ==========================================================
``POST /sandbox/users``                  ``{"first_name", "language_code"="nl", "username"?}`` → user
``POST /sandbox/groups``                 ``{"title", "member_ids": [...]}`` → chat (supergroup, bot is
                                         an administrator; the bot gets a ``my_chat_member`` update)
``POST /sandbox/chats/{chat_id}/messages`` ``{"from_id", "text"}``: a person sends text → the message
``POST /sandbox/chats/{chat_id}/press``  ``{"from_id", "label", "exact"=false}``: a person presses a button
                                         of the reply keyboard shown: it sends its text, or for a
                                         ``request_contact`` button a ``contact`` message → the message
``POST /sandbox/chats/{chat_id}/contact`` ``{"from_id"}``: a person shares their own (invented, fictional)
                                         phone number: a message with ``contact`` and no text → the message
``POST /sandbox/chats/{chat_id}/tap``    ``{"from_id", "label", "message_id"?, "callback_data"?}``: a person
                                         taps the inline button whose label contains ``label`` (on
                                         ``message_id``, or the newest message that has one; with
                                         ``callback_data``, only a button with that data)
                                         → ``{"callback_query_id", "update_id"}``; a button not there (any
                                         more) → 404 ``{"error", "reason": "no_button", "message_id"?,
                                         "buttons"?}``, a message gone → 404 with reason ``"no_message"``
``POST /sandbox/users/{user_id}/block``  the person blocks the bot (``my_chat_member`` update; 403 after)
``GET  /sandbox/chats/{chat_id}``        the chat as it shows now: ``{"id", "type", "title", "messages":
                                         [{"message_id", "from": {...}, "text", "html", "date",
                                         "edit_date", "buttons": [[{"text", "callback_data"|"url"}]],
                                         "contact": {...} | null, "reply_keyboard": [[text]] | null}],
                                         "reply_keyboard": [[text]] | null}``
``GET  /sandbox/users/{user_id}/chats``  the chats this person can see (their private chat, their groups)
``GET  /sandbox/users/{user_id}/answers`` callback answers shown to this person (toasts and alerts)
``GET  /sandbox/changes?since=N&timeout=S`` waits until something changed after version N →
                                         ``{"version": M}``; with ``&chat_id=C``, until chat C changed
``GET  /sandbox/personas``               the people of the demo: ``[{"user_id", "name", "description",
                                         "chat_ids"}]``; ``POST`` the same list to set them
``GET  /sandbox/refusals``               every request the stand-in refused (method, code, description)
``POST /sandbox/faults``                 ``{"error_share", "delay_share", "cut_share", "delay_seconds", "seed"}``
``POST /sandbox/limits``                 ``{"per_second", "per_chat_per_second", "per_group_per_minute"}``
=======================================  ==========================================================
"""
