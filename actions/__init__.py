"""Rasa SDK actions: thin translators between the tracker and ``bot.answers``.

``rasa run actions --actions actions`` imports every module of this package and registers
the Action subclasses it finds; nothing here does work at import time.
"""
