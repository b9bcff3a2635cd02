"""Our own YAML data files (messages, prompts' data, phrase banks), parsed with libyaml when installed.

PyYAML's pure-Python parser takes about 250 ms for ``locales/messages.yaml`` on a 2-core machine;
the first report or page that needs a text held the event loop that long (in a batch, every judge
call in flight waited for it). libyaml, which PyYAML's wheels ship, takes about 25 ms.
"""

from __future__ import annotations

from typing import Any

import yaml

SafeLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(text: str) -> Any:
    """The data in ``text`` (plain YAML: mappings, lists, strings, numbers)."""
    return yaml.load(text, Loader=SafeLoader)  # a safe loader, libyaml's when there is one
