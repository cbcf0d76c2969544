/**
 * One-way imports: app → features → shared. A feature never imports another feature or the app;
 * shared never imports a feature or the app. (bulletproof-react enforces this with lint rules;
 * this test enforces it without another tool.)
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const SRC = dirname(fileURLToPath(import.meta.url));
const IMPORT = /(?:import|export)\s[^'"]*?from\s+["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g;

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return files(path);
    return /\.(ts|tsx)$/.test(name) && !name.endsWith(".test.ts") ? [path] : [];
  });
}

/** "features/x/...", "shared/...", "app/..." for a file or import inside src; null outside. */
function area(path: string): string | null {
  const parts = relative(SRC, path).split("/");
  if (parts[0] === "features") return `features/${parts[1]}`;
  if (parts[0] === "shared" || parts[0] === "app") return parts[0];
  return null;
}

function target(file: string, spec: string): string | null {
  if (spec.startsWith("@/")) return join(SRC, spec.slice(2));
  if (spec.startsWith(".")) return resolve(dirname(file), spec);
  return null;
}

describe("import boundaries", () => {
  const violations: string[] = [];
  for (const file of files(SRC)) {
    const from = area(file);
    for (const match of readFileSync(file, "utf8").matchAll(IMPORT)) {
      const spec = match[1] ?? match[2] ?? "";
      const path = target(file, spec);
      const to = path ? area(path) : null;
      if (!from || !to || from === to) continue;
      const allowed = from === "app" || (from.startsWith("features/") && to === "shared");
      if (!allowed) violations.push(`${relative(SRC, file)} imports ${spec} (${from} → ${to})`);
    }
  }

  it("go app → features → shared only", () => {
    expect(violations).toEqual([]);
  });
});
