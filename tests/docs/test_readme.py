"""README stands alone (issue 17, item 10): it opens with the first five minutes, every
link points at a file in the project (or the local server), and nothing outside it."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_opens_with_the_first_five_minutes():
    headings = re.findall(r"^## (.+)$", README, flags=re.M)
    assert headings[0] == "First five minutes"
    for login in ("officer1", "leader", "liaison_fire", "wallboard", "admin"):
        assert f"`{login}`" in README.split("## Running and testing")[0]


def test_every_link_is_inside_the_project():
    links = re.findall(r"\]\(([^)\s]+)\)", README) + re.findall(r"<(https?://[^>]+)>", README)
    assert links
    for target in links:
        if target.startswith(("http://", "https://")):
            assert re.match(r"https?://(127\.0\.0\.1|localhost)[:/]", target), target
            continue
        path = (ROOT / target.split("#")[0]).resolve()
        assert path.is_relative_to(ROOT), target
        assert path.exists(), target
    assert "../" not in README  # no file outside the project, linked or named


def test_the_screenshots_the_readme_shows_exist():
    for shot in re.findall(r"\((docs/screenshots/[^)]+\.png)\)", README):
        assert (ROOT / shot).stat().st_size > 10_000, shot
