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
COMMAND_START = N_("Start the conversation")
COMMAND_HELP = N_("What I can help with")
COMMAND_LANGUAGE = N_("Change the language")
