"""The project's own error types. Every problem with user input is a `Problem` naming where it is."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any, Literal

from symbiosis.i18n import Lang, message

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Problem:
    """One finding about the user's input: where it is, what is wrong, what would be accepted.

    `row` counts as the user does in a spreadsheet: the header is row 1, the first data row is row 2.
    `code` selects a bilingual message template; `params` fill it.
    """

    code: str
    file: str = ""
    row: int | None = None
    column: str = ""
    value: str = ""
    accepted: str = ""
    severity: Severity = "error"
    params: tuple[tuple[str, str], ...] = ()

    def text(self, lang: Lang = "en") -> str:
        return message(self.code, lang, value=self.value, column=self.column, accepted=self.accepted,
                       **dict(self.params))

    def as_record(self, lang: Lang = "en") -> dict[str, Any]:
        record = asdict(self)
        record.pop("params")
        record["message"] = self.text(lang)
        return record


class SymbiosisError(Exception):
    """Base of every error this project raises on purpose."""


class ParkError(SymbiosisError):
    """The park data package has errors; `problems` lists all of them (warnings included)."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = list(problems)
        errors = [p for p in self.problems if p.severity == "error"]
        first = errors[0] if errors else (self.problems[0] if self.problems else None)
        where = f" (first: {first.file} row {first.row} column {first.column}: {first.text()})" if first else ""
        super().__init__(f"{len(errors)} error(s) in the park data package{where}")

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]


class DatasetError(SymbiosisError):
    """A reference table in datasets/ is inconsistent (a bug in the shipped data, or a bad override)."""
