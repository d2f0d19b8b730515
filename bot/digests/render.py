"""Render a ``Digest`` as plain text and HTML (Jinja2, HTML autoescaped) in one e-mail."""

from __future__ import annotations

from collections.abc import Sized
from datetime import timedelta
from email.message import EmailMessage

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from bot.digests.content import MAX_LISTED, Digest

CLIP = 400

_env = Environment(
    loader=PackageLoader("bot.digests", "templates"),
    autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
    undefined=StrictUndefined,
    keep_trailing_newline=True,
)


def _clip(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= CLIP else flat[: CLIP - 1] + "…"


def _pct(value: float) -> str:
    return f"{value:.0%}"


def _days(value: timedelta) -> str:
    return f"{value.total_seconds() / 86400:g}"


def _more(section: Sized) -> str:
    extra = len(section) - MAX_LISTED
    return f"... and {extra} more on the dashboard\n" if extra > 0 else ""


def _render(name: str, digest: Digest) -> str:
    return _env.get_template(name).render(d=digest, cap=MAX_LISTED, clip=_clip, pct=_pct,
                                          days=_days, more=_more)


def subject(digest: Digest) -> str:
    return f"CivicVoice digest: {digest.area_label} ({digest.new_count} new)"


def render_text(digest: Digest) -> str:
    return _render("digest.txt", digest)


def render_html(digest: Digest) -> str:
    return _render("digest.html", digest)


def build_email(digest: Digest, sender: str, recipients: list[str]) -> EmailMessage:
    """Return the multipart/alternative e-mail for ``digest``."""
    message = EmailMessage()
    message["Subject"] = subject(digest)
    message["From"] = sender
    message["To"] = ", ".join(recipients)
    message.set_content(render_text(digest))
    message.add_alternative(render_html(digest), subtype="html")
    return message
