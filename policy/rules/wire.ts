// What a policy needs from the engine's wire form that @pulumi/policy does not pass on: which values were secret,
// and which were unknown (preview), without tripping its unknown-checking proxy.
//
// @pulumi/policy deserializes each resource's properties with secrets unwrapped (deserialize.js), so a policy
// cannot tell `pulumi.secret(bundle)` from a plain string. The engine does send that mark (the secret signature
// below), so this module wraps the same deserializer (the server looks it up on the module at call time) to record
// the paths of secret values for each deserialized object. The versions of @pulumi/policy this was checked against
// are pinned in package.json; tests/policy fails if the wrap stops seeing secrets.
/* eslint-disable @typescript-eslint/no-require-imports */
const deserialize = require("@pulumi/policy/deserialize");
const proxy = require("@pulumi/policy/proxy");
/* eslint-enable @typescript-eslint/no-require-imports */

const SIG = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

const UNKNOWNS = new Set<unknown>([
  proxy.unknownBooleanValue,
  proxy.unknownNumberValue,
  proxy.unknownStringValue,
  proxy.unknownArrayValue,
  proxy.unknownAssetValue,
  proxy.unknownArchiveValue,
  proxy.unknownObjectValue,
]);

/** Secret paths (`a.b.0.c`) per deserialized property object. */
const secretPaths = new WeakMap<object, Set<string>>();

function collectSecrets(v: unknown, at: string, out: Set<string>): void {
  if (!v || typeof v !== "object") return;
  if (Array.isArray(v)) {
    v.forEach((x, i) => collectSecrets(x, join(at, String(i)), out));
    return;
  }
  const o = v as Record<string, unknown>;
  if (o[SIG] === SECRET_SIG) {
    out.add(at);
    collectSecrets(o.value, at, out);
    return;
  }
  for (const [k, x] of Object.entries(o)) collectSecrets(x, join(at, k), out);
}

export const join = (at: string, key: string) => (at ? `${at}.${key}` : key);

if (!deserialize.__prismaDefenderWrapped) {
  const original = deserialize.deserializeProperties;
  deserialize.deserializeProperties = (struct: any, proxySecrets: boolean) => {
    const props = original(struct, proxySecrets);
    const paths = new Set<string>();
    collectSecrets(struct.toJavaScript(), "", paths);
    if (props && typeof props === "object") secretPaths.set(props, paths);
    return props;
  };
  deserialize.__prismaDefenderWrapped = true;
}

/** The plain object under @pulumi/policy's unknown-checking proxy (unknowns stay as the engine's sentinels). */
export function raw<T = Record<string, unknown>>(props: unknown): T {
  if (props && typeof props === "object" && (props as any)[proxy.isSpecialProxy] === true) {
    return (props as any)[proxy.getSpecialProxyTarget] as T;
  }
  return props as T;
}

/** Whether the value at `path` (or anything around it) was a secret on the wire. */
export function isSecretAt(props: unknown, path: string): boolean {
  const paths = secretPaths.get(raw(props) as object);
  if (!paths) return false;
  if (paths.has("")) return true;
  const parts = path.split(".");
  for (let i = 1; i <= parts.length; i++) if (paths.has(parts.slice(0, i).join("."))) return true;
  return false;
}

/** The engine's marker for a value not known before deploy. */
export const UNKNOWN: unknown = proxy.unknownStringValue;

export const isUnknown = (v: unknown): boolean => UNKNOWNS.has(v);

/** A string value, or undefined when absent, not a string, or unknown. */
export function str(v: unknown): string | undefined {
  return typeof v === "string" && !isUnknown(v) ? v : undefined;
}

export function obj(v: unknown): Record<string, unknown> | undefined {
  return v && typeof v === "object" && !Array.isArray(v)
    ? (v as Record<string, unknown>)
    : undefined;
}

export function arr(v: unknown): unknown[] | undefined {
  return Array.isArray(v) ? v : undefined;
}

/** Parses a JSON document held in a string input (task definitions, templates); undefined when it is not one. */
export function parseJson(v: unknown): unknown {
  const s = str(v);
  if (!s || !/^\s*[[{]/.test(s)) return undefined;
  try {
    return JSON.parse(s);
  } catch {
    return undefined;
  }
}
