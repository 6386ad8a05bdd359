// Endpoints that answer archives. Small archives are built once per distinct request and memoised (they are
// deterministic); padded ones are streamed on every request.
import { checkEmbedInput, embedDockerfile, EmbedInput } from "../appEmbedded";
import { archive, SimResponse } from "../http";
import { consoleAddressParam, Route } from "../route";
import { SimState, wsAddress } from "../state";
import { bundleEntries, layerEntries, ServerlessRequest } from "./serverless";
import { appEmbeddedTarball } from "./tarball";
import { ArchiveEntry, paddedZip, zipBuffer } from "./zip";

export const TARBALL_NAME = "twistlock_defender_app_embedded.tar.gz";

function memo(state: SimState, key: string, make: () => Promise<Buffer>): Promise<Buffer> {
  let value = state.cache.get(key);
  if (!value) {
    value = make();
    value.catch(() => state.cache.delete(key));
    state.cache.set(key, value);
  }
  return value;
}

export function tarball(state: SimState): Promise<Buffer> {
  return memo(state, "tarball", () => appEmbeddedTarball(state.version));
}

async function serverlessZip(
  state: SimState,
  kind: "layer" | "bundle",
  request: ServerlessRequest,
  filename: string,
): Promise<SimResponse> {
  const entries: ArchiveEntry[] =
    kind === "layer"
      ? await layerEntries(state.version, request)
      : await bundleEntries(state.version, request);
  if (state.bundlePaddingBytes > 0) {
    const stream = await paddedZip(
      entries,
      kind === "layer" ? "twistlock-padding.bin" : "twistlock/padding.bin",
      state.bundlePaddingBytes,
    );
    return { ...archive(Buffer.alloc(0), "zip", filename), body: undefined, stream };
  }
  const key = `${kind}:${JSON.stringify([request.provider, request.runtime, request.nodeJSModuleType, request.proxyCA])}`;
  return archive(await memo(state, key, () => zipBuffer(entries)), "zip", filename);
}

const embedRoute: Route = {
  method: "POST",
  auth: true,
  async handle(ctx, state) {
    const request = checkEmbedInput(
      state.spec.body<Partial<EmbedInput>>(ctx.body, "shared.AppEmbeddedEmbedRequest"),
    );
    const consoleAddr = consoleAddressParam(request.consoleAddr, "consoleAddr");
    const dockerfile = embedDockerfile(request, {
      installBundle: state.secrets.installBundle,
      wsAddress: wsAddress(state, consoleAddr),
      quirks: state.appEmbeddedQuirks,
    });
    const zip = await zipBuffer([
      { path: "Dockerfile", data: dockerfile },
      { path: TARBALL_NAME, data: await tarball(state) },
    ]);
    return archive(zip, "zip", `app_embedded_embed_${request.appID.replace(/:/g, "_")}.zip`);
  },
};

export const artefactRoutes = {
  "defenders/app-embedded": embedRoute,
  "images/twistlock_defender_app_embedded.tar.gz": {
    method: "GET",
    auth: true,
    handle: async (_ctx, state) => archive(await tarball(state), "tar.gz", TARBALL_NAME),
  } as Route,
  "images/twistlock_defender_layer.zip": {
    method: "POST",
    auth: true,
    handle: (ctx, state) =>
      serverlessZip(
        state,
        "layer",
        state.spec.body<ServerlessRequest>(ctx.body, "shared.ServerlessLayerBundleRequest"),
        "twistlock_defender_layer.zip",
      ),
  } as Route,
  "defenders/serverless/bundle": {
    method: "POST",
    auth: true,
    handle: (ctx, state) =>
      serverlessZip(
        state,
        "bundle",
        state.spec.body<ServerlessRequest>(ctx.body, "shared.ServerlessBundleRequest"),
        "twistlock_serverless_defender.zip",
      ),
  } as Route,
};
