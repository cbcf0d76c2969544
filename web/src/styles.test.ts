import { readFileSync } from "node:fs";
import postcss from "postcss";
import { describe, expect, it } from "vitest";

// The stylesheet is plain CSS: no rule stands inside another rule. A nested one is a lost "}":
// lightningcss, which builds the bundle, reads it as CSS nesting and says nothing, and three lost
// in merges once put every rule after the first of them out of use (the glasses orders board,
// Online now, the delivery filters), unnoticed for a day.
describe("styles.css", () => {
  it("parses, and every rule is at the top level or inside an at-rule", () => {
    const file = new URL("./styles.css", import.meta.url);
    const root = postcss.parse(readFileSync(file, "utf8"), { from: file.pathname });
    const nested: string[] = [];
    root.walkRules((rule) => {
      if (rule.parent?.type === "rule") nested.push(`${rule.selector} (line ${rule.source?.start?.line})`);
    });
    expect(nested).toEqual([]);
  });
});
