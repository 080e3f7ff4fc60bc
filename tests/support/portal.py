"""The browser portal called over plain HTTP, as a browser would: cookies and CSRF tokens."""
from __future__ import annotations

import re

import requests

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


class Browser:
    """A cookie jar and the CSRF token of the last page, like a browser tab."""

    def __init__(self, portal):
        self.portal, self.http, self.csrf = portal, requests.Session(), None

    def get(self, path: str, **kwargs) -> requests.Response:
        answer = self.http.get(f"{self.portal.url}{path}", timeout=15, allow_redirects=False, **kwargs)
        found = CSRF.search(answer.text)
        self.csrf = found.group(1) if found else self.csrf
        return answer

    def post(self, path: str, data: dict | None = None, csrf: bool = True, **kwargs) -> requests.Response:
        data = {**({"csrf_token": self.csrf} if csrf else {}), **(data or {})}
        return self.http.post(f"{self.portal.url}{path}", data=data, timeout=15, allow_redirects=False, **kwargs)

    def sign_in(self, account: dict, next_path: str = "") -> requests.Response:
        self.get("/portal/signin")
        return self.post("/portal/signin", {"email": account["email"], "password": account["password"],
                                            "next": next_path})
