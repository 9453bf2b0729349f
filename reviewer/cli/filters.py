"""Evidence filters of `ask`, `chat` and `summarize`: `--design` and `--min-strength`, checked against the vocabularies."""

from typing import Annotated, Optional

import typer

DesignOpt = Annotated[Optional[str], typer.Option(
    "--design", help="Only documents of these study designs, e.g. rct,meta_analysis.")]
StrengthOpt = Annotated[Optional[str], typer.Option(
    "--min-strength", help="Only documents whose evidence is at least this strong: high, moderate, low, very_low.")]


def parse_evidence_filters(design: Optional[str], min_strength: Optional[str]) -> dict:
    """`designs` and `min_strength` keyword arguments for `Reviewer.ask`/`summarize`.

    Raises:
        ReviewerError: a design or strength outside the vocabularies; the message names it and the choices.
    """
    from reviewer.errors import ReviewerError
    from reviewer.models import Strength, StudyDesign

    out: dict = {}
    if design:
        names = [d.strip() for d in design.split(",") if d.strip()]
        known = [d.value for d in StudyDesign]
        bad = [d for d in names if d not in known]
        if bad:
            raise ReviewerError(f"--design '{bad[0]}' is not a study design; use one of {', '.join(known)}")
        out["designs"] = names
    if min_strength:
        levels = [s.value for s in Strength if s is not Strength.not_graded]
        if min_strength not in levels:
            raise ReviewerError(f"--min-strength '{min_strength}' is not one of {', '.join(levels)}")
        out["min_strength"] = min_strength
    return out
