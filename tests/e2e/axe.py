"""axe-core (the npm package in tests/node) run inside a page: the serious and critical WCAG
violations it finds, described so a failing test says what and where."""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

from playwright.sync_api import Page

AXE = Path(__file__).resolve().parents[1] / "node" / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = ("serious", "critical")


def serious_violations(page: Page) -> list[str]:
    """Run axe over the page as it is now; one line per blocking rule and element."""
    assert AXE.is_file(), "axe-core is missing: cd tests/node && npm ci"
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        # Through the DevTools protocol, not a <script> tag: the app's CSP (script-src 'self')
        # rightly refuses inline scripts, and the test must not loosen it.
        page.evaluate(AXE.read_text())
    results = cast(
        dict[str, Any],
        page.evaluate(
            "() => axe.run(document, {resultTypes: ['violations'],"
            " runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa',"
            " 'best-practice']}})"
        ),
    )
    found: list[str] = []
    for violation in results["violations"]:
        if violation.get("impact") not in BLOCKING:
            continue
        for node in violation["nodes"]:
            rule = f"{violation['id']} ({violation['impact']})"
            found.append(f"{rule}: {node['target']} {node['failureSummary']}")
    return found
