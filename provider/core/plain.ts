// Whether an Input's value is known now. Components check plain values at construction (an error thrown there
// reaches the user before any request) and leave Outputs to checks run once they resolve.
import * as pulumi from "@pulumi/pulumi";

/** True when `v` itself is a value now, not an Output or Promise (its fields may still be). */
export const isPlain = (v: unknown): boolean =>
  !pulumi.Output.isInstance(v) && !(v instanceof Promise);

/** True when no Output or Promise is anywhere inside `v` (arrays and objects are looked into). */
export const isPlainDeep = (v: unknown): boolean =>
  isPlain(v) && (typeof v !== "object" || v === null || Object.values(v).every(isPlainDeep));
