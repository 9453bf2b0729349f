"""Prompts are Markdown files in `prompts/`, loaded by name, with their variables checked on load.

A prompt file has a `## system` section and a `## user` section; `{name}` marks a variable
and `{{`/`}}` a literal brace. The code declares which variables it fills for each prompt
(`VARIABLES`); a file that uses an unknown variable, or never uses a declared one, fails on
load with the file and the variable named, so a prompt edit cannot silently drop the
passages or the question.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from reviewer.errors import ReviewerError

#: The variables the code fills in each prompt.
VARIABLES: dict[str, frozenset[str]] = {
    "answer": frozenset({"question", "passages"}),
    "rewrite": frozenset({"history", "question"}),
    "evidence_mixed": frozenset({"passages"}),
    "summarize": frozenset({"topic", "passages"}),
}

_SECTION = re.compile(r"^##\s+(system|user)\s*$", re.MULTILINE | re.IGNORECASE)


class PromptError(ReviewerError):
    """A prompt file is missing or malformed; the message names the file and the problem."""


def prompts_dir() -> Path:
    """The directory holding the prompt files: `reviewer/prompts/`, shipped inside the package."""
    return Path(__file__).resolve().parent.parent / "prompts"


@dataclass(frozen=True)
class Prompt:
    """A loaded prompt: a system and a user template and the variables they use."""

    name: str
    path: Path
    system: str
    user: str
    variables: frozenset[str]

    def render(self, **values: str) -> tuple[str, str]:
        """Fill the templates; returns (system text, user text).

        Raises:
            PromptError: a variable of the prompt was not given a value, or an unknown one was.
        """
        given = set(values)
        if given != set(self.variables):
            missing, extra = sorted(self.variables - given), sorted(given - self.variables)
            raise PromptError(f"{self.path}: render() needs {sorted(self.variables)}; missing {missing}, unknown {extra}")
        return self.system.format_map(values).strip(), self.user.format_map(values).strip()

    def messages(self, **values: str) -> list:
        """The filled prompt as LangChain messages [SystemMessage, HumanMessage]."""
        from langchain_core.messages import HumanMessage, SystemMessage

        system, user = self.render(**values)
        return [SystemMessage(content=system), HumanMessage(content=user)]


def _placeholders(template: str, path: Path) -> set[str]:
    names: set[str] = set()
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError as exc:
        raise PromptError(f"{path}: {exc} (write a literal brace as {{{{ or }}}})") from None
    for _, name, spec, conversion in parsed:
        if name is None:
            continue
        if not name.isidentifier() or spec or conversion:
            raise PromptError(f"{path}: placeholder {{{name}}} must be a plain variable name")
        names.add(name)
    return names


def load_prompt(name: str, directory: Optional[Path] = None, variables: Optional[set[str]] = None) -> Prompt:
    """Load a prompt file by name and check its variables.

    Args:
        name: the file name without `.md`, e.g. "answer".
        directory: where prompt files live (default: `prompts_dir()`).
        variables: the variables the caller will fill (default: `VARIABLES[name]`).

    Raises:
        PromptError: the file is missing, lacks a `## system` or `## user` section, uses a
            variable the code does not fill, or never uses one it does.
    """
    path = (directory or prompts_dir()) / f"{name}.md"
    if not path.is_file():
        raise PromptError(f"{path}: prompt file not found")
    expected = frozenset(variables if variables is not None else VARIABLES.get(name, ()))
    text = path.read_text(encoding="utf-8")
    parts = _SECTION.split(text)
    sections: dict[str, str] = {}
    for i in range(1, len(parts) - 1, 2):
        sections[parts[i].lower()] = parts[i + 1]
    for section in ("system", "user"):
        if section not in sections:
            raise PromptError(f"{path}: no '## {section}' section")
    used = _placeholders(sections["system"], path) | _placeholders(sections["user"], path)
    unknown = sorted(used - expected)
    if unknown:
        raise PromptError(f"{path}: unknown variable {{{unknown[0]}}} (the code fills {sorted(expected)})")
    missing = sorted(expected - used)
    if missing:
        raise PromptError(f"{path}: variable {{{missing[0]}}} is never used (the code fills {sorted(expected)})")
    return Prompt(name=name, path=path, system=sections["system"], user=sections["user"], variables=expected)
