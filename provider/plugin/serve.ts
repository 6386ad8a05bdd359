// Starts the gRPC provider server the Pulumi engine talks to (prints the port on stdout, as the engine expects).
// The provider server from its own module, not the `@pulumi/pulumi` index: the index also loads the Automation API
// and the rest of the SDK (about 50 ms of the plugin's start), which answering GetSchema does not need.
import { main } from "@pulumi/pulumi/provider";
import { getPulumiComponents } from "@pulumi/pulumi/provider/experimental";
import { PrismaDefenderProvider, readCommittedSchema } from "./provider";

/**
 * The provider over every component `provider/index.ts` exports and the committed schema. The components (and the
 * cloud SDKs they import) load on the first construct, so GetSchema is answered without them.
 */
export function createProvider(): PrismaDefenderProvider {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const load = () => getPulumiComponents(require("../index"));
  return new PrismaDefenderProvider(load, readCommittedSchema());
}

/** Serves until the engine disconnects. `args` are the plugin's arguments: the engine address. */
export function serve(args: string[]): Promise<void> {
  return main(createProvider(), args);
}
