"""The eval suite and its regression gate: metric functions, the seed suite, the gate on real runs."""

from __future__ import annotations

import json
import math
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from reviewer.cli.render import metrics_table
from reviewer.evaluation.gate import check, gates, to_junit, write_baseline
from reviewer.evaluation.suite import CaseResult, EvalCase, EvalReport, load_suite, run_suite, summarize_cases, validate_suite
from reviewer.evaluation.metrics import (
    citation_support,
    fact_present,
    gold_rank,
    mean_reciprocal_rank,
    missing_fact_groups,
    ndcg_at_k,
    percentile,
    quote_coverage,
    recall_at_k,
    recall_of,
)
from reviewer.models import Answer, Citation, Passage, StudyDesign

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "evals" / "seed_qa.jsonl"
CORPUS = ROOT / "corpus"
THRESHOLDS = ROOT / "evals" / "thresholds.toml"

GATE_TOML = """
[minimum]
recall_at_k = 0.8
key_fact_accuracy = 0.5
refusal_accuracy = 0.5
[maximum]
false_refusal_rate = 0.2
[max_drop]
default = 0.05
"""


def passage(text: str, i: int = 0, design: StudyDesign | None = None) -> Passage:
    from reviewer.models import EvidenceTag

    return Passage(chunk_id=f"c{i}", doc_id="d", text=text, evidence=EvidenceTag(design=design) if design else None)


# ----------------------------------------------------------------------------- ranking metrics

def test_recall_and_mrr_on_hand_made_ranks():
    ranks = [1, 3, None, 2]
    assert recall_at_k(ranks, 1) == 0.25
    assert recall_at_k(ranks, 2) == 0.5
    assert recall_at_k(ranks, 3) == 0.75
    assert mean_reciprocal_rank(ranks) == pytest.approx((1 + 1 / 3 + 0 + 1 / 2) / 4)
    assert recall_at_k([], 5) == 0.0 and mean_reciprocal_rank([]) == 0.0


def test_ndcg_and_recall_of_ranked_documents():
    relevant = {"a", "b"}
    assert ndcg_at_k(["a", "b", "x"], relevant, 10) == pytest.approx(1.0)
    expected = (1 + 1 / math.log2(4)) / (1 + 1 / math.log2(3))
    assert ndcg_at_k(["a", "x", "b"], relevant, 10) == pytest.approx(expected)
    assert ndcg_at_k(["x", "y", "a"], relevant, 2) == 0.0
    assert recall_of(["x", "a", "y"], relevant, 2) == 0.5
    assert recall_of(["x", "a", "b"], relevant, 3) == 1.0


def test_percentile_interpolates():
    assert percentile([10, 20, 30, 40], 50) == 25
    assert percentile([5], 95) == 5
    assert percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 95) == pytest.approx(9.55)


# ----------------------------------------------------------------------------- matching

def test_key_facts_need_every_group_and_accept_any_alternative():
    groups = [["11%", "11 percent"], ["d = 0.32"]]
    assert missing_fact_groups(groups, "Working memory improved by 11 percent (d=0.32).") == []
    assert missing_fact_groups(groups, "Working memory improved by 11% (d = 0.32).") == []
    assert missing_fact_groups(groups, "Working memory improved by 11%.") == [["d = 0.32"]]
    assert missing_fact_groups(groups, "WORKING MEMORY   IMPROVED BY 11 %, D = 0.32") == []


def test_key_facts_match_whole_numbers_and_words_only():
    assert not fact_present("8%", "an 18% gain")
    assert not fact_present("0.32", "a mean of 10.32")
    assert not fact_present("0.3", "d = 0.32")
    assert not fact_present("IL-6", "IL-60 levels")
    assert not fact_present("adaptive", "maladaptive effects")
    assert fact_present("8%", "an 8% gain")
    assert fact_present("0.32", "(SMD = 0.32, 95% CI)")
    assert fact_present("-0.05 mm", "controls (−0.05 mm)")  # unicode minus
    assert fact_present("Hedges' g", "Hedges’ g = 0.639")  # curly apostrophe
    assert fact_present("0.01", "95% CI: 0.01–0.63")


def test_quote_coverage_accepts_a_quote_cut_by_a_chunk_boundary():
    quote = "an annualized increase in gray matter thickness (+0.01 mm) compared with controls"
    assert quote_coverage(quote, "Results: An  annualized increase in gray matter thickness (+0.01 mm) compared with controls.") == 1.0
    cut = quote[: int(len(quote) * 0.85)]
    assert quote_coverage(quote, "... " + cut) == pytest.approx(len(cut.strip()) / len(quote), abs=0.02)
    passages = [passage("unrelated text about irisin", 0), passage(quote[: len(quote) // 2], 1), passage("x " + cut, 2)]
    assert gold_rank(quote, passages) == 3
    assert gold_rank(quote, passages[:2]) is None


# ----------------------------------------------------------------------------- citations

def test_citation_support_counts_each_cited_passage():
    good = "Six weeks of multi-joint resistance training improved spatial perception by 40% in older adults."
    other = "Irisin is cleaved from FNDC5 after PGC-1α activation in skeletal muscle."
    p1 = Citation(chunk_id="a", doc_id="d", text=good, n=1)
    p2 = Citation(chunk_id="b", doc_id="d", text=other, n=2)
    ans = Answer(question="q", answer="Spatial perception improved by 40% after multi-joint resistance training [1]. "
                 "Resistance training improved spatial perception by 40% [2].", citations=[p1, p2], passages=[p1, p2])
    assert citation_support(ans) == (1, 2)
    ans_both = Answer(question="q", answer="Multi-joint resistance training improved spatial perception by 40% [1, 2].",
                      citations=[p1, p2], passages=[p1, p2])
    assert citation_support(ans_both) == (1, 2)
    assert citation_support(Answer(question="q", answer="No markers here.")) == (0, 0)


# ----------------------------------------------------------------------------- the seed suite

def test_seed_suite_is_sound_against_the_corpus():
    cases = load_suite(SEED)
    assert validate_suite(cases, CORPUS) == []
    answerable = [c for c in cases if c.answerable]
    assert len(cases) >= 55
    assert sum(not c.answerable for c in cases) >= 6
    assert sum("mixed" in c.tags for c in cases) >= 4
    docs = {c.doc for c in answerable}
    assert docs == {p.name for p in CORPUS.glob("*.md")}
    by_doc = {d: sum(c.doc == d for c in answerable) for d in docs}
    assert max(by_doc, key=by_doc.get).startswith("resistance-training")
    for tag in ("numbers", "names", "methods", "conclusions", "mechanism"):
        assert any(tag in c.tags for c in cases), tag


def test_validate_suite_reports_bad_cases(tmp_path):
    doc = tmp_path / "paper.md"
    doc.write_text("First paragraph says working memory improved by 11% in ten weeks.\n\nSecond paragraph.\n")
    cases = [
        EvalCase(id="ok", question="q", key_facts=[["11%"]], quote="working memory improved by 11% in ten weeks", doc="paper.md"),
        EvalCase(id="not-verbatim", question="q", key_facts=[["11%"]], quote="working memory rose by 11 percent in ten weeks",
                 doc="paper.md"),
        EvalCase(id="fact-absent", question="q", key_facts=[["12%"]], quote="working memory improved by 11% in ten weeks",
                 doc="paper.md"),
        EvalCase(id="ok", question="q", answerable=False),
        EvalCase(id="bad-unanswerable", question="q", answerable=False, quote="something", doc="paper.md"),
    ]
    problems = validate_suite(cases, tmp_path)
    assert not any(p.startswith("case ok:") and "duplicate" not in p for p in problems)
    assert any("not-verbatim" in p and "verbatim" in p for p in problems)
    assert any("fact-absent" in p and "'12%'" in p for p in problems)
    assert any("case ok: duplicate id" in p for p in problems)
    assert any("bad-unanswerable" in p for p in problems)


# ----------------------------------------------------------------------------- the gate

def _report(results: list[CaseResult], k: int = 8) -> EvalReport:
    metrics, by_tag = summarize_cases(results, k)
    return EvalReport(created="2026-01-01T00:00:00+00:00", suite="seed_qa.jsonl", suite_sha256="0", k=k,
                      embedding_model="test", metrics=metrics, by_tag=by_tag, cases=results)


def _cases(gold: list, facts: list, refused_unanswerable: list) -> list[CaseResult]:
    out = [CaseResult(id=f"a{i}", question="q", answerable=True, gold_rank=g, key_facts_ok=f, retrieved=8,
                      missing_facts=[] if f else [["x"]], latency_ms=100 + i)
           for i, (g, f) in enumerate(zip(gold, facts))]
    out += [CaseResult(id=f"u{i}", question="q", answerable=False, refused=r, latency_ms=50)
            for i, r in enumerate(refused_unanswerable)]
    return out


def test_summarize_cases_computes_suite_metrics():
    report = _report(_cases([1, 2, None, 5], [True, True, False, True], [True, False]))
    m = report.metrics
    assert m["recall_at_1"] == 0.25 and m["recall_at_3"] == 0.5 and m["recall_at_k"] == 0.75
    assert m["mrr"] == pytest.approx((1 + 0.5 + 0 + 0.2) / 4, abs=1e-4)
    assert m["key_fact_accuracy"] == 0.75
    assert m["refusal_accuracy"] == 0.5 and m["false_refusal_rate"] == 0.0
    assert m["citation_precision"] is None  # no citation was checked


def test_check_passes_a_good_report_and_fails_a_degraded_one(tmp_path):
    thresholds = tmp_path / "thresholds.toml"
    thresholds.write_text(GATE_TOML)
    good = _report(_cases([1] * 9 + [2], [True] * 10, [True, True]))
    baseline = write_baseline(good, tmp_path / "baseline.json")
    assert check(good, thresholds, baseline) == []

    degraded = _report(_cases([1] * 7 + [None] * 3, [True] * 7 + [False] * 3, [True, True]))
    failures = check(degraded, thresholds, baseline)
    recall = [f for f in failures if f.startswith("recall_at_k")]
    assert recall and "below the minimum" in recall[0] and "a7, a8, a9" in recall[0]
    assert any(f.startswith("key_fact_accuracy") and "fell from 1.000" in f and "a7" in f for f in failures)

    # a drop within the allowed margin passes: one case of twenty slips from rank 1 to rank 2
    good20 = _report(_cases([1] * 20, [True] * 20, [True, True]))
    base20 = write_baseline(good20, tmp_path / "baseline20.json")
    slight = _report(_cases([1] * 19 + [2], [True] * 20, [True, True]))
    assert slight.metrics["recall_at_1"] == 0.95
    assert check(slight, thresholds, base20) == []


def test_check_without_baseline_uses_thresholds_only(tmp_path):
    thresholds = tmp_path / "thresholds.toml"
    thresholds.write_text(GATE_TOML)
    refusing = _report(_cases([1] * 4, [False] * 4, [True]))
    for c in refusing.cases:
        c.refused = True
    refusing.metrics = summarize_cases(refusing.cases, 8)[0]
    failures = check(refusing, thresholds, tmp_path / "missing.json")
    assert any(f.startswith("false_refusal_rate 1.000 is above the maximum") for f in failures)


def test_junit_test_cases_are_the_gate_checks(tmp_path):
    """A missed question is a property of the metric it pulls down, not a failing test case."""
    thresholds = tmp_path / "thresholds.toml"
    thresholds.write_text(GATE_TOML)
    report = _report(_cases([1, None], [True, False], [False]))
    root = ET.fromstring(to_junit(report, thresholds))
    suites = {s.get("name"): s for s in root.iter("testsuite")}
    assert set(suites) == {"eval.gates"}
    cases_of = {c.get("name"): [p.get("value") for p in c.iter("property") if p.get("name") == "case"]
                for c in suites["eval.gates"].findall("testcase")}
    assert cases_of["recall_at_k"] == ["a1"]
    assert int(suites["eval.gates"].get("failures")) == sum(
        c.find("failure") is not None for c in suites["eval.gates"].findall("testcase"))
    gate_names = [c.get("name") for c in suites["eval.gates"].findall("testcase")]
    assert "recall_at_k" in gate_names and "false_refusal_rate" in gate_names
    failed = {c.get("name") for c in suites["eval.gates"].findall("testcase") if c.find("failure") is not None}
    assert {"recall_at_k", "refusal_accuracy"} <= failed and "key_fact_accuracy" not in failed  # 0.5 meets 0.5
    assert ET.fromstring(to_junit(report)).find("testsuite") is not None  # without thresholds too


def test_metrics_table_renders_with_gates(tmp_path):
    from rich.console import Console

    thresholds = tmp_path / "thresholds.toml"
    thresholds.write_text(GATE_TOML)
    report = _report(_cases([1, None], [True, False], [True]))
    console = Console(width=120, record=True)
    console.print(metrics_table(report, gates(report, thresholds)))
    text = console.export_text()
    assert "recall_at_k" in text and "FAIL" in text and "≥ 0.8" in text


def test_thresholds_file_parses_and_names_known_metrics():
    import tomllib

    cfg = tomllib.loads(THRESHOLDS.read_text())
    known = set(summarize_cases([], 8)[0]) | {"evidence_label_accuracy", "evidence_label_strength"}
    for section in ("minimum", "maximum", "max_drop"):
        assert set(cfg.get(section, {})) - {"default"} <= known, section


# ----------------------------------------------------------------------------- real runs

@pytest.fixture(scope="module")
def seed_run(corpus_reviewer):
    """The seed suite against the real corpus store with the default settings (offline answerer)."""
    return run_suite(corpus_reviewer, SEED)


@pytest.mark.slow
def test_seed_suite_run_meets_the_checked_in_thresholds(seed_run):
    assert len(seed_run.cases) == len(load_suite(SEED))
    assert not [c.id for c in seed_run.cases if c.error]
    assert seed_run.embedding_model and seed_run.k == 8 and seed_run.chunking["size"] > 0
    assert set(seed_run.prompts) >= {"answer.md"}
    assert check(seed_run, THRESHOLDS) == []


def _subset(report: EvalReport, ids: set[str]) -> EvalReport:
    """The report restricted to some cases, with its metrics recomputed (a like-for-like baseline)."""
    cases = [c for c in report.cases if c.id in ids]
    metrics, by_tag = summarize_cases(cases, report.k)
    return report.model_copy(update={"cases": cases, "metrics": metrics, "by_tag": by_tag})


DEGRADED_SUBSET = ["numbers", "unanswerable"]  # half the suite keeps the degraded runs quick


@pytest.mark.slow
def test_degraded_retrieval_makes_the_gate_fail(seed_run, corpus_reviewer, tmp_path):
    one_passage = run_suite(corpus_reviewer, SEED, k=1, only=DEGRADED_SUBSET)
    baseline = write_baseline(_subset(seed_run, {c.id for c in one_passage.cases}), tmp_path / "baseline.json")
    failures = check(one_passage, THRESHOLDS, baseline)
    assert any(f.startswith("recall_at_k") for f in failures), failures
    assert one_passage.metrics["recall_at_k"] < seed_run.metrics["recall_at_k"]


@pytest.mark.slow
def test_retrieval_that_ignores_the_question_fails_the_gate(seed_run, corpus_reviewer, tmp_path, monkeypatch):
    search = corpus_reviewer._search
    monkeypatch.setattr(corpus_reviewer, "_search", lambda question, k, *a, **kw: search("exercise and the brain", k, *a, **kw))
    blind = run_suite(corpus_reviewer, SEED, only=DEGRADED_SUBSET)
    baseline = write_baseline(_subset(seed_run, {c.id for c in blind.cases}), tmp_path / "baseline.json")
    failures = check(blind, THRESHOLDS, baseline)
    assert any(f.startswith("recall_at_k") and "below the minimum" in f for f in failures), failures
    assert any(f.startswith("key_fact_accuracy") and "fell from" in f for f in failures), failures
    assert json.loads(baseline.read_text())["metrics"]["recall_at_k"] > blind.metrics["recall_at_k"]


# ----------------------------------------------------------------------------- external benchmarks

def test_key_passage_and_ideal_answer_matching():
    from reviewer.evaluation.benchmarks import LONG_PASSAGE, ideal_forms, key_passage_found

    key = "Rev1-DTD rev3 double mutants showed a greater increase in sensitivity than rev3 single mutants."
    assert key_passage_found(key, "In Figure 5c, rev1-dtd rev3 double mutants showed a greater increase in "
                                  "sensitivity than rev3 single mutants.")[1]
    assert not key_passage_found(key, "rev3 single mutants were sensitive to MMS.")[1]
    long_key = " ".join(f"sentence {i} of a long key passage spanning two chunks." for i in range(20))
    half = long_key[: len(long_key) // 2]
    assert len(long_key) > LONG_PASSAGE and key_passage_found(long_key, half)[1]
    assert ideal_forms("CXE (Cas9-XTEN-hExo1)") == ["CXE (Cas9-XTEN-hExo1)", "CXE", "Cas9-XTEN-hExo1"]
    assert ideal_forms("polyadenylation") == ["polyadenylation"]


def test_scifact_retrieval_scores_a_small_corpus(tmp_path, hash_embedder):
    from reviewer.api import Reviewer
    from reviewer.evaluation.benchmarks import scifact_retrieval
    from reviewer.settings import Settings

    abstracts = {
        11: ["Metformin lowers hepatic glucose output in type 2 diabetes.", "It acts through AMPK activation."],
        12: ["Resistance training increases serum IGF-1 in older adults with sarcopenic obesity."],
        13: ["Aspirin reduces the risk of colorectal adenoma recurrence."],
        14: ["Statins lower LDL cholesterol and cardiovascular events."],
    }
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text("".join(json.dumps({"doc_id": d, "title": "", "abstract": s}) + "\n" for d, s in abstracts.items()))
    claims = tmp_path / "claims.jsonl"
    claims.write_text("\n".join(json.dumps(c) for c in [
        {"id": 1, "claim": "Metformin reduces hepatic glucose output.", "evidence": {"11": [{"sentences": [0]}]}},
        {"id": 2, "claim": "IGF-1 rises after resistance training in sarcopenic obesity.", "evidence": {"12": []}},
        {"id": 3, "claim": "A claim without evidence is skipped.", "evidence": {}},
    ]))
    r = Reviewer(settings=Settings.load(store=tmp_path / "store"), embedder=hash_embedder)
    out = scifact_retrieval(r, corpus, claims, modes=("bm25", "hybrid"), k=10)
    assert out["claims"] == 2 and out["documents"] == 4
    assert out["modes"]["bm25"]["ndcg@10"] == 1.0 and out["modes"]["bm25"]["recall@10"] == 1.0
    assert 0 < out["modes"]["hybrid"]["ndcg@10"] <= 1.0


@pytest.mark.slow
def test_cli_check_exits_non_zero_on_a_degraded_configuration(corpus_reviewer, tmp_path):
    """`reviewer eval --check` is the CI gate: k=1 must make it fail, naming the metric."""
    from typer.testing import CliRunner

    from reviewer.cli import app

    store = str(corpus_reviewer.settings.store)
    args = ["eval", "--check", "--store", store, "--only", "numbers", "--only", "unanswerable",
            "--baseline", str(tmp_path / "none.json"), "--junit", str(tmp_path / "eval.xml")]
    degraded = CliRunner().invoke(app, args + ["-k", "1"])
    assert degraded.exit_code == 1, degraded.output
    assert "gate failed: recall_at_k" in degraded.output
    assert (tmp_path / "eval.xml").read_text().count("<failure") >= 1
    healthy = CliRunner().invoke(app, args + ["--json", str(tmp_path / "report.json")])
    assert healthy.exit_code == 0, healthy.output
    assert json.loads((tmp_path / "report.json").read_text())["metrics"]["recall_at_k"] >= 0.9
