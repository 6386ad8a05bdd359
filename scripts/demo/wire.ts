// Inputs in the form a Python, Go, .NET, Java or YAML program sends them to the plugin (JSON values, with the
// engine's signature objects for secrets, assets and archives), turned into what the plugin's `construct` receives
// by the SDK's own server code. Used by the demo's YAML runner and the construct tests.
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";

const SIG = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
const ARCHIVE_SIG = "0def7320c3a5731c473e5ecbe6d01bc7";
const ASSET_SIG = "c44067f5952c0a294b673a41bacd8c17";

/** A secret value, as `pulumi.Output.secret(...)` / `fn::secret` arrive on the wire. */
export const wireSecret = (value: unknown) => ({ [SIG]: SECRET_SIG, value });
/** `pulumi.FileArchive(path)` on the wire. */
export const wireFileArchive = (p: string) => ({ [SIG]: ARCHIVE_SIG, path: p });
/** `pulumi.FileAsset(path)` on the wire. */
export const wireFileAsset = (p: string) => ({ [SIG]: ASSET_SIG, path: p });

// The gRPC server's own deserializer (internal to @pulumi/pulumi, hence the require): exactly what the plugin's
// `construct` is handed for a ConstructRequest.
const pulumiDir = path.dirname(require.resolve("@pulumi/pulumi"));
// eslint-disable-next-line @typescript-eslint/no-require-imports
const server = require(path.join(pulumiDir, "provider", "server"));
// eslint-disable-next-line @typescript-eslint/no-require-imports
const structproto = require(
  require.resolve("google-protobuf/google/protobuf/struct_pb", { paths: [pulumiDir] }),
);

/**
 * Deserialises wire-form inputs the way the plugin's gRPC server does before calling `construct`. `dependencies`
 * are the URNs the engine lists per input (values taken from other resources' outputs): such inputs arrive as
 * Outputs, as they do in a real deployment.
 */
export function inputsFromWire(
  wire: Record<string, unknown>,
  dependencies: Record<string, string[]> = {},
): Promise<pulumi.Inputs> {
  const deps = new Map(
    Object.entries(dependencies).map(([k, urns]) => [k, { getUrnsList: () => urns }] as const),
  );
  return server.deserializeInputs(structproto.Struct.fromJavaScript(wire), deps);
}
