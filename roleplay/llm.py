"""The one way to reach a model: a LangChain chat model built from settings.

Only this module imports a provider SDK. Business code receives the model it returns; tests pass
fake chat models instead.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from roleplay.settings import Settings

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

ModelRole = Literal["customer", "grader"]


def chat_model(settings: Settings, role: ModelRole) -> BaseChatModel | None:
    """The chat model for ``role``, or None in offline mode.

    Any OpenAI-compatible endpoint works (OpenAI, DeepSeek, Qwen/DashScope, Zhipu, Moonshot, vLLM,
    Ollama, llama.cpp server). Retries with backoff on rate limits, server errors and timeouts are
    done by the OpenAI client (``max_retries``).
    """
    if settings.mode == "offline":
        return None
    from langchain_openai import ChatOpenAI

    key = settings.api_key.get_secret_value() if settings.api_key else "not-needed"
    return ChatOpenAI(
        model=settings.customer_model if role == "customer" else settings.grader,
        base_url=settings.base_url,
        api_key=key,
        temperature=settings.temperature if role == "customer" else 0.0,
        timeout=settings.timeout_seconds,
        max_retries=settings.max_retries,
        streaming=role == "customer",
        use_responses_api=False,
    )


def model_label(settings: Settings, role: ModelRole) -> str:
    """What to record as the model of a session or report: the model name, or ``offline``."""
    if settings.mode == "offline":
        return "offline"
    return settings.customer_model if role == "customer" else settings.grader
