"""The viewer of this script run: who they are, what they may see, and the page's word on it.

Without login (part of docs/tilgang.md):
- `lokal`: the server listens on loopback only (`make run`) and the request came straight from a
  browser on this machine (no proxy's forwarding headers, a loopback Host): the operator sees every
  unit, and every page says so;
- `nett`: anything else (listening on the network, or reached through a proxy): no unit-level
  results, and every page says why.

The scope goes to the data layer (dashboard/db.py → sql/marts/omfang.sql); pages only explain.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

import streamlit as st

from dashboard.tekster import t
from etl.tilgang import ALLE, INGEN, Omfang, Roller

LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost"})
# set by a reverse proxy (deploy/kl-dashbord.conf sets the first three): the request came from elsewhere
FORWARDED = ("x-forwarded-for", "x-forwarded-host", "x-forwarded-proto", "forwarded", "x-real-ip")


@dataclass(frozen=True)
class Visning:
    modus: str  # lokal | nett
    omfang: Omfang
    roller: Roller


def _headers() -> dict[str, str]:
    try:
        return {k.lower(): v for k, v in st.context.headers.items()}
    except Exception:  # noqa: BLE001 - no request (a script run without a browser)
        return {}


def listens_on_loopback() -> bool:
    return (st.get_option("server.address") or "") in LOOPBACK


def direct_from_this_machine() -> bool:
    """No proxy in between and a loopback Host: a browser on this machine asked."""
    headers = _headers()
    if any(h in headers for h in FORWARDED):
        return False
    host = headers.get("host")
    return not host or (urlsplit("//" + host).hostname or "") in LOOPBACK


def visning() -> Visning:
    """Who is looking, decided anew on every script run (nothing of it comes from the URL)."""
    if listens_on_loopback() and direct_from_this_machine():
        return Visning("lokal", ALLE, Roller(sepu=True, admin=True))
    return Visning("nett", INGEN, Roller())


_KEY = "_kl_visning"


def pin() -> Visning:
    """Decide the viewer for this run and give their scope to the data layer (the entrypoint)."""
    from dashboard import db

    v = visning()
    st.session_state[_KEY] = v
    db.pin_scope(v.omfang)
    return v


def current() -> Visning:
    """The viewer pinned for this run (pages); no units when nothing was pinned."""
    v = st.session_state.get(_KEY)
    return v if isinstance(v, Visning) else Visning("nett", INGEN, Roller())


def banner(v: Visning) -> None:
    """One line on every page saying what this viewer sees and why."""
    if v.modus == "lokal":  # the operator's own machine: a quiet line
        st.caption(":material/lock_open: " + t("tilgang.lokal"))
    elif v.omfang.tom:
        st.info(t("tilgang.nett_uten_innlogging"), icon=":material/lock:")


def unit_level_note(niva: str) -> None:
    """On a page that offers unit level: why no units are shown."""
    if niva == "enhet" and current().omfang.tom:
        st.info(t("tilgang.ingen_enheter"), icon=":material/lock:")
