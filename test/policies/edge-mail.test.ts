import { describe, expect, it } from "vitest";
import { sendingDomains } from "../../policies/edge";
import { T } from "../../policies/lib/types";
import { analyzeStack, UNKNOWN, violations, type TestResource } from "./harness";
import { only, pack, res } from "./fixtures";

const name = "edge-08-email-authentication";
const zone = res(T.zone, "zone", { name: "acme.io" });
const record = (recordName: string, type: string, content: string): TestResource =>
  res(
    T.dnsRecord,
    `rec-${type}-${recordName}`,
    { zoneId: UNKNOWN, name: recordName, type, content, ttl: 1, proxied: false },
    { propertyDependencies: { zoneId: [zone.urn] } },
  );

// The records Amazon SES asks for with a custom MAIL FROM domain (send.acme.io), and Resend's DKIM key.
const SES = [
  record("acme.io", "TXT", "v=spf1 include:amazonses.com include:_spf.resend.com -all"),
  record("k7x2m4p9q3w8e5r1._domainkey.acme.io", "CNAME", "k7x2m4p9q3w8e5r1.dkim.amazonses.com"),
  record("resend._domainkey.acme.io", "TXT", "p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQC7v3"),
  record("send.acme.io", "MX", "feedback-smtp.eu-west-1.amazonses.com"),
  record("send.acme.io", "TXT", "v=spf1 include:amazonses.com ~all"),
];
const DMARC = record("_dmarc.acme.io", "TXT", "v=DMARC1; p=quarantine; rua=mailto:dmarc@acme.io");

const run = async (resources: TestResource[]) =>
  violations(
    await analyzeStack(only(pack("prod", { withoutDefaults: true, config: {} }), name), [zone, ...resources]),
    name,
  );

describe("EDGE-08: sending domains, bounce domains and inherited DMARC", () => {
  it("takes a custom MAIL FROM subdomain (SPF and MX, no DKIM key) for the parent's bounce domain", async () => {
    expect(await run([...SES, DMARC])).toEqual([]);
    const entries = SES.map((r) => ({
      type: String(r.props!.type),
      name: String(r.props!.name),
      text: String(r.props!.content),
    }));
    expect(sendingDomains(entries)).toEqual(["acme.io"]);
  });

  it("still requires the organisational domain's DMARC", async () => {
    expect((await run(SES))[0]!.message).toContain("sending domain acme.io has no DMARC record");
  });

  it("lets a subdomain that sends with its own key inherit the parent's DMARC", async () => {
    const news = [
      record("news.acme.io", "TXT", "v=spf1 include:mailgun.org ~all"),
      record("mx._domainkey.news.acme.io", "TXT", "k=rsa; p=MIGfMA0GCSqGSIb3DQEB"),
    ];
    expect(await run([...SES, DMARC, ...news])).toEqual([]);
  });

  it("keeps a subdomain with SPF but no MX and no DKIM key as a sending domain", async () => {
    const found = await run([
      ...SES,
      DMARC,
      record("mail.acme.io", "TXT", "v=spf1 include:sendgrid.net ~all"),
    ]);
    expect(found.map((v) => v.message).join("\n")).toContain(
      "sending domain mail.acme.io has no DKIM record",
    );
  });

  it("finds a DKIM-signed domain whose SPF lives only on its MAIL FROM subdomain", () => {
    expect(
      sendingDomains([
        { type: "CNAME", name: "abc._domainkey.acme.io", text: "abc.dkim.amazonses.com" },
        { type: "MX", name: "bounce.acme.io", text: "feedback-smtp.us-east-1.amazonses.com" },
        { type: "TXT", name: "bounce.acme.io", text: "v=spf1 include:amazonses.com ~all" },
      ]),
    ).toEqual(["acme.io"]);
  });
});
