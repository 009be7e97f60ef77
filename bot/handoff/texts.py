"""What the hand-off says. Users' texts are catalog msgids (English source, translated in
locales/*/messages.po); operators' texts are plain English constants further down."""

from __future__ import annotations

from bot.i18n import N_

# to the user, in their language; consents given to CONSENT are stored with this version
CONSENT_VERSION = "handoff-2026-11-28"
CONSENT = N_(
    "I can connect you with a real person from %(organisation)s. They will read what you "
    "write here and answer you in this chat. Nobody else is told about you unless you agree.\n\n"
    "Do you want to talk with them?"
)
# who reads, for a one-desk setup from OPERATOR_CHAT_ID (a desks file names the organisation)
DEFAULT_ORGANISATION = N_("the team of trained helpers behind this chat")
CONSENT_YES = N_("Yes, connect me")
CONSENT_NO = N_("No, thank you")
DECLINED = N_(
    "Okay, no problem. I'm still here for you: ask me anything, or pick a topic from the menu."
)
SHARE_ASK = N_(
    "May the person also read the last messages you wrote to me? Then you don't have to "
    "tell everything again."
)
SHARE_YES = N_("Yes, they can read them")
SHARE_NO = N_("No, start fresh")
QUEUED = N_(
    "Thank you. A person will write to you here soon. From now on, what you send here goes "
    "to them.\n\nTo go back to the chatbot at any time, send /end."
)
END_BUTTON = N_("End the chat with the person")
CLAIMED = N_(
    "%(organisation)s is with you now. You can write, or send a photo or a voice message."
)
WAITING = N_(
    "Sorry for the wait: a person is coming.\n"
    "If you are in danger now, don't wait, "
    "call one of these numbers:"
)
CLOSED = N_(
    "The chat with the person has ended. I'm here again: ask me anything, or pick a topic "
    "from the menu."
)
NOT_DELIVERED = N_(
    "Sorry, your message could not reach the person right now. Please try again in a minute.\n"
    "If you are in danger now, call the police: %(police)s"
)

# after /forget, when the person had talked with a desk: what went from its topics, and
# honestly what could not (Telegram lets the bot delete its posts for 48 hours)
COPIES_REMOVED = N_(
    "I also removed %(count)s of your messages from the chat where a person helped you."
)
COPIES_LEFT = N_(
    "I could not remove %(count)s older messages from that chat: Telegram only lets me "
    "delete messages for 2 days. You can ask the people who helped you to delete them."
)

# canned replies an operator sends with one tap; the user gets them in their own language
CANNED = (
    N_("I'm here with you. Take your time."),
    N_("Are you safe right now?"),
    N_("Can you tell me where you are? A town or an area is enough."),
    N_("We will stay with you and help you find the next step."),
)

# to operators, in the desk's working language (English); they never reach a user
CARD = (
    "🆕 Case #{case}\n"
    "Language: {language} ({locale})\n"
    "Tier: {tier}\n"
    "Signs seen: {indicators}\n"
    "Waiting since: {since} (Bangkok), {waited} min\n"
    "Status: {status}\n\n"
    "Claim it to answer. Everything you write in this topic reaches the person, except "
    "messages (and captions) starting with /, such as /note. /close ends the case."
)
INDICATORS_UNREAD = (
    "{count} message(s) not read: the chatbot's engine was unreachable, so at least tier 2 "
    "is assumed"
)
TRANSCRIPT_HEAD = "The person agreed to share their last messages to the bot:\n"
NO_TRANSCRIPT = "The person did not share earlier messages."
STATUS_QUEUED = "waiting for an operator"
STATUS_CLAIMED = "with {owner}"
CLAIMED_BY = "✋ {owner} took the case. Only they can reply."
RELEASED_BY = "↩️ {owner} released the case: it is waiting for an operator again."
CLOSED_BY = "✅ Case closed by {who}. The person is back with the chatbot."
CLOSED_BY_USER = "the person"
TRANSFERRED = "➡️ Case moved to desk {desk}. Continue in its topic there."
TRANSFER_USAGE = "/transfer <desk>: desks are {desks}"
ESCALATED = "⏰ Case #{case} ({language}, tier {tier}) has waited {waited} min without an answer."
SILENT = "⏰ The person wrote {waited} min ago and has no answer yet."
NOT_OWNER = "Claim the case first: only the operator who claimed it can reply."
NOTE_KEPT = "📝 Note kept in this topic: the person does not see it."
NOT_SENT = (
    "🔒 Not sent to the person: commands and notes stay here. Tools in a case topic: "
    "/note <text>, /claim, /release, /close, /transfer <desk>."
)
OWNER_OR_LEAD = "Only the operator who has this case, or a desk lead, can close or transfer it."
# what an operator is told when a case card's button cannot act (a small pop-up)
STALE_BUTTON = "This button is no longer valid."
NOT_AN_OPERATOR = "Only operators of this desk can do that."
TAKEN = "Someone else has this case."
NOT_THE_OWNER = "Only the owner can release."
CANNED_SENT = "💬 Sent to the person, in {language}: {text}"
NOT_RELAYED = "⚠️ This message could not reach the person (they may have blocked the bot)."
DANGER_NOTE = (
    "⚠️ The person's last message has words of immediate danger: the bot has sent them the "
    "emergency numbers. Ask if they are safe now."
)
USER_LEFT = "The person left the conversation"
BUTTON_CLAIM = "✋ Claim"
BUTTON_RELEASE = "↩️ Release"
BUTTON_CLOSE = "✅ Close"
FIGURES = (
    "Hand-off figures, last {days} days:\n"
    "Cases: {cases} (closed {closed})\n"
    "Time to claim: median {claim} min\n"
    "Time to first operator reply: median {reply} min\n"
    "Case duration: median {duration} min\n"
    "Escalations: {escalated}\n"
    "Per desk: {desks}\n"
    "Per language: {languages}"
)
