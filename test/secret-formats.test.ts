import { describe, expect, it } from "vitest";
import { isPointerValue, looksRandom, secretFormat } from "../lib/secret-formats";

describe("secret value formats", () => {
  it.each([
    ["re_Mx3kP9aQ_7bYtR2wVzL5nHcJ8dF4gK6s", "Resend"],
    ["rediss://default:h7Kp2Wq9Lz4Xv8Rt3Mn6@cache.acme.internal:6380", "URL with a password"],
    ["postgresql://api_rw:Vq7zL2pX9kTe4Rw8@db:5432/api", "database URL"],
    ["Bearer sk_live_51NzQ8rLkJh7Gf6Ds5Aa4Pp3Oo2Ii1Uu0Yy9Tt8", "Stripe secret key"],
    ["SK0123456789abcdef0123456789abcdef", "Twilio"],
    ["sntrys_eyJpYXQiOjE3MDAwMDAwMDAuMCwidXJsIjoiaHR0cHM6Ly9zZW50cnkuaW8ifQ", "Sentry"],
    ["https://events.pagerduty.com/integration/0a1b2c3d4e5f60718293a4b5c6d7e8f9/enqueue", "PagerDuty"],
    ["sb_secret_N7UND0UgjKTVK-Uodkm0Hg_xSvEMPvz", "Supabase secret API key"],
  ])("%s is %s", (value, kind) => {
    expect(secretFormat(value)?.kind).toContain(kind);
  });

  it("leaves placeholders, pointers and client keys alone", () => {
    for (const value of [
      "postgresql://user:[YOUR-PASSWORD]@db.example.co:5432/postgres",
      "https://auth.acme.io/oauth/token",
      "sb_publishable_abc123def456",
      "stripe-signature",
    ]) {
      expect(secretFormat(value), value).toBeUndefined();
    }
  });

  it("recognises pointers by value, whatever they are called", () => {
    expect(isPointerValue("arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-AbCdEf")).toBe(true);
    expect(isPointerValue("/billing/prod/stripe-secret-key")).toBe(true);
    expect(isPointerValue("{{resolve:secretsmanager:db:SecretString:password}}")).toBe(true);
    expect(isPointerValue("https://api.example.com/v1")).toBe(true);
    expect(isPointerValue("https://api.example.com/v1?token=abc")).toBe(false);
    expect(isPointerValue("rediss://default:pw123456@cache:6380")).toBe(false);
  });

  it("calls generated-looking values random, names and words not", () => {
    expect(looksRandom("q8ZrT2vLxN4pW7sK1mB9cF3hJ6dG0yEa")).toBe(true);
    expect(looksRandom("billing/prod/jwt")).toBe(false);
    expect(looksRandom("STRIPE_SECRET_KEY")).toBe(false);
    expect(looksRandom("2f1c6e9a-3b4d-4c5e-8f70-1a2b3c4d5e6f")).toBe(false);
  });
});
