// Whether an Input's value is known now. Components check plain values at construction (an error thrown there
// reaches the user before any request) and leave Outputs to the same checks once they resolve (core/check.ts).
import * as pulumi from "@pulumi/pulumi";

/** True when `v` itself is a value now, not an Output or Promise (its fields may still be). */
export const isPlain = (v: unknown): boolean =>
  !pulumi.Output.isInstance(v) && !(v instanceof Promise);

/**
 * True when no Output or Promise is anywhere inside `v`: its value is known now, as `pulumi.all` would give it.
 * Arrays and plain objects are looked into; assets, archives and resources count as values (`pulumi.all` passes
 * them through whole).
 */
export function isPlainDeep(v: unknown): boolean {
  if (v === null || typeof v !== "object") return true;
  if (!isPlain(v)) return false;
  if (Array.isArray(v)) return v.every(isPlainDeep);
  const proto = Object.getPrototypeOf(v) as unknown;
  if (proto !== Object.prototype && proto !== null) return true;
  return Object.values(v as Record<string, unknown>).every(isPlainDeep);
}
