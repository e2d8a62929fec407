"""ozgwiki.engine: running bots: the sync engine, the bot contract, the cron runner, its lock, switch, state
and safety rails.

Layer rules: docs/architecture.md (enforced by tests/unit/test_layers.py).
"""
