"""A fast embedding backend: the sentence-transformers model run by ONNX Runtime, int8-quantised.

At first use the installed model is exported to ONNX with `torch.onnx.export` and its weights
quantised to int8 with `onnxruntime.quantization.quantize_dynamic`; the result is cached under
the user's cache directory (`~/.cache/reviewer/onnx/...`), so later runs load it in a fraction
of a second without importing torch. Tokenisation uses the model's own `tokenizer.json`
through `tokenizers`; pooling and normalisation follow the model's sentence-transformers
configuration (mean or CLS pooling, then L2 normalisation).

Why not sentence-transformers' own `backend="onnx"`: it needs `optimum`, whose releases pin
an older `transformers` than the one installed here; the export and quantisation are each one
library call, so no extra dependency is worth it.

Vectors of this backend differ slightly from torch's, so a store records which backend built
it (`<model>+onnx-int8`) and queries must use the same one.
"""

from __future__ import annotations

import hashlib
import json
import logging
import sys
import warnings
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Optional, Sequence

from reviewer.retrieval.embedding import EmbeddingError, resolve_model_path

BACKEND = "onnx-int8"


def cache_root() -> Path:
    """Where exported models are kept: the user's cache directory (XDG_CACHE_HOME on Linux)."""
    import platformdirs

    return Path(platformdirs.user_cache_dir("reviewer")) / "onnx"


def _fingerprint(path: Path) -> str:
    """Identity of an installed model: its weight files' names, sizes and times."""
    h = hashlib.sha256(str(path.resolve()).encode())
    for f in sorted(path.glob("*")):
        if f.is_file():
            st = f.stat()
            h.update(f"{f.name}:{st.st_size}:{int(st.st_mtime)}".encode())
    return h.hexdigest()[:16]


@contextmanager
def _quiet_root_logger():
    """Warnings logged on the root logger (onnxruntime's quantiser) are not shown while it runs."""
    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.ERROR)
    try:
        yield
    finally:
        root.setLevel(level)


def export(model_path: Path, target: Path) -> None:
    """Export a sentence-transformers model's transformer to ONNX and quantise it to int8 (needs torch once)."""
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from transformers import AutoModel
    from transformers.utils import logging as hf_logging

    class Encoder(torch.nn.Module):
        """The transformer with plain positional inputs and one output (what the exporter traces)."""

        def __init__(self, inner):
            super().__init__()
            self.inner = inner

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.inner(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids,
                              return_dict=True).last_hidden_state

    target.mkdir(parents=True, exist_ok=True)
    # The tracer, the exporter and the quantiser each warn about things that do not apply to this
    # graph (checked by the agreement test); a user's first ingest should not print them.
    with warnings.catch_warnings(), _quiet_root_logger():
        warnings.simplefilter("ignore")
        bars = hf_logging.is_progress_bar_enabled()
        hf_logging.disable_progress_bar()  # "Loading weights" of a 90 MB model
        try:
            # Eager attention traces the padding mask as a computation, not as a branch fixed at export.
            model = Encoder(AutoModel.from_pretrained(str(model_path), attn_implementation="eager")).eval()
        finally:
            if bars:
                hf_logging.enable_progress_bar()
        names = ["input_ids", "attention_mask", "token_type_ids"]
        sample = {"input_ids": torch.full((2, 8), 1000, dtype=torch.long),
                  "attention_mask": torch.tensor([[1] * 8, [1] * 5 + [0] * 3]),
                  "token_type_ids": torch.zeros(2, 8, dtype=torch.long)}
        axes = {n: {0: "batch", 1: "tokens"} for n in names} | {"last_hidden_state": {0: "batch", 1: "tokens"}}
        fp32 = target / "model-fp32.onnx"
        with torch.no_grad():
            torch.onnx.export(model, tuple(sample[n] for n in names), str(fp32), input_names=names, output_names=["last_hidden_state"],
                              dynamic_axes=axes, opset_version=17, dynamo=False)
        tmp = target / "model-int8.onnx.tmp"
        # Weights only (MatMul), per output channel, 7-bit range: on AVX2 without VNNI the 8-bit integer
        # product saturates, and per-tensor scales lose the small weights (cosine to torch 0.93 without these
        # options, 0.99 with them, on SciFact abstracts).
        quantize_dynamic(str(fp32), str(tmp), weight_type=QuantType.QInt8, op_types_to_quantize=["MatMul"],
                         per_channel=True, reduce_range=True)
    fp32.unlink()
    tmp.rename(target / "model-int8.onnx")  # appears whole, or not at all


class OnnxEmbedder:
    """A sentence-transformers model through ONNX Runtime with int8 weights, exported on first use.

    Args:
        model: model name or path (`all-MiniLM-L6-v2` is the offline copy).
        batch_size: texts per inference call.
        threads: intra-op threads (default: all cores).
    """

    def __init__(self, model: str, batch_size: int = 64, threads: Optional[int] = None):
        self.model_name = model
        self.name = f"{model}+{BACKEND}"
        self.batch_size = batch_size
        self.threads = threads
        self._session = None
        self._tokenizer = None
        self._pooling = "mean"
        self._queries: dict[str, list[float]] = {}

    def _load(self) -> None:
        path = Path(resolve_model_path(self.model_name))
        if not (path / "tokenizer.json").exists():
            raise EmbeddingError(f"embedding model '{self.model_name}' has no tokenizer.json at {path}: "
                                 "set REVIEWER_EMBEDDING__BACKEND=torch")
        target = cache_root() / f"{path.name}-{_fingerprint(path)}"
        onnx_file = target / "model-int8.onnx"
        if not onnx_file.exists():
            # Once per model and machine; stderr, so piped output stays clean.
            print(f"Preparing the ONNX int8 copy of '{self.model_name}' (first use only, about half a minute)...",
                  file=sys.stderr, flush=True)
            try:
                export(path, target)
            except Exception as exc:
                raise EmbeddingError(f"cannot export '{self.model_name}' to ONNX ({exc.__class__.__name__}: {exc})"
                                     .splitlines()[0] + "; set REVIEWER_EMBEDDING__BACKEND=torch") from exc
        import onnxruntime as ort
        from tokenizers import Tokenizer

        options = ort.SessionOptions()
        if self.threads:
            options.intra_op_num_threads = self.threads
        self._session = ort.InferenceSession(str(onnx_file), options, providers=["CPUExecutionProvider"])
        self._inputs = {i.name for i in self._session.get_inputs()}
        config = json.loads((path / "sentence_bert_config.json").read_text()) if (path / "sentence_bert_config.json").exists() else {}
        pooling = path / "1_Pooling" / "config.json"
        if pooling.exists() and json.loads(pooling.read_text()).get("pooling_mode_cls_token"):
            self._pooling = "cls"
        tokenizer = Tokenizer.from_file(str(path / "tokenizer.json"))
        tokenizer.enable_truncation(max_length=int(config.get("max_seq_length", 256)))
        tokenizer.enable_padding()
        self._tokenizer = tokenizer

    def _encode(self, texts: list[str]):
        import numpy as np

        encodings = self._tokenizer.encode_batch(texts)
        ids = np.asarray([e.ids for e in encodings], dtype=np.int64)
        mask = np.asarray([e.attention_mask for e in encodings], dtype=np.int64)
        feed = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        hidden = self._session.run(None, {k: v for k, v in feed.items() if k in self._inputs})[0]
        if self._pooling == "cls":
            pooled = hidden[:, 0]
        else:
            weights = mask[:, :, None].astype(np.float32)
            pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        return pooled / np.clip(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12, None)

    def embed(self, texts: Sequence[str], progress: Optional[Callable[[int], None]] = None) -> list[list[float]]:
        if self._session is None:
            self._load()
        texts = list(texts)
        # Batches of similar length pad less (as sentence-transformers does).
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out: list[Optional[list[float]]] = [None] * len(texts)
        for start in range(0, len(order), self.batch_size):
            idx = order[start : start + self.batch_size]
            for i, vec in zip(idx, self._encode([texts[i] for i in idx]).tolist()):
                out[i] = vec
            if progress:
                progress(len(idx))
        return out  # type: ignore[return-value]

    def ensure_loadable(self) -> None:
        """Raise `EmbeddingError` unless the model is on disk (the ONNX export is made from it)."""
        if not Path(resolve_model_path(self.model_name)).exists():
            raise EmbeddingError(f"embedding model '{self.model_name}' is not a local path or the shipped model; "
                                 "the onnx-int8 backend needs one: check --embedding-model (REVIEWER_EMBEDDING__MODEL)")

    def embed_query(self, text: str) -> list[float]:
        if text not in self._queries:
            if len(self._queries) >= 256:
                self._queries.pop(next(iter(self._queries)))
            self._queries[text] = self.embed([text])[0]
        return self._queries[text]
