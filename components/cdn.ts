/**
 * The Cloudflare zone in front of the app (EDGE-01 to EDGE-09): HTTPS-only settings and HSTS, the
 * security headers, edge caching, per-path rate limits, the admin allow-list, the managed WAF, the
 * proxied app hostname and the sending domain's mail records. What it creates is computed by
 * lib/cdn.ts; this component maps it to resources.
 */
import * as cloudflare from "@pulumi/cloudflare";
import * as pulumi from "@pulumi/pulumi";
import type { CdnConfig } from "../config/schema/cdn";
import { appRecord, mailRecords, rulesets, zoneSettings, type DnsRecordData } from "../lib/cdn";
import { physicalName, type EnvironmentIdentity } from "../lib/naming";
import { CDN_TYPE, CDN_TYPE_ALIASES } from "../lib/component-types";

export interface CdnArgs {
  readonly identity: EnvironmentIdentity;
  readonly config: CdnConfig;
  /** `golive:app.domain`: the zone's name unless `config.zone.name` says otherwise. */
  readonly domain: string;
  /** `golive:app.hostname`: proxied to `config.origin`. */
  readonly hostname: string;
  /** Protect a zone created here from deletion (prod). */
  readonly protect: boolean;
}

export class Cdn extends pulumi.ComponentResource {
  readonly zoneId: pulumi.Output<string>;
  /** The zone's name servers; set them at the registrar when the zone is created here. */
  readonly nameServers: pulumi.Output<string[]>;
  /** Hostnames this stack serves through the CDN. */
  readonly hostnames: string[];
  /** Whether this stack manages the zone-wide policy (settings, rulesets, mail records). */
  readonly managesZonePolicy: boolean;

  constructor(name: string, args: CdnArgs, opts?: pulumi.ComponentResourceOptions) {
    // The old type as an alias: a stack deployed under it is moved in place, not replaced (and
    // Pulumi derives the children's old URNs from the parent's alias).
    super(
      CDN_TYPE,
      name,
      {},
      pulumi.mergeOptions(opts, { aliases: CDN_TYPE_ALIASES.map((type) => ({ type })) }),
    );
    const { config, identity } = args;
    const zoneName = config.zone.name ?? args.domain;
    const child: pulumi.CustomResourceOptions = { parent: this };

    if (config.zone.create) {
      const zone = new cloudflare.Zone(
        `${name}-zone`,
        // The schema requires accountId when create is set.
        { account: { id: config.zone.accountId! }, name: zoneName, type: "full" },
        { parent: this, protect: args.protect, retainOnDelete: args.protect },
      );
      this.zoneId = zone.id;
      this.nameServers = zone.nameServers;
    } else {
      const zone = cloudflare.getZoneOutput(
        {
          filter: {
            name: zoneName,
            ...(config.zone.accountId ? { account: { id: config.zone.accountId } } : {}),
          },
        },
        { parent: this },
      );
      this.zoneId = zone.id;
      this.nameServers = zone.nameServers;
    }
    const zoneId = this.zoneId;

    const record = (data: DnsRecordData) =>
      new cloudflare.DnsRecord(
        `${name}-dns-${data.key}`,
        {
          zoneId,
          name: data.name,
          type: data.type,
          content: data.content,
          proxied: data.proxied,
          ttl: data.ttl,
          ...(data.priority === undefined ? {} : { priority: data.priority }),
          comment: data.comment,
        },
        child,
      );

    record(appRecord(args.hostname, config.origin));
    this.hostnames = [args.hostname];
    this.managesZonePolicy = config.zone.managePolicy;

    if (config.zone.managePolicy) {
      for (const setting of zoneSettings(config)) {
        new cloudflare.ZoneSetting(
          `${name}-setting-${setting.settingId.replace(/_/g, "-")}`,
          { zoneId, settingId: setting.settingId, value: setting.value },
          child,
        );
      }
      for (const ruleset of rulesets(config)) {
        new cloudflare.Ruleset(
          `${name}-ruleset-${ruleset.phase.replace(/_/g, "-")}`,
          {
            zoneId,
            kind: "zone",
            phase: ruleset.phase,
            name: ruleset.name,
            description: `${ruleset.description} (${physicalName(identity)})`,
            rules: ruleset.rules.map((rule) => ({ ...rule })),
          },
          child,
        );
      }
      if (config.mail) for (const data of mailRecords(config.mail)) record(data);
    }

    this.registerOutputs({
      zoneId: this.zoneId,
      nameServers: this.nameServers,
      hostnames: this.hostnames,
      managesZonePolicy: this.managesZonePolicy,
    });
  }
}
