"""The supervisor's dashboard figures, for the console and ``python -m bot report``."""
