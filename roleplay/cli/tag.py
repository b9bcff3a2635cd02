"""``roleplay tag``: placeholder module, owned by the tagger work."""
