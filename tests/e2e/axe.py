"""axe-core (the npm package in tests/node) run inside a page: the serious and critical WCAG
violations it finds, described so a failing test says what and where."""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

from playwright.sync_api import Page

AXE = Path(__file__).resolve().parents[1] / "node" / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = ("serious", "critical")


# A person reads the page once its transitions end; axe reads colours as they are at that instant,
# and a toast fading in is a blend of its colours and the page's (CI once failed a toast at 4.48:1
# whose final contrast passes). So wait two frames (a transition that a just-rendered element starts
# has then begun) and then for every finite animation to finish; an infinite one (a spinner) would
# never finish, and is left alone.
SETTLE = """async () => {
  await new Promise((frame) => requestAnimationFrame(() => requestAnimationFrame(frame)));
  const finite = document.getAnimations().filter(
    (animation) => Number.isFinite(animation.effect?.getComputedTiming().endTime),
  );
  await Promise.all(finite.map((animation) => animation.finished.catch(() => undefined)));
}"""


def serious_violations(page: Page) -> list[str]:
    """Run axe over the page as it is once its animations end; one line per blocking rule and
    element."""
    assert AXE.is_file(), "axe-core is missing: cd tests/node && npm ci"
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        # Through the DevTools protocol, not a <script> tag: the app's CSP (script-src 'self')
        # rightly refuses inline scripts, and the test must not loosen it.
        page.evaluate(AXE.read_text())
    page.evaluate(SETTLE)
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
