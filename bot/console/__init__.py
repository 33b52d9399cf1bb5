"""The agents' console beyond the handoff itself: canned replies and etiquette review."""
