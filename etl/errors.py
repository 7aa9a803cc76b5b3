"""User-facing errors: every problem names file, row, column, what was found and expected."""

from __future__ import annotations

from dataclasses import dataclass

MAX_SHOWN = 50


class UserError(Exception):
    """A failure the user can act on; its text is Norwegian and shown as it is (exit code 1)."""


class Described(str):
    """A description of what was found ("3 områder"), shown without quotes."""


def _found(value: object) -> str:
    """What was found, for the user: quoted and escaped text, never a Python name or repr."""
    from etl.meldinger import PYTHON_TYPE_NAMES, STRERROR, escape, found_text, kind_of

    if value is None or value == "":
        return "(tom)"
    if isinstance(value, Described):
        return escape(value)
    if isinstance(value, BaseException):
        return found_text(value)
    if isinstance(value, str) and value in STRERROR:  # a caller passed exc.strerror on
        return STRERROR[value]
    if isinstance(value, (dict, list, tuple, set, bool)):
        return kind_of(value)
    if isinstance(value, str) and value in PYTHON_TYPE_NAMES:  # a caller passed type(x).__name__
        return PYTHON_TYPE_NAMES[value]
    return f"«{escape(value)}»"


@dataclass(frozen=True)
class Problem:
    fil: str
    rad: int | str | None
    kolonne: str | None
    funnet: object
    forventet: str

    def __str__(self) -> str:
        from etl.meldinger import escape

        where = [escape(self.fil)]
        if self.rad is not None:
            where.append(f"rad {self.rad}" if isinstance(self.rad, int) else escape(self.rad))
        if self.kolonne:
            where.append(f"kolonne «{escape(self.kolonne)}»")
        return f"{', '.join(where)}: fant {_found(self.funnet)}, forventet {self.forventet}"


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
