"""What each audience sees, rendered from plain values (never database rows), with its buttons.

A view returns an outbox payload (``text`` and ``reply_markup`` as Telegram expects them) in the
language that is current when it is called, and shows times in the time zone of the signal point.
The group card shows the 4-digit postcode area only; the address and the notes appear only in
``case.case_payload``, which goes to the claimer's private chat.

- ``report``: the signaller's steps; ``group``: the card and the overview; ``case``: the claimer;
  ``coordinator``: escalations and the morning summary; ``offers``: the resident; ``common``: the
  rest. ``facts`` holds the values they render; ``buttons`` the callback data; ``texts`` the names.

A keyboard is plain data too (``common.Keyboard``), and ``callback_data`` packs buttons as aiogram does
without loading it: the command line renders messages (a sweep's reminders) without the bot.
"""
