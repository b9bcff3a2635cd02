"""Start the web app: ``python app.py`` (settings from ROLEPLAY_* environment variables or .env)."""

from __future__ import annotations

import gc
import importlib.util
import os
import sys

# Gradio must not reach outside hosts at launch (school networks, privacy). Nor rebuild its monitoring
# summary (a pandas table of up to 10,000 past events) after every event: no page of ours shows it, and
# with a class chatting it cost more CPU than our own chat pipeline.
for _name, _value in (
    ("GRADIO_ANALYTICS_ENABLED", "False"),
    ("HF_HUB_OFFLINE", "1"),
    ("DO_NOT_TRACK", "1"),
    ("GRADIO_ANALYTICS_CACHE_FREQUENCY", str(10**9)),
):
    os.environ.setdefault(_name, _value)
# Gradio tries `import matplotlib` twice around every event; without matplotlib each try searches the
# whole import path (about 5% of the app's CPU with a class chatting). Make the missing module fail fast.
if importlib.util.find_spec("matplotlib") is None:
    sys.modules["matplotlib"] = None  # type: ignore[assignment]  # `import matplotlib` raises ImportError at once


def main() -> None:
    """Build the app from settings and serve it."""
    from roleplay.cli.local import prepare_local_model
    from roleplay.llm import local_mode_line
    from roleplay.settings import load_settings
    from roleplay.ui.app import build_app, launch

    settings = load_settings()
    if not prepare_local_model(settings, settings.language):  # in local mode: assembled once, with a progress bar
        raise SystemExit(2)
    demo = build_app(settings)
    print(f"roleplay: http://{settings.host}:{settings.port}  (library: {settings.library_dir})")
    if settings.mode == "local":
        print(local_mode_line(settings, settings.language))
    # What is built so far (Gradio's blocks, the library, the modules) lives as long as the app, and every
    # full pass of the garbage collector walked all of it, holding the event loop 370-390 ms each time, four
    # times in a class's 10-turn chats (bench/class_load.py: overhead p95 227-382 ms before, 76-147 ms after,
    # over runs on a 2-core machine). Frozen, it is left out of the passes; objects freed by their reference
    # count still go at once.
    gc.collect()
    gc.freeze()
    launch(demo, settings)


if __name__ == "__main__":
    main()
