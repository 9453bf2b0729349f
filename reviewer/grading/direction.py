"""Direction of effect (benefit, harm, no effect, mixed) and the evidence level of a set of cited passages."""

from __future__ import annotations

import re
from typing import Any, Literal, Optional

from reviewer.grading.cues import RANK
from reviewer.models import EvidenceTag, StudyDesign

DirectionLabel = Literal["benefit", "no_effect", "harm", "mixed"]
_NO_EFFECT = re.compile(
    r"\bno (?:significant |clear |meaningful |measurable |additional )?(?:differences?|effects?|improvements?|changes?"
    r"|benefits?|associations?)\b|\b(?:did|does|do|could) not (?:significantly )?(?:improve|differ|change|affect|alter"
    r"|reduce|increase|enhance|slow|prevent)\b|\bnot (?:significantly|statistically significant)\b|\bneutral effects?\b"
    r"|\bfailed to\b|\bnull (?:effects?|findings?|results?)\b|\bnot uniformly\b|\bwas not associated\b|\bminimal gains\b",
    re.I)
_HARM = re.compile(r"\bworsen\w*|\bdetrimental\b|\bharmful\b|\badverse effects?\b|\bdeteriorat\w* in\b", re.I)
_BENEFIT = re.compile(
    r"\bimprov(?:e|es|ed|ement|ements|ing)\b|\benhanc\w*|\bbenefi\w*|\bprotective\b|\bslow(?:s|ed|er|ing)?\b[^.]{0,30}"
    r"\bdecline\b|\battenuat\w*|\bgains?\b|\bpreserv\w*|\bsuperior\b|\boutperform\w*|\bsignificantly (?:increased|"
    r"elevated|higher|larger|better)\b|\bbetter\b|\bpositive effects?\b", re.I)
_MIXED = re.compile(r"\b(?:mixed|conflicting|inconsistent) (?:results|findings|evidence)\b|"
                    # "the cognitive effects of RT in individuals with dementia are variable"
                    r"\b(?:effects?|evidence|results|findings|outcomes)\b(?: [\w-]+){0,7}? (?:are|is|were|was|remains?) "
                    r"(?:more |highly |largely )?(?:variable|heterogeneous|inconsistent|mixed)\b", re.I)

def direction(text: str) -> Optional[DirectionLabel]:
    """The direction of effect a passage reports, from lexical cues.

    Returns:
        "benefit", "harm", "no_effect", "mixed" (benefit alongside harm or no effect, or "mixed
        results"), or None when the passage reports no direction.
    """
    if _MIXED.search(text):
        return "mixed"
    null = bool(_NO_EFFECT.search(text))
    harm = bool(_HARM.search(text))
    benefit = bool(_BENEFIT.search(_NO_EFFECT.sub(" ", text)))
    if benefit and (harm or null):
        return "mixed"
    if benefit:
        return "benefit"
    if harm:
        return "harm"
    return "no_effect" if null else None


def _tag(passage: Any) -> Optional[EvidenceTag]:
    tag = passage.get("evidence") if isinstance(passage, dict) else getattr(passage, "evidence", passage)
    if isinstance(tag, dict):
        tag = EvidenceTag.model_validate(tag)
    return tag if isinstance(tag, EvidenceTag) else None


def _text(passage: Any) -> str:
    return passage.get("text", "") if isinstance(passage, dict) else getattr(passage, "text", "") or ""


def answer_level(passages: list) -> tuple[Optional[StudyDesign], bool]:
    """The strongest design among passages' evidence tags, and whether they disagree on direction.

    Args:
        passages: Passage/Citation objects (or dicts) carrying `evidence` and `text`.

    Returns:
        (strongest design by `RANKING`, or None when no passage is graded; mixed), where mixed
        means one passage reports benefit while another reports harm or no effect, or a passage
        itself reports mixed results.
    """
    designs = [t.design for t in map(_tag, passages) if t is not None]
    best = min(designs, key=RANK.__getitem__) if designs else None
    found = {direction(_text(p)) for p in passages} - {None}
    mixed = "mixed" in found or ("benefit" in found and bool(found & {"harm", "no_effect"}))
    return best, mixed


def answer_level_llm(passages: list, llm: Any) -> tuple[Optional[StudyDesign], bool]:
    """Like `answer_level`, but an LLM judges whether the passages disagree (prompts/evidence_mixed.md).

    The design still comes from the rules. A reply that is not the expected JSON falls back to
    the offline judgement.

    Raises:
        LLMError: the model could not be reached.
    """
    from reviewer.llm.providers import complete
    from reviewer.llm.prompts import load_prompt
    from reviewer.llm.replies import parse_json_reply

    design, offline_mixed = answer_level(passages)
    lines = []
    for n, p in enumerate(passages, 1):
        tag = _tag(p)
        label = f"{tag.design.value}, {tag.strength.value}" if tag else "ungraded"
        lines.append(f"[{n}] ({label}) {_text(p)}")
    prompt = load_prompt("evidence_mixed", variables={"passages"})
    reply = complete(llm, prompt.messages(passages="\n\n".join(lines)))
    verdict = parse_json_reply(reply)
    if verdict is not None and isinstance(verdict.get("mixed"), bool):
        return design, verdict["mixed"]
    return design, offline_mixed
