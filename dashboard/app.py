"""Entrypoint: page setup, language, the global filters in the sidebar, and the page navigation."""

from __future__ import annotations

import base64
from pathlib import Path

import streamlit as st

from dashboard import db, filters, markup, presentasjon, queries, tekster, tilgang
from dashboard.tekster import t
from etl import config

ASSETS = Path(__file__).parent / "assets"

# a data URL: a file path would be read, decoded and registered as a media file on every rerun
FAVICON = "data:image/png;base64," + base64.b64encode((ASSETS / "favicon.png").read_bytes()).decode()
st.set_page_config(page_title=t("app.tittel"), page_icon=FAVICON, layout="wide")
# the built-in CSV/PNG exports skip our file rules (title, filters, source, date, demo mark)
st.set_option("client.disableDataExport", True)
lang = filters.choose_language()
STYLE = (ASSETS / "style.css").read_text(encoding="utf-8")
# Streamlit hard-codes <html lang="en">; tables format "localized" numbers by navigator.language;
# st.html isolates <style>, so the page's stylesheet goes into <head> from here
markup.script(
    """// ikke-tekst: a script
    document.documentElement.lang = {lang};
    const style = document.getElementById("kl-stil") || document.head.appendChild(
      Object.assign(document.createElement("style"), {{id: "kl-stil"}}));
    style.textContent = {style};
    for (const [name, value] of [["language", {locale}], ["languages", [{locale}]]]) {{
      try {{ Object.defineProperty(navigator, name, {{get: () => value, configurable: true}}); }} catch (e) {{}}
    }}
    """,
    st.sidebar, lang=lang, style=STYLE, locale=tekster.LOCALES[lang],
)

try:
    config.min_svar()  # the same Norwegian refusal of a bad KL_MIN_SVAR as the ETL
    db.pin_build()  # one build for this whole run: a rebuild meanwhile never mixes into a page
    viewer = tilgang.pin()  # who is looking, and their scope in the data layer (never from the URL)
except db.WarehouseMissing as missing:
    st.error(t("app.lager_mangler", path=markup.md(missing)))
    st.stop()
except config.SettingError as wrong:
    st.error(t("app.innstilling_feil", feil=markup.md(wrong)))
    st.stop()

PAGES = [
    st.Page("sider/oversikt.py", title=t("side.oversikt"), icon=":material/dashboard:", default=True),
    st.Page("sider/kart.py", title=t("side.kart"), icon=":material/map:"),
    st.Page("sider/tidslinje.py", title=t("side.tidslinje"), icon=":material/timeline:"),
    st.Page("sider/indikatorer.py", title=t("side.indikatorer"), icon=":material/bar_chart:"),
    st.Page("sider/sammenligning.py", title=t("side.sammenligning"), icon=":material/compare_arrows:"),
    st.Page("sider/kartlegging.py", title=t("side.kartlegging"), icon=":material/grid_on:"),
    st.Page("sider/offentlig.py", title=t("side.offentlig"), icon=":material/account_balance:"),
    st.Page("sider/data.py", title=t("side.data"), icon=":material/download:"),
    st.Page("sider/om.py", title=t("side.om"), icon=":material/info:"),
    st.Page("sider/presentasjon.py", title=t("side.presentasjon"), icon=":material/slideshow:"),
]
page = st.navigation(PAGES, position="sidebar")
# presentation mode (the presentation page's toggle or ?present=1): no chrome, large type, high
# contrast; an empty sheet when it is off, so leaving the mode takes the sheet away again
present = page.url_path == presentasjon.URL and presentasjon.aktiv()
PRESENT_STYLE = (ASSETS / "presentasjon.css").read_text(encoding="utf-8") if present else ""
markup.script(
    """// ikke-tekst: a script
    {{
    const sheet = document.getElementById("kl-presentasjon") || document.head.appendChild(
      Object.assign(document.createElement("style"), {{id: "kl-presentasjon"}}));
    sheet.textContent = {style};
    }}""",
    st.sidebar, style=PRESENT_STYLE,
)
st.session_state["_filters"] = filters.sidebar()
info = queries.build_info()
if info.min_svar < config.MIN_SVAR_FLOOR:
    st.error(t("app.k_overstyrt", k=info.min_svar), icon=":material/warning:")
# Offentlig statistikk shows only Udir's real figures: it never carries the demo mark; a slide in
# presentation mode carries the demo mark itself
if info.syntetisk and page.url_path != "offentlig" and not present:
    st.warning(t("felles.demo_banner"), icon=":material/science:")
if not present:
    tilgang.banner(viewer)
notice = st.container()
page.run()
unknown = filters.unknown_in_link()
if unknown:
    notice.warning(
        t("app.ukjent_i_lenke", verdier=markup.md("; ".join(f"{k}={', '.join(v)}" for k, v in unknown.items()))),
        icon=":material/link_off:",
    )
