"""ozgwiki.wiki: the client: the only code that talks to a wiki (transport, retry, the site, its value types).

Layer rules: docs/architecture.md (enforced by tests/unit/test_layers.py).
"""
