/**
 * EDGE-01/02 on every public endpoint the catalogue lists, not only Cloudflare zones (edge.ts):
 * CloudFront distributions, load-balancer listeners, API Gateway custom domains, per-hostname TLS
 * settings and custom hostnames on Cloudflare, R2 custom domains. HTTPS only with TLS 1.2 or
 * newer (EDGE-01); HSTS of 6 months with includeSubDomains where the endpoint sets headers (EDGE-02).
 */
import type { PolicyResource } from "@pulumi/policy";
import { HSTS_DEFAULT_SECONDS, HSTS_MIN_SECONDS } from "../lib/limits";
import { typesOf } from "./catalogue";
import type { Check, PolicySpec, ResourceView } from "./lib/define";
import { bool, list, num, peekString, StackIndex, str } from "./lib/props";
import { peek, rawValue, UNKNOWN } from "./lib/unknowns";

const DISTRIBUTION = "aws:cloudfront/distribution:Distribution";
const MULTITENANT_DISTRIBUTION = "aws:cloudfront/multitenantDistribution:MultitenantDistribution";
const RESPONSE_HEADERS_POLICY = "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy";
const LISTENERS = ["aws:lb/listener:Listener", "aws:alb/listener:Listener"];
const LOAD_BALANCERS = ["aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer"];
const REST_DOMAIN = "aws:apigateway/domainName:DomainName";
const REST_API = "aws:apigateway/restApi:RestApi";
const HTTP_DOMAIN = "aws:apigatewayv2/domainName:DomainName";
const HOSTNAME_TLS = "cloudflare:index/hostnameTlsSetting:HostnameTlsSetting";
const CUSTOM_HOSTNAME = "cloudflare:index/customHostname:CustomHostname";
const R2_DOMAIN = "cloudflare:index/r2CustomDomain:R2CustomDomain";
const SPECTRUM = "cloudflare:index/spectrumApplication:SpectrumApplication";

/** Endpoint types judged here; Cloudflare zone settings, rulesets and page rules stay in edge.ts. */
const ENDPOINT_TYPES = typesOf("tls").filter(
  (type) => !type.startsWith("cloudflare:index/zoneSetting") && !/ruleset|pageRule/.test(type),
);

/** CloudFront security policies of TLS 1.2 or newer (`TLSv1.2_2021`, `TLSv1.3_2025`). */
export function cloudFrontPolicyOk(policy: string): boolean {
  return /^TLSv1\.[23]_/.test(policy);
}

/** ELB security policies that refuse TLS 1.0 and 1.1 (`ELBSecurityPolicy-TLS13-1-2-2021-06`, `…-TLS-1-2-Ext-2018-06`, `…-FS-1-2-…`). */
export function elbPolicyOk(policy: string): boolean {
  return /TLS13|TLS-1-2|TLS12|FS-1-2|TLS-1-3/i.test(policy);
}

/** API Gateway security policies of TLS 1.2 or newer (`TLS_1_2`, `SecurityPolicy_TLS13_1_2_2021_06`). */
export function apiGatewayPolicyOk(policy: string): boolean {
  return /^TLS_1_[23]$/.test(policy) || /^SecurityPolicy_TLS1[23]/.test(policy);
}

function tlsVersionOk(value: string): boolean {
  return ["1.2", "1.3"].includes(value.trim());
}

function label(resource: Pick<ResourceView, "type" | "name">): string {
  return `${resource.type} "${resource.name}"`;
}

/** Cache behaviours of a distribution: the default one and each ordered one, with where they sit. */
function behaviours(resource: Pick<ResourceView, "props">): { where: string; value: unknown }[] {
  const out: { where: string; value: unknown }[] = [];
  const main = peek(resource.props, "defaultCacheBehavior");
  if (main !== undefined) out.push({ where: "defaultCacheBehavior", value: main });
  const ordered = list(resource.props, "orderedCacheBehaviors");
  if (Array.isArray(ordered)) {
    ordered.forEach((value, index) => out.push({ where: `orderedCacheBehaviors[${index}]`, value }));
  }
  return out;
}

function judgeDistribution(resource: ResourceView, check: Check): void {
  const name = label(resource);
  const usesDefault = check.mustBeKnown(
    () => bool(resource.props, "viewerCertificate", "cloudfrontDefaultCertificate"),
    `viewerCertificate.cloudfrontDefaultCertificate of ${name}`,
  );
  if (usesDefault === true) {
    check.violation(
      `${name} serves the default *.cloudfront.net certificate, whose security policy accepts TLS 1.0; use an ACM certificate with minimumProtocolVersion TLSv1.2_2021`,
    );
  } else if (usesDefault !== UNKNOWN) {
    const minimum = check.mustBeKnown(
      () => str(resource.props, "viewerCertificate", "minimumProtocolVersion"),
      `viewerCertificate.minimumProtocolVersion of ${name}`,
    );
    if (minimum === undefined) {
      check.violation(
        `${name} sets no viewerCertificate.minimumProtocolVersion (CloudFront then accepts TLS 1.0); set TLSv1.2_2021`,
      );
    } else if (minimum !== UNKNOWN && !cloudFrontPolicyOk(minimum)) {
      check.violation(`${name} accepts ${minimum}; the minimum must be TLS 1.2 (TLSv1.2_2021)`);
    }
  }
  for (const behaviour of behaviours(resource)) {
    const policy = check.mustBeKnown(
      () => str(behaviour.value, "viewerProtocolPolicy"),
      `${behaviour.where}.viewerProtocolPolicy of ${name}`,
    );
    if (policy === "allow-all") {
      check.violation(
        `${behaviour.where} of ${name} serves plain HTTP (viewerProtocolPolicy allow-all); use redirect-to-https`,
      );
    }
  }
}

function judgeTlsSetting(resource: ResourceView, check: Check): void {
  const name = label(resource);
  switch (resource.type) {
    case REST_DOMAIN: {
      const policy = check.mustBeKnown(
        () => str(resource.props, "securityPolicy"),
        `securityPolicy of ${name}`,
      );
      if (policy === undefined) {
        check.violation(`${name} sets no securityPolicy (API Gateway then accepts TLS 1.0); set TLS_1_2`);
      } else if (policy !== UNKNOWN && !apiGatewayPolicyOk(policy)) {
        check.violation(`${name} has securityPolicy ${policy}; it must be TLS_1_2 or newer`);
      }
      return;
    }
    case REST_API: {
      const policy = check.mustBeKnown(
        () => str(resource.props, "securityPolicy"),
        `securityPolicy of ${name}`,
      );
      if (typeof policy === "string" && !apiGatewayPolicyOk(policy)) {
        check.violation(`${name} has securityPolicy ${policy}; it must be TLS_1_2 or newer`);
      }
      return;
    }
    case HTTP_DOMAIN: {
      const policy = check.mustBeKnown(
        () => str(resource.props, "domainNameConfiguration", "securityPolicy"),
        `domainNameConfiguration.securityPolicy of ${name}`,
      );
      if (typeof policy === "string" && !apiGatewayPolicyOk(policy)) {
        check.violation(`${name} has securityPolicy ${policy}; it must be TLS_1_2 or newer`);
      }
      return;
    }
    case HOSTNAME_TLS: {
      const setting = check.mustBeKnown(() => str(resource.props, "settingId"), `settingId of ${name}`);
      if (setting !== "min_tls_version") return;
      const value = check.mustBeKnown(() => str(resource.props, "value"), `the min_tls_version of ${name}`);
      if (typeof value === "string" && !tlsVersionOk(value)) {
        check.violation(`${name} lets its hostname accept TLS ${value}; the minimum must be 1.2`);
      }
      return;
    }
    case CUSTOM_HOSTNAME: {
      const value = check.mustBeKnown(
        () => str(resource.props, "ssl", "settings", "minTlsVersion"),
        `ssl.settings.minTlsVersion of ${name}`,
      );
      if (typeof value === "string" && !tlsVersionOk(value)) {
        check.violation(`${name} accepts TLS ${value}; the minimum must be 1.2`);
      }
      return;
    }
    case R2_DOMAIN: {
      const value = check.mustBeKnown(() => str(resource.props, "minTls"), `minTls of ${name}`);
      if (typeof value === "string" && !tlsVersionOk(value)) {
        check.violation(`${name} accepts TLS ${value}; the minimum must be 1.2`);
      }
      return;
    }
    case SPECTRUM: {
      const protocol = peekString(resource.props, "protocol") ?? "";
      const tls = check.mustBeKnown(() => str(resource.props, "tls"), `tls of ${name}`);
      if (/^https?\//.test(protocol) && (tls === "off" || tls === "flexible")) {
        check.violation(`${name} proxies ${protocol} with tls "${tls}"; it must be full or strict`);
      }
      return;
    }
  }
}

/** Problems of a CloudFront response headers policy's HSTS (securityHeadersConfig.strictTransportSecurity). */
export function responseHeadersHstsProblems(props: unknown): string[] {
  const hsts = peek(props, "securityHeadersConfig", "strictTransportSecurity");
  if (hsts === undefined || hsts === null) return ["it sets no Strict-Transport-Security"];
  if (hsts === UNKNOWN) return [];
  const problems: string[] = [];
  const maxAge = num(hsts, "accessControlMaxAgeSec");
  if (typeof maxAge === "number" && maxAge < HSTS_MIN_SECONDS) {
    problems.push(`its HSTS max-age is ${maxAge} s; it must be at least ${HSTS_MIN_SECONDS} (6 months)`);
  } else if (maxAge === undefined) {
    problems.push("its HSTS sets no max-age");
  }
  if (bool(hsts, "includeSubdomains") !== true && bool(hsts, "includeSubdomains") !== UNKNOWN) {
    problems.push("its HSTS does not include subdomains");
  }
  return problems;
}

const endpointTls: PolicySpec = {
  name: "edge-01-endpoint-tls",
  id: "EDGE-01",
  description:
    "Every public endpoint is HTTPS only with TLS 1.2 or newer: CloudFront distributions, load-balancer listeners, API Gateway domains, Cloudflare hostname TLS settings, custom hostnames, R2 custom domains, Spectrum apps.",
  severity: "critical",
  remediationSteps:
    "CloudFront: an ACM certificate with minimumProtocolVersion TLSv1.2_2021 and viewerProtocolPolicy redirect-to-https. Load balancers: HTTPS listeners with ELBSecurityPolicy-TLS13-1-2-2021-06, port 80 only as a redirect to HTTPS. API Gateway: securityPolicy TLS_1_2. Cloudflare: min_tls_version 1.2.",
  resource: {
    types: ENDPOINT_TYPES.filter((type) => !LISTENERS.includes(type)),
    validate(resource, check) {
      if (resource.type === DISTRIBUTION || resource.type === MULTITENANT_DISTRIBUTION) {
        judgeDistribution(resource, check);
        return;
      }
      if (resource.type === RESPONSE_HEADERS_POLICY) return;
      judgeTlsSetting(resource, check);
    },
  },
  stack(resources, check) {
    // Listeners are judged with their load balancer: an internal one is not a public endpoint.
    const index = new StackIndex(resources);
    check.each(index.ofType(...LISTENERS), (listener) => {
      const balancers = index.referencedBy(listener, "loadBalancerArn", LOAD_BALANCERS);
      if (balancers.length > 0 && balancers.every((balancer) => bool(balancer.props, "internal") === true))
        return;
      judgeListener(listener, check);
    });
  },
};

function redirectsToHttps(listener: PolicyResource): boolean {
  const actions = list(listener.props, "defaultActions");
  if (!Array.isArray(actions) || actions.length === 0) return false;
  return actions.every((action) => {
    const raw = rawValue(action) as Record<string, unknown>;
    if (raw.type === "redirect")
      return (peekString(raw, "redirect", "protocol") ?? "").toUpperCase() === "HTTPS";
    // A fixed response never serves the app's content.
    return raw.type === "fixed-response";
  });
}

function judgeListener(listener: PolicyResource, check: Check): void {
  const name = label(listener);
  const protocol = (
    peekString(listener.props, "protocol") ?? (num(listener.props, "port") === 443 ? "HTTPS" : "HTTP")
  ).toUpperCase();
  if (protocol === "HTTP") {
    if (!redirectsToHttps(listener)) {
      check.violation(`${name} serves plain HTTP; an HTTP listener may only redirect to HTTPS`, listener.urn);
    }
    return;
  }
  if (protocol !== "HTTPS" && protocol !== "TLS") return;
  const policy = check.mustBeKnown(
    () => str(listener.props, "sslPolicy"),
    `sslPolicy of ${name}`,
    listener.urn,
  );
  if (policy === undefined) {
    check.violation(
      `${name} sets no sslPolicy (the API default ELBSecurityPolicy-2016-08 accepts TLS 1.0); set ELBSecurityPolicy-TLS13-1-2-2021-06`,
      listener.urn,
    );
  } else if (policy !== UNKNOWN && !elbPolicyOk(policy)) {
    check.violation(`${name} uses ${policy}, which accepts TLS below 1.2`, listener.urn);
  }
}

const endpointHsts: PolicySpec = {
  name: "edge-02-endpoint-hsts",
  id: "EDGE-02",
  description:
    "CloudFront distributions send HSTS (max-age ≥ 6 months, includeSubDomains) through a response headers policy on every cache behaviour.",
  severity: "high",
  remediationSteps: `Attach an aws.cloudfront.ResponseHeadersPolicy with securityHeadersConfig.strictTransportSecurity {accessControlMaxAgeSec: ${HSTS_DEFAULT_SECONDS}, includeSubdomains: true, override: true} to every cache behaviour.`,
  resource: {
    types: [RESPONSE_HEADERS_POLICY],
    validate(resource, check) {
      const hsts = peek(resource.props, "securityHeadersConfig", "strictTransportSecurity");
      if (hsts === undefined || hsts === null) return; // judged where a distribution uses it
      for (const problem of responseHeadersHstsProblems(resource.props)) {
        check.violation(`${label(resource)}: ${problem}`);
      }
    },
  },
  stack(resources, check) {
    const index = new StackIndex(resources);
    check.each(index.ofType(DISTRIBUTION, MULTITENANT_DISTRIBUTION), (distribution) => {
      for (const behaviour of behaviours(distribution)) {
        const where = `${behaviour.where} of ${label(distribution)}`;
        const id = peek(behaviour.value, "responseHeadersPolicyId");
        const property = behaviour.where.startsWith("default")
          ? "defaultCacheBehavior"
          : "orderedCacheBehaviors";
        const candidates = index.referencedBy(distribution, property, [RESPONSE_HEADERS_POLICY]);
        // A known id names one policy; an unknown one (preview) is decided by the dependency.
        const policies =
          typeof id === "string"
            ? candidates.filter((policy) => peek(policy.props, "id") === id)
            : candidates;
        if (id === undefined || id === null || id === "") {
          check.violation(
            `${where} has no response headers policy: no Strict-Transport-Security is sent`,
            distribution.urn,
          );
          continue;
        }
        if (policies.length === 0) {
          if (id === UNKNOWN) check.undeterminable(`${where}.responseHeadersPolicyId`, distribution.urn);
          // A managed or external policy id: its headers are not in this stack.
          continue;
        }
        for (const policy of policies) {
          for (const problem of responseHeadersHstsProblems(policy.props)) {
            check.violation(`${where} uses ${label(policy)}: ${problem}`, distribution.urn);
          }
        }
      }
    });
  },
};

export const EDGE_ENDPOINT_POLICIES: readonly PolicySpec[] = [endpointTls, endpointHsts];
