"""Closed vocabularies: every enum the grader, the renderers, the prompts and the evals share.

Values are stable identifiers (stored in the store, written in JSON); `label` is how people read them.
"""

from __future__ import annotations

from enum import Enum


class Vocabulary(str, Enum):
    """A closed vocabulary: values are stable identifiers, `label` is how people read them."""

    @property
    def label(self) -> str:
        """The value as words: 'very_low' reads 'very low'."""
        return self.value.replace("_", " ")

    def __str__(self) -> str:
        return self.value


class DocType(Vocabulary):
    """What kind of document a file is, as its metadata or the user says."""

    article = "article"
    review = "review"
    news = "news"
    preprint = "preprint"
    abstract = "abstract"
    unknown = "unknown"


class StudyDesign(Vocabulary):
    """The study design a passage reports (closed vocabulary shared by grader, renderer, prompts, evals)."""

    meta_analysis = "meta_analysis"
    systematic_review = "systematic_review"
    rct = "rct"
    controlled_trial = "controlled_trial"
    cohort = "cohort"
    case_control = "case_control"
    cross_sectional = "cross_sectional"
    mendelian_randomization = "mendelian_randomization"
    case_report = "case_report"
    animal = "animal"
    in_vitro = "in_vitro"
    review = "review"
    expert_opinion = "expert_opinion"
    unknown = "unknown"


class Strength(Vocabulary):
    """GRADE-like certainty of the evidence a passage reports; `not_graded` is outside the clinical hierarchy."""

    high = "high"
    moderate = "moderate"
    low = "low"
    very_low = "very_low"
    not_graded = "not_graded"


class EvidenceBasis(Vocabulary):
    """What an evidence tag was read from: the passage's own words, or its document's title and abstract."""

    passage = "passage"
    document = "document"


class EmbeddingBackend(Vocabulary):
    """How the embedding model runs; a store records which one built it (their vectors differ)."""

    torch = "torch"
    onnx_int8 = "onnx-int8"


class RetrievalMode(Vocabulary):
    """How passages are retrieved."""

    hybrid = "hybrid"
    dense = "dense"
    bm25 = "bm25"


class OutputFormat(Vocabulary):
    """Formats an evidence summary is written in ("rich" is the terminal)."""

    rich = "rich"
    md = "md"
    json = "json"
    csv = "csv"
    html = "html"


class Problem(Vocabulary):
    """What is wrong with a flagged sentence of an answer."""

    uncited = "uncited"
    unsupported = "unsupported"
    number = "number"
    negated = "negated"
    inverted = "inverted"
    population = "population"
    instruction = "instruction"


class Inconsistency(Vocabulary):
    """What `reviewer doctor` can find out of step between records, chunks, the lexical index and the stamp."""

    interrupted_ingest = "interrupted_ingest"  # a pending marker whose process is gone
    orphan_chunks = "orphan_chunks"  # chunks whose document has no record (never shown)
    stale_chunks = "stale_chunks"  # chunks of an earlier version of a recorded document
    missing_chunks = "missing_chunks"  # a record with fewer chunks stored than it counts
    index_missing = "index_missing"  # chunks of a recorded document the lexical index lacks
    index_extra = "index_extra"  # lexical entries of documents or chunks the store does not hold
    index_behind = "index_behind"  # the lexical index reflects another generation of the store
    unstamped = "unstamped"  # chunks stored, but no embedding model recorded


class BlockKind(Vocabulary):
    """What a block of a document is: running text, or a figure or table caption."""

    body = "body"
    caption = "caption"


class Direction(Vocabulary):
    """Direction of the effect a study reports (as `reviewer.grading.direction` reads it)."""

    benefit = "benefit"
    no_effect = "no_effect"
    harm = "harm"
    mixed = "mixed"


class QuestionType(Vocabulary):
    """What kind of answer a question asks for; the offline answerer composes each differently."""

    quantity = "quantity"  # how many / how much / what dose: the sentence stating the number
    studies = "studies"  # which studies found ...: one line per study (name, design, n, direction)
    comparison = "comparison"  # A or B / A versus B: one statement per side, or which side is not covered
    listing = "listing"  # what mechanisms / which factors: what the passages name, one item a line
    yes_no = "yes_no"  # does / is / can ...: the direction of the evidence first, then the findings
    general = "general"  # anything else: the sentences that best answer it


#: Strengths from strongest to weakest (`not_graded` last: it is no level at all).
STRENGTH_ORDER = (Strength.high, Strength.moderate, Strength.low, Strength.very_low, Strength.not_graded)
