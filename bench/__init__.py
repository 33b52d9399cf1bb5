"""Benchmarks for 小店助手: scripts that print figures (run them, they are not tests)."""
