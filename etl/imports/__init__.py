"""Import real exports: units, survey answers, aggregated results and competence mapping.

A file is read as text first (`reading`: CSV separated by `,`, `;` or tab, in UTF-8 with or
without BOM or in Windows-1252; or the first sheet of an `.xlsx`), then every column is cast
and checked (`columns` says how, `checks` checks within the file, `references` against the
instruments, the known units and other kept files), so each problem names its row as the user
sees it (the header is row 1). `validate` runs these for one whole file before anything is
reported. A valid file is kept as a source under `KL_IMPORT_DIR/<kind>/<sha256[:12]>-<name>` and
the warehouse is rebuilt (`store`); `load_all()` reads every kept import for the build, from the
normalised Parquet file kept beside each original (`parquet_files(kind)` lists them).
Formats: docs/import-formats.md; frames: docs/survey-data.md.
"""

from __future__ import annotations

from etl.imports.columns import (
    KINDS,
    ORGNR_WEIGHTS,
    SCHEMAS,
    Municipalities,
    Options,
    empty_frame,
    fields,
    orgnr_is_valid,
    read_column_file,
)
from etl.imports.store import (
    has_demo_data,
    has_real_data,
    import_dir,
    import_file,
    kept_files,
    load_all,
    loaded_marker,
    parquet_files,
    read,
    reference_units,
    refuse_demo,
    refuse_mixing,
)
from etl.imports.validate import Checked, check

__all__ = [
    "KINDS",
    "ORGNR_WEIGHTS",
    "SCHEMAS",
    "Checked",
    "Municipalities",
    "Options",
    "check",
    "empty_frame",
    "fields",
    "has_demo_data",
    "has_real_data",
    "import_dir",
    "import_file",
    "kept_files",
    "load_all",
    "loaded_marker",
    "orgnr_is_valid",
    "parquet_files",
    "read",
    "read_column_file",
    "reference_units",
    "refuse_demo",
    "refuse_mixing",
]
