/**
 * The optical rules of one eye, as the server checks them (oms.domain.rx_rules), so the form says
 * what is wrong before sending. Values stay decimal strings; steps are checked on integers
 * (hundredths), never on floats. Error keys are the server's field paths (`right_eye.sphere`).
 */
import type { EyeOut } from "@/shared/api/rest.gen";

export interface EyeDraft {
  sphere: string;
  cylinder: string;
  axis: string;
  add: string;
  pd: string;
  prism: string;
  prism_base: "" | "up" | "down" | "in" | "out";
}

export type { EyeOut };

export const EMPTY_EYE: EyeDraft = { sphere: "", cylinder: "", axis: "", add: "", pd: "", prism: "", prism_base: "" };

const DECIMAL = /^[+-]?(\d+)(?:\.(\d+))?$/;

/** The number in units of 10^-places, or null when it is not a decimal with at most `places`. */
function scaled(text: string, places: number): number | null {
  const match = DECIMAL.exec(text.trim());
  if (!match) return null;
  const fraction = (match[2] ?? "").replace(/0+$/, "");
  if (fraction.length > places) return null;
  const value = Number(match[1]) * 10 ** places + Number(fraction.padEnd(places, "0") || "0");
  return text.trim().startsWith("-") ? -value : value;
}

function isDecimal(text: string): boolean {
  return DECIMAL.test(text.trim());
}

const fmt = (hundredths: number) => `${hundredths > 0 ? "+" : ""}${(hundredths / 100).toFixed(2)}`;

/** A value in [low, high] (hundredths) in steps of 0.25. */
function quarter(text: string, low: number, high: number, unit: string): string | null {
  if (!isDecimal(text)) return "must be a number, e.g. -1.25";
  const value = scaled(text, 2);
  if (value === null || !(low <= value && value <= high) || value % 25 !== 0) {
    if (value !== null && (value < low || value > high)) return `must be between ${fmt(low)} and ${fmt(high)}${unit}`;
    return `must be in steps of 0.25${unit}`;
  }
  return null;
}

export function checkEye(eye: EyeDraft, prefix: "right_eye" | "left_eye"): Record<string, string> {
  const errors: Record<string, string> = {};
  const put = (field: string, message: string | null) => {
    if (message) errors[`${prefix}.${field}`] = message;
  };
  put("sphere", eye.sphere.trim() === "" ? "is required (0.00 for none)" : quarter(eye.sphere, -2000, 2000, " D"));
  put("cylinder", eye.cylinder.trim() === "" ? "is required (0.00 for none)" : quarter(eye.cylinder, -600, 600, " D"));
  const cylinder = scaled(eye.cylinder, 2);
  const axis = eye.axis.trim();
  if (cylinder === 0) {
    put("axis", axis === "" ? null : "must be empty when the cylinder is 0 (no astigmatism)");
  } else if (cylinder !== null) {
    if (axis === "") put("axis", "is required when the cylinder is not 0");
    else if (!/^\d+$/.test(axis)) put("axis", "must be a whole number of degrees");
    else if (Number(axis) < 1 || Number(axis) > 180) put("axis", "must be between 1 and 180 degrees");
  }
  if (eye.add.trim() !== "") put("add", quarter(eye.add, 75, 350, " D"));
  if (eye.pd.trim() !== "") {
    const pd = scaled(eye.pd, 1);
    if (!isDecimal(eye.pd)) put("pd", "must be a number of millimetres, e.g. 31.5");
    else if (pd === null) put("pd", "must have at most one decimal");
    else if (pd < 200 || pd > 400) put("pd", "must be between 20.0 and 40.0 mm (one eye)");
  }
  if (eye.prism.trim() !== "") {
    put("prism", quarter(eye.prism, 25, 1000, " prism dioptres"));
    if (!eye.prism_base) put("prism_base", "is required when a prism is given");
  } else if (eye.prism_base) {
    put("prism_base", "must be empty when there is no prism");
  }
  return errors;
}

/** The request body for one eye (decimal strings, so nothing travels through a float). */
export function eyeBody(eye: EyeDraft): EyeOut {
  const text = (value: string) => (value.trim() === "" ? null : value.trim().replace(/^\+/, ""));
  return {
    sphere: text(eye.sphere) ?? "0",
    cylinder: text(eye.cylinder) ?? "0",
    axis: eye.axis.trim() === "" ? null : Number(eye.axis),
    add: text(eye.add),
    pd: text(eye.pd),
    prism: text(eye.prism),
    prism_base: eye.prism_base || null,
  };
}
