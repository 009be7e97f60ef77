"""The conversation core: language choice, engine calls, and every fallback."""

from bot.core import messages
from bot.core.answers import EngineAnswer
from bot.core.router import FLOOR, Conversation
from bot.core.types import Button
from tests.fakes import BOOK, FakeDialogue, FakeStore

INTENTS = frozenset({"greet", "ask_menu", "ask_hotlines"})


def conversation(dialogue: FakeDialogue | None = None, store: FakeStore | None = None):
    return Conversation(dialogue or FakeDialogue(), store or FakeStore(), INTENTS, answers=BOOK)


async def test_first_guess_comes_from_telegram_language_code() -> None:
    outcome = await conversation().on_text("u1", "hi", "my")
    assert outcome.locale == "my"


async def test_writing_in_another_script_switches_and_is_remembered() -> None:
    store = FakeStore()
    convo = conversation(store=store)
    await convo.on_text("u1", "hello there", "en")
    outcome = await convo.on_text("u1", "ສະບາຍດີ", "en")
    assert outcome.locale == "lo"
    await convo.recorder.settle("u1")  # stored after the reply
    assert store.locales["u1"] == "lo"
    # a fresh process (new Conversation) reads the stored choice back
    assert (await conversation(store=store).on_text("u1", "ok", "en")).locale == "lo"


async def test_short_latin_reply_does_not_flip_a_burmese_reader_to_english() -> None:
    convo = conversation()
    await convo.on_text("u1", "မင်္ဂလာပါ", None)
    assert (await convo.on_text("u1", "ok", None)).locale == "my"


async def test_zawgyi_is_converted_before_the_engine_sees_it() -> None:
    dialogue = FakeDialogue()
    await conversation(dialogue).on_text("u1", "မင္းကို ခ်စ္တယ္", None)
    assert dialogue.calls[0].text == "မင်းကို ချစ်တယ်"
    assert dialogue.calls[0].locale == "my"


async def test_engine_failure_gives_the_emergency_floor() -> None:
    outcome = await conversation(FakeDialogue(down=True)).on_text("u1", "help", "th")
    assert outcome.replies == FLOOR
    assert outcome.locale == "th"


async def test_database_down_still_answers_in_the_chosen_language() -> None:
    convo = conversation(store=FakeStore(down=True))
    await convo.on_text("u1", "សួស្តី", None)
    assert (await convo.on_text("u1", "ok", None)).locale == "km"


async def test_empty_engine_answer_offers_the_menu() -> None:
    outcome = await conversation(FakeDialogue(replies=[])).on_text("u1", "blah blah", "en")
    assert outcome.replies[0].msgid == messages.NOT_UNDERSTOOD
    assert outcome.replies[0].buttons[0].data == "/ask_menu"


async def test_language_button_switches_language() -> None:
    outcome = await conversation().on_button("u1", "lang:km", "en")
    assert outcome.locale == "km"
    assert outcome.replies[0].msgid == messages.LANGUAGE_SET


async def test_intent_button_goes_to_the_engine() -> None:
    dialogue = FakeDialogue()
    await conversation(dialogue).on_button("u1", "/ask_hotlines", "en")
    assert dialogue.calls[0].text == "/ask_hotlines"


async def test_forged_or_empty_button_data_never_reaches_the_engine() -> None:
    dialogue = FakeDialogue()
    convo = conversation(dialogue)
    for data in ["", "lang:xx", "lang:", "/not_an_intent", '/greet{"x":1}', "x" * 64, "DROP"]:
        outcome = await convo.on_button("u1", data, "en")
        assert outcome.replies[0].msgid == messages.BUTTON_EXPIRED
    assert dialogue.calls == []


async def test_engine_language_request_shows_the_five_languages_in_their_scripts() -> None:
    dialogue = FakeDialogue(replies=[EngineAnswer("choose_language", "choose_language")])
    outcome = await conversation(dialogue).on_text("u1", "change language", "en")
    labels = [b.label for b in outcome.replies[0].buttons]
    assert labels == ["English", "ไทย", "မြန်မာ", "ខ្មែរ", "ລາວ"]
    assert all(isinstance(b, Button) and b.literal for b in outcome.replies[0].buttons)


async def test_media_gets_a_kind_answer_in_the_users_language() -> None:
    convo = conversation()
    outcome = await convo.on_media("u1", "voice", "lo")
    assert outcome.replies[0].msgid == messages.VOICE
    assert outcome.locale == "lo"
    assert (await convo.on_media("u1", "hologram", "lo")).replies[0].msgid == messages.OTHER_MEDIA


async def test_share_button_gives_a_forwardable_card_with_the_bot_link() -> None:
    convo = conversation()
    convo.bot_link = "https://t.me/example_bot"
    outcome = await convo.on_button("u1", "share", "lo")
    assert outcome.replies[0].msgid == messages.SHARE_CARD
    assert outcome.replies[0].params == {"bot_link": "https://t.me/example_bot"}


def with_directory() -> Conversation:
    from bot.core.routing import load_directory
    from bot.settings import LOCALES_DIR

    return Conversation(
        FakeDialogue(), FakeStore(), INTENTS, directory=load_directory(LOCALES_DIR), answers=BOOK
    )


async def test_options_button_explains_choices_and_risks() -> None:
    outcome = await with_directory().on_button("u1", "options", "my")
    assert outcome.replies[0].msgid == messages.OPTIONS
    assert "arrest" in messages.OPTIONS
    # Myanmar government offices: explained to Myanmar users as one choice, never the default
    assert [r.msgid for r in outcome.replies[1:]] == [messages.OPTIONS_MYANMAR]
    assert "never the only one" in messages.OPTIONS_MYANMAR


async def test_options_card_names_each_users_own_country() -> None:
    convo = with_directory()
    for locale, note in (("km", messages.OPTIONS_CAMBODIA), ("lo", messages.OPTIONS_LAOS)):
        outcome = await convo.on_button(f"u-{locale}", "options", locale)
        assert [r.msgid for r in outcome.replies[1:]] == [note]
    for locale in ("th", "en"):  # no Myanmar offices for anyone else
        outcome = await convo.on_button(f"u-{locale}", "options", locale)
        assert [r.msgid for r in outcome.replies] == [messages.OPTIONS]
        assert "Myanmar" not in messages.OPTIONS
