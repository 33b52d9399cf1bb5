"""Rasa dialogue policies of the project (the escalation policy)."""
