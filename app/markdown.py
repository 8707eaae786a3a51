"""The one Markdown renderer: Python-Markdown, then nh3 so no stored text can inject markup."""

from __future__ import annotations

from functools import lru_cache

import markdown as _markdown
import nh3
from markupsafe import Markup

_ALLOWED_TAGS = {
    "p", "br", "strong", "em", "code", "pre", "blockquote", "ul", "ol", "li", "h2", "h3", "h4",
    "a", "hr", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
_ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}


@lru_cache(maxsize=1024)
def render_markdown(text: str) -> Markup:
    """Render once per distinct text (questions change rarely), sanitised."""
    html = _markdown.markdown(text or "", extensions=["tables", "sane_lists"])
    clean = nh3.clean(
        html,
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
    return Markup(clean)
