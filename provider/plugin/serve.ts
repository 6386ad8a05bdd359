// Starts the gRPC provider server the Pulumi engine talks to (prints the port on stdout, as the engine expects).
import * as pulumi from "@pulumi/pulumi";
import { getPulumiComponents } from "@pulumi/pulumi/provider/experimental";
import * as exported from "../index";
import { PrismaDefenderProvider, readCommittedSchema } from "./provider";

/** The provider over every component `provider/index.ts` exports and the committed schema. */
export function createProvider(): PrismaDefenderProvider {
  return new PrismaDefenderProvider(getPulumiComponents(exported), readCommittedSchema());
}

/** Serves until the engine disconnects. `args` are the plugin's arguments: the engine address. */
export function serve(args: string[]): Promise<void> {
  return pulumi.provider.main(createProvider(), args);
}
