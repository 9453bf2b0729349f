"""The regression gate: a run's metrics against minimums (`evals/thresholds.toml`) and the baseline."""

from __future__ import annotations

from pathlib import Path
from typing import Optional, Union

from pydantic import BaseModel, Field

from reviewer.evaluation.suite import LOWER_IS_BETTER, EvalError, EvalReport


class Gate(BaseModel):
    """One metric checked against its threshold and the baseline."""

    metric: str
    value: Optional[float] = None
    minimum: Optional[float] = None
    maximum: Optional[float] = None
    baseline: Optional[float] = None
    max_drop: Optional[float] = None
    failures: list[str] = Field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.failures


def _read_toml(path: Path) -> dict:
    import tomllib

    if not path.exists():
        raise EvalError(f"thresholds file {path} not found")
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise EvalError(f"thresholds file {path} is not valid TOML: {exc}") from None


def load_report(path: Union[str, Path]) -> EvalReport:
    """Read a report or baseline written by `write_baseline`."""
    path = Path(path)
    if not path.exists():
        raise EvalError(f"baseline {path} not found: create one with `reviewer eval --write-baseline`")
    try:
        return EvalReport.model_validate_json(path.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise EvalError(f"baseline {path} is not an eval report ({str(exc).splitlines()[0]})") from None


def write_baseline(report: EvalReport, path: Union[str, Path]) -> Path:
    """Save a report as the baseline later runs are compared with."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(report.model_dump_json(indent=2) + "\n", encoding="utf-8")
    return path


def failing_cases(report: EvalReport, metric: str) -> list[str]:
    """Ids of the cases that pull a metric down."""
    ans = [c for c in report.cases if c.answerable]
    picks = {
        "recall_at_1": [c for c in ans if not c.gold_rank or c.gold_rank > 1],
        "recall_at_3": [c for c in ans if not c.gold_rank or c.gold_rank > 3],
        "recall_at_k": [c for c in ans if not c.gold_rank],
        "mrr": [c for c in ans if not c.gold_rank or c.gold_rank > 1],
        "key_fact_accuracy": [c for c in ans if not c.key_facts_ok],
        "citation_precision": [c for c in report.cases if c.citations_supported < c.citations_checked],
        "refusal_accuracy": [c for c in report.cases if not c.answerable and not c.refused],
        "false_refusal_rate": [c for c in ans if c.refused],
        "evidence_accuracy": [c for c in ans if c.design_expected and c.gold_rank and c.design_found != c.design_expected],
        "mixed_flag_rate": [c for c in ans if "mixed" in c.tags and not c.mixed],
        "error_rate": [c for c in report.cases if c.error],
    }
    if metric.startswith("latency"):
        return [c.id for c in sorted(report.cases, key=lambda c: -c.latency_ms)[:5]]
    return [c.id for c in picks.get(metric, [])]


def _cases_text(ids: list[str], limit: int = 12) -> str:
    if not ids:
        return ""
    more = f" and {len(ids) - limit} more" if len(ids) > limit else ""
    return "; cases: " + ", ".join(ids[:limit]) + more


def gates(report: EvalReport, thresholds_path: Union[str, Path], baseline_path: Union[str, Path, None] = None) -> list[Gate]:
    """Check every metric against `[minimum]`/`[maximum]` of the thresholds and `[max_drop]` from the baseline.

    A metric with no threshold and no baseline figure is not gated, nor is one this run did not
    measure (no cases of its kind). Latency is compared with the baseline only when `[max_drop]`
    names it (timings depend on the machine).
    """
    cfg = _read_toml(Path(thresholds_path))
    minimum, maximum, drops = cfg.get("minimum", {}), cfg.get("maximum", {}), cfg.get("max_drop", {})
    baseline = load_report(baseline_path) if baseline_path and Path(baseline_path).exists() else None
    out = []
    for metric in sorted(set(report.metrics) | set(minimum) | set(maximum)):
        value = report.metrics.get(metric)
        gate = Gate(metric=metric, value=value, minimum=minimum.get(metric), maximum=maximum.get(metric))
        cases = failing_cases(report, metric)
        if value is None:  # no cases of that kind in this run (e.g. `only=` picked a subset)
            out.append(gate)
            continue
        if gate.minimum is not None and value < gate.minimum:
            gate.failures.append(f"{metric} {value:.3f} is below the minimum {gate.minimum:.3f}{_cases_text(cases)}")
        if gate.maximum is not None and value > gate.maximum:
            gate.failures.append(f"{metric} {value:.3f} is above the maximum {gate.maximum:.3f}{_cases_text(cases)}")
        allowed = drops.get(metric, None if metric.startswith("latency") else drops.get("default"))
        old = baseline.metrics.get(metric) if baseline else None
        if allowed is not None and old is not None:
            gate.baseline, gate.max_drop = old, allowed
            worse = (value - old) if metric in LOWER_IS_BETTER else (old - value)
            if worse > allowed + 1e-9:
                before = set(failing_cases(baseline, metric)) if not metric.startswith("latency") else set()
                new = [c for c in cases if c not in before] or cases
                moved = "rose" if metric in LOWER_IS_BETTER else "fell"
                gate.failures.append(f"{metric} {moved} from {old:.3f} (baseline) to {value:.3f}, more than the allowed "
                                     f"{allowed:.3f}{_cases_text(new)}")
        out.append(gate)
    return out


def check(report: EvalReport, thresholds_path: Union[str, Path], baseline_path: Union[str, Path, None] = None) -> list[str]:
    """Gate failures of a report, one line each naming the metric and the cases behind it; empty when it passes."""
    return [msg for g in gates(report, thresholds_path, baseline_path) for msg in g.failures]


def to_junit(report: EvalReport, thresholds_path: Union[str, Path, None] = None,
             baseline_path: Union[str, Path, None] = None) -> str:
    """JUnit XML whose test cases are the gate's checks, one per metric.

    A question the answerer misses is not a failing test (the gate decides what fails); each
    case is listed as a property of the metric it pulls down, and in the suite's system-out.
    """
    import xml.etree.ElementTree as ET

    checked = gates(report, thresholds_path, baseline_path) if thresholds_path else [
        Gate(metric=m, value=v) for m, v in sorted(report.metrics.items())]
    root = ET.Element("testsuites", name="reviewer-eval")
    suite = ET.SubElement(root, "testsuite", name="eval.gates", tests=str(len(checked)),
                          failures=str(sum(not g.passed for g in checked)))
    for g in checked:
        tc = ET.SubElement(suite, "testcase", classname="eval.gates", name=g.metric)
        props = ET.SubElement(tc, "properties")
        for name in ("value", "minimum", "maximum", "baseline", "max_drop"):
            if getattr(g, name) is not None:
                ET.SubElement(props, "property", name=name, value=f"{getattr(g, name):g}")
        for case in failing_cases(report, g.metric):
            ET.SubElement(props, "property", name="case", value=case)
        if g.failures:
            ET.SubElement(tc, "failure", message=g.failures[0]).text = "\n".join(g.failures)
    missed = [f"{c.id}: {'; '.join(c.problems())}" for c in report.cases if not c.passed]
    ET.SubElement(suite, "system-out").text = "\n".join(missed) or "every case passed"
    return ET.tostring(root, encoding="unicode", xml_declaration=True)
