import { describe, expect, it } from "vitest";
import {
  aliasUrn,
  defaultProviderName,
  engineUrn,
  parseGoDuration,
  parseProviderReference,
  parseUrn,
} from "../tooling/engine/urn";
import {
  ARCHIVE_SIG,
  ASSET_SIG,
  RESOURCE_REFERENCE_SIG,
  SECRET_SIG,
  SIG_KEY,
  UNKNOWN,
  UNKNOWN_SENTINEL,
  containsSecret,
  containsUnknown,
  fromWire,
  revealSecrets,
  secret,
  toWire,
  toWireObject,
} from "../tooling/engine/wire";

describe("wire values", () => {
  const wire = {
    plain: "text",
    unknown: UNKNOWN_SENTINEL,
    typedUnknown: "dd056dcd-154b-4c76-9bd3-c8f88648b5ff",
    secret: { [SIG_KEY]: SECRET_SIG, value: { nested: [1, UNKNOWN_SENTINEL] } },
    custom: { [SIG_KEY]: RESOURCE_REFERENCE_SIG, urn: "urn:pulumi:s::p::aws:sns/topic:Topic::t", id: "t-1" },
    creating: { [SIG_KEY]: RESOURCE_REFERENCE_SIG, urn: "urn:pulumi:s::p::aws:sns/topic:Topic::u", id: "" },
    component: { [SIG_KEY]: RESOURCE_REFERENCE_SIG, urn: "urn:pulumi:s::p::my:C::c" },
    asset: { [SIG_KEY]: ASSET_SIG, text: "hello" },
    archive: { [SIG_KEY]: ARCHIVE_SIG, assets: { "a.txt": { [SIG_KEY]: ASSET_SIG, path: "a.txt" } } },
    nothing: null,
  };

  it("turns sentinels and signatures into markers", () => {
    expect(fromWire(wire)).toEqual({
      plain: "text",
      unknown: UNKNOWN,
      typedUnknown: UNKNOWN,
      secret: secret({ nested: [1, UNKNOWN] }),
      custom: { $pulumi: "resource", urn: "urn:pulumi:s::p::aws:sns/topic:Topic::t", id: "t-1" },
      creating: { $pulumi: "resource", urn: "urn:pulumi:s::p::aws:sns/topic:Topic::u", id: UNKNOWN },
      component: { $pulumi: "resource", urn: "urn:pulumi:s::p::my:C::c" },
      asset: { $pulumi: "asset", text: "hello" },
      archive: { $pulumi: "archive", assets: { "a.txt": { $pulumi: "asset", path: "a.txt" } } },
      nothing: null,
    });
  });

  it("marshals references as the engine does for analyzers: ids for custom resources, URNs for components", () => {
    const recorded = fromWire(wire);
    expect(toWire(recorded)).toMatchObject({
      unknown: UNKNOWN_SENTINEL,
      typedUnknown: UNKNOWN_SENTINEL,
      secret: { [SIG_KEY]: SECRET_SIG, value: { nested: [1, UNKNOWN_SENTINEL] } },
      custom: "t-1",
      creating: UNKNOWN_SENTINEL,
      component: "urn:pulumi:s::p::my:C::c",
      asset: { [SIG_KEY]: ASSET_SIG, text: "hello" },
    });
    expect(toWire(recorded, { keepResources: true })).toMatchObject({
      custom: wire.custom,
      component: wire.component,
    });
  });

  it("skips internal keys at every level when asked", () => {
    const recorded = { __defaults: ["a"], keep: { __inner: 1, visible: 2 } };
    expect(toWireObject(recorded, { skipInternalKeys: true })).toEqual({ keep: { visible: 2 } });
    expect(toWireObject(recorded)).toEqual(recorded);
  });

  it("rejects unknown signatures, naming where they are", () => {
    expect(() => fromWire({ a: { b: { [SIG_KEY]: "nope" } } }, "inputs")).toThrow(
      /inputs\.a\.b: unrecognised signature/,
    );
  });

  it("finds and reveals secrets and unknowns", () => {
    const value = { a: [secret("s")], b: { c: UNKNOWN } };
    expect(containsSecret(value)).toBe(true);
    expect(containsUnknown(value)).toBe(true);
    expect(revealSecrets(value)).toEqual({ a: ["s"], b: { c: UNKNOWN } });
    expect(containsSecret({ a: ["s"] })).toBe(false);
    expect(containsUnknown({ a: ["s"] })).toBe(false);
  });
});

describe("engine naming", () => {
  const stackUrn = "urn:pulumi:prod::golive::pulumi:pulumi:Stack::golive-prod";
  const componentUrn = "urn:pulumi:prod::golive::golive:app:Api::api";
  const nestedUrn = "urn:pulumi:prod::golive::golive:app:Api$golive:app:Worker::jobs";

  it("builds URNs from the parent's full qualified type, skipping the root stack", () => {
    expect(engineUrn("prod", "golive", "", "pulumi:pulumi:Stack", "golive-prod")).toBe(stackUrn);
    expect(engineUrn("prod", "golive", stackUrn, "aws:sns/topic:Topic", "t")).toBe(
      "urn:pulumi:prod::golive::aws:sns/topic:Topic::t",
    );
    expect(engineUrn("prod", "golive", componentUrn, "golive:app:Worker", "jobs")).toBe(nestedUrn);
    expect(engineUrn("prod", "golive", nestedUrn, "aws:sqs/queue:Queue", "q")).toBe(
      "urn:pulumi:prod::golive::golive:app:Api$golive:app:Worker$aws:sqs/queue:Queue::q",
    );
  });

  it("parses URNs and provider references", () => {
    expect(parseUrn(nestedUrn)).toEqual({
      stack: "prod",
      project: "golive",
      qualifiedType: "golive:app:Api$golive:app:Worker",
      type: "golive:app:Worker",
      name: "jobs",
    });
    expect(parseProviderReference("urn:pulumi:s::p::pulumi:providers:aws::default_7_48_0::abc")).toEqual({
      urn: "urn:pulumi:s::p::pulumi:providers:aws::default_7_48_0",
      id: "abc",
    });
    expect(() => parseUrn("arn:aws:s3:::b")).toThrow(/not a Pulumi URN/);
  });

  it("names default providers as the engine does", () => {
    expect(defaultProviderName("7.48.0")).toBe("default_7_48_0");
    expect(defaultProviderName("1.2.3-alpha.1+build5")).toBe("default_1_2_3_alpha_1_build5");
    expect(defaultProviderName("")).toBe("default");
  });

  it("resolves alias specifications against the resource", () => {
    const resource = { stack: "prod", project: "golive", type: "aws:sqs/queue:Queue", name: "q" };
    expect(aliasUrn({ name: "old" }, resource, componentUrn)).toBe(
      "urn:pulumi:prod::golive::golive:app:Api$aws:sqs/queue:Queue::old",
    );
    expect(aliasUrn({ noParent: true }, resource, componentUrn)).toBe(
      "urn:pulumi:prod::golive::aws:sqs/queue:Queue::q",
    );
    expect(aliasUrn({ urn: "urn:pulumi:x::y::t::n" }, resource, componentUrn)).toBe("urn:pulumi:x::y::t::n");
  });

  it("parses custom timeouts as Go durations, in seconds", () => {
    expect(parseGoDuration("10m")).toBe(600);
    expect(parseGoDuration("1h30m")).toBe(5400);
    expect(parseGoDuration("1.5s")).toBe(1.5);
    expect(parseGoDuration("250ms")).toBe(0.25);
    expect(parseGoDuration("")).toBe(0);
    expect(() => parseGoDuration("10 minutes")).toThrow(/custom timeout "10 minutes" is not a duration/);
  });
});
