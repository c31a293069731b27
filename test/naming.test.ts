import { describe, expect, it } from "vitest";
import { limitedName, physicalName, requiredTags } from "../lib/naming";

describe("naming", () => {
  it("joins app, environment and parts into a lowercase slug", () => {
    expect(physicalName({ app: "dirt-free-crm", environment: "prod" }, "DB Backups")).toBe(
      "dirt-free-crm-prod-db-backups",
    );
  });

  it("cuts long names to a limit, keeping them distinct", () => {
    const a = limitedName("a".repeat(70) + "-one", 63);
    const b = limitedName("a".repeat(70) + "-two", 63);
    expect(a).toHaveLength(63);
    expect(a).not.toBe(b);
    expect(limitedName("short", 63)).toBe("short");
  });

  it("names the four cost tags as the checklist does", () => {
    expect(requiredTags({ app: "a", environment: "prod", owner: "o@x.io", costCenter: "cc" })).toEqual({
      app: "a",
      environment: "prod",
      owner: "o@x.io",
      "cost-center": "cc",
    });
  });
});
