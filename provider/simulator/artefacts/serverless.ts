// The serverless archives: the Lambda layer (`POST images/twistlock_defender_layer.zip`) and the embedded bundle
// (`POST defenders/serverless/bundle`), per runtime family, optionally padded for large-download benchmarks.
import { ConsoleHttpError } from "../http";
import { javaJar, javaPom, nupkg, placeholderReadme } from "./javaDotnet";
import { nodeBundleIndex, nodeLayerIndex } from "./nodeSources";
import {
  pythonBundleInit,
  pythonBundleServerless,
  pythonLayerInit,
  rubyBundle,
  rubyLayer,
} from "./pythonRubySources";
import { ArchiveEntry } from "./zip";
import { ARCHITECTURE } from "./tarball";

export type RuntimeFamily = "nodejs" | "python" | "ruby" | "java" | "dotnet";

export interface ServerlessRequest {
  provider?: string;
  runtime?: string;
  nodeJSModuleType?: string;
  proxyCA?: string;
}

export function runtimeFamily(runtime: string): RuntimeFamily {
  for (const family of ["nodejs", "python", "ruby", "java", "dotnet"] as const) {
    if (runtime.startsWith(family)) return family;
  }
  throw new ConsoleHttpError(400, `unsupported runtime ${runtime}`);
}

/** Provider and runtime checks the Console makes beyond the schema (docs/console-api.md#serverless-checks). */
export function checkServerless(
  request: ServerlessRequest,
  kind: "layer" | "bundle",
): Required<Pick<ServerlessRequest, "provider" | "runtime">> & { family: RuntimeFamily } {
  if (!request.runtime) throw new ConsoleHttpError(400, "missing runtime");
  // 21.04 bodies had no provider and every caller then meant AWS: treat a missing provider as aws.
  const provider = request.provider ?? "aws";
  const family = runtimeFamily(request.runtime);
  if (kind === "layer" && provider !== "aws") {
    throw new ConsoleHttpError(
      400,
      `invalid provider ${provider}: Lambda layers exist for aws only`,
    );
  }
  if (kind === "bundle" && provider !== "aws" && provider !== "azure") {
    throw new ConsoleHttpError(
      400,
      `invalid provider ${provider}: serverless Defenders support aws and azure`,
    );
  }
  if (provider === "azure" && family !== "dotnet") {
    throw new ConsoleHttpError(
      400,
      `invalid runtime ${request.runtime} for azure: Azure Functions are supported for .NET (dotnet) only`,
    );
  }
  if (
    request.proxyCA !== undefined &&
    request.proxyCA !== "" &&
    !request.proxyCA.includes("-----BEGIN CERTIFICATE-----")
  ) {
    throw new ConsoleHttpError(400, "invalid proxyCA: expected a PEM certificate");
  }
  return { provider, runtime: request.runtime, family };
}

function manifest(
  version: string,
  kind: string,
  provider: string,
  request: ServerlessRequest,
): string {
  const value: Record<string, unknown> = {
    name: `twistlock-serverless-defender-${kind}`,
    defenderVersion: version,
    provider,
    runtime: request.runtime,
    architecture: ARCHITECTURE,
    simulated: true,
  };
  if (request.nodeJSModuleType) value.nodeJSModuleType = request.nodeJSModuleType;
  if (request.proxyCA) value.proxyCA = true;
  return JSON.stringify(value, null, 2) + "\n";
}

/** Entries of the Lambda layer zip (extracted by Lambda under /opt). */
export async function layerEntries(
  version: string,
  request: ServerlessRequest,
): Promise<ArchiveEntry[]> {
  const { provider, family } = checkServerless(request, "layer");
  const entries: ArchiveEntry[] = [
    { path: "manifest.json", data: manifest(version, "layer", provider, request) },
  ];
  if (request.proxyCA) entries.push({ path: "twistlock/proxy-ca.pem", data: request.proxyCA });
  switch (family) {
    case "nodejs":
      entries.push({
        path: "nodejs/node_modules/twistlock/index.js",
        data: nodeLayerIndex(version),
      });
      entries.push({
        path: "nodejs/node_modules/twistlock/package.json",
        data:
          JSON.stringify(
            { name: "twistlock", version, main: "index.js", type: "commonjs" },
            null,
            2,
          ) + "\n",
      });
      break;
    case "python":
      entries.push({ path: "python/twistlock/__init__.py", data: pythonLayerInit(version) });
      break;
    case "ruby":
      entries.push({ path: "ruby/lib/twistlock.rb", data: rubyLayer(version) });
      break;
    case "java":
      entries.push({ path: "java/lib/twistlock-defender.jar", data: await javaJar(version) });
      entries.push({
        path: "java/lib/README.md",
        data: placeholderReadme("Twistlock Lambda layer for Java", version),
      });
      break;
    case "dotnet":
      entries.push({
        path: "dotnet/Twistlock.dll",
        data: "simulated placeholder: not a .NET assembly\n",
      });
      entries.push({
        path: "dotnet/README.md",
        data: placeholderReadme("Twistlock Lambda layer for .NET", version),
      });
      break;
  }
  return entries;
}

/** Entries of the embedded bundle zip: everything under `twistlock/`, copied into the function's code. */
export async function bundleEntries(
  version: string,
  request: ServerlessRequest,
): Promise<ArchiveEntry[]> {
  const { provider, family } = checkServerless(request, "bundle");
  const entries: ArchiveEntry[] = [
    { path: "twistlock/manifest.json", data: manifest(version, "bundle", provider, request) },
  ];
  if (request.proxyCA) entries.push({ path: "twistlock/proxy-ca.pem", data: request.proxyCA });
  switch (family) {
    case "nodejs":
      entries.push({ path: "twistlock/index.js", data: nodeBundleIndex(version) });
      break;
    case "python":
      entries.push({ path: "twistlock/__init__.py", data: pythonBundleInit(version) });
      entries.push({ path: "twistlock/serverless/__init__.py", data: pythonBundleServerless() });
      break;
    case "ruby":
      entries.push({ path: "twistlock/twistlock.rb", data: rubyBundle(version) });
      break;
    case "java":
      entries.push({ path: `twistlock/defender-${version}.pom`, data: javaPom(version) });
      entries.push({ path: `twistlock/defender-${version}.jar`, data: await javaJar(version) });
      break;
    case "dotnet":
      entries.push({ path: `twistlock/twistlock.${version}.nupkg`, data: await nupkg(version) });
      entries.push({
        path: "twistlock/twistlock_serverless_defender.txt",
        data: "simulated placeholder for the native Defender files the real bundle carries\n",
      });
      break;
  }
  entries.push({
    path: "twistlock/README.md",
    data: placeholderReadme(`Twistlock ${family} bundle`, version),
  });
  return entries;
}
