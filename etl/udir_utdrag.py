"""Make the bundled copies of Udir's Statistikkbanken CSV downloads from the originals:
`python -m etl.udir_utdrag ../shared/public-data/udir-csv`.

The national-test downloads hold about 2 000 school rows each (level 4), which the dashboard
does not show; the bundled copies keep every other line of the original byte for byte (the
`sep=` line, the header, the country, county and municipality rows, in their order and
encoding) and drop the school rows, so the repository carries about a sixth of the bytes. Small
downloads are copied unchanged. kilder.csv records both checksums and what was removed; a test
makes the copies again from ../shared and compares them byte for byte.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import sys
from pathlib import Path

from etl import udir, udir_csv

TARGET = udir.BUNDLED_DIR / "udir-csv"
# a download with fewer bytes than this is bundled unchanged, school rows and all
WHOLE_BELOW = 100_000
FIELDS = ["fil", "innhold", "endepunkt", "hentet", "opphav", "sha256", "sha256_original", "bearbeiding"]
ORIGIN = {  # folder -> (repository, commit, path in it): ../shared/public-data/udir-csv/README.md
    "nasjonale-prover-2022-2025": ("ODushyn/oslo-skoler", "c2823e0aae56", "source-data"),
    "gsi-bergen-2021-2025": ("dannyycwang/BergenBarnehageSkole", "3221db6c8d7e", "E_report"),
}
REPORT = {  # a word in the file name -> the report's name in the statistics bank
    "5._trinn": "Nasjonale prøver 5. trinn",
    "ungdomstrinn": "Nasjonale prøver ungdomstrinn",
    "Elever_og_skoler": "Elever og skoler",
}
DROPPED = "skolerader (EnhetNivaa 4) fjernet; alle andre linjer uendret"


def without_schools(data: bytes) -> bytes:
    """The file with its level-4 lines left out; everything else as it was, byte for byte."""
    encoding = "utf-16-le" if data[1:2] == b"\x00" else "utf-8"
    bom = b"\xff\xfe" if data.startswith(b"\xff\xfe") else b""
    text = data[len(bom):].decode(encoding)
    kept = [line for line in text.split("\n") if not line.startswith("4\t")]
    return bom + "\n".join(kept).encode(encoding)


def retrieved(name: str) -> str:
    """The export date in the file name, «…_20260224-1157_…» -> 2026-02-24."""
    match = re.search(r"(20\d\d)(\d\d)(\d\d)-\d{4}", name)
    return f"{match.group(1)}-{match.group(2)}-{match.group(3)}" if match else ""


def make(source: Path, target: Path = TARGET) -> list[dict]:
    """Write the bundled copies under target and return their kilder.csv rows."""
    rows = []
    for path in sorted(source.glob("*/*.csv")):
        data = path.read_bytes()
        udir_csv.parse(path.name, data, udir.Geo.load())  # only a file that reads is bundled
        small = len(data) < WHOLE_BELOW
        out = data if small else without_schools(data)
        dest = target / path.parent.name / path.name
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_bytes(out)
        repo, commit, folder = ORIGIN[path.parent.name]
        report = next(v for k, v in REPORT.items() if k in path.name)
        rows.append({
            "fil": f"udir-csv/{path.parent.name}/{path.name}", "innhold": "data",
            "endepunkt": f"Statistikkbanken, «{report}», Last ned → CSV",
            "hentet": retrieved(path.name), "opphav": f"{repo}@{commit}:{folder}/{path.name}",
            "sha256": hashlib.sha256(out).hexdigest(), "sha256_original": hashlib.sha256(data).hexdigest(),
            "bearbeiding": "uendret" if small else DROPPED,
        })
    return rows


def write_manifest(rows: list[dict], manifest: Path = udir.MANIFEST) -> None:
    """kilder.csv with the CSV rows first (the API responses after them win on the same cell)."""
    with manifest.open(encoding="utf-8", newline="") as handle:
        old = [r for r in csv.DictReader(handle) if not r["fil"].startswith("udir-csv/")]
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, FIELDS, lineterminator="\n")
    writer.writeheader()
    for row in rows + old:
        writer.writerow({k: row.get(k) or "" for k in FIELDS})
    manifest.write_text(buffer.getvalue(), encoding="utf-8")


def main(argv: list[str]) -> int:
    if len(argv) != 1 or not Path(argv[0]).is_dir():
        print("Bruk: python -m etl.udir_utdrag ../shared/public-data/udir-csv", file=sys.stderr)
        return 2
    rows = make(Path(argv[0]))
    write_manifest(rows)
    for row in rows:
        print(f"{row['fil']}: {row['bearbeiding']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
