"""Message ids the bot itself says (the engine's live in domain.yml); English is the source."""

from __future__ import annotations

from bot.i18n import N_

ENGINE_DOWN = N_(
    "Sorry, I can't answer properly right now.\n\n"
    "If you are in danger, call the police: %(police)s\n"
    "Medical emergency: %(medical)s\n"
    "Both are free and open 24 hours.\n\n"
    "Please write to me again in a few minutes."
)
NOT_UNDERSTOOD = N_(
    "Sorry, I didn't quite get that. Could you say it another way, or pick a topic from the menu?"
)
MENU_BUTTON = N_("Menu")
CHOOSE_LANGUAGE = N_("Which language would you like me to use?")
LANGUAGE_SET = N_("Okay! From now on I will write in English.")
BUTTON_EXPIRED = N_("That button doesn't work any more. Here is the menu again.")
GROUP_ONLY_PRIVATE = N_(
    "I only talk in private chats, so that what you tell me stays between us. "
    "Tap my name and press Start to talk with me."
)
# a staff command (/cases) from someone who is not staff
STAFF_ONLY = N_(
    "That command is only for the team that runs this chat. I'm here for you with "
    "everything else: ask me anything, or pick a topic from the menu."
)
VOICE = N_(
    "I can't listen to voice messages yet, sorry. Could you type your question? "
    "A few words are enough."
)
PHOTO = N_("I can't look at pictures yet. Please tell me in words what you need.")
STICKER = N_("😊 Write me a question whenever you are ready.")
DOCUMENT = N_("I can't open files yet. Please tell me in words what you need.")
LOCATION = N_("I don't keep or use locations. Please tell me in words what you need help with.")
CONTACT = N_(
    "I don't use contact cards. If someone you know needs help, tell me about it in words."
)
OTHER_MEDIA = N_("I can only read text for now. Please type your question.")
# fairness (bot/core/fairness.py): said once to someone sending too much at once
SLOW_DOWN = N_(
    "You're sending me many messages at once, so I skipped some of them. Please wait for "
    "my answer, then send your question again, one message at a time.\n"
    "If you are in danger now, call the police: %(police)s"
)
COMMAND_START = N_("Start the conversation")
COMMAND_HELP = N_("What I can help with")
COMMAND_LANGUAGE = N_("Change the language")
COMMAND_QUIZ = N_("Quick quiz: test what you know")

# the engine's tier replies (domain.yml utter_tier1, utter_tier1_next, utter_tier2), which
# the bot also sends by itself when the safety net fires or the engine is down.
# tests/unit/test_safety_net.py keeps these identical to the domain.
TIER1 = N_(
    "I'm here with you.\n"
    "Your safety comes first. If you are in danger now, please call:\n\n"
    "🚓 Police: %(police)s\n"
    "🚑 Medical emergency: %(medical)s\n"
    "🧒 Under 18: Childline %(childline)s\n\n"
    "In Cambodia: police %(kh_police)s\n"
    "These calls are free, 24 hours a day."
)
TIER1_NEXT = N_(
    "You don't have to tell me anything you don't want to. When you can, tap below for "
    "people who can help in your language."
)
TIER2 = N_(
    "I'm here with you.\n"
    "Thank you for telling me. What you describe can be a sign of a serious problem, and you "
    "have the right to get help. In Thailand, no employer or agent may keep a worker's "
    "passport or work permit: that is against the law.\n\n"
    "People who can help, free and 24 hours a day:\n"
    "☎️ Issara Institute: Burmese %(issara_my)s · Khmer %(issara_km)s · Lao and Thai "
    "%(issara_lo)s\n"
    "☎️ Government help centre for trafficking and forced labour (Thai language): %(msdhs)s\n\n"
    "If you are in danger now, call the police: %(police)s"
)
HOTLINES_BUTTON = N_("Numbers to call for help")
# domain.yml utter_hotlines: with the engine down the bot cannot tell a greeting from a
# disclosure, so the floor carries the hotlines as well as the emergency numbers.
HOTLINES_LIST = N_(
    "People who can help you, for free:\n\n"
    "🚓 Police: %(police)s · 🚑 Medical emergency: %(medical)s (24 hours)\n"
    "☎️ Issara Institute, 24 hours: Burmese %(issara_my)s · Khmer %(issara_km)s · "
    "Lao and Thai %(issara_lo)s\n"
    "☎️ Government help centre for trafficking and abuse: %(msdhs)s (24 hours, Thai language)\n"
    "☎️ Migrant worker hotline: %(doe)s (Burmese, Khmer, English; office hours)\n"
    "☎️ Labour hotline: %(dlpw)s (Ministry of Labour)\n"
    "🧒 Under 18: Childline %(childline)s\n\n"
    "In Cambodia: police %(kh_police)s · Child Helpline %(kh_childline)s"
)
SHARE_BUTTON = N_("Share with a friend")
SHARE_CARD = N_(
    "Know someone who works in Thailand or plans to? Forward this message to them. "
    "This chat is free, private, and answers in Thai, Burmese, Khmer, Lao and English: "
    "%(bot_link)s"
)

# staff tools (users listed in STAFF_IDS)
RELOAD_OK = N_(
    "Content reloaded: %(messages)s messages in 5 languages, safety net and facts. "
    "Users see the new text from their next message."
)
RELOAD_REFUSED = N_(
    "Reload refused: the content has problems, so the old content stays live. "
    "Fix these and try again:\n%(problems)s"
)
PREVIEW_USAGE = N_(
    "Preview a topic as users see it: /preview <topic> <language>\n"
    "Languages: en th my km lo\nTopics: %(topics)s"
)
QUIZ_REPORT = N_(
    "Quiz: share of right answers before -> after the sector's tips, per language "
    "(groups of fewer than 5 people hidden):\n\n%(lines)s"
)
CONSOLE_LINK = N_(
    "Your staff console link. It opens the console once, within 10 minutes; "
    "do not pass it on:\n%(link)s"
)
DIRECTORY_STATUS = N_(
    "Hotline directory at %(now)s (Bangkok time):\n\n%(lines)s\n\n"
    "✅ open now · ⏸ closed now · ❔ hours unknown · ⚠️ last verified over 90 days ago"
)
OPTIONS_BUTTON = N_("What can I do? Options and risks")
OPTIONS = N_(
    "You decide what happens next. Your options:\n\n"
    "☎️ An NGO such as Issara Institute (%(issara_my)s Burmese · %(issara_km)s Khmer · "
    "%(issara_lo)s Lao and Thai, 24 hours) can listen, explain your rights and, only if you "
    "agree, contact the authorities for you.\n"
    "☎️ The government help centre %(msdhs)s (24 hours, Thai language) takes reports of "
    "trafficking and forced labour.\n"
    "🚓 The police (%(police)s) are for immediate danger. If you have no valid papers, going "
    "to the police yourself can lead to arrest; an NGO can go with you or speak for you.\n\n"
    "Nobody is contacted about you unless you say so."
)

# routed replies (bot/core/routing.py): %(lines)s is the list chosen for this user by tier,
# language, place, age and the hour. The fixed texts above stay the last resort when the
# directory is unreadable.
# domain.yml utter_tier3, recognised in the engine's answer and replaced by its routed form
TIER3 = N_(
    "I'm here with you.\n"
    "That sounds really hard, and you have rights at work. Two things help:\n\n"
    "📝 Keep records: photos of pay slips and your contract, the hours you work, messages "
    "from the boss or agent.\n"
    "☎️ Ask for free advice: Labour hotline %(dlpw)s (Ministry of Labour) · Migrant worker "
    "hotline %(doe)s (Burmese, Khmer, English; office hours) · Issara Institute, 24 hours: "
    "Burmese %(issara_my)s · Khmer %(issara_km)s · Lao and Thai %(issara_lo)s"
)
ROUTED_TIER1 = N_(
    "I'm here with you.\n"
    "Your safety comes first. If you are in danger now, please call:\n\n%(lines)s"
)
# no line works where the person is: %(lines)s says so, then gives the lines in their
# language that someone in Thailand can call for them (bot/core/routing.py)
ROUTED_TIER1_ELSEWHERE = N_(
    "I'm here with you.\n"
    "Your safety comes first. If you can, ask someone you trust nearby for help now.\n\n"
    "%(lines)s"
)
# the floor (the engine is down or slow) with the emergency lines for where the person is
ROUTED_ENGINE_DOWN = N_(
    "Sorry, I can't answer properly right now. Please write to me again in a few minutes.\n\n"
    "If you are in danger now, please call:\n%(lines)s"
)
ROUTED_TIER2 = N_(
    "I'm here with you.\n"
    "Thank you for telling me. What you describe can be a sign of a serious problem, and you "
    "have the right to get help. In Thailand, no employer or agent may keep a worker's "
    "passport or work permit: that is against the law.\n\n"
    "People who can help, for free:\n%(lines)s"
)
ROUTED_CHILD = N_(
    "I'm here with you.\n"
    "Thank you for telling me. Young people under 18 have extra protection: nobody under 15 "
    "may work, and nobody under 18 may do dangerous work such as on fishing boats, in bars "
    "or at night.\n\nFree help for children and young people:\n%(lines)s"
)
ROUTED_TIER3 = N_(
    "I'm here with you.\n"
    "That sounds really hard, and you have rights at work. Two things help:\n\n"
    "📝 Keep records: photos of pay slips and your contract, the hours you work, messages "
    "from the boss or agent.\n"
    "☎️ Ask for free advice:\n%(lines)s"
)
ROUTED_HOTLINES = N_("People who can help you, for free:\n\n%(lines)s")
CHILD_NOTED = N_(
    "I'm here with you.\n"
    "Thank you for telling me. Young people under 18 have extra protection, and these free "
    "lines are there for you:\n\n%(lines)s\n\nYou can tell me more, or tap Menu."
)
WHERE_ASK = N_(
    "Where are you now? Tap one, so I can give you numbers that work there. "
    "You don't have to answer."
)
WHERE_CHANGE = N_("I'm somewhere else")
WHERE_THAILAND = N_("Thailand")
WHERE_MYANMAR = N_("Myanmar")
WHERE_CAMBODIA = N_("Cambodia")
WHERE_LAOS = N_("Laos")
WHERE_OTHER = N_("Somewhere else")
HANDOFF_BUTTON = N_("Talk to a person")
CHECK_OFFER = N_(
    "If you want, I can ask you up to 5 short yes/no questions, to understand what help "
    "fits you. You can skip any question or stop at any time."
)
CHECK_START = N_("Ask me the questions")
CHECK_YES = N_("Yes")
CHECK_NO = N_("No")
CHECK_SKIP = N_("I don't want to answer")
CHECK_STOP = N_("Stop")
CHECK_STOPPED = N_(
    "Okay, we stop here. You can come back any time; the numbers are always in the Menu."
)
CHECK_DONE_SIGNS = N_(
    "I'm here with you.\n"
    "Thank you for answering. Some of what you told me can be a sign of forced labour. Only "
    "an expert can say what your situation is; these free lines can listen and check it "
    "with you:\n\n%(lines)s"
)
CHECK_DONE = N_(
    "Thank you for answering. If anything changes, or you want to talk it through, these "
    "free lines are there for you:\n\n%(lines)s"
)
# before the options card for a person outside Thailand: its numbers do not work there
OPTIONS_ABROAD = {
    "MM": N_(
        "You told me you are in Myanmar. The options below are for people in Thailand, and "
        "their numbers work only from a phone there. Someone you trust in Thailand can call "
        "them for you."
    ),
    "KH": N_(
        "You told me you are in Cambodia. The options below are for people in Thailand, and "
        "their numbers work only from a phone there. Someone you trust in Thailand can call "
        "them for you."
    ),
    "LA": N_(
        "You told me you are in Laos. The options below are for people in Thailand, and "
        "their numbers work only from a phone there. Someone you trust in Thailand can call "
        "them for you."
    ),
    "other": N_(
        "You told me you are outside Thailand. The options below are for people in Thailand, "
        "and their numbers work only from a phone there. Someone you trust in Thailand can "
        "call them for you."
    ),
}
OPTIONS_MYANMAR = N_(
    "About Myanmar government offices (the embassy and labour attachés): since 2021 they "
    "are run by the military government. They are one option, never the only one; many "
    "workers go to an NGO first. You choose."
)
OPTIONS_CAMBODIA = N_(
    "👉 Good to know:\n"
    "The Cambodian embassy in Bangkok can help with passports and documents. In Cambodia, "
    "the police hotline %(kh_police)s takes reports of people held against their will."
)
OPTIONS_LAOS = N_(
    "The Lao embassy in Bangkok can help with passports and documents. In Laos, the Lao "
    "Women's Union hotline %(la_women)s helps women and children."
)
