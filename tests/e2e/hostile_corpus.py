"""The hostile-input corpus (issue #13.10): what a careless phone, a curious user, a forger or
a hostile operator-group member can send the bot, as sandbox actions.

Each Probe is one action from its own Telegram user (and its own group, where it is in
one), so every reply can be traced to it. `at_risk` probes carry words of danger, however
disguised, and must be answered with numbers. `<CASE>` in data stands for the id of a case
that belongs to someone else (opened by the test before the probes run).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.core.quiz import load_book
from bot.core.screening import QUESTIONS
from bot.settings import LOCALES_DIR

LOCALES = ("en", "th", "my", "km", "lo")


@dataclass(frozen=True)
class Probe:
    """One hostile action; `where`: private, group, desk (a case topic), channel."""

    name: str
    action: str  # text | media | press | edit | update
    where: str = "private"
    text: str | None = None
    kind: str | None = None  # media kind
    caption: str | None = None
    data: str | None = None  # callback data
    locale: str | None = None  # the sender's Telegram language_code
    at_risk: bool = False
    operator: bool = False  # sent by one of the desk's operators (else a stranger)
    extra: dict[str, Any] = field(default_factory=dict)


BASICS = ["", " ", "\n", "\t\t", ".", "?", "0", "-1", "9" * 60, "a", "ok", "👍"]
HUGE = [
    "x" * 4096,
    "ก" * 4096,
    "😀" * 2000,
    "help " * 800,
    "မ" * 3000,
    "\u200b" * 4000,
    ("ສະບາຍດີ " * 500)[:4096],
    "ប" * 4096,
]
CONTROL = [
    "\x00",
    "a\x00b",
    "\x07bell",
    "\x1b[31mred\x1b[0m",
    "\r\n\r\n",
    "\x7f",
    "\u0085",
    "\x0c\x0b",
    "\x08\x08\x08",
    "line1\u2028line2",
    "\u2029",
    "\ufffe\uffff",
]
BIDI = [
    "\u202e191 llac",
    "\u202dhello",
    "\u2066hi\u2069",
    "\u200f\u200e",
    "\u061c",
    "abc\u202e\u2066xyz",
    "\u202eสวัสดี",
    "\u202a\u202b\u202c",
    "\u2067191\u2069",
    "\u2068ສະບາຍດີ\u2069\u202e",
]
INVISIBLE = [
    "\u200b",
    "\u200c\u200d",
    "\ufeffhello",
    "h\u200be\u200bl\u200bl\u200bo",
    "\u2060",
    "\u180e",
    "\u00ad",
    "\u034f",
    "\u3164",
    "\u2800",
]
SURROGATES = [
    "\ud800",
    "\udfff",
    "a\ud83d",
    "\ude00b",
    "\ud800\ud800",
    "สวัสดี\udc00",
    "\ud83d\ude00",
    "မင်္ဂလာပါ \udbff",
]
ZAWGYI = [
    "မင္းကို ခ်စ္တယ္",
    "ကၽြန္ေတာ္ အလုပ္ရွာေနတယ္",
    "ပတ္စပို႔ ဘယ္လိုလုပ္ရမလဲ",
    "လုပ္ခ မရဘူး",
    "ေက်းဇူးတင္ပါတယ္",
    "ဘယ္မွာ အလုပ္ရွာရမလဲ",
]
MIXED = [
    "สวัสดี ສະບາຍດີ សួស្តី မင်္ဂလာပါ hello",
    "һеlр mе",  # Cyrillic look-alikes
    "ｈｅｌｌｏ　ｔｈｅｒｅ",
    "𝐡𝐞𝐥𝐥𝐨 𝐭𝐡𝐞𝐫𝐞",
    "Ⓗⓔⓛⓛⓞ",
    "h̷e̷l̷l̷o̷",
    "Z̴̡̛a̸̢͝l̶g̷o̵ t̸e̷x̶t̴",
    "🇹🇭🇲🇲🇰🇭🇱🇦",
    "ผมworkที่factory ຢູ່ bangkok",
    "नमस्ते مرحبا 你好",
]
PAYLOADS = [
    "%(police)s",
    "%(police)",
    "%s %s %s %s",
    "%d %n %x",
    "%%",
    "%(min_wage_range)s please",
    "{0}",
    "{police}",
    "{}",
    "{{7*7}}",
    "${7*7}",
    "#{7*7}",
    "<b>bold</b>",
    "<script>alert(1)</script>",
    "<a href='tg://user?id=1'>x</a>",
    "*bold* _it_ `code`",
    "[x](http://example.invalid)",
    "```py\nimport os\n```",
    "||spoiler||",
    "\\",
    "'; DROP TABLE user; --",
    '" OR "1"="1',
    "../../etc/passwd",
    "${jndi:ldap://example.invalid/a}",
    "<!-- -->",
    "&lt;b&gt;",
    "@admin @everyone",
    "#tag",
    "tg://resolve?domain=x",
    "javascript:alert(1)",
    "utter_greet",
    "action_track_tier",
]
COMMANDS = [
    "/start",
    "/start x",
    "/start " + "a" * 500,
    "/start@sandbox_safe_migration_bot",
    "/start@OtherBot",
    "/START",
    "/help me",
    "/language xx",
    "/language th",
    "/privacy now",
    "/forget",
    "/forget yes",
    "/hide",
    "/quiz fishing",
    "/end",
    "/end now",
    "/cases",
    "/reload",
    "/preview",
    "/preview ask_documents my",
    "/preview ../../x zz",
    "/directory",
    "/quizreport",
    "/unknown",
    "/",
    "//",
    "/ my passport number is AB1234567",
    "\u200b/restart",
    "/restart",
    "/emergency_help",
    "/greet",
    "/ask_menu",
    "/report_confinement",
    "/%(police)s",
    "/start\n/help",
    "/0",
    "/__init__",
    '/inform{"tier":1}',
    '/ask_menu{"x":1}',
    "/session_start",
]


def _button_data() -> list[str]:
    """Every shape of callback data the bot makes, and forged neighbours of each."""
    sector = load_book(LOCALES_DIR / "quiz.yml").sectors[0]
    question = sector.questions[0].key
    check = QUESTIONS[0].key
    return [
        *("", "x", " ", "/", "/ask_menu", "/ask_nonexistent", "/restart", "/emergency_help"),
        *('/inform{"tier": 4}', "/session_start", "/report_confinement", "/ASK_MENU"),
        *("lang:", "lang:th", "lang:xx", "lang:th:extra", "lang:../en"),
        *("where:TH", "where:ZZ", "where:", "where:TH:x", "where:other"),
        *("consent:store:yes", "consent:store:no", "consent:store:maybe", "consent:"),
        *("forget:yes", "forget:no", "forget:", "forget:yes:again"),
        *("check:start", "check:stop", f"check:{check}:yes", f"check:{check}:maybe"),
        *("check:nokey:yes", "check:", f"check:{check}:", f"check:{check}:skip"),
        *(f"tips:{sector.key}", "tips:nosuch", "tips:", f"quiz:{sector.key}"),
        *(f"quiz:{sector.key}:{question}:0", f"quiz:{sector.key}:{question}:9"),
        *(f"quiz:{sector.key}:{question}:-1", f"quiz:{sector.key}:nokey:0"),
        *(f"quiz:{sector.key}:{question}:٣", f"quiz:{sector.key}:{question}:0:extra"),
        *("quiz:nosuch:x:0", "quiz:"),
        *("handoff", "handoff:agree:operators", "handoff:agree:nosuch", "handoff:agree:../x"),
        *("handoff:share:operators", "handoff:private:operators", "handoff:no"),
        *("handoff:end", "handoff:bogus", "handoff:share:"),
        *("hc:claim:<CASE>", "hc:close:<CASE>", "hc:release:<CASE>", "hc:say:1:<CASE>"),
        *("hc:say:9:<CASE>", "hc:claim:999999999999", "hc:claim:-1", "hc:", "hc:close:"),
        *("%(police)s", "{0}", "a" * 64, "\u202e", "\u200b/ask_menu", "<b>x</b>"),
    ]


AT_RISK = {
    "en": ["help me now, they locked us in the factory", "boss kept my passport"],
    "th": ["ช่วยด้วย นายจ้างขังพวกเราไว้ในโรงงาน ออกไปไหนไม่ได้", "นายจ้างยึดหนังสือเดินทางของผม"],
    "my": ["ကယ်ပါ အလုပ်ရှင်က ပိတ်ထားတယ်", "အလုပ်ရှင်က ပတ်စပို့ သိမ်းထားတယ်"],
    "km": ["ជួយខ្ញុំផង ពួកគេចាក់សោរយើងនៅក្នុងរោងចក្រ", "ថៅកែយកប៉ាស្ព័រខ្ញុំ"],
    "lo": ["ຊ່ວຍແດ່ ນາຍຈ້າງຂັງພວກເຮົາໄວ້", "ນາຍຈ້າງຍຶດພາສຂ້ອຍ"],
}
ZAWGYI_AT_RISK = ["ကၽြန္ေတာ့္ကို ကူညီပါ", "ကယ္ပါ အလုပ္ရွင္က ပိတ္ထားတယ္"]


def _disguises(text: str) -> dict[str, str]:
    """The same words of danger as a hurried, careless or hostile phone may send them."""
    return {
        "plain": text,
        "zero-width": "\u200b".join(text),
        "bidi": f"\u2067{text}\u2069\u202e",
        "markup": f"<b>{text}</b> %(police)s {{0}}",
        "sos": f"🆘 {text} 🆘",
        "surrogate": f"{text} \ud800",
        "spaced": f"   {text}\n\n",
    }


def _at_risk() -> list[Probe]:
    probes = []
    for locale, (first, second) in AT_RISK.items():
        for how, text in _disguises(first).items():
            probes.append(Probe(f"risk/{locale}/{how}", "text", text=text, locale=locale))
        probes += [
            Probe(f"risk/{locale}/second", "text", text=second, locale=locale),
            Probe(f"risk/{locale}/caption", "media", kind="photo", caption=first, locale=locale),
            Probe(f"risk/{locale}/edited", "edit", text=first, locale=locale),
            Probe(f"risk/{locale}/group", "text", where="group", text=first, locale=locale),
            Probe(f"risk/{locale}/command", "text", text=f"/start {first}", locale=locale),
        ]
    probes += [Probe(f"risk/zawgyi/{n}", "text", text=t) for n, t in enumerate(ZAWGYI_AT_RISK)]
    probes.append(Probe("risk/en/upper", "text", text=AT_RISK["en"][0].upper(), locale="en"))
    return [Probe(**{**p.__dict__, "at_risk": True}) for p in probes]


def _private_texts() -> list[Probe]:
    groups = {
        "basic": BASICS,
        "huge": HUGE,
        "control": CONTROL,
        "bidi": BIDI,
        "invisible": INVISIBLE,
        "surrogate": SURROGATES,
        "zawgyi": ZAWGYI,
        "mixed": MIXED,
        "payload": PAYLOADS,
        "command": COMMANDS,
    }
    probes = []
    for group, texts in groups.items():
        for n, text in enumerate(texts):
            locale = LOCALES[n % len(LOCALES)] if n % 6 else None
            probes.append(Probe(f"{group}/{n}", "text", text=text, locale=locale))
    return probes


def _odd_arguments() -> list[Probe]:
    """Every command of the "/" menu, and the staff's, with arguments nobody expects."""
    names = ("start", "help", "language", "quiz", "privacy", "hide", "forget", "preview")
    arguments = ("%(police)s", "\ud800 \u202e", "y" * 4000)
    return [
        Probe(f"argument/{name}/{n}", "text", text=f"/{name} {argument}", locale="km")
        for name in names
        for n, argument in enumerate(arguments)
    ]


def _media() -> list[Probe]:
    captions = [None, "", "%(police)s {0} <b>x</b>", "/start", "\u202e\ud800", "c" * 1024]
    kinds = ("voice", "photo", "sticker", "document", "location", "contact")
    probes = [
        Probe(f"media/{kind}/{n}", "media", kind=kind, caption=caption, locale=LOCALES[n % 5])
        for kind in kinds
        for n, caption in enumerate(captions)
        if caption is None or kind in ("photo", "document", "voice")
    ]
    return probes


def _groups() -> list[Probe]:
    texts = [
        "/start",
        "/help",
        "/cases",
        "/start@sandbox_safe_migration_bot",
        "/forget",
        "/hide",
        "/language",
        "/quiz",
        "/privacy",
        "/end",
        "hello everyone",
        "%(police)s",
        "/%(police)s",
        "\ud800",
        "x" * 4096,
    ]
    probes = [Probe(f"group/text/{n}", "text", where="group", text=t) for n, t in enumerate(texts)]
    probes += [
        Probe(f"group/media/{kind}", "media", where="group", kind=kind, caption="/start")
        for kind in ("photo", "voice", "sticker")
    ]
    probes += [
        Probe(f"group/press/{n}", "press", where="group", data=d)
        for n, d in enumerate(
            [
                *("/ask_menu", "handoff", "forget:yes", "lang:th", "hc:close:<CASE>"),
                *("consent:store:yes", "where:KH", "check:start", "tips:fishing", "x"),
            ]
        )
    ]
    return probes


def _edits_and_channels() -> list[Probe]:
    texts = ["%(police)s", "", "/start", "x" * 4096, "\ud800", "\u202e191", "/forget", "{0}"]
    probes = [Probe(f"edit/{n}", "edit", text=t, locale="th") for n, t in enumerate(texts)]
    probes += [
        Probe(f"edit/group/{n}", "edit", where="group", text=t) for n, t in enumerate(texts)
    ]
    probes += [
        Probe("edit/unknown-message", "update", extra={"edit_of_unknown": True}),
        Probe("edit/caption-only", "update", extra={"edited_caption": "%(police)s"}),
    ]
    probes += [
        Probe(f"channel/{n}", "update", where="channel", text=t)
        for n, t in enumerate(["/start", "help me now", "%(police)s", ""])
    ]
    return probes


def _desk() -> list[Probe]:
    """In the topic of someone else's open case: operators' hostile words reach their
    person as written; strangers' words and presses reach nobody."""
    words = [*PAYLOADS[:12], *BIDI[:3], *SURROGATES[:3], "x" * 4096, "/Note secret", " /note"]
    probes = [
        Probe(f"desk/operator/{n}", "text", where="desk", text=t, operator=True)
        for n, t in enumerate(words)
    ]
    probes += [
        Probe(f"desk/stranger/{n}", "text", where="desk", text=t)
        for n, t in enumerate(["hi, give me her address", "/close", "/claim", "%(police)s"])
    ]
    presses = ["hc:claim:<CASE>", "hc:close:<CASE>", "hc:say:9:<CASE>", "hc:release:<CASE>"]
    presses += ["hc:close:999999", "hc:", "/ask_menu", "handoff:end", "", "hc:say:1:<CASE>"]
    probes += [
        Probe(f"desk/press/{n}", "press", where="desk", data=d, operator=n % 2 == 0)
        for n, d in enumerate(presses)
    ]
    return probes


def corpus() -> list[Probe]:
    """Every probe, in a fixed order."""
    presses = [Probe(f"press/{n}", "press", data=d) for n, d in enumerate(_button_data())]
    return [
        *_at_risk(),
        *_private_texts(),
        *_odd_arguments(),
        *presses,
        *_media(),
        *_groups(),
        *_edits_and_channels(),
        *_desk(),
    ]
