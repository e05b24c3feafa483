"""Who this browser is in a live class, kept as cookies so that a reload (or a reconnect to another replica) is
the same teacher or the same student — with nothing secret in the page's address, which the projector shows.

- Written by a tiny ``st.components.v2`` component: JavaScript in the page sets ``document.cookie`` (path = the
  app's base path, SameSite=Lax, Secure on https, 12 hours like a class).
- Read on the server from ``st.context.cookies``: the browser sends its cookies with the websocket's handshake,
  so the first run after a reload already knows who it is.
Only values of a code's, secret's or token's alphabet are ever written (they need no escaping in a cookie); the
component draws nothing.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import streamlit as st

from class_store.records import CLASS_TTL_SECONDS

SAFE = re.compile(r"[A-Za-z0-9_-]{1,256}")

_JS = """
export default function ({ data }) {
  const secure = window.location.protocol === 'https:' ? '; Secure' : '';
  for (const [name, value] of data.cookies) {
    document.cookie = `${name}=${value}; path=${data.path}; max-age=${data.max_age}; SameSite=Lax${secure}`;
  }
}
"""

_component = st.components.v2.component("backprop_lab.identity_cookies", js=_JS)


def cookie_path() -> str:
    """The app's base path ("/" or "/<baseUrlPath>"): the cookies reach every page and the websocket."""
    base = st.get_option("server.baseUrlPath").strip("/")
    return f"/{base}" if base else "/"


def remember_in_browser(cookies: Mapping[str, str], *, key: str) -> None:
    """Set these cookies in the browser (names and values of [A-Za-z0-9_-] only)."""
    for name, value in cookies.items():
        if not (SAFE.fullmatch(name) and SAFE.fullmatch(value)):
            raise ValueError("a cookie name or value outside [A-Za-z0-9_-]")
    _component(data={"cookies": sorted(cookies.items()), "path": cookie_path(), "max_age": CLASS_TTL_SECONDS},
               key=key)


def browser_cookie(name: str) -> str | None:
    """The cookie this browser sent when it connected (None in AppTest, which has no browser)."""
    value = st.context.cookies.get(name)
    return value if isinstance(value, str) and SAFE.fullmatch(value) else None
