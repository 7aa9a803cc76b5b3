"""User-facing input errors: every problem names file, row, column, what was found and expected."""

from __future__ import annotations

from dataclasses import dataclass

MAX_SHOWN = 50


@dataclass(frozen=True)
class Problem:
    fil: str
    rad: int | str | None
    kolonne: str | None
    funnet: object
    forventet: str

    def __str__(self) -> str:
        where = [self.fil]
        if self.rad is not None:
            where.append(f"rad {self.rad}" if isinstance(self.rad, int) else str(self.rad))
        if self.kolonne:
            where.append(f"kolonne «{self.kolonne}»")
        found = "(tom)" if self.funnet in (None, "") else f"«{self.funnet}»"
        return f"{', '.join(where)}: fant {found}, forventet {self.forventet}"


class InputError(Exception):
    """Raised when input files are invalid; the warehouse is left untouched."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__(self.report())

    def report(self) -> str:
        shown = self.problems[:MAX_SHOWN]
        lines = [f"Feil i inndata ({len(self.problems)} problem(er)); ingenting er endret:"]
        lines += [f"  - {p}" for p in shown]
        if len(self.problems) > MAX_SHOWN:
            lines.append(f"  … og {len(self.problems) - MAX_SHOWN} problem(er) til.")
        return "\n".join(lines)


class Collector:
    """Gathers problems so a whole file is checked before anything is reported."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, fil, rad, kolonne, funnet, forventet) -> None:
        self.problems.append(Problem(str(fil), rad, kolonne, funnet, forventet))

    def raise_if_any(self) -> None:
        if self.problems:
            raise InputError(self.problems)
