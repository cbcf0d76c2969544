import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { EMPTY_EYE, checkEye, eyeBody, type EyeDraft } from "./rx-rules";

const eye = (over: Partial<EyeDraft>): EyeDraft => ({ ...EMPTY_EYE, sphere: "0", cylinder: "0", ...over });
const errors = (over: Partial<EyeDraft>) => checkEye(eye(over), "right_eye");

/** The table the server's rules run too (tests/prescriptions/test_rx_cases.py). */
interface SharedCase {
  eye: Partial<EyeDraft>;
  refused: keyof EyeDraft | null;
  says?: string;
}
const TABLE = resolve(dirname(fileURLToPath(import.meta.url)), "../../../../../tests/shared/rx_cases.json");
const CASES = (JSON.parse(readFileSync(TABLE, "utf8")) as { cases: SharedCase[] }).cases;

describe("checkEye", () => {
  it.each(CASES.map((c) => [JSON.stringify(c.eye), c] as const))("agrees with the shared table: %s", (_, c) => {
    const found = errors(c.eye);
    if (c.refused === null) {
      expect(found).toEqual({});
    } else {
      expect(Object.keys(found)).toEqual([`right_eye.${c.refused}`]);
      expect(found[`right_eye.${c.refused}`]).toContain(c.says);
    }
  });

  it("sends decimal strings", () => {
    expect(eyeBody(eye({ sphere: "+1.25", cylinder: "-0.50", axis: "90", pd: "31.5" }))).toEqual({
      sphere: "1.25",
      cylinder: "-0.50",
      axis: 90,
      add: null,
      pd: "31.5",
      prism: null,
      prism_base: null,
    });
  });
});
