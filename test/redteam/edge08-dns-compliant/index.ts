import * as cloudflare from "@pulumi/cloudflare";
import * as pulumi from "@pulumi/pulumi";

const zoneId = new pulumi.Config().require("zoneId");

interface Rec {
  name: string;
  type: "A" | "CNAME" | "TXT" | "MX";
  content: string;
  proxied?: boolean;
  priority?: number;
}

const records: Rec[] = [
  // the app
  { name: "acme.io", type: "A", content: "192.0.2.10", proxied: true },
  { name: "app.acme.io", type: "CNAME", content: "acme-web.pages.dev", proxied: true },
  // mail: Amazon SES for transactional, Resend for the newsletter
  { name: "acme.io", type: "TXT", content: "v=spf1 include:amazonses.com include:_spf.resend.com -all" },
  {
    name: "k7x2m4p9q3w8e5r1._domainkey.acme.io",
    type: "CNAME",
    content: "k7x2m4p9q3w8e5r1.dkim.amazonses.com",
  },
  {
    name: "b3n6v9c2x5z8l1k4._domainkey.acme.io",
    type: "CNAME",
    content: "b3n6v9c2x5z8l1k4.dkim.amazonses.com",
  },
  { name: "resend._domainkey.acme.io", type: "TXT", content: "p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQC7v3" },
  { name: "send.acme.io", type: "MX", content: "feedback-smtp.eu-west-1.amazonses.com", priority: 10 },
  { name: "send.acme.io", type: "TXT", content: "v=spf1 include:amazonses.com ~all" },
  {
    name: "_dmarc.acme.io",
    type: "TXT",
    content: "v=DMARC1; p=quarantine; rua=mailto:dmarc@acme.io; adkim=s; aspf=s",
  },
  // certificate validation for the API's ACM certificate
  {
    name: "_3a5f7c9e1b2d4f6a8c0e.api.acme.io",
    type: "CNAME",
    content: "_9b8a7c6d5e4f.mhbtsbpdnt.acm-validations.aws",
  },
];

records.forEach((record, index) => {
  new cloudflare.DnsRecord(`rec-${index}-${record.type.toLowerCase()}`, {
    zoneId,
    name: record.name,
    type: record.type,
    content: record.content,
    ttl: record.proxied ? 1 : 300,
    proxied: record.proxied ?? false,
    priority: record.priority,
  });
});
