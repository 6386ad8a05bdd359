// Every Console endpoint the client calls, defined once: method, path, the zod schemas of what is sent (body,
// query parameters) and of what is accepted back, and how parameters map to the query string. The request types
// the components use are inferred from these schemas (core/types.ts), so a field exists in one place only.
// docs/console-api.md describes each endpoint and its quirks.
import { z } from "zod";
import * as S from "./schemas";

/** One endpoint. `path` is below `/api/v<version>/`; `v1` endpoints are only attested under `/api/v1/`. */
export interface Endpoint<
  Body extends z.ZodType | undefined = z.ZodType | undefined,
  Params extends z.ZodType | undefined = z.ZodType | undefined,
  Answer extends z.ZodType | undefined = z.ZodType | undefined,
> {
  method: "GET" | "POST";
  path: string;
  /** Only `/api/v1/<path>` is attested (docs/console-api.md#encode-v1-only). */
  v1?: boolean;
  /** The request body's schema (JSON unless the endpoint says otherwise). */
  body?: Body;
  /** The call's parameters, sent as the query string by `query`. */
  params?: Params;
  /** Query string for the parameters (Console spellings, such as `consoleaddr`). */
  query?: (params: z.infer<NonNullable<Params>>) => Record<string, string | undefined>;
  /** The answer's schema (JSON answers; archives and templates are read as such). */
  answer?: Answer;
  /** What a good answer holds, in words, for error messages. */
  answers: string;
}

const endpoint = <
  B extends z.ZodType | undefined,
  P extends z.ZodType | undefined,
  A extends z.ZodType | undefined,
>(
  e: Endpoint<B, P, A>,
) => e;

const flag = (b?: boolean) => (b === undefined ? undefined : String(b));

/** The query string of the Fargate endpoints, `cloudFormation=true` for a template (docs/console-api.md#fargate-query). */
function fargateQuery(p: z.infer<typeof S.fargateParams>, cloudFormation = false) {
  return {
    consoleaddr: p.consoleAddress,
    defenderType: p.defenderType ?? "appEmbedded",
    interpreter: p.interpreter,
    cloudFormation: cloudFormation ? "true" : undefined,
    filesystemMonitoring: flag(p.filesystemMonitoring),
    extractEntrypoint: flag(p.extractEntrypoint),
    registryType: p.registryType,
    registryCredentialID: p.registryCredentialId,
    defenderImage: p.defenderImage,
    defenderImagePullSecret: p.defenderImagePullSecret,
  };
}

export const ENDPOINTS = {
  authenticate: endpoint({
    method: "POST",
    path: "authenticate",
    body: S.authenticateRequest,
    answer: S.authenticateResponse,
    answers: "a token",
  }),
  version: endpoint({
    method: "GET",
    path: "version",
    answer: S.versionResponse,
    answers: "the Console version",
  }),
  certs: endpoint({
    method: "GET",
    path: "settings/certs",
    answer: S.certsResponse,
    answers: "the certificate names",
  }),
  fargateJson: endpoint({
    method: "POST",
    path: "defenders/fargate.json",
    body: S.taskDefinition,
    params: S.fargateParams,
    query: (p) => fargateQuery(p),
    answer: S.fargateResponse,
    answers: "a task definition with containerDefinitions",
  }),
  /** A CloudFormation template: JSON through fargate.json, YAML through fargate.yaml, both with `cloudFormation=true`. */
  fargateTemplateJson: endpoint({
    method: "POST",
    path: "defenders/fargate.json",
    body: S.cloudFormationTemplate,
    params: S.fargateParams,
    query: (p) => fargateQuery(p, true),
    answers: "a template with ContainerDefinitions",
  }),
  fargateTemplateYaml: endpoint({
    method: "POST",
    path: "defenders/fargate.yaml",
    body: S.cloudFormationTemplate,
    params: S.fargateParams,
    query: (p) => fargateQuery(p, true),
    answers: "a template with ContainerDefinitions",
  }),
  appEmbedded: endpoint({
    method: "POST",
    path: "defenders/app-embedded",
    body: S.appEmbeddedRequest,
    answers: "a zip with the Dockerfile and the Defender",
  }),
  appEmbeddedTarball: endpoint({
    method: "GET",
    path: "images/twistlock_defender_app_embedded.tar.gz",
    answers: "the App-Embedded Defender tarball",
  }),
  installBundle: endpoint({
    method: "GET",
    path: "defenders/install-bundle",
    params: S.installBundleParams,
    query: (p) => ({ consoleaddr: p.consoleAddress, defenderType: "appEmbedded" }),
    answer: S.installBundleResponse,
    answers: "an installBundle",
  }),
  layer: endpoint({
    method: "POST",
    path: "images/twistlock_defender_layer.zip",
    body: S.layerRequest,
    answers: "the Defender layer zip",
  }),
  bundle: endpoint({
    method: "POST",
    path: "defenders/serverless/bundle",
    body: S.bundleRequest,
    answers: "the Defender bundle zip",
  }),
  encode: endpoint({
    method: "POST",
    path: "policies/runtime/serverless/encode",
    v1: true,
    body: S.encodeRequest,
    answer: S.encodeResponse,
    answers: "a TW_POLICY in `data`",
  }),
};

/** `METHOD path`, as error messages name an endpoint before its full path is known. */
export const describeEndpoint = (e: Endpoint) => `${e.method} ${e.path}`;

/** Query parameters of the Fargate endpoints. */
export type FargateProtectParams = z.input<typeof S.fargateParams>;
/** Body of `POST /defenders/app-embedded` (`shared.AppEmbeddedEmbedRequest`). */
export type AppEmbeddedRequest = z.input<typeof S.appEmbeddedRequest>;
/** Body of `POST /images/twistlock_defender_layer.zip` (`shared.ServerlessLayerBundleRequest`). */
export type LayerRequest = z.input<typeof S.layerRequest>;
/** Body of `POST /defenders/serverless/bundle` (`shared.ServerlessBundleRequest`). */
export type BundleRequest = z.input<typeof S.bundleRequest>;
/** Body of `POST /policies/runtime/serverless/encode` (`shared.EncodeServerlessRuleOpts`). */
export type EncodeRequest = z.input<typeof S.encodeRequest>;
