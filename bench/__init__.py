"""Benchmarks: ``python -m bench`` runs every ``bench/*.py`` module that has ``run() -> list[Row]``.

Results are printed, never asserted: speed is measured here, not in the test suite, so a slow CI
machine cannot make a test flaky.
"""
