"""Conference mode in the dashboard: a region's slides (dashboard/eksport/innhold.py) shown one
per screen, with next/previous on the arrow keys, in a projector theme without sidebar or
Streamlit chrome when `?present=1` (or the page's toggle) is on. Every slide has its own URL."""

from __future__ import annotations

import streamlit as st

from dashboard import db, fmt, markup, tekster
from dashboard.eksport import innhold, ramme
from dashboard.tekster import t

URL = "presentasjon"  # the page's url_path


def aktiv() -> bool:
    """Presentation mode: the page's toggle, or `?present=1` in a link."""
    if "present" in st.session_state:
        return bool(st.session_state["present"])
    return st.query_params.get("present", "").lower() in ("1", "true")


def sync_link() -> None:
    """`?present=1` in the link while the mode is on, so the link of every slide presents."""
    if st.session_state.get("present"):
        st.query_params["present"] = "1"
    elif "present" in st.query_params:
        del st.query_params["present"]


@st.cache_resource(max_entries=12, show_spinner=False)
def _report(build: str, niva: str, sted: str, lang: str) -> innhold.Rapport:
    # every view once per build, place and language; the chosen sequence picks from it
    return innhold.build(db.query, innhold.Region(niva, sted), lang)


def rapport(niva: str, sted: str) -> innhold.Rapport:
    return _report(db.current_build(), niva, sted, tekster.lang())


def sequence(r: innhold.Rapport, visninger: list[str]) -> list[innhold.Lysbilde]:
    """The slides of the chosen views, in the order the leader chose them."""
    return [s for v in visninger for s in r.lysbilder if s.visning == v]


@st.cache_data(max_entries=64, show_spinner=False)
def _map_svg(build: str, niva: str, sted: str, lang: str, slide: str) -> str:
    s = next(x for x in _report(build, niva, sted, lang).lysbilder if x.id == slide)
    return s.kart.svg(1600, 820, font_size=22)


@st.cache_data(max_entries=32, show_spinner=False)
def export(build: str, niva: str, sted: str, lang: str, slide: str, kind: str) -> bytes:
    """A slide's drawing as a framed file: 'png' (1920×1080), 'trykk' (print PNG) or 'svg'."""
    r = _report(build, niva, sted, lang)
    s = next(x for x in r.lysbilder if x.id == slide)
    svg = ramme.slide_svg(r, s)
    if kind == "svg":
        return svg.encode("utf-8")
    return ramme.png(svg, print_size=kind == "trykk")


def _table(table: innhold.Tabell) -> markup.Safe:
    head = markup.join(markup.html("<th>{c}</th>", c=c) for c in table.kolonner)
    rows = []
    for r, values in enumerate(table.rader):
        cells = []
        for c, value in enumerate(values):
            fill = table.farger[r][c] if table.farger else None
            cls = "kl-tall" if table.tall[c] else ""
            if fill:
                cells.append(markup.html('<td class="{cls}" style="background:{fill};color:{ink}">{v}</td>',
                                         cls=cls, fill=fill, ink=_text_on(fill), v=value))
            else:
                cells.append(markup.html('<td class="{cls}">{v}</td>', cls=cls, v=value))
        rows.append(markup.html("<tr>{cells}</tr>", cells=markup.join(cells)))
    return markup.html('<table class="kl-lystabell"><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>',
                       head=head, rows=markup.join(rows))


def _text_on(fill: str) -> str:
    from dashboard import palette

    return palette.text_on(fill)


def show(r: innhold.Rapport, s: innhold.Lysbilde, niva: str, sted: str, font_size: int = 24) -> None:
    """One slide: title, selection, the drawing or table, and the notes that apply to it."""
    with st.container(key="kl-lysbilde"):
        st.title(markup.md(s.tittel), anchor=False)
        markup.show_html('<p class="kl-utvalg">{utvalg}</p>', utvalg=s.utvalg)
        if s.tomt:
            markup.show_html('<p class="kl-tomt">{tomt}</p>', tomt=s.tomt)
        if s.punkter and (s.visning in ("tittel", "nokkeltall", "kilder") or s.spec is None):
            markup.show_html("<ul>{items}</ul>", items=markup.join(markup.html("<li>{p}</li>", p=p) for p in s.punkter))
        if s.kart is not None:
            # as an image: st.html's sanitiser drops inline SVG
            st.image(_map_svg(db.current_build(), niva, sted, tekster.lang(), s.id), width="stretch",
                     alt=s.kart.alt)
        elif s.spec is not None:
            spec = ramme._bigger_marks(s.spec, font_size) | {"config": ramme.config(font_size),
                                                             "usermeta": {"embedOptions": {"renderer": "svg"}}}
            st.vega_lite_chart(spec | {"description": s.tittel}, theme=None, width="stretch", alt=s.tittel)
        elif s.tabell is not None:
            markup.show_html("{table}", table=_table(s.tabell))
        frame = ramme.frame_of(r, s)
        notes = [f"{frame.kilde} · {frame.dato}" + (f" · {frame.n}" if frame.n else "")]
        notes += [m for m in frame.merknader if m != frame.demo]
        fot = markup.join(markup.html('<p class="kl-fot">{n}</p>', n=n) for n in notes)
        demo = markup.html('<p class="kl-demo">{demo}</p>', demo=frame.demo) if frame.demo else ""
        markup.show_html("{fot}{demo}", fot=fot, demo=demo)


def exports(r: innhold.Rapport, s: innhold.Lysbilde, niva: str, sted: str) -> None:
    """Download buttons for the slide's drawing: PNG 1920×1080, PNG for print, SVG."""
    if s.kart is None and s.spec is None:
        return
    build, lang = db.current_build(), tekster.lang()
    base = f"{s.id}_{sted}_{r.sprak}" + ("_DEMODATA" if r.syntetisk else "") + f"_{r.dato.isoformat()}"
    cols = st.columns(3)
    for col, (kind, label, ext, mime) in zip(cols, [
        ("png", t("presentasjon.png"), "png", "image/png"),
        ("trykk", t("presentasjon.trykk"), "png", "image/png"),
        ("svg", t("presentasjon.svg"), "svg", "image/svg+xml"),
    ]):
        name = base + ("_trykk" if kind == "trykk" else "") + f".{ext}"
        col.download_button(label, lambda kind=kind: export(build, niva, sted, lang, s.id, kind), file_name=name,
                            mime=mime, key=f"dl_{kind}_{s.id}", icon=":material/image:", on_click="ignore")


def n_text(i: int, n: int) -> str:
    return t("presentasjon.teller", nr=fmt.tall(i), av=fmt.tall(n))
