"""Staff commands of the campaign tools (STAFF_IDS only; for anyone else they do not
exist): /source (deep links and QR codes), /report, /broadcast. Staff texts are English.
"""

from __future__ import annotations

import asyncio
import contextlib

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot.campaign import messages as texts
from bot.campaign import sources
from bot.campaign.optin import Subscribers
from bot.campaign.sender import Broadcaster
from bot.campaign.service import Campaign
from bot.core.types import LOCALES
from bot.telegram.campaign import campaign, post_report
from bot.telegram.handlers import on_update, services
from bot.telegram.staff import is_staff

SOURCE_USAGE = (
    "/source: list the sources and their links\n"
    "/source add <code> <channel> <language> <name> [| partner]: a new source\n"
    "/source qr <code>: its link as QR codes (PNG and SVG), ready to print\n"
    "/source retire <code>: stop counting it (its link then counts as other)\n"
    f"channels: {', '.join(sources.CHANNELS)}; languages: {', '.join(LOCALES)}"
)


async def _staff(
    update: Update, context: ContextTypes.DEFAULT_TYPE
) -> tuple[Message, Campaign] | None:
    """The message and the campaign service, for staff only (others get the help)."""
    message, found = update.effective_message, campaign(context)
    if message is None:
        return None
    if not is_staff(update, context):
        await on_update(update, context)
        return None
    if found is None:
        await message.reply_text("The campaign tools are not running (no database?).")
        return None
    return message, found


async def on_source(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/source [add|qr|retire ...]: manage attribution sources."""
    staff = await _staff(update, context)
    if staff is None:
        return
    message, found = staff
    args = context.args or []
    action = args[0].lower() if args else "list"
    if action == "add" and len(args) >= 5:
        await _add_source(message, found, " ".join(args[1:]))
    elif action == "qr" and len(args) == 2:
        await _send_qr(message, found, args[1])
    elif action == "retire" and len(args) == 2:
        gone = await found.retire(args[1])
        await message.reply_text("Retired." if gone else "No staff-made source has that code.")
    elif action == "list":
        lines = [
            f"{s.code} · {s.channel} · {s.language} · {s.name}"
            + (f" · {s.partner}" if s.partner else "")
            + f" · {s.link(found.bot_username)}"
            for s in await found.sources()
        ]
        await message.reply_text(
            "\n".join(lines) or "No sources yet.\n\n" + SOURCE_USAGE, disable_web_page_preview=True
        )
    else:
        await message.reply_text(SOURCE_USAGE)


async def _add_source(message: Message, found: Campaign, spec: str) -> None:
    head, _, partner = spec.partition("|")
    code, channel, language, *name = head.split()
    try:
        source = sources.checked(
            {
                "code": code,
                "channel": channel,
                "language": language,
                "name": " ".join(name),
                "partner": partner.strip(),
            }
        )
    except sources.SourceError as error:
        await message.reply_text(f"Not added: {error}\n\n{SOURCE_USAGE}")
        return
    if not await found.add_source(source):
        await message.reply_text(f"Not added: {code} is in locales/sources.yml; edit it there.")
        return
    await message.reply_text(f"Added {code}: {source.link(found.bot_username)}")
    await _send_qr(message, found, code)


async def _send_qr(message: Message, found: Campaign, code: str) -> None:
    source = next((s for s in await found.sources() if s.code == code), None)
    if source is None:
        await message.reply_text("No active source has that code.")
        return
    link = source.link(found.bot_username)
    png, svg = await asyncio.to_thread(sources.qr_codes, link)
    await message.reply_document(png, filename=f"qr-{code}.png", caption=link)
    await message.reply_document(svg, filename=f"qr-{code}.svg")


async def on_report(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/report [week|month|day]: the last complete period's tables and charts, here."""
    staff = await _staff(update, context)
    if staff is None:
        return
    message, found = staff
    kind = (context.args or ["week"])[0].lower()
    if kind not in ("day", "week", "month"):
        await message.reply_text("Use /report week, /report month or /report day.")
        return
    await found.tally.flush()
    await post_report(context.application, message.chat_id, await found.report(kind))


async def on_broadcast(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/broadcast <key>: a preview per language and the recipients, then a button."""
    staff = await _staff(update, context)
    optins: Subscribers | None = context.bot_data.get("optins")
    if staff is None or optins is None:
        return
    message, found = staff
    svc = services(context)
    try:
        known = texts.load(found.locales_dir / "broadcasts.yml")
    except (texts.BroadcastError, OSError) as error:
        await message.reply_text(f"broadcasts.yml: {error}")
        return
    key = (context.args or [""])[0]
    if key not in known:
        await message.reply_text(
            "Use /broadcast <key>, one of: "
            + (", ".join(known) or "none yet (add one to locales/broadcasts.yml)")
        )
        return
    lacking = texts.missing(known[key], svc.catalogs.messages)
    if lacking:
        await message.reply_text(
            f"Refused: no translation yet in {', '.join(lacking)}. "
            "Translate it, run make texts-check and /reload."
        )
        return
    for lang in LOCALES:
        body = svc.catalogs.fill(known[key], {}, lang)
        header = svc.catalogs.gettext(texts.HEADER, lang)
        await message.reply_text(f"Preview ({lang}):\n\n{header}\n\n{body}")
    audience = await optins.count_audience()
    total = sum(audience.values())
    per = ", ".join(f"{lo} {n}" for lo, n in sorted(audience.items()))
    buttons = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(f"Send to {total} people", callback_data=f"bc:go:{key}"),
                InlineKeyboardButton("Cancel", callback_data="bc:no"),
            ]
        ]
    )
    await message.reply_text(
        f"{total} people will get it ({per or 'nobody yet'}). Send it?", reply_markup=buttons
    )


async def on_broadcast_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The confirmation: start the broadcast (its progress replaces the question)."""
    query, user = update.callback_query, update.effective_user
    broadcaster: Broadcaster | None = context.bot_data.get("broadcaster")
    optins: Subscribers | None = context.bot_data.get("optins")
    if query is None or user is None or not isinstance(query.message, Message):
        return
    with contextlib.suppress(TelegramError):
        await query.answer()
    if not is_staff(update, context) or broadcaster is None or optins is None:
        return
    data = query.data or ""
    if not data.startswith("bc:go:"):
        await query.message.edit_text("Cancelled: nothing was sent.")
        return
    pressed: set[int] = context.bot_data.setdefault("broadcast_pressed", set())
    if query.message.message_id in pressed:
        return  # a double tap starts one broadcast
    pressed.add(query.message.message_id)
    await query.message.edit_reply_markup(None)
    key = data.removeprefix("bc:go:")
    number = await optins.begin(key, query.message.chat_id, query.message.message_id)
    await query.message.edit_text(f"📣 Broadcast #{number} ({key}) is starting…")
    broadcaster.launch(number)
