"""The product's codes in words, for people."""
from __future__ import annotations

REASONS = {
    "account_suspended": "Account suspended",
    "jss_below_threshold": "Job Success Score below 80%",
    "profile_private": "Profile is private",
    "at_risk": "Job Success Score close to the 80% bar",
}

BADGES = {"top_rated": "Top Rated", "top_rated_plus": "Top Rated Plus",
          "expert_vetted": "Expert-Vetted", "rising_talent": "Rising Talent"}

ACTIONS = {
    "partner.access_granted": "Portal access granted",
    "member.joined": "Member joined",
    "member.removed": "Member removed",
    "member.promoted": "Member made an admin",
    "member.demoted": "Admin made a member",
    "use_case.created": "Use case created",
    "use_case.updated": "Use case renamed",
    "use_case.deleted": "Use case deleted",
    "expert.saved": "Expert added for review",
    "expert.approved": "Expert approved",
    "expert.declined": "Expert declined",
    "expert.removed": "Expert removed automatically",
    "expert.restored": "Expert eligible again",
    "offering.featured": "Offering featured",
    "offering.removed": "Offering removed",
    "page.published": "Page published",
    "page.unpublished": "Page unpublished",
    "asset.updated": "Brand asset updated",
}

ACTIVITY_KINDS = {"expert": "Experts", "use_case": "Use cases", "offering": "Offerings",
                  "page": "Publishing", "asset": "Brand assets", "member": "Team", "partner": "Access"}

REQUIREMENTS = {"experts": "Experts approved", "logo_light": "Logo for light backgrounds",
                "logo_dark": "Logo for dark backgrounds", "branded_image": "Branded image"}

LOGO_RULES = ["SVG, at most 512 KB", "At most 24 pixels high (the height attribute wins over the viewBox)",
              "No DOCTYPE, scripts, or links outside the file (data: URIs included)"]

ASSET_KINDS = {
    "logo-light": {"title": "Logo for light backgrounds", "requirement": "logo_light",
                   "accept": ".svg,image/svg+xml",
                   "rules": LOGO_RULES},
    "logo-dark": {"title": "Logo for dark backgrounds", "requirement": "logo_dark",
                  "accept": ".svg,image/svg+xml",
                  "rules": LOGO_RULES},
    "branded-image": {"title": "Branded image", "requirement": "branded_image",
                      "accept": ".png,.jpg,.jpeg,image/png,image/jpeg",
                      "rules": ["JPEG or PNG", "4:3 aspect ratio (within 1%)", "At most 10 MB"]},
}

STATUS_TITLES = {400: "That did not work", 403: "Not allowed", 404: "Not found",
                 409: "That conflicts with the current state", 410: "No longer valid",
                 413: "Too large", 422: "Please check the form", 429: "Too many attempts",
                 503: "A service is unavailable", 504: "A service is slow to answer"}


def reason(code: str) -> str:
    return REASONS.get(code, code.replace("_", " ").capitalize())


def action(code: str) -> str:
    return ACTIONS.get(code, code.replace("_", " ").replace(".", ": ").capitalize())


def badge(code: str) -> str:
    return BADGES.get(code, code)
