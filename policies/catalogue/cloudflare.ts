/** @pulumi/cloudflare (v6): the types that express each concern of the checklist (see types.ts). */
import { paths, type ProviderCatalogue } from "./types";

export const CLOUDFLARE_CATALOGUE: ProviderCatalogue = {
  provider: "cloudflare",
  sdk: "node_modules/@pulumi/cloudflare",
  covered: {
    variables: {
      "cloudflare:index/pagesProject:PagesProject": {
        paths: ["deploymentConfigs.production.envVars", "deploymentConfigs.preview.envVars"],
        note: "{NAME: {type: plain_text | secret_text, value}}: secret_text values are the place made for secrets",
      },
      "cloudflare:index/workersScript:WorkersScript": {
        paths: ["bindings"],
        note: "[{name, type, text}]: plain_text bindings must not hold secrets; secret_text bindings are secrets' place",
      },
      "cloudflare:index/workerScript:WorkerScript": paths("bindings"),
      "cloudflare:index/workerVersion:WorkerVersion": paths("bindings"),
    },
    tls: {
      "cloudflare:index/zoneSetting:ZoneSetting": {
        paths: ["settingId", "value"],
        note: "settingId ssl, min_tls_version, tls_1_3, always_use_https, security_header (HSTS)",
      },
      "cloudflare:index/hostnameTlsSetting:HostnameTlsSetting": {
        paths: ["settingId", "value"],
        note: "per-hostname min_tls_version",
      },
      "cloudflare:index/customHostname:CustomHostname": paths("ssl.settings.minTlsVersion"),
      "cloudflare:index/r2CustomDomain:R2CustomDomain": paths("minTls"),
      "cloudflare:index/spectrumApplication:SpectrumApplication": paths("tls"),
      "cloudflare:index/ruleset:Ruleset": {
        paths: ["rules.actionParameters.ssl", "rules.actionParameters.headers"],
        note: "configuration rules that lower SSL, transform rules that remove HSTS",
      },
      "cloudflare:index/pageRule:PageRule": paths("actions.ssl", "actions.alwaysUseHttps"),
    },
    proxied: {
      "cloudflare:index/dnsRecord:DnsRecord": paths("proxied"),
      "cloudflare:index/record:Record": paths("proxied"),
    },
    stateful: {
      "cloudflare:index/r2Bucket:R2Bucket": paths(),
      "cloudflare:index/d1Database:D1Database": paths(),
      "cloudflare:index/workersKvNamespace:WorkersKvNamespace": paths(),
      "cloudflare:index/queue:Queue": paths(),
      "cloudflare:index/secretsStoreSecret:SecretsStoreSecret": paths(),
      "cloudflare:index/zone:Zone": {
        paths: [],
        note: "a new zone gets new name servers: the delegation at the registrar breaks",
      },
    },
  },
  outOfScope: {
    variables: [
      {
        reason: "`environment` names a Worker environment (production), not variables",
        types: [
          "cloudflare:index/workerDomain:WorkerDomain",
          "cloudflare:index/workersCustomDomain:WorkersCustomDomain",
        ],
      },
    ],
    tls: [
      {
        reason: "Zero Trust gateway FIPS mode for outbound traffic, not an app endpoint",
        types: [
          "cloudflare:index/teamsAccount:TeamsAccount",
          "cloudflare:index/zeroTrustGatewaySettings:ZeroTrustGatewaySettings",
        ],
      },
    ],
    proxied: [
      {
        reason: "a load balancer's hostname: EDGE-08 reads the DNS records of app hostnames",
        types: ["cloudflare:index/loadBalancer:LoadBalancer"],
      },
    ],
    tags: [
      {
        reason:
          "Cloudflare tags are free-form labels without cost allocation; ENV-03 is about cost-allocation tags",
        types: [
          "cloudflare:index/accessApplication:AccessApplication",
          "cloudflare:index/dnsRecord:DnsRecord",
          "cloudflare:index/record:Record",
          "cloudflare:index/worker:Worker",
          "cloudflare:index/zeroTrustAccessApplication:ZeroTrustAccessApplication",
          "cloudflare:index/zeroTrustAccessInfrastructureTarget:ZeroTrustAccessInfrastructureTarget",
        ],
      },
    ],
    stateful: [
      {
        reason: "delivery pipelines and video ingest buffers, rebuilt from their source",
        types: ["cloudflare:index/pipelineStream:PipelineStream", "cloudflare:index/stream:Stream"],
      },
    ],
  },
};
