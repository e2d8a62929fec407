"""ozgwiki.domain: the domain: frozen dataclasses, vocabularies, LeiKa keys and the page title scheme. Pure.

Layer rules: docs/architecture.md (enforced by tests/unit/test_layers.py).
"""
