"""Transcripts for review: readings of buyer lines, redaction, retention and export."""
