"""The bench: ``make bench`` (``python -m bench``, :mod:`bench.run`) measures ozgwiki side by side with a
bare ``requests`` loop, mwclient and pywikibot, and on the real catalogue, and writes docs/benchmarks.md.

Results are printed and written, never asserted: speed is measured here, not in the test suite, so a
slow CI machine cannot make a test flaky. The bench runs in its own environment (``.venv-bench``) because
pywikibot must not enter the project's.
"""
