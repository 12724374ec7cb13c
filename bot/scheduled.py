"""What the scheduler asks of the core, and all it may ask: a schedule's rule and the
prompts it draws from, the prompt as posted, and a reflection thread's timed work (its
close, its next question, its reminder, an anonymous post cut short, its transcripts taken
back), and a reflection series' due slots and the reflection each opens. The scheduler
decides when; these say what, and post through the outbound port."""

from __future__ import annotations

from bot.handlers.prompts import ROTATION, prompt_reply
from bot.handlers.schedules import prompt_pool, state_of
from bot.reflect.closing import close, withdraw_transcripts
from bot.reflect.contributions import post_unposted
from bot.reflect.follow_up import post_due as post_follow_ups
from bot.reflect.opening import ask_next, remind
from bot.series import Due, due_openings, open_reflection

__all__ = [
    "ROTATION",
    "Due",
    "ask_next",
    "close",
    "due_openings",
    "open_reflection",
    "post_follow_ups",
    "post_unposted",
    "prompt_pool",
    "prompt_reply",
    "remind",
    "state_of",
    "withdraw_transcripts",
]
