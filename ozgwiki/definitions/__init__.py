"""ozgwiki.definitions: what the wiki is made of: the semantic/ and templates/ definitions, variants, deploy
rules, what each template stores, and which pages the bot may write. Pure (reads package data).

Layer rules: docs/architecture.md (enforced by tests/unit/test_layers.py).
"""
