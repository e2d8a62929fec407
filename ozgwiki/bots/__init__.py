"""The bots: one small module per bot, each mostly declarations on top of ozgwiki.engine.sync."""
