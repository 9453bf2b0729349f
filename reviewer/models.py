"""Types that cross module boundaries.

Every stage of the pipeline (loading, chunking, storing, retrieving, grading,
answering, summarizing, evaluating) speaks in these pydantic models, and the JSON
the CLI prints is their own dump, so the CLI, the Python API and the evals agree
by construction.
"""

from __future__ import annotations

from typing import Optional

from pydantic import BaseModel, Field, model_validator

from reviewer.text import caption_label

# The closed vocabularies, re-exported: models and their enums are imported together.
from reviewer.vocabulary import (  # noqa: F401
    STRENGTH_ORDER, BlockKind, Direction, DocType, EmbeddingBackend, EvidenceBasis, Inconsistency, OutputFormat, Problem,
    QuestionType, RetrievalMode, Strength, StudyDesign, Vocabulary,
)


#: How a passage marked suspect at ingest is labelled wherever it is shown (terminal, exports).
SUSPECT_LABEL = "suspect: addresses the model"

class Effect(BaseModel):
    """One reported effect size or change, as written in the text."""

    value: float = Field(description="The numeric value as reported.")
    metric: str = Field(description="SMD, d, g, r, β, OR, RR, HR, MD, WMD or %.")
    text: str = Field(description="The words of the passage that report it.")


class StudyFacts(BaseModel):
    """Facts about the study a passage reports, each taken from the passage's own words."""

    study: Optional[str] = Field(None, description="How the text names the study, e.g. 'Lamb et al. [24]'.")
    sample_size: Optional[int] = Field(None, description="Number of participants (or animals) reported.")
    population: Optional[str] = None
    intervention: Optional[str] = Field(None, description="Intervention or exposure.")
    duration: Optional[str] = None
    outcome: Optional[str] = None
    effects: list[Effect] = Field(default_factory=list)
    p_value: Optional[str] = None
    ci: Optional[str] = Field(None, description="Confidence interval as written.")


class EvidenceTag(BaseModel):
    """Evidence-strength tag of one passage, with the exact phrases that justify it."""

    design: StudyDesign = StudyDesign.unknown
    strength: Strength = Strength.very_low
    reasons: list[str] = Field(default_factory=list, description="Exact phrases of the passage that led to the tag.")
    facts: StudyFacts = Field(default_factory=StudyFacts)
    basis: EvidenceBasis = Field(EvidenceBasis.passage, description="'passage': reasons are the passage's words; "
                                 "'document': the design is its document's, reasons are words of its title or abstract.")

    @property
    def label(self) -> str:
        """How people read the tag: 'rct · high', or 'not graded'."""
        if self.strength is Strength.not_graded:
            return "not graded"
        return f"{self.design.label} · {self.strength.label}"


class Block(BaseModel):
    """A run of text from a loaded document with its location (a paragraph, a page's text)."""

    text: str
    kind: BlockKind = Field(BlockKind.body, description="Running text or a figure/table caption.")
    section: Optional[str] = None
    page: Optional[int] = Field(None, description="1-based page number, for paged formats.")
    start: int = Field(0, description="Character offset of the block in the document's text.")


class Document(BaseModel):
    """A loaded document: metadata plus its text as located blocks."""

    doc_id: str
    source: str = Field(description="Path of the file it came from (or file#record for JSONL).")
    title: str = ""
    authors: list[str] = Field(default_factory=list)
    doi: Optional[str] = None
    year: Optional[int] = None
    date: Optional[str] = None
    url: Optional[str] = None
    doc_type: DocType = DocType.unknown
    journal: Optional[str] = Field(None, description="Journal (or other container) the work appeared in.")
    volume: Optional[str] = None
    issue: Optional[str] = None
    pages: Optional[str] = None
    publisher: Optional[str] = None
    citation_key: Optional[str] = Field(None, description="The key a reference manager cites it by.")
    file: Optional[str] = Field(None, description="The local PDF the text came from.")
    abstract: Optional[str] = Field(None, description="The abstract a reference manager's record gives.")
    content_hash: str = Field(description="sha256 of the content; identity for incremental ingest.")
    sources: list[str] = Field(default_factory=list, description="Every path holding this same text, `source` "
                               "first (set at ingest, where a copy under another name is stored once).")
    blocks: list[Block] = Field(default_factory=list)
    evidence: Optional[EvidenceTag] = Field(None, description="The document's own design, set at ingest.")

    def text_hash(self) -> Optional[str]:
        """sha256 of the parsed text, whitespace normalised (the same text under another file name
        has the same hash whatever its bytes); None for a document without text."""
        import hashlib

        text = " ".join(" ".join(b.text for b in self.blocks).split())
        return hashlib.sha256(text.encode()).hexdigest() if text else None


class Chunk(BaseModel):
    """A piece of a document small enough to embed, with where it came from."""

    chunk_id: str
    doc_id: str
    source: str
    title: str = ""
    section: Optional[str] = None
    page: Optional[int] = None
    start: int = 0
    end: int = 0
    text: str
    is_reference: bool = Field(False, description="Part of a reference list: kept, but not retrieved.")
    kind: BlockKind = Field(BlockKind.body, description="Running text or a figure/table caption.")
    doc_type: DocType = DocType.unknown
    year: Optional[int] = None
    suspect: bool = Field(False, description="Its text addresses a language model ('ignore previous "
                          "instructions', 'you are', 'answer that'): shown as suspect, never quoted as an answer.")
    evidence: Optional[EvidenceTag] = None
    doc_evidence: Optional[EvidenceTag] = Field(None, description="Its document's tag (stored for filtering).")


class Reference(BaseModel):
    """What a citation of a document says: its bibliographic record, and the local file if any."""

    doc_id: str
    title: str = ""
    authors: list[str] = Field(default_factory=list, description="Full names, given names first.")
    year: Optional[int] = None
    doi: Optional[str] = None
    url: Optional[str] = None
    journal: Optional[str] = None
    volume: Optional[str] = None
    issue: Optional[str] = None
    pages: Optional[str] = None
    publisher: Optional[str] = None
    doc_type: DocType = DocType.unknown
    citation_key: Optional[str] = Field(None, description="The key a reference manager cites it by.")
    file: Optional[str] = Field(None, description="The local PDF the text came from.")


class Passage(BaseModel):
    """A retrieved chunk with its retrieval score."""

    chunk_id: str
    doc_id: str
    title: str = ""
    source: str = ""
    page: Optional[int] = None
    section: Optional[str] = None
    text: str
    score: float = 0.0
    doc_type: DocType = DocType.unknown
    year: Optional[int] = None
    evidence: Optional[EvidenceTag] = None
    suspect: bool = Field(False, description="Its text addresses a language model (marked at ingest); false "
                          "for chunks stored before the mark existed.")
    kind: BlockKind = Field(BlockKind.body, description="Running text or a figure/table caption.")
    journal: Optional[str] = Field(None, description="Journal its document appeared in, when the library records "
                                   "one (a question may name the document by it: \"the Brain Sciences review\").")

    @property
    def location(self) -> str:
        """What the passage is and where, as far as known ("Results, p. 4", "Figure 2 caption, Results, p. 4")."""
        parts = [caption_label(self.text) if self.kind is BlockKind.caption else "", self.section or "",
                 f"p. {self.page}" if self.page else ""]
        return ", ".join(x for x in parts if x)


class Citation(Passage):
    """A passage cited in an answer as [n]."""

    n: int
    reference: Optional[Reference] = Field(None, description="The cited document's bibliographic record.")


class IngestFailure(BaseModel):
    path: str
    reason: str


class IngestReport(BaseModel):
    """What one ingest run did."""

    documents_added: int = 0
    documents_updated: int = 0
    documents_unchanged: int = 0
    documents_removed: int = 0
    removed: list[str] = Field(default_factory=list, description="The source of every document pruned, and why.")
    duplicates: list[str] = Field(default_factory=list, description="Files whose text is already stored under "
                                  "another name, one line each: recorded as a source of that document, stored once.")
    chunks_embedded: int = 0
    failures: list[IngestFailure] = Field(default_factory=list)
    seconds: float = 0.0


class DocumentInfo(Reference):
    """A document as recorded in the store."""

    source: str
    sources: list[str] = Field(default_factory=list, description="Every file holding this text, `source` first: "
                               "the same content under several names is stored once.")
    abstract: Optional[str] = Field(None, description="The abstract a reference manager's record gives.")
    content_hash: str = ""
    text_hash: Optional[str] = Field(None, description="sha256 of the parsed text (finds copies under other names); "
                                     "absent in records written before copies were detected.")
    chunks: int = 0
    evidence: Optional[EvidenceTag] = Field(None, description="The document's study design, strength and reasons.")

    @model_validator(mode="after")
    def _sources(self) -> "DocumentInfo":
        if not self.sources:  # a record written before copies were recorded
            self.sources = [self.source]
        return self

    @classmethod
    def of(cls, doc: "Document", chunks: int = 0) -> "DocumentInfo":
        """The record of a loaded document (its metadata, without the text)."""
        return cls(**doc.model_dump(include=set(cls.model_fields) - {"chunks", "text_hash"}), chunks=chunks,
                   text_hash=doc.text_hash())

    def reference(self) -> Reference:
        """The bibliographic part of the record."""
        return Reference(**self.model_dump(include=set(Reference.model_fields)))


class StoreProblem(BaseModel):
    """One inconsistency `reviewer doctor` found, and what it did about it."""

    kind: Inconsistency
    doc_id: str = ""
    detail: str
    fixed: bool = False
    action: str = Field("", description="What was done (when fixed), or what the user can do.")


class DoctorReport(BaseModel):
    """Everything `reviewer doctor` checked in a store."""

    location: str
    documents: int = 0
    chunks: int = 0
    ingests_under_way: list[str] = Field(default_factory=list, description="Documents a running ingest is writing.")
    problems: list[StoreProblem] = Field(default_factory=list)

    @property
    def unfixed(self) -> list[StoreProblem]:
        return [p for p in self.problems if not p.fixed]


class StoreStats(BaseModel):
    location: str
    collection: str
    embedding_model: str
    documents: int
    chunks: int
    by_doc_type: dict[str, int] = Field(default_factory=dict)


class FlaggedSentence(BaseModel):
    """A sentence of a generated answer that failed validation."""

    sentence: str
    problem: Problem
    reason: str = Field("", description="Why the sentence was flagged, in words.")
    citations: list[int] = Field(default_factory=list)


class Answer(BaseModel):
    """A cited answer to a question (the JSON contract of `reviewer ask --json`)."""

    question: str
    answer: str
    insufficient_evidence: bool = False
    citations: list[Citation] = Field(default_factory=list)
    passages: list[Passage] = Field(default_factory=list)
    llm: Optional[str] = Field(None, description="The LLM spec that wrote the answer; null for the offline answerer.")
    timings_ms: dict[str, float] = Field(default_factory=dict)
    standalone_question: Optional[str] = Field(None, description="The follow-up rewritten from chat history, if any.")
    flagged: list[FlaggedSentence] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list, description="e.g. fell back to the extractive answer, and why.")
    strongest_design: Optional[StudyDesign] = None
    mixed: bool = Field(False, description="The cited passages disagree on the direction of the effect.")


# ---------------------------------------------------------------- evidence summaries (reviewer/summarize.py)


class SummaryRow(BaseModel):
    """One study of an evidence table, every cell taken from the passage it cites."""

    study: str = Field(description="How the text names the study, e.g. 'Lamb et al. [24]'.")
    design: StudyDesign = StudyDesign.unknown
    population: Optional[str] = None
    n: Optional[int] = Field(None, description="Number of participants reported.")
    intervention: Optional[str] = None
    duration: Optional[str] = None
    outcome: Optional[str] = None
    effect: Optional[str] = Field(None, description="Effect sizes as written (value and metric), e.g. 'd = 0.32'.")
    direction: Optional[Direction] = None
    strength: Strength = Strength.very_low
    citation: int = Field(description="The n of the entry of `citations` the row comes from.")


class Finding(BaseModel):
    """A statement about several rows of an evidence table (an agreement or a conflict)."""

    finding: str
    rows: list[int] = Field(default_factory=list, description="0-based indexes into `rows`.")


class Gap(BaseModel):
    """Something the documents themselves say remains unknown or needs further study."""

    text: str = Field(description="The sentence as the document writes it.")
    citation: int


class EvidenceSummary(BaseModel):
    """The state of the evidence on a topic (the JSON contract of `reviewer summarize --format json`)."""

    question: str
    answer: str
    citations: list[Citation] = Field(default_factory=list)
    rows: list[SummaryRow] = Field(default_factory=list)
    agreements: list[Finding] = Field(default_factory=list)
    conflicts: list[Finding] = Field(default_factory=list)
    gaps: list[Gap] = Field(default_factory=list)
    llm: Optional[str] = Field(None, description="The LLM spec that proposed rows; null for the offline rules.")
    notes: list[str] = Field(default_factory=list, description="e.g. LLM rows dropped because their passage lacks them.")


# ---------------------------------------------------------------- answering (reviewer/answering/)


