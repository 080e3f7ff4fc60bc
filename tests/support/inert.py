"""Is an HTML page safe to show text users typed? A check any page can be run through (the
public page today, the browser portal's pages as they come):

- the answer carries a strict Content-Security-Policy (no inline or eval'd script);
- the page holds no inline script: no <script> without src except a data block
  (JSON-LD) that nothing can break out of, no on* attribute, no javascript: URL,
  no inline style (the CSP refuses those too);
- each injected string (with HTML and script in it) is shown as text: present in the page's
  text or attribute values, never as markup.

    problems = inert_problems(html, ["<script>alert(1)</script>"], headers)
"""
from __future__ import annotations

from html.parser import HTMLParser

DATA_SCRIPT_TYPES = {"application/ld+json", "application/json"}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "srcset", "poster", "data"}


class _Page(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.texts: list[str] = []
        self._script: str | None = None  # the type of the data block being read

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        for name, value in attrs:
            value = value or ""
            if name.startswith("on"):
                self.problems.append(f"inline event handler <{tag} {name}=...>")
            if name == "style":
                self.problems.append(f"inline style attribute on <{tag}>")
            if name in URL_ATTRIBUTES and value.strip().lower().replace("\t", "").startswith("javascript:"):
                self.problems.append(f"javascript: URL in <{tag} {name}>")
            self.texts.append(value)
        if tag == "style":
            self.problems.append("inline <style> element")
        if tag == "script":
            kind = (attributes.get("type") or "").strip().lower()
            if attributes.get("src"):
                self._script = None
            elif kind in DATA_SCRIPT_TYPES:
                self._script = kind
            else:
                self.problems.append(f"inline script (type={kind or 'text/javascript'})")
                self._script = "code"

    def handle_data(self, data):
        if self._script in DATA_SCRIPT_TYPES and "<" in data:
            self.problems.append(f"'<' inside a {self._script} block: it could close the script")
        if self._script is None:
            self.texts.append(data)

    def handle_endtag(self, tag):
        if tag == "script":
            self._script = None


def csp_problems(policy: str | None) -> list[str]:
    if not policy:
        return ["no Content-Security-Policy header"]
    directives = {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}
    scripts = directives.get("script-src", directives.get("default-src"))
    if scripts is None:
        return ["the CSP restricts no script (neither script-src nor default-src)"]
    weak = [s for s in scripts if s in ("'unsafe-inline'", "'unsafe-eval'", "*", "data:", "http:", "https:")]
    return [f"the CSP allows script from {s}" for s in weak] + (
        [] if "object-src" in directives or "default-src" in directives else ["the CSP leaves object-src open"])


def inert_problems(html: str, injected: list[str], headers=None) -> list[str]:
    """Everything that makes this page unsafe for the injected strings ([] when inert)."""
    problems = csp_problems((headers or {}).get("Content-Security-Policy")) if headers is not None else []
    page = _Page()
    page.feed(html)
    page.close()
    problems += page.problems
    text = "\x00".join(page.texts)
    for value in injected:
        assert "<" in value, f"{value!r} holds no markup: it proves nothing"
        if value in html:
            problems.append(f"{value!r} is in the page as markup")
        elif value not in text:
            problems.append(f"{value!r} is not shown at all (so the check proves nothing)")
    return problems
