import { describe, expect, it } from "vitest";
import { EMPTY_EYE, checkEye, eyeBody, type EyeDraft } from "./rx-rules";

const eye = (over: Partial<EyeDraft>): EyeDraft => ({ ...EMPTY_EYE, sphere: "0", cylinder: "0", ...over });
const errors = (over: Partial<EyeDraft>) => checkEye(eye(over), "right_eye");

describe("checkEye", () => {
  it("accepts a plain eye and the range ends", () => {
    expect(errors({})).toEqual({});
    expect(errors({ sphere: "-20.00", cylinder: "+6", axis: "180", add: "3.50", pd: "40.0" })).toEqual({});
    expect(errors({ sphere: "+20", cylinder: "-6.00", axis: "1", add: "0.75", pd: "20" })).toEqual({});
  });

  it("refuses values outside the ranges, naming the field", () => {
    expect(errors({ sphere: "-20.25" })).toHaveProperty(["right_eye.sphere"]);
    expect(errors({ cylinder: "6.25", axis: "90" })).toHaveProperty(["right_eye.cylinder"]);
    expect(errors({ add: "0.50" })).toHaveProperty(["right_eye.add"]);
    expect(errors({ add: "3.75" })).toHaveProperty(["right_eye.add"]);
    expect(errors({ pd: "19.9" })).toHaveProperty(["right_eye.pd"]);
    expect(errors({ pd: "31.25" })["right_eye.pd"]).toMatch(/one decimal/);
  });

  it("checks quarter steps exactly", () => {
    expect(errors({ sphere: "-1.10" })["right_eye.sphere"]).toMatch(/steps of 0.25/);
    expect(errors({ sphere: "-1.125" })["right_eye.sphere"]).toMatch(/steps of 0.25/);
    expect(errors({ sphere: "-1.250" })).toEqual({});
    expect(errors({ sphere: "abc" })["right_eye.sphere"]).toMatch(/number/);
  });

  it("wants an axis only with a cylinder", () => {
    expect(errors({ cylinder: "-0.75" })["right_eye.axis"]).toMatch(/required/);
    expect(errors({ cylinder: "-0.75", axis: "0" })["right_eye.axis"]).toMatch(/between 1 and 180/);
    expect(errors({ cylinder: "-0.75", axis: "181" })["right_eye.axis"]).toMatch(/between 1 and 180/);
    expect(errors({ cylinder: "-0.75", axis: "90.5" })["right_eye.axis"]).toMatch(/whole/);
    expect(errors({ cylinder: "0.00", axis: "90" })["right_eye.axis"]).toMatch(/empty/);
    expect(errors({ cylinder: "-0.75", axis: "90" })).toEqual({});
  });

  it("pairs a prism with its base", () => {
    expect(errors({ prism: "1.00" })["right_eye.prism_base"]).toMatch(/required/);
    expect(errors({ prism_base: "in" })["right_eye.prism_base"]).toMatch(/empty/);
    expect(errors({ prism: "1.00", prism_base: "in" })).toEqual({});
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
