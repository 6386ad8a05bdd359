// The `enabled` switch every component takes: `false` registers the same workload resource, under the same URN,
// with the configuration it would have unprotected, and asks the Console nothing. Turning protection off and on is
// then an update of that resource, never a delete-and-create of it under another name.
import * as pulumi from "@pulumi/pulumi";

/** The switch as a plain boolean, or a ResourceError naming the field and the fix. */
export function protectionEnabled(
  value: unknown,
  subject: string,
  resource: pulumi.Resource,
): boolean {
  if (value === undefined || value === null) return true;
  if (typeof value === "boolean") return value;
  throw new pulumi.ResourceError(
    `${subject}: \`enabled\` must be a plain true or false (it decides which resources exist, so it cannot wait ` +
      `for an Output); got ${pulumi.Output.isInstance(value) ? "an Output" : JSON.stringify(value)}.`,
    resource,
  );
}
