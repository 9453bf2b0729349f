"""LLM backends: a LangChain chat model chosen by a "provider:model" string.

- `openai:gpt-4o-mini`, `anthropic:claude-sonnet-4-5`, `ollama:llama3.1`, or any other
  provider LangChain's `init_chat_model` knows (its integration package must be installed).
- Any OpenAI-compatible server (vLLM, llama.cpp server, LM Studio) through
  `Settings.llm_base_url`: the spec's model name is sent as is, no API key is needed.
- `local:PATH` runs a model in-process with transformers (`reviewer.llm.local`).
- `fake:NAME` is `reviewer.llm.fake.FakeChatModel`, replying from a queue, for demos and tests.

Every provider reviewer knows by name is one row of `PROVIDERS`; other names go to LangChain.
Rate limits and transient server errors are retried by the provider clients themselves
(`max_retries`, exponential backoff honouring Retry-After); `complete` turns whatever still
fails into one `LLMError` line a person can act on.
"""

from __future__ import annotations

import re
import threading
from typing import Any, Callable, Optional

from reviewer.llm.errors import LLMError, describe_model, to_llm_error
from reviewer.llm.messages import message_text
from reviewer.settings import Settings

_PROVIDER = re.compile(r"^([a-z][a-z0-9_-]*):(.+)$")


def parse_spec(spec: str) -> tuple[Optional[str], str]:
    """Split "provider:model" into (provider, model); a bare model name gives (None, model).

    Only the first colon separates, so `ollama:llama3.1:8b` keeps its tag; a prefix that is
    not a plain lower-case name (`llama3.1:8b`) is part of a bare model name.
    """
    spec = spec.strip()
    match = _PROVIDER.match(spec)
    if match and "." not in match.group(1):
        return match.group(1), match.group(2).strip()
    return None, spec


def _init(model: str, provider: Optional[str], kwargs: dict):
    try:
        from langchain.chat_models import init_chat_model

        return init_chat_model(model, model_provider=provider, **kwargs)
    except ImportError as exc:
        package = f"langchain-{(provider or 'openai').replace('_', '-')}"
        raise LLMError(f"the LLM provider '{provider}' needs the package {package}: pip install {package} ({exc})") from None
    except ValueError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        if provider is None:
            raise LLMError(f"cannot tell the provider of LLM '{model}': write PROVIDER:MODEL, e.g. openai:gpt-4o-mini, "
                           f"ollama:llama3.1, local:/path/model.gguf ({first})") from None
        raise LLMError(f"cannot set up LLM '{provider}:{model}': {first}") from None


def _common(settings: Settings) -> dict[str, Any]:
    return {"temperature": settings.llm_temperature, "timeout": settings.llm_timeout,
            "max_retries": settings.llm_max_retries, "max_tokens": settings.llm_max_tokens}


def _local(model: str, settings: Settings):
    from reviewer.llm.local import LocalChatModel, resolve_local_path

    resolve_local_path(model)  # fail now, with the path named, rather than at the first question
    return LocalChatModel(path=model, max_new_tokens=settings.llm_max_tokens, temperature=settings.llm_temperature)


def _fake(model: str, settings: Settings):
    from reviewer.llm.fake import FakeChatModel

    return FakeChatModel(replies=[], model_name=model)


def _ollama(model: str, settings: Settings):
    kwargs: dict[str, Any] = {"temperature": settings.llm_temperature, "num_predict": settings.llm_max_tokens,
                              "client_kwargs": {"timeout": settings.llm_timeout}}
    if settings.llm_base_url:
        kwargs["base_url"] = settings.llm_base_url
    return _init(model, "ollama", kwargs)


def _keyed(provider: str) -> Callable[[str, Settings], Any]:
    """A hosted provider that needs an API key (the setting, or the provider's own variable)."""

    def build(model: str, settings: Settings):
        kwargs = _common(settings)
        if provider == "openai" and settings.llm_base_url:
            # An OpenAI-compatible server: chat completions (not the Responses API), and a key only if one is set.
            key = settings.api_key("openai") or "not-needed"
            return _init(model, "openai", {**kwargs, "base_url": settings.llm_base_url, "api_key": key,
                                           "use_responses_api": False})
        key = settings.api_key(provider)
        if not key:
            hint = "pass --llm-base-url for a local server" if provider == "openai" else "set REVIEWER_LLM_API_KEY"
            raise LLMError(f"{Settings.API_KEY_VARIABLES[provider]} is not set: export it or {hint}")
        kwargs["api_key"] = key
        if settings.llm_base_url:
            kwargs["base_url"] = settings.llm_base_url
        return _init(model, provider, kwargs)

    return build


#: The providers reviewer knows by name: name -> builder(model, settings).
PROVIDERS: dict[str, Callable[[str, Settings], Any]] = {
    "local": _local,
    "fake": _fake,
    "ollama": _ollama,
    "openai": _keyed("openai"),
    "anthropic": _keyed("anthropic"),
}


def make_chat_model(spec: str, settings: Settings):
    """Build the LangChain chat model an LLM spec names.

    Args:
        spec: "provider:model" (see the module docstring), or a bare model name when
            `settings.llm_base_url` points at an OpenAI-compatible server.
        settings: supplies llm_base_url, llm_api_key, llm_timeout, llm_max_retries,
            llm_temperature and llm_max_tokens.

    Returns:
        A `langchain_core.language_models.BaseChatModel`.

    Raises:
        LLMError: a missing API key, an unknown provider, a provider package that is not
            installed, or a local model path that holds no model.
    """
    provider, model = parse_spec(spec)
    if not model:
        raise LLMError(f"LLM spec '{spec}' names no model: write PROVIDER:MODEL, e.g. openai:gpt-4o-mini")
    if provider is None and settings.llm_base_url:
        provider = "openai"
    if provider in PROVIDERS:
        return PROVIDERS[provider](model, settings)
    return _init(model, provider, _common(settings))


def _invoke_within(model, messages: list, seconds: float):
    """`model.invoke(messages)`, abandoned after `seconds` in all (retries and backoff included).

    Provider clients apply their timeout to each attempt, so a server that never answers
    would cost timeout x (retries + 1); the deadline here bounds the whole wait. An abandoned
    call finishes in a daemon thread that never holds up the process.
    """
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["reply"] = model.invoke(messages)
        except BaseException as exc:  # handed to the caller's thread
            outcome["error"] = exc

    worker = threading.Thread(target=run, name="llm-call", daemon=True)
    worker.start()
    worker.join(seconds)
    if worker.is_alive():
        raise TimeoutError(f"no reply within {seconds:g} s")
    if "error" in outcome:
        raise outcome["error"]
    return outcome["reply"]


def complete(model, messages: list, settings: Optional[Settings] = None) -> str:
    """Send messages to a chat model and return the text of its reply.

    With settings, the whole call (every retry included) ends after `settings.llm_timeout` seconds.

    Raises:
        LLMError: the model could not be reached, timed out, was rate-limited past its
            retries, rejected the key, or sent something that is not a reply.
    """
    try:
        reply = _invoke_within(model, messages, settings.llm_timeout) if settings else model.invoke(messages)
    except LLMError:
        raise
    except Exception as exc:  # provider clients raise many types; each becomes one actionable line
        raise to_llm_error(exc, model, settings) from exc
    content = getattr(reply, "content", reply)
    if not isinstance(content, (str, list)):
        raise LLMError(f"the LLM {describe_model(model)} sent a reply that is not text ({type(content).__name__})")
    return message_text(reply)


def resolve_llm(llm, settings: Settings):
    """(chat model or None, its label) from an argument that is None (use the settings), a spec or a model."""
    spec = settings.llm if llm is None else llm
    if spec is None:
        return None, None
    if isinstance(spec, str):
        return make_chat_model(spec, settings), spec
    return spec, describe_model(spec)
