"""The code shows its architecture: stages import only down the stack, with no circles, in small pieces."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "reviewer"

#: Bottom to top. A module may import its own stage and the stages listed before it, never one after.
LAYERS = ["errors", "text", "vocabulary", "models", "settings", "llm", "loading", "bibliography", "grading", "retrieval", "ingest", "answering",
          "summary", "api", "evaluation", "cli"]
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60


def _modules() -> dict[str, Path]:
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out[name] = path
    return out


def _imports(path: Path, name: str) -> set[str]:
    """Every reviewer module a file imports, at the top or inside functions."""
    found: set[str] = set()
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.split(".")[0] == "reviewer")
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                module = f"{base}.{node.module}" if node.module else base
            else:
                module = node.module or ""
            if module.split(".")[0] != "reviewer":
                continue
            found.add(module)
            found.update(f"{module}.{a.name}" for a in node.names)  # `from reviewer.x import module`
    modules = _modules()
    return {m for m in found if m in modules and m != name}


def _stage(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "api"  # the package itself only re-exports the facade


def test_every_module_belongs_to_a_known_stage():
    assert {_stage(m) for m in _modules()} <= set(LAYERS)


def test_imports_point_down_the_stack_only():
    upward = []
    for name, path in _modules().items():
        here = LAYERS.index(_stage(name))
        for target in _imports(path, name):
            if LAYERS.index(_stage(target)) > here:
                upward.append(f"{name} imports {target}")
    assert upward == []


def test_no_import_circles():
    graph = {name: _imports(path, name) for name, path in _modules().items()}
    # A package's __init__ re-exports its modules; an edge back to the package itself is not a circle of logic.
    graph = {n: {t for t in targets if not n.startswith(t + ".")} for n, targets in graph.items()}
    state: dict[str, int] = {}
    circles: list[str] = []

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                circles.append(" -> ".join(trail[trail.index(nxt):] + [nxt]) if nxt in trail else f"{node} -> {nxt}")
            elif nxt not in state:
                visit(nxt, trail + [nxt])
        state[node] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
    assert circles == []


@pytest.mark.parametrize("name", sorted(_modules()))
def test_modules_and_functions_stay_small(name):
    path = _modules()[name]
    source = path.read_text(encoding="utf-8")
    lines = len(source.splitlines())
    assert lines <= MAX_MODULE_LINES, f"{path.name} has {lines} lines"
    long = [f"{node.name} ({node.end_lineno - node.lineno + 1} lines)" for node in ast.walk(ast.parse(source))
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
            and node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES]
    assert long == []


def test_closed_vocabularies_are_labelled_by_their_enum():
    """Display code asks an enum for its `label`; no module re-implements it with `.replace('_', ' ')`."""
    offenders = [str(p.relative_to(PACKAGE)) for p in _modules().values()
                 if p.name != "vocabulary.py" and ".value.replace(" in p.read_text(encoding="utf-8")]
    assert offenders == []


def test_upward_import_is_detected(tmp_path):
    """The checker itself: a grading module importing the answerer is reported."""
    module = tmp_path / "probe.py"
    module.write_text("def f():\n    from reviewer.answering import answer\n")
    targets = _imports(module, "reviewer.grading.probe")
    assert "reviewer.answering" in targets
    assert LAYERS.index(_stage("reviewer.answering")) > LAYERS.index(_stage("reviewer.grading.probe"))
