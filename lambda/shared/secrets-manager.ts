/** Secrets Manager access shared by golive's Lambda handlers (bundled into each). */
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";

let secretsManager: SecretsManagerClient | undefined;

/** Reads a secret's string value; the client is made on first use and reused while warm. */
export async function getSecretFromSecretsManager(secretId: string): Promise<string> {
  secretsManager ??= new SecretsManagerClient({});
  const output = await secretsManager.send(new GetSecretValueCommand({ SecretId: secretId }));
  if (output.SecretString === undefined) {
    throw new Error("it has no string value (binary secrets are not supported)");
  }
  return output.SecretString;
}
