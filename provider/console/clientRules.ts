// Pure pieces of the client, tested directly: memo keys, the Console address choice, the Fargate query, and
// finding the secrets the Console hands back.
import { registerSecret } from "./errors";
import { checkHost } from "./settingsRules";
import { FargateProtectParams } from "./types";

/** JSON with object keys sorted, so equal requests have equal memo keys. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)),
        )
      : v,
  );
}

/**
 * The host Defenders should use, from the certificate's names: the URL's host when the certificate lists it (the
 * name this machine already reaches the Console by), else the first DNS name other than localhost, else the first
 * name, else the URL's host.
 */
export function chooseConsoleAddress(consoleSAN: readonly string[], urlHost: string): string {
  const names = consoleSAN.map((n) => n.trim()).filter((n) => checkHost(n, "SAN").ok);
  const host = urlHost.toLowerCase();
  if (names.some((n) => n.toLowerCase() === host)) return urlHost;
  const dns = names.find(
    (n) => !/^[\d.]+$/.test(n) && !n.includes(":") && n.toLowerCase() !== "localhost",
  );
  return dns ?? names[0] ?? urlHost;
}

/** `fargate.json` / `fargate.yaml` query parameters (docs/console-api.md#fargate-query). */
export function fargateQuery(params: FargateProtectParams, cloudFormation: boolean) {
  const flag = (b?: boolean) => (b === undefined ? undefined : String(b));
  return {
    consoleaddr: params.consoleAddress,
    defenderType: params.defenderType ?? "appEmbedded",
    interpreter: params.interpreter,
    cloudFormation: cloudFormation ? "true" : undefined,
    filesystemMonitoring: flag(params.filesystemMonitoring),
    extractEntrypoint: flag(params.extractEntrypoint),
    registryType: params.registryType,
    registryCredentialID: params.registryCredentialId,
    defenderImage: params.defenderImage,
    defenderImagePullSecret: params.defenderImagePullSecret,
  };
}

/** Register every `INSTALL_BUNDLE` value in a task definition or template (`name`/`value` or `Name`/`Value`). */
export function registerInstallBundles(value: unknown): number {
  let found = 0;
  const walk = (v: unknown) => {
    if (Array.isArray(v)) return v.forEach(walk);
    if (!v || typeof v !== "object") return;
    const o = v as Record<string, unknown>;
    const name = o.name ?? o.Name;
    const val = o.value ?? o.Value;
    if (name === "INSTALL_BUNDLE" && typeof val === "string") {
      registerSecret(val);
      found++;
    }
    Object.values(o).forEach(walk);
  };
  walk(value);
  return found;
}

export function hasKeyDeep(value: unknown, keys: string[]): boolean {
  if (Array.isArray(value)) return value.some((v) => hasKeyDeep(v, keys));
  if (!value || typeof value !== "object") return false;
  return Object.entries(value).some(([k, v]) => keys.includes(k) || hasKeyDeep(v, keys));
}

/**
 * Where a template failed to parse, without its text: JSON.parse quotes the input around the bad token and YAML
 * errors carry source lines, and a template may hold credentials that are not registered for redaction.
 */
export function parseProblem(error: unknown): string {
  const where = (error as { linePos?: { line: number; col: number }[] }).linePos?.[0];
  if (where) return `line ${where.line}, column ${where.col}`;
  const first = String((error as Error)?.message ?? error).split("\n")[0];
  return /is not valid JSON$/.test(first)
    ? "an unexpected character; the text is not shown"
    : first;
}
