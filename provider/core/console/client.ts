// The Compute Console client: one instance per Console identity per process, each call memoised, so N components
// (or N concurrent calls) asking the same thing cause one request. Every method rejects with a ConsoleError.
import { createHmac, randomBytes } from "node:crypto";
import * as fs from "node:fs";
import YAML from "yaml";
import { z } from "zod";
import { createTokenSource } from "./auth";
import { checkRuntimeForConsole } from "./consoleRuntimes";
import { readArchive } from "./downloads";
import { ConsoleError } from "../errors";
import { logWarn, registerSecret } from "../secrets";
import { BodyReader, createTransport } from "./http";
import {
  canonicalJson,
  chooseConsoleAddress,
  hasKeyDeep,
  registerInstallBundles,
  parseProblem,
} from "./clientRules";
import { proxyFor } from "./proxy";
import { readJson, readText, unexpectedAnswer } from "./responses";
import { DEFAULT_RETRY_OPTIONS, markRetryable, RetryOptions } from "./retry";
import { describeEndpoint, Endpoint, ENDPOINTS } from "./endpoints";
import * as schemas from "./schemas";
import { requireConsoleVersion } from "./defenderVersion";
import { ComputeConsole, DownloadedArchive, ResolvedConsoleSettings } from "../types";

/**
 * Internal tuning, not part of the component schema: retry bounds. Tests pass short ones; the environment
 * variable PRISMA_DEFENDER_RETRY_OPTIONS (JSON of the same fields) does the same for code that cannot pass them.
 */
export type ConsoleClientOptions = Partial<RetryOptions>;

const instances = new Map<string, ComputeConsole>();
/** Per-process key for hashing credentials into the memo key: the key never holds, or reveals, a secret. */
const memoSalt = randomBytes(32);

/** The memo identity of a Console: URL, user, hashed credentials, project, API version, TLS, timeout and proxy. */
export function identityKey(
  settings: ResolvedConsoleSettings,
  options: ConsoleClientOptions = {},
): string {
  const h = (v?: string) =>
    v === undefined ? null : createHmac("sha256", memoSalt).update(v).digest("hex");
  return JSON.stringify([
    settings.url,
    settings.username ?? null,
    h(settings.password),
    h(settings.token),
    settings.project ?? null,
    settings.apiVersion ?? null,
    settings.consoleAddress ?? null,
    h(settings.caCertificate),
    settings.insecureSkipVerify,
    settings.requestTimeoutSeconds,
    settings.maxInFlight ?? null,
    canonicalJson(options),
    // The proxy in use (from proxyUrl or the environment at this call), so a changed HTTPS_PROXY/NO_PROXY gets a
    // client of its own; hashed, as it may carry a password.
    proxyIdentity(settings, h),
    settings.requireDefenderVersion ?? null,
  ]);
}

function proxyIdentity(settings: ResolvedConsoleSettings, h: (v?: string) => string | null) {
  const { proxy, problem } = proxyFor(settings);
  return proxy ? h(proxy.url.href) : problem ? h(problem) : null;
}

function retryOptionsFromEnv(): ConsoleClientOptions {
  const raw = process.env.PRISMA_DEFENDER_RETRY_OPTIONS;
  if (!raw) return {};
  try {
    return JSON.parse(raw) as ConsoleClientOptions;
  } catch {
    throw new Error(
      'PRISMA_DEFENDER_RETRY_OPTIONS must be JSON such as {"maxAttempts":2,"baseDelayMs":50}',
    );
  }
}

/** The client for these settings, created once per process per identity. */
export function consoleFor(
  settings: ResolvedConsoleSettings,
  options?: ConsoleClientOptions,
): ComputeConsole {
  const merged: ConsoleClientOptions = { ...retryOptionsFromEnv(), ...options };
  const key = identityKey(settings, merged);
  let instance = instances.get(key);
  if (!instance) {
    registerSecret(settings.password);
    registerSecret(settings.token);
    instance = createConsole(settings, { ...DEFAULT_RETRY_OPTIONS, ...merged });
    instances.set(key, instance);
  }
  return instance;
}

function createConsole(settings: ResolvedConsoleSettings, retry: RetryOptions): ComputeConsole {
  const transport = createTransport(settings, retry);
  const tokens = createTokenSource(transport, settings.apiVersion ?? "1");
  const memo = new Map<string, Promise<unknown>>();

  /** Single flight and memo: a failed call is forgotten, so a later call tries again. */
  function once<T>(key: unknown[], run: () => Promise<T>): Promise<T> {
    const k = canonicalJson(key);
    let p = memo.get(k) as Promise<T> | undefined;
    if (!p) {
      p = run();
      memo.set(k, p);
      p.catch(() => memo.delete(k));
    }
    return p;
  }
  /** Archives are memoised too, unless the cached file has gone since (then it is fetched again). */
  async function archiveOnce(key: unknown[], run: () => Promise<DownloadedArchive>) {
    const result = await once(key, run);
    if (fs.existsSync(result.path)) return { ...result };
    memo.delete(canonicalJson(key));
    return { ...(await once(key, run)) };
  }
  function valid<T>(schema: z.ZodType<T>, value: unknown, endpoint: Endpoint): T {
    const r = schema.safeParse(value);
    if (r.success) return r.data;
    throw new ConsoleError({
      endpoint: describeEndpoint(endpoint),
      kind: "request",
      problem: `invalid request (${schemas.describeIssues(r.error)})`,
      hint: "Fix the named field; nothing was sent to the Console.",
    });
  }
  /** The endpoint's body and parameters, checked against its schemas before anything is sent. */
  function request<B extends z.ZodType | undefined, P extends z.ZodType | undefined>(
    e: Endpoint<B, P>,
    input: { body?: unknown; params?: unknown },
  ) {
    return {
      body: (e.body ? valid(e.body, input.body, e) : undefined) as z.infer<NonNullable<B>>,
      params: (e.params ? valid(e.params, input.params, e) : undefined) as z.infer<NonNullable<P>>,
    };
  }
  const pathOf = async (e: Endpoint) => `/api/v${e.v1 ? "1" : await api.apiVersion()}/${e.path}`;
  const call = <T>(e: Endpoint, path: string, read: BodyReader<T>, extra: object = {}) =>
    transport.call({ method: e.method, path, authenticated: true, ...extra }, read, tokens);
  /** The answer as JSON, checked against the endpoint's answer schema. */
  const jsonAnswer = <A extends z.ZodType>(
    e: Endpoint<z.ZodType | undefined, z.ZodType | undefined, A>,
  ) => readJson(e.answer!, e.answers) as BodyReader<z.infer<A>>;
  const json = (body: unknown) => ({ body: JSON.stringify(body), contentType: "application/json" });

  const api: ComputeConsole = {
    async apiVersion() {
      if (settings.apiVersion) return settings.apiVersion;
      const m = /^(\d+)\.(\d+)/.exec(await api.consoleVersion())!;
      return `${m[1]}.${m[2]}`;
    },
    consoleVersion: () =>
      once(["version"], async () => {
        // The version decides the API version, so it is asked under the one given, else v1.
        const e = ENDPOINTS.version;
        const path = `/api/v${settings.apiVersion ?? "1"}/${e.path}`;
        return (await call(e, path, jsonAnswer(e))).trim();
      }),
    async consoleAddress() {
      if (settings.consoleAddress) return settings.consoleAddress;
      return once(["consoleAddress"], async () => {
        const urlHost = new URL(settings.url).hostname.replace(/^\[|\]$/g, "");
        const e = ENDPOINTS.certs;
        const path = await pathOf(e);
        try {
          const certs = await call(e, path, jsonAnswer(e));
          return chooseConsoleAddress(certs.consoleSAN ?? [], urlHost);
        } catch (error) {
          if (!(error instanceof ConsoleError) || (error.status !== 403 && error.status !== 404))
            throw error;
          logWarn(
            `prisma-defender: cannot read the Console's certificate names (HTTP ${error.status}); Defenders will connect to "${urlHost}". Set consoleAddress to choose.`,
          );
          return urlHost;
        }
      });
    },
    async protectFargateTask(taskDefinition, params) {
      const e = ENDPOINTS.fargateJson;
      const { body, params: p } = request(e, { body: taskDefinition, params });
      const result = await once(["fargate.json", body, p], async () => {
        const protectedTask = await call(e, await pathOf(e), jsonAnswer(e), {
          ...json(body),
          query: e.query!(p),
        });
        registerInstallBundles(protectedTask);
        return protectedTask as Record<string, unknown>;
      });
      return structuredClone(result);
    },
    async protectCloudFormationTemplate(template, format, params) {
      const e = format === "json" ? ENDPOINTS.fargateTemplateJson : ENDPOINTS.fargateTemplateYaml;
      const endpoint = describeEndpoint(e);
      const { body: text, params: p } = request(e, { body: template, params });
      const parse = (t: string) => (format === "json" ? (JSON.parse(t) as unknown) : YAML.parse(t));
      try {
        parse(text);
      } catch (e) {
        throw new ConsoleError({
          endpoint,
          kind: "request",
          problem: `invalid request (template: not valid ${format.toUpperCase()}: ${parseProblem(e)})`,
          hint: "Fix the template; nothing was sent to the Console.",
        });
      }
      return once([`fargate.${format}`, text, p], async () => {
        const path = await pathOf(e);
        let parsed: unknown;
        // Parsed inside the attempt: a template a proxy cut or garbled is retried like a body cut short.
        const read: BodyReader<string> = async (r, ctx) => {
          const body = await readText(r, ctx, "text");
          try {
            parsed = parse(body);
          } catch {
            throw markRetryable(
              unexpectedAnswer(
                path,
                `malformed ${format.toUpperCase()} where a template was expected`,
                "The Console, or a proxy in front of it, sent a broken answer; check its logs and try again.",
              ),
            );
          }
          return body;
        };
        const answer = await call(e, path, read, {
          body: text,
          contentType: format === "json" ? "application/json" : "application/yaml",
          query: e.query!(p),
        });
        if (!hasKeyDeep(parsed, ["ContainerDefinitions", "containerDefinitions"])) {
          throw unexpectedAnswer(
            path,
            `a template without ContainerDefinitions (expected ${e.answers})`,
          );
        }
        registerInstallBundles(parsed);
        return answer;
      });
    },
    async embedDockerfile(input) {
      const e = ENDPOINTS.appEmbedded;
      const { body } = request(e, { body: input });
      return archiveOnce(["app-embedded", body], async () =>
        call(e, await pathOf(e), readArchive("zip"), json(body)),
      );
    },
    appEmbeddedTarball: () =>
      archiveOnce(["app-embedded.tar.gz"], async () => {
        const e = ENDPOINTS.appEmbeddedTarball;
        return call(e, await pathOf(e), readArchive("tar.gz"));
      }),
    async installBundle(consoleAddress) {
      const e = ENDPOINTS.installBundle;
      const { params } = request(e, { params: { consoleAddress } });
      return once(["install-bundle", params.consoleAddress], async () => {
        const answer = await call(e, await pathOf(e), jsonAnswer(e), { query: e.query!(params) });
        registerSecret(answer.installBundle);
        return { installBundle: answer.installBundle, wsAddress: answer.wsAddress };
      });
    },
    async lambdaLayer(input) {
      const e = ENDPOINTS.layer;
      const { body } = request(e, { body: input });
      const path = await pathOf(e);
      if (body.provider === "aws") {
        checkRuntimeForConsole(`POST ${path}`, await api.apiVersion(), body.runtime);
      }
      return archiveOnce(["layer", body], async () =>
        call(e, path, readArchive("zip"), json(body)),
      );
    },
    async serverlessBundle(input) {
      const e = ENDPOINTS.bundle;
      const { body } = request(e, { body: input });
      return archiveOnce(["bundle", body], async () =>
        call(e, await pathOf(e), readArchive("zip"), json(body)),
      );
    },
    async encodeServerlessPolicy(input) {
      const e = ENDPOINTS.encode;
      const { body } = request(e, { body: input });
      return once(["encode", body], async () => {
        const answer = await call(e, await pathOf(e), jsonAnswer(e), json(body));
        registerSecret(answer.data);
        return answer.data;
      });
    },
  };
  return withVersionGate(api, settings.requireDefenderVersion);
}

/**
 * With `requireDefenderVersion`, every Console call but the version itself first checks the Console's version
 * (one memoised request): a Console outside the range is refused before anything is fetched from it.
 */
function withVersionGate(api: ComputeConsole, range: string | undefined): ComputeConsole {
  if (!range) return api;
  const gate = async () => requireConsoleVersion(await api.consoleVersion(), range, "GET version");
  const gated = { ...api } as Record<string, unknown>;
  for (const [key, method] of Object.entries(api)) {
    if (key === "consoleVersion" || key === "apiVersion") continue;
    gated[key] = async (...args: unknown[]) => {
      await gate();
      return (method as (...a: unknown[]) => Promise<unknown>)(...args);
    };
  }
  return gated as unknown as ComputeConsole;
}

/** For tests and long-lived processes: forget every client (and its memoised answers and tokens). */
export function forgetConsoles(): void {
  instances.clear();
}
