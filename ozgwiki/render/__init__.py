"""ozgwiki.render: catalogue + definitions -> wikitext: page plans, facts, overview tables, the roadmap, the
maintenance report. Pure.

Layer rules: docs/architecture.md (enforced by tests/unit/test_layers.py).
"""
