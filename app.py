"""Start the web app: ``python app.py`` (settings from ROLEPLAY_* environment variables or .env)."""

from __future__ import annotations

import os

# Gradio must not reach outside hosts at launch (school networks, privacy).
for _name, _value in (("GRADIO_ANALYTICS_ENABLED", "False"), ("HF_HUB_OFFLINE", "1"), ("DO_NOT_TRACK", "1")):
    os.environ.setdefault(_name, _value)


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
    launch(demo, settings)


if __name__ == "__main__":
    main()
