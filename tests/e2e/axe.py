"""axe-core in the browser: inject the npm package, run the WCAG 2.1 A/AA rules, keep the report.

axe-core is pinned in the repository's package.json / package-lock.json; `make test` runs `npm ci`.
Without it (no npm on the machine) the accessibility checks are skipped with a reason.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .conftest import ARTIFACTS

AXE_JS = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = ("serious", "critical")
TARGETS_SHOWN = 3


def missing_reason() -> str | None:
    """Why axe cannot run here, or None when it can."""
    if AXE_JS.exists():
        return None
    return f"axe-core not installed at {AXE_JS} (run `make axe`, which needs npm)"


def run_axe(page: Any, name: str) -> list[dict[str, Any]]:
    """Run axe on the page as it is now; write the full report; return serious/critical violations."""
    # Evaluated through the DevTools protocol, which the page's Content-Security-Policy does not
    # govern: a <script> tag with axe's text (add_script_tag) is an inline script, refused.
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE_JS.read_text(encoding="utf-8"))
    # resultTypes: every node of a violation, one example node of each passed, incomplete or
    # inapplicable rule (otherwise every node of every rule: reports of 190 KB on average, 47 KB
    # with it, carried through the DevTools protocol and written for every check).
    results: dict[str, Any] = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags},"
        " resultTypes: ['violations']})",
        WCAG_TAGS,
    )
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    report = ARTIFACTS / f"axe-{name}.json"
    report.write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    return [v for v in results["violations"] if v.get("impact") in BLOCKING]


def describe(violations: list[dict[str, Any]]) -> str:
    lines = []
    for violation in violations:
        targets = [" ".join(map(str, node["target"])) for node in violation["nodes"]]
        shown = "; ".join(targets[:TARGETS_SHOWN])
        more = f" (+{len(targets) - TARGETS_SHOWN} more)" if len(targets) > TARGETS_SHOWN else ""
        lines.append(
            f"- {violation['id']} [{violation['impact']}] {violation['help']}: {shown}{more}"
        )
    return "\n".join(lines)


def assert_accessible(page: Any, name: str) -> None:
    violations = run_axe(page, name)
    assert not violations, (
        f"axe found {len(violations)} serious/critical rule(s) on {page.url} "
        f"(full report: artifacts/e2e/axe-{name}.json):\n{describe(violations)}"
    )


WIDEST_ELEMENT = """() => {
  const limit = document.documentElement.clientWidth;
  const clipped = el => {
    for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
      if (getComputedStyle(up).overflowX !== 'visible') return true;
    }
    return false;
  };
  let worst = null;
  for (const el of document.querySelectorAll('body *')) {
    if (clipped(el)) continue;
    const right = el.getBoundingClientRect().right;
    if (right > limit + 0.5 && (!worst || right > worst.right)) {
      const id = el.id ? '#' + el.id : '';
      const cls = el.classList.length ? '.' + [...el.classList].join('.') : '';
      worst = {right: Math.round(right), element: el.tagName.toLowerCase() + id + cls,
               text: (el.innerText || '').trim().slice(0, 60)};
    }
  }
  return worst;
}"""


def assert_no_horizontal_scroll(page: Any, width: int) -> None:
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    if scroll_width <= width:
        return
    worst = page.evaluate(WIDEST_ELEMENT)
    raise AssertionError(
        f"{page.url} scrolls sideways at {width} px: scrollWidth {scroll_width}; "
        f"widest element reaching past the edge: {worst}"
    )
