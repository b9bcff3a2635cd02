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
    # The garbage collector's full passes held the event loop with a class chatting (bench/class_load.py,
    # measured with gc.callbacks): 370-390 ms each, every 8-10 s, walking everything built at start (Gradio's
    # blocks, the library, the modules), which lives as long as the app. Frozen, that is left out of the
    # passes (they took 50-80 ms), and a full pass now waits for 100 younger passes instead of 10 (about every
    # 75 s instead of 9 s). Objects freed by their reference count still go at once. Overhead p95 of the
    # bench: 227-382 ms before; 76-183 ms with the freeze alone; 52-101 ms with both (5 runs).
    gc.collect()
    gc.freeze()
    young, middle, _ = gc.get_threshold()
    gc.set_threshold(young, middle, 100)
    launch(demo, settings)


if __name__ == "__main__":
    main()
