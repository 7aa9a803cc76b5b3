"""Write an export view of the warehouse as CSV (UTF-8, comma) for users who script.

Cells go through the same formula-neutralising step as the dashboard's downloads
(etl/csvsafe.py): a cell starting with `=`, `+`, `-` or `@` gets a leading apostrophe.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import duckdb

from etl.csvsafe import safe_frame
from etl.errors import InputError, Problem, UserError

# --niva: the levels of the survey and mapping exports ("landet" is the national total, whose
# level is called "alle" in the marts; "alle" here means every level)
LEVELS = {"enhet": "enhet", "kommune": "kommune", "samarbeid": "partnerskap", "fylke": "fylke", "landet": "alle"}
DEFAULT_LEVEL = {"indicators": "enhet"}


def export(warehouse: Path, name: str, out: Path | None, niva: str | None = None) -> int:
    if not Path(warehouse).exists():
        raise UserError(f"fant ikke lageret {warehouse}; kjør først `python -m etl build`")
    con = duckdb.connect(str(Path(warehouse).resolve()), read_only=True)
    try:
        views = [r[0] for r in con.execute(
            "select view_name from duckdb_views() where view_name like 'export_%' order by 1"
        ).fetchall()]
        names = [v.removeprefix("export_") for v in views]
        if name not in names:
            raise InputError([Problem("export", None, "NAVN", name, "en av " + ", ".join(names))])
        frame = con.sql(f'select * from "export_{name}"').pl()
        level = niva or DEFAULT_LEVEL.get(name, "alle")
        if "niva" in frame.columns and level != "alle":
            if level not in LEVELS:
                raise InputError([Problem("export", None, "--niva", level, "en av " + ", ".join([*LEVELS, "alle"]))])
            frame = frame.filter(frame["niva"] == LEVELS[level])
        frame = safe_frame(frame)  # filter first: the level column is compared as written
    finally:
        con.close()
    if out is None:
        sys.stdout.write(frame.write_csv())
        sys.stdout.flush()
    else:
        tmp = Path(f"{out}.{os.getpid()}.part")
        try:
            frame.write_csv(tmp)
            tmp.replace(out)
        finally:
            tmp.unlink(missing_ok=True)
    return frame.height
