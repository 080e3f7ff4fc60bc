"""What every test of a page checks: axe-core finds no serious or critical violation, and
the browser reports no blocked script or style (the CSP allows no inline code)."""
from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / ".tools" / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = os.environ.get("PORTAL_SCREENSHOTS")


def watch_console(page) -> list[str]:
    """Collect the console errors of ``page`` (a CSP violation is one)."""
    errors: list[str] = []

    def on_console(message) -> None:
        # a form answered 422 or 401 with the form again is the page itself, not a broken resource
        if message.type == "error" and not (message.text.startswith("Failed to load resource")
                                            and message.location.get("url") == page.url):
            errors.append(f"{message.text} ({message.location.get('url')})")

    page.on("console", on_console)
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


def check_accessibility(page, what: str) -> None:
    """No serious or critical axe-core violation on the page as it is now."""
    assert AXE.exists(), f"{AXE} is missing: `make test` installs axe-core with npm"
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text())  # through the DevTools protocol: the page's CSP does not apply
    result = page.evaluate("async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
                           ".map(v => ({id: v.id, impact: v.impact, help: v.help,"
                           " nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))")
    bad = [v for v in result if v["impact"] in ("serious", "critical")]
    assert not bad, f"axe-core on {what} ({page.url}): {bad}"


def screenshot(page, name: str) -> None:
    """Written to docs/screenshots/ by `make screenshots` only."""
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SCREENSHOTS) / f"{name}.png"), full_page=True)


def visit(page, path: str, what: str, errors: list[str]) -> None:
    page.goto(path)
    checked(page, what, errors)


def checked(page, what: str, errors: list[str]) -> None:
    """The page now shown passes axe and has raised no console error."""
    check_accessibility(page, what)
    assert not errors, f"console errors on {what}: {errors}"
