"""The web app's lint (ESLint, web/eslint.config.js): React's hooks rules and the one-way imports
app → features → shared, which eslint-plugin-boundaries checks by resolving each import (alias or
relative). Each probe is linted from stdin as if it stood at a path in src/, so no file is
written into the tree; scripts/test lints the whole app (`npm run lint`)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path


WEB = Path(__file__).resolve().parents[2] / "web"



def problems(path: str, source: str) -> set[tuple[int, str]]:
    """(line, rule) of every problem ESLint finds in `source` standing at `path`."""
    npx = shutil.which("npx")
    assert npx
    done = subprocess.run(
        [npx, "--no-install", "eslint", "-f", "json", "--stdin", "--stdin-filename", path],
        cwd=WEB,
        input=source,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode in (0, 1), done.stderr
    [report] = json.loads(done.stdout)
    return {(message["line"], message["ruleId"]) for message in report["messages"]}


def test_a_feature_imports_only_itself_and_shared(web_packages: Path) -> None:
    source = "\n".join(
        [
            'export { useLogin } from "@/features/auth/api/login";',  # another feature
            'export { logout } from "../../auth/api/logout";',  # the same, relatively
            'export { App } from "@/app/App";',  # the app
            'export { api } from "@/shared/api/client";',
            'export { orderKeys } from "./keys";',
            'export { useOrders } from "@/features/orders/api/get-orders";',
            'import { useState } from "react";',
            "export function Probe({ on }: { on: boolean }) {",
            "  if (on) useState(0);",  # a hook called conditionally
            "  return null;",
            "}",
        ]
    )
    assert problems("src/features/orders/api/probe.tsx", source) == {
        (1, "boundaries/dependencies"),
        (2, "boundaries/dependencies"),
        (3, "boundaries/dependencies"),
        (9, "react-hooks/rules-of-hooks"),
    }


def test_shared_imports_neither_features_nor_the_app(web_packages: Path) -> None:
    source = "\n".join(
        [
            'export { LoginPage } from "@/features/auth/components/LoginPage";',
            'export { App } from "../../app/App";',
            'export { api } from "@/shared/api/client";',
            'export { formatTime } from "./format";',
        ]
    )
    assert problems("src/shared/lib/probe.ts", source) == {
        (1, "boundaries/dependencies"),
        (2, "boundaries/dependencies"),
    }
