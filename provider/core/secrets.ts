// The secret registry: every password, token, INSTALL_BUNDLE and TW_POLICY value this process has seen, removed
// by value (and credential-shaped strings by shape) from every message, cause and log line we write, so that
// neither our own messages nor a message the Console echoes back can carry one.
import * as pulumi from "@pulumi/pulumi";

const secretValues = new Set<string>();

/** Shorter values are not redacted by value: replacing every "ab" would garble messages and protect nothing. */
const MIN_SECRET_LENGTH = 4;
const REDACTED = "[secret]";

/** Remember a credential so that `redact` removes it (and its JSON-escaped and URL-encoded forms) from any text. */
export function registerSecret(value: string | undefined | null): void {
  if (typeof value !== "string" || value.length < MIN_SECRET_LENGTH) return;
  for (const form of [
    value,
    JSON.stringify(value).slice(1, -1),
    encodeURIComponent(value),
    Buffer.from(value).toString("base64"),
  ]) {
    if (form.length >= MIN_SECRET_LENGTH) secretValues.add(form);
  }
}

const SHAPES: [RegExp, string][] = [
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi, `$1 ${REDACTED}`],
  // JWTs (the Console's tokens), wherever they appear.
  [/\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g, REDACTED],
  // Dockerfile/env forms of the Defender credentials.
  [/\b(INSTALL_BUNDLE|TW_POLICY)(["']?\s*[=:]\s*["']?)[^"'\s,}]+/g, `$1$2${REDACTED}`],
  [/("(?:password|token|installBundle|data)"\s*:\s*")[^"]*"/g, `$1${REDACTED}"`],
];

/** Remove every known secret value and every credential-shaped string from `text`. */
export function redact(text: string): string {
  let out = text;
  // Longest first, so a secret that contains another is removed whole.
  for (const value of [...secretValues].sort((a, b) => b.length - a.length)) {
    out = out.split(value).join(REDACTED);
  }
  for (const [pattern, replacement] of SHAPES) out = out.replace(pattern, replacement);
  return out;
}

/** `pulumi.log.warn`, redacted. */
export function logWarn(message: string): void {
  void pulumi.log.warn(redact(message));
}

/** An ephemeral `pulumi.log.info` (progress), redacted; only when a Pulumi engine listens, so tests stay quiet. */
export function logProgress(message: string): void {
  if (pulumi.runtime.hasEngine()) void pulumi.log.info(redact(message), undefined, undefined, true);
}
