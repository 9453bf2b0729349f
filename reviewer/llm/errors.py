"""LLM errors: every provider failure becomes one `LLMError` line a person can act on."""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional

from reviewer.errors import ReviewerError

if TYPE_CHECKING:
    from reviewer.settings import Settings

_DEFAULT_URLS = {"openai": "https://api.openai.com/v1", "anthropic": "https://api.anthropic.com",
                 "ollama": "http://127.0.0.1:11434"}


class LLMError(ReviewerError):
    """An LLM could not be set up or did not answer; the message is one line saying what to do."""


def describe_model(model) -> str:
    """A "provider:model" label for a chat model instance (what `Answer.llm` records)."""
    label = getattr(model, "spec", None)
    if isinstance(label, str) and label:
        return label
    try:
        params = model._get_ls_params()
        provider, name = params.get("ls_provider"), params.get("ls_model_name")
        if provider and name:
            return f"{provider}:{name}"
    except Exception:  # a third-party model without LangSmith params: fall back to its type name
        pass
    name = getattr(model, "model_name", None) or getattr(model, "model", None)
    return f"{type(model).__name__}:{name}" if name else type(model).__name__


def server_url(model) -> str:
    """The base URL a chat model talks to (its provider's default when none was set)."""
    for attribute in ("openai_api_base", "anthropic_api_url", "base_url"):
        value = getattr(model, attribute, None)
        if isinstance(value, str) and value:
            return value.rstrip("/")
    label = describe_model(model).split(":", 1)[0]
    return _DEFAULT_URLS.get(label, f"the {label} server")


def _names(exc: BaseException) -> set[str]:
    return {cls.__name__ for cls in type(exc).__mro__}


def _chain(exc: BaseException) -> str:
    """The messages of an exception and its causes, lower-cased, to spot 'refused' or 'json'."""
    parts, seen = [], 0
    while exc is not None and seen < 6:
        parts.append(f"{type(exc).__name__} {exc}")
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return " ".join(parts).lower()


def to_llm_error(exc: BaseException, model, settings: Optional[Settings] = None) -> LLMError:
    """Turn a provider's exception into one actionable line."""
    names, text, url = _names(exc), _chain(exc), server_url(model)
    retries = settings.llm_max_retries if settings else None
    tries = f" after {retries} retries" if retries else ""
    if names & {"APITimeoutError", "TimeoutException", "ReadTimeout", "ConnectTimeout", "TimeoutError"}:
        limit = f"{settings.llm_timeout:g} s" if settings else "the time limit"
        return LLMError(f"the LLM server at {url} did not answer within {limit}{tries}: "
                        "raise REVIEWER_LLM_TIMEOUT or check the server")
    if names & {"APIConnectionError", "ConnectError", "ConnectionError"}:
        reason = "connection refused" if "refused" in text else str(exc).strip().splitlines()[0] if str(exc).strip() else "no connection"
        return LLMError(f"cannot reach the LLM server at {url}: {reason}")
    if "AuthenticationError" in names or "PermissionDeniedError" in names:
        return LLMError(f"the LLM server at {url} rejected the API key: check REVIEWER_LLM_API_KEY or the provider's variable")
    if "RateLimitError" in names:
        return LLMError(f"the LLM server at {url} is rate-limiting requests{tries}: wait and retry, "
                        "or raise REVIEWER_LLM_MAX_RETRIES")
    if "NotFoundError" in names:
        return LLMError(f"the LLM server at {url} does not know model '{describe_model(model).split(':', 1)[-1]}': check the spec")
    if (names & {"APIResponseValidationError", "JSONDecodeError"}
            or any(w in text for w in ("json", "model_dump", "unexpected response type", "choices"))):
        return LLMError(f"the LLM server at {url} sent a malformed reply (not an OpenAI-style JSON body): "
                        "check --llm-base-url points at the API (usually ending in /v1)")
    status = getattr(exc, "status_code", None)
    first = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else ""
    if status:
        return LLMError(f"the LLM server at {url} answered HTTP {status}: {first}")
    return LLMError(f"the LLM {describe_model(model)} failed: {type(exc).__name__}: {first}")
