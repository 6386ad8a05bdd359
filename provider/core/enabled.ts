// The `enabled` switch every component takes: `false` registers the same workload resource, under the same URN,
// with the configuration it would have unprotected, and asks the Console nothing. Turning protection off and on is
// then an update of that resource, never a delete-and-create of it under another name.
import * as pulumi from "@pulumi/pulumi";
import { Checks } from "./check";
import { problem } from "./problems";

/** The switch as a plain boolean, or the component's error naming the field and the fix. */
export function protectionEnabled(value: unknown, checks: Checks): boolean {
  if (value === undefined || value === null) return true;
  if (typeof value === "boolean") return value;
  throw checks.error([
    problem(
      "enabled",
      `must be a plain true or false (it decides which resources exist, so it cannot wait for an Output); got ` +
        `${pulumi.Output.isInstance(value) ? "an Output" : JSON.stringify(value)}. Pass a boolean.`,
    ),
  ]);
}
