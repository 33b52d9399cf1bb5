"""What the assistant answers on each topic, decided from the shop's data.

Each topic is a pure function ``(shop, facts) -> Outcome``: which response templates to
send with which values, which slots to correct, and which fact is still missing. Actions
in ``actions/`` only translate between Rasa's tracker and these functions.
"""

from bot.answers.common import Facts, Outcome, Reply
from bot.answers.topics import TOPICS, answer_topic

__all__ = ["TOPICS", "Facts", "Outcome", "Reply", "answer_topic"]
