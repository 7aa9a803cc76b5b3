"""Page sections that more than one page uses: heading, the 500 scale in words, tables with real
numeric columns, and downloads that carry title, filters, source, date and the demo mark."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl
import streamlit as st

from dashboard import csvexport, filters, markup, queries, tekster
from dashboard.filters import Filters
from dashboard.tekster import t


@dataclass(frozen=True)
class Indicators:
    navn: dict[str, str]
    beskrivelse: dict[str, str | None]
    hoyere_er_bedre: dict[str, bool]


def indicators_or_stop(f: Filters) -> Indicators:
    """The indicators of the chosen respondent group; without survey data, say so and stop."""
    katalog = queries.indicators(f.respondentgruppe) if f.respondentgruppe and f.runde else None
    if katalog is None or katalog.is_empty():
        st.info(t("felles.ingen_undersokelse"))
        st.stop()
    ids = katalog["indikator"].to_list()
    return Indicators(
        navn={i: tekster.kode("indikator", i, n) for i, n in zip(ids, katalog["navn"])},
        beskrivelse={i: tekster.kode("indikator_beskrivelse", i, b) for i, b in zip(ids, katalog["beskrivelse"])},
        hoyere_er_bedre=dict(zip(ids, katalog["hoyere_er_bedre"])),
    )


def heading(title: str, f: Filters | None = None, survey: bool = False) -> None:
    """The page title and, under it, what the page shows: selection, and group and round."""
    st.title(markup.md(title))
    if f is None:
        return
    parts = [filters.selection_text(f)]
    if survey and f.respondentgruppe and f.runde:
        n = filters.names()
        parts = [n.grupper.get(f.respondentgruppe, f.respondentgruppe),
                 f"{t('filter.runde')} {tekster.runde(f.runde)}"] + parts
    markup.show_html('<p class="kl-viser">{viser}: {utvalg}</p>', viser=t("felles.viser"), utvalg=" · ".join(parts))


def scale_explained(group: str | None = None, reference: str | None = None) -> None:
    """The 500 scale in plain words, once per page where scores appear."""
    scale_max = 3 if group == "elev_1_4" else 5
    with st.expander(t("skala.tittel"), icon=":material/help:"):
        st.markdown(t("skala.forklaring", maks=scale_max))
        if reference:
            st.markdown(t("skala.referanse", referanse=markup.md(reference)))


def reference_of(frame: pl.DataFrame) -> str | None:
    """The reference the shown scores are on (docs/decisions.md 10); several are listed."""
    if "referanse" not in frame.columns:
        return None
    refs = frame["referanse"].drop_nulls().unique().sort().to_list()
    return ", ".join(refs) or None


def hidden_rule(k: int) -> str:
    return t("felles.skjult_regel", k=k)


# --- tables -------------------------------------------------------------------------------------

INT = "int"
SCORE = "score"
MEAN = "mean"
CHANGE = "change"
TEXT = "text"
YESNO = "yesno"


def table(frame: pl.DataFrame, columns: list[tuple[str, str, str]], key: str | None = None,
          height: int | str = "auto") -> None:
    """A table whose numbers stay numbers (they sort as numbers and show in the reader's locale),
    with «–» where a number is hidden or missing. columns: (source column, title, kind)."""
    shown = frame.select(
        (pl.col(src).replace_strict({True: t("felles.ja"), False: t("felles.nei")}, default=None)
         if kind == YESNO else pl.col(src)).alias(title)
        for src, title, kind in columns
    )
    config = {}
    for _, title, kind in columns:
        if kind == INT:
            config[title] = st.column_config.NumberColumn(format="localized")
        elif kind == SCORE:
            config[title] = st.column_config.NumberColumn(format="%d")
        elif kind in (MEAN, CHANGE):
            config[title] = st.column_config.NumberColumn(format="localized", step=0.01 if kind == MEAN else 1)
        elif kind == TEXT:
            config[title] = st.column_config.TextColumn()
    # an Arrow table goes to the browser as it is; a polars frame would go through pandas first
    st.dataframe(shown.to_arrow(), hide_index=True, width="stretch", column_config=config, placeholder="–",
                 key=key, height=height)


def score_table_columns(by_group: str | None = None) -> list[tuple[str, str, str]]:
    """The columns every results table shows: answers, score, interval, the 1–5 mean, change."""
    return [
        ("antall_svar", t("kolonne.svar"), INT),
        ("skaar", t("kolonne.skaar"), SCORE),
        ("ki_lav", t("kolonne.ki_lav"), SCORE),
        ("ki_hoy", t("kolonne.ki_hoy"), SCORE),
        ("snitt", t("kolonne.snitt"), MEAN),
        ("endring", t("kolonne.endring"), CHANGE),
        ("tydelig_endring", t("kolonne.tydelig"), YESNO),
    ]


def rounded_scores(frame: pl.DataFrame) -> pl.DataFrame:
    """Scores and intervals as whole numbers, means with two decimals (as the tables show them)."""
    cols = [c for c in ("skaar", "ki_lav", "ki_hoy", "endring") if c in frame.columns]
    frame = frame.with_columns(pl.col(c).round(0).cast(pl.Int64) for c in cols)
    return frame.with_columns(pl.col("snitt").round(2)) if "snitt" in frame.columns else frame


# --- downloads ----------------------------------------------------------------------------------


def download(frame: pl.DataFrame, *, table: str, title: str, f: Filters | None, key: str,
             label: str | None = None, excel: bool = True) -> None:
    """A CSV download of exactly this frame, with a header naming title, filters, source, date
    and (for synthetic data) the demo mark. The file is made on click, not on every rerun."""
    synthetic = bool("syntetisk" in frame.columns and frame["syntetisk"].any()) or (
        queries.build_info().syntetisk and table.startswith(("indikator", "kartlegging"))
    )
    info = queries.build_info()
    lines = [title, *(filters.filter_lines(f) if f else []),
             t("eksport.kilde"), f"{t('eksport.laget')}: {dt.date.today().isoformat()}"]
    if info.syntetisk:
        lines.append(t("felles.demo_merke"))
    name = csvexport.file_name(table, f.describe() if f else "", synthetic)
    st.download_button(
        label or t("eksport.last_ned_csv"),
        lambda: csvexport.to_csv(frame, norwegian_excel=excel, header=lines),
        file_name=name, mime="text/csv", key=key, icon=":material/download:", on_click="ignore",
    )
