"""``roleplay validate|list|show``."""
