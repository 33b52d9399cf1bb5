"""Text helpers shared by the NLU pipeline and the gateway."""
