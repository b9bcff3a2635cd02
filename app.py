"""Start the web app: ``python app.py`` (settings from ROLEPLAY_* environment variables or .env)."""

from __future__ import annotations

import os

# Gradio must not reach outside hosts at launch (school networks, privacy).
for _name, _value in (("GRADIO_ANALYTICS_ENABLED", "False"), ("HF_HUB_OFFLINE", "1"), ("DO_NOT_TRACK", "1")):
    os.environ.setdefault(_name, _value)


def main() -> None:
    """Build the app from settings and serve it."""
    from roleplay.settings import load_settings
    from roleplay.ui.app import build_app, launch

    settings = load_settings()
    demo = build_app(settings)
    print(f"roleplay: http://{settings.host}:{settings.port}  (library: {settings.library_dir})")
    launch(demo, settings)


if __name__ == "__main__":
    main()
