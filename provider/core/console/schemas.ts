// zod schemas of what we send to the Console and what we accept back.
//
// Requests are strict about what matters (a host name where the Console wants one, Dockerfile content rather than
// a path) and are checked before anything is sent. Responses are loose: unknown fields are kept, because the
// Console adds fields between versions, but the fields we use must be there and have the right type.
import { z } from "zod";
import { checkHost } from "../settingsRules";

const nonEmpty = (what: string) => z.string().trim().min(1, `${what} must not be empty`);

/** A bare host name (a Console certificate SAN), never a URL. */
export const hostName = (what: string) =>
  z.string().superRefine((value, ctx) => {
    const r = checkHost(value, what);
    if (!r.ok) ctx.addIssue({ code: "custom", message: r.problem });
  });

const runtime = z
  .string()
  .regex(
    /^[a-z]+[0-9]*(\.[0-9x]+)*$/,
    "runtime must be a Console runtime name such as nodejs22.x or python3.12",
  );
const pem = z
  .string()
  .refine((v) => v.includes("-----BEGIN CERTIFICATE-----"), "proxyCA must be PEM text");

export const authenticateRequest = z.strictObject({
  username: nonEmpty("username"),
  password: nonEmpty("password"),
});

export const fargateParams = z.strictObject({
  consoleAddress: hostName("consoleAddress"),
  defenderType: z
    .string()
    .regex(/^[A-Za-z]+$/, "defenderType must be a name such as appEmbedded")
    .optional(),
  interpreter: z.string().optional(),
  filesystemMonitoring: z.boolean().optional(),
  extractEntrypoint: z.boolean().optional(),
  registryType: z.string().optional(),
  registryCredentialId: z.string().optional(),
  defenderImage: z.string().optional(),
  defenderImagePullSecret: z.string().optional(),
});

export const taskDefinition = z.looseObject({
  containerDefinitions: z
    .array(
      z.looseObject({
        name: nonEmpty("containerDefinitions[].name"),
        image: nonEmpty("containerDefinitions[].image"),
      }),
    )
    .min(1, "containerDefinitions must list at least one container"),
});

export const cloudFormationTemplate = nonEmpty("template");

export const installBundleParams = z.strictObject({ consoleAddress: hostName("consoleAddress") });

export const appEmbeddedRequest = z.strictObject({
  appID: nonEmpty("appID"),
  consoleAddr: hostName("consoleAddr"),
  dataFolder: z
    .string()
    .regex(/^\/\S*$/, "dataFolder must be an absolute path inside the image, such as /twistlock"),
  dockerfile: z
    .string()
    .refine(
      (v) => /^\s*FROM\s/im.test(v),
      "dockerfile must be the Dockerfile's content (with a FROM line), not a path",
    ),
  filesystemMonitoring: z.boolean().optional(),
});

export const layerRequest = z.strictObject({
  provider: z.literal("aws"),
  runtime,
  nodeJSModuleType: z.enum(["commonjs", "ecmascript"]).optional(),
  proxyCA: pem.optional(),
});

export const bundleRequest = z.strictObject({
  provider: z.enum(["aws", "azure"]),
  runtime,
  proxyCA: pem.optional(),
});

export const encodeRequest = z.strictObject({
  consoleAddr: hostName("consoleAddr"),
  function: nonEmpty("function"),
  provider: z.enum(["aws", "azure"]),
  region: z.string().optional(),
});

// ---- responses (loose: unknown fields kept) ----

export const authenticateResponse = z.looseObject({ token: nonEmpty("token") });

/** `GET /version` answers a JSON string such as "34.04.145". */
export const versionResponse = z.string().regex(/^\d+\.\d+(\.\d+)?/, "a version such as 34.04.145");

export const certsResponse = z.looseObject({ consoleSAN: z.array(z.string()).nullish() });

export const fargateResponse = z.looseObject({
  containerDefinitions: z.array(z.looseObject({})).min(1),
});

export const installBundleResponse = z.looseObject({
  installBundle: nonEmpty("installBundle"),
  wsAddress: z.string(),
});

export const encodeResponse = z.looseObject({ data: nonEmpty("data") });

/** `path: message` per issue, one line each: the field is always named. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((i) => `${i.path.length ? `${i.path.join(".")}: ` : ""}${i.message}`)
    .join("; ");
}
