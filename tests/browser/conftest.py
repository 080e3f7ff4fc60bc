"""Browser tests: Debian's Chromium driven by Playwright against the whole suite on
embedded defaults, each page checked with axe-core."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.support.stack import embedded_stack

CHROMIUM = os.environ.get("PORTAL_CHROMIUM", "/usr/bin/chromium")
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="session")
def portal(tmp_path_factory):
    """The suite as `make run` starts it (embedded defaults), for the browser."""
    stack = embedded_stack(tmp_path_factory.mktemp("portal")).start()
    yield stack
    stack.stop()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import expect, sync_playwright
    expect.set_options(timeout=15_000)  # a loaded 2-core machine answers slower than a laptop
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium package")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture
def open_browser(browser, portal):
    """A new browser profile (its own cookies) per call: a person at their own desk."""
    contexts = []

    def make(width: int = 1280, height: int = 900):
        context = browser.new_context(base_url=portal.url, viewport={"width": width, "height": height})
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()
