// Reading a resource's properties as a stack transform receives them: deserialized by the Pulumi SDK, so secrets are
// wrapped in the engine's secret signature and values the engine does not know yet (preview) are `pulumi.unknown`.
import * as pulumi from "@pulumi/pulumi";

const SIG = "4dabf18193072939515e22adb298388d";
const SECRET = "1b47061264138c4ac30d75fd1eb44270";

/** True when `v` is the engine's secret wrapper. */
export function isSecretWrapper(v: unknown): v is { value: unknown } {
  return !!v && typeof v === "object" && (v as Record<string, unknown>)[SIG] === SECRET;
}

/** `v` without secret wrappers at any depth, and whether there was one. */
export function reveal(v: unknown): { value: unknown; secret: boolean } {
  if (isSecretWrapper(v)) return { value: reveal(v.value).value, secret: true };
  if (Array.isArray(v)) {
    const items = v.map(reveal);
    return { value: items.map((i) => i.value), secret: items.some((i) => i.secret) };
  }
  if (v && typeof v === "object" && Object.getPrototypeOf(v) === Object.prototype) {
    let secret = false;
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      const r = reveal(x);
      out[k] = r.value;
      secret ||= r.secret;
    }
    return { value: out, secret };
  }
  return { value: v, secret: false };
}

/** True when the value is known now (not an unknown of a preview, at any depth). */
export function isKnown(v: unknown): boolean {
  if (pulumi.isUnknown(v)) return false;
  if (Array.isArray(v)) return v.every(isKnown);
  if (v && typeof v === "object" && Object.getPrototypeOf(v) === Object.prototype) {
    return Object.values(v).every(isKnown);
  }
  return true;
}

/** A plain string, or undefined when absent or not known yet. */
export function knownString(v: unknown): string | undefined {
  const r = reveal(v).value;
  return typeof r === "string" ? r : undefined;
}

/** The qualified types in a URN's type chain (`a$b$c`), parent types first. */
export function urnTypes(urn: string): string[] {
  return (urn.split("::")[2] ?? "").split("$");
}
