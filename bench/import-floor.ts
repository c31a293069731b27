/**
 * The floor a plan is measured against: one Node.js process that only imports the SDKs the golive
 * program uses, then exits. Run as a child of bench/run.ts, the same way the plan is.
 */
import "@pulumi/pulumi";
import "@pulumi/aws";
import "@pulumi/cloudflare";
import "@pulumi/random";
import "@pulumiverse/time";
import "@pulumi/supabase";

process.exit(0);
