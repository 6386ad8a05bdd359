// The AWS region TW_POLICY is encoded for: the region of the AWS provider the function is created with.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

const GET_REGION = "aws:index/getRegion:getRegion";

/**
 * One `getRegion` lookup per Pulumi run (its resource monitor) and AWS provider, shared by every function created
 * with that provider: the answer depends on the provider only, and a program of N functions would otherwise make
 * N identical invokes. A new run (a new monitor) looks it up again.
 */
const lookups = new WeakMap<
  object,
  Map<pulumi.ProviderResource | undefined, pulumi.Output<string>>
>();

/** The region of the AWS provider `parent`'s children use (the default provider when none is set). */
export function providerRegion(parent: pulumi.Resource): pulumi.Output<string> {
  const lookup = () => aws.getRegionOutput({}, { parent }).region;
  const run = pulumi.runtime.getMonitor();
  if (!run) return lookup();
  // The provider an invoke with `{ parent }` uses (Pulumi's own rule: the parent's provider for the package).
  const provider = parent.getProvider(GET_REGION);
  let perRun = lookups.get(run);
  if (!perRun) lookups.set(run, (perRun = new Map()));
  let region = perRun.get(provider);
  if (!region) perRun.set(provider, (region = lookup()));
  return region;
}
