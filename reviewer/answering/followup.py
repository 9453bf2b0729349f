"""Follow-up questions: rewrite "what about executive function?" into a standalone question.

With an LLM (argument or `settings.llm`), `prompts/rewrite.md` does the rewriting. Offline, a
follow-up (one that starts with "and", "what about", ..., uses a pronoun, or has at most two
content words) gets the key phrases of the previous question appended; any other question is
returned unchanged.
"""

from __future__ import annotations

import re

from reviewer.answering.questions import generic_stems
from reviewer.llm.providers import resolve_llm
from reviewer.settings import Settings
from reviewer.text import STOPWORDS, content_stems, normalize_space, stem, strip_markers, tokens

_FOLLOWUP_START = re.compile(r"^\s*(and|but|also|or|then|so|what about|how about|what if|same for|why)\b", re.I)
_PRONOUNS = frozenset("it its they them their theirs this that these those he she his her such there".split())


def rewrite_followup(question: str, history: list[tuple[str, str]], settings: Settings, llm=None) -> str:
    """Rewrite a follow-up question into a standalone one using the conversation so far.

    Args:
        question: the new question.
        history: earlier (question, answer) turns, oldest first.
        settings: LLM settings.
        llm: a spec "provider:model", a LangChain chat model, or None for `settings.llm`.

    Raises:
        reviewer.llm.providers.LLMError: the LLM could not be set up or did not answer.
    """
    if not history:
        return question
    model, _ = resolve_llm(llm, settings)
    if model is None:
        return _rewrite_offline(question, history)
    from reviewer.llm.prompts import load_prompt
    from reviewer.llm.providers import complete

    turns = "\n".join(f"User: {q}\nAssistant: {normalize_space(strip_markers(a))[:400]}" for q, a in history[-4:])
    reply = complete(model, load_prompt("rewrite").messages(history=turns, question=question), settings)
    lines = [ln.strip() for ln in reply.splitlines() if ln.strip()]
    rewritten = re.sub(r"^(standalone question|question)\s*:\s*", "", lines[0], flags=re.I).strip(" \"'“”") if lines else ""
    return rewritten or _rewrite_offline(question, history)


def key_phrases(question: str) -> list[str]:
    """Runs of consecutive content words of a question ('resistance training', 'older adults')."""
    phrases, current = [], []
    for token in re.findall(r"[^\W_]+(?:[-–'][^\W_]+)*", question):
        word = token.lower()
        if word in STOPWORDS or stem(word) in generic_stems() or word in _PRONOUNS:
            if current:
                phrases.append(" ".join(current))
            current = []
        else:
            current.append(token)
    if current:
        phrases.append(" ".join(current))
    return phrases


def is_followup(question: str) -> bool:
    """Whether a question leans on the conversation before it (offline rule)."""
    return bool(_FOLLOWUP_START.match(question) or _PRONOUNS & set(tokens(question)) or len(content_stems(question)) <= 2)


def _rewrite_offline(question: str, history: list[tuple[str, str]]) -> str:
    if not is_followup(question):
        return question
    have = set(content_stems(question))
    for previous, _ in reversed(history):
        phrases = [p for p in key_phrases(previous) if not set(content_stems(p)) <= have]
        if phrases:
            return f"{question.strip()} ({', '.join(phrases)})"
    return question
