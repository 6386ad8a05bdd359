// The endpoints: what each answers. HTTP plumbing, auth and faults live in server.ts.
import { protectCloudFormation, parseYaml, toYaml } from "./cloudFormation";
import { FargateContext, protectTaskDefinition } from "./fargate";
import { ConsoleHttpError, json } from "./http";
import { encodeServerlessRule } from "./secrets";
import { queryBool } from "./spec";
import { fargateEntrypointBinary, SimState, wsAddress } from "./state";
import type { SimulatorEndpoint } from "./types";
import { artefactRoutes } from "./artefacts/routes";
import { consoleAddressParam, RequestContext, Route } from "./route";

function fargateContext(ctx: RequestContext, state: SimState): FargateContext {
  state.spec.query(`post ${ctx.endpoint}`, ctx.query);
  const consoleAddress = consoleAddressParam(ctx.query.consoleaddr, "consoleaddr");
  return {
    consoleAddress,
    filesystemMonitoring: queryBool(ctx.query, "filesystemMonitoring"),
    extractEntrypoint: queryBool(ctx.query, "extractEntrypoint"),
    defenderImage: ctx.query.defenderImage || state.defenderImage,
    defenderImagePullSecret: ctx.query.defenderImagePullSecret || undefined,
    installBundle: state.secrets.installBundle,
    wsAddress: wsAddress(state, consoleAddress),
    entrypointBinary: fargateEntrypointBinary(state),
    images: state.images,
  };
}

function parseJsonBody(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString("utf8"));
  } catch (e) {
    throw new ConsoleHttpError(400, `failed to parse task definition: ${(e as Error).message}`);
  }
}

export const routes: Record<SimulatorEndpoint, Route> = {
  _ping: {
    method: "GET",
    auth: false,
    handle: () => ({ status: 200, contentType: "text/plain", body: Buffer.alloc(0) }),
  },
  authenticate: {
    method: "POST",
    auth: false,
    handle(ctx, state) {
      const request = state.spec.body<{ username?: string; password?: string; token?: string }>(
        ctx.body,
        "api.AuthenticationRequest",
      );
      if (request.token && request.username === undefined) {
        return json({ token: state.tokens.issue(state.tokens.verify(request.token)) });
      }
      const username = state.tokens.checkPassword(request.username, request.password);
      return json({ token: state.tokens.issue(username) });
    },
  },
  "authenticate/renew": {
    method: "GET",
    auth: true,
    handle(ctx, state) {
      if (ctx.auth.kind !== "bearer" || !ctx.auth.token) {
        throw new ConsoleHttpError(401, "Unauthorized: renew needs a bearer token");
      }
      return json({ token: state.tokens.renew(ctx.auth.token) });
    },
  },
  version: { method: "GET", auth: true, handle: (_ctx, state) => json(state.version) },
  "settings/certs": {
    method: "GET",
    auth: true,
    handle: (_ctx, state) =>
      json({
        consoleSAN: state.consoleSAN,
        caExpiration: state.caExpiration,
        // Go's zero time: what a Console that never rotated its Defender CA reports.
        defenderOldCAExpiration: "0001-01-01T00:00:00Z",
      }),
  },
  "defenders/install-bundle": {
    method: "GET",
    auth: true,
    handle(ctx, state) {
      state.spec.query("get defenders/install-bundle", ctx.query);
      const consoleAddress = consoleAddressParam(ctx.query.consoleaddr, "consoleaddr");
      return json({
        installBundle: state.secrets.installBundle,
        wsAddress: wsAddress(state, consoleAddress),
      });
    },
  },
  "defenders/fargate.json": {
    method: "POST",
    auth: true,
    handle(ctx, state) {
      const fargate = fargateContext(ctx, state);
      const input = parseJsonBody(ctx.body);
      if (input === null || typeof input !== "object" || Array.isArray(input)) {
        throw new ConsoleHttpError(400, "failed to parse task definition: expected a JSON object");
      }
      const result = queryBool(ctx.query, "cloudFormation")
        ? protectCloudFormation(input, fargate)
        : protectTaskDefinition(input as Record<string, unknown>, fargate, false);
      return json(result);
    },
  },
  "defenders/fargate.yaml": {
    method: "POST",
    auth: true,
    handle(ctx, state) {
      const fargate = fargateContext(ctx, state);
      const input = parseYaml(ctx.body.toString("utf8"));
      const root = input as Record<string, unknown> | null;
      const result =
        root && typeof root === "object" && "containerDefinitions" in root
          ? protectTaskDefinition(root, fargate, false)
          : protectCloudFormation(input, fargate);
      return { status: 200, contentType: "application/yaml", body: Buffer.from(toYaml(result)) };
    },
  },
  "policies/runtime/serverless/encode": {
    method: "POST",
    auth: true,
    handle(ctx, state) {
      const request = state.spec.body<{
        consoleAddr: string;
        function: string;
        provider: string;
        region?: string;
      }>(ctx.body, "encode");
      consoleAddressParam(request.consoleAddr, "consoleAddr");
      if (request.function.trim() === "") throw new ConsoleHttpError(400, "missing function");
      return json({ data: encodeServerlessRule(request, state.secrets.marker, state.version) });
    },
  },
  ...artefactRoutes,
};
