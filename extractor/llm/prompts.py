"""Prompt templates are files in the top-level ``prompts/`` folder (installed as the package ``extractor.prompts``); each carries a version that enters the cache key.

They ship inside the package (package data) and are read with ``importlib.resources``, so a
plain ``pip install .`` or a wheel has them; ``EXTRACTOR_PROMPTS_DIR`` points at another folder.

File format::

    version: 3
    section: applications
    ---
    ## system
    ...
    ## user
    ... {{title}} {{year}} {{section_text}} ...

Placeholders are filled in one pass over the template only, so text inside a
report (untrusted input) is never itself treated as a template.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

from schemas.vocabulary import NA_MARKERS, ZERO_MARKERS

_PLACEHOLDER = re.compile(r"\{\{\s*(\w+)\s*\}\}")


class PromptError(Exception):
    pass


@dataclass(frozen=True)
class PromptTemplate:
    name: str
    version: str
    system: str
    user: str

    def render(self, **values: str) -> list[dict[str, str]]:
        def fill(template: str) -> str:
            def sub(m: re.Match[str]) -> str:
                key = m.group(1)
                if key not in values:
                    raise PromptError(f"prompt {self.name}: no value for {{{{{key}}}}}")
                return values[key]

            return _PLACEHOLDER.sub(sub, template)

        system = fill(self.system) + f"\n[prompt {self.id}]"
        return [{"role": "system", "content": system}, {"role": "user", "content": fill(self.user)}]

    @property
    def id(self) -> str:
        return f"{self.name}@{self.version}"


def packaged_prompts() -> Traversable:
    """The prompt folder shipped in the package."""
    return resources.files("extractor.prompts")


def load_prompt(prompts_dir: Path | Traversable | None, name: str) -> PromptTemplate:
    """A prompt template by name, from ``prompts_dir`` or (None) the packaged prompts."""
    folder: Path | Traversable = prompts_dir if prompts_dir is not None else packaged_prompts()
    path = folder / f"{name}.md"
    if not path.is_file():
        raise PromptError(f"prompt file {path} not found")
    raw = path.read_text(encoding="utf-8")
    head, sep, body = raw.partition("\n---\n")
    if not sep:
        raise PromptError(f"{path}: expected a header ending with a '---' line")
    meta = dict(line.split(":", 1) for line in head.strip().splitlines() if ":" in line)
    meta = {k.strip(): v.strip() for k, v in meta.items()}
    if "version" not in meta:
        raise PromptError(f"{path}: the header needs a version")
    parts = re.split(r"^## (system|user)\s*$", body, flags=re.M)
    blocks = {parts[i]: parts[i + 1].strip() for i in range(1, len(parts) - 1, 2)}
    if "user" not in blocks:
        raise PromptError(f"{path}: no '## user' block")
    shared = folder / "system.md"
    system = blocks.get("system", "")
    if shared.is_file() and "{{shared_rules}}" in system:
        system = system.replace("{{shared_rules}}", shared.read_text(encoding="utf-8").strip())
    for placeholder, markers in marker_lists().items():
        system = system.replace("{{" + placeholder + "}}", markers)
    return PromptTemplate(name=name, version=meta["version"], system=system, user=blocks["user"])


def marker_lists() -> dict[str, str]:
    """The zero and not-applicable markers as the prompts list them, from the one vocabulary.

    Filled in when a template is loaded, so the prompt can never disagree with the
    baseline and the grounding check, and a change to the vocabulary changes the
    template's hash and therefore every cache key.
    """
    def listed(markers: frozenset[str]) -> str:
        return "、".join(sorted(markers, key=lambda m: (len(m), m)))

    return {"zero_markers": listed(ZERO_MARKERS), "na_markers": listed(NA_MARKERS)}
