"""The trainer's loop: NLU data files, checks, training, evaluation and activation."""
