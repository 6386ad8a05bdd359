// Where each Console setting comes from: the component's args, then stack config `prisma-defender:<key>`, then the
// environment variables of the official Terraform provider (PRISMACLOUDCOMPUTE_*), first non-empty value wins.
//
// Presence is known synchronously even when a value is an Output, so missing or contradictory settings are reported
// in the constructor, in one error naming every problem and where each setting can be given. Values that are
// Outputs are checked again by the same pure function once they resolve.
import * as pulumi from "@pulumi/pulumi";
import { ConsoleSettingsError } from "./errors";
import { logWarn, registerSecret } from "./secrets";
import { registerProxyCredentials } from "./console/proxy";
import {
  Checked,
  checkApiVersion,
  checkHost,
  checkProxyUrl,
  normalizeConsoleUrl,
  parseBoolean,
  parseMaxInFlight,
  parseTimeout,
  presentString,
  readCaCertificate,
} from "./settingsRules";
import { ConsoleArgs, ResolvedConsoleSettings } from "./types";
import { isPlain } from "./plain";
import { Checks, problemsOf } from "./check";
import { checkVersionRange } from "./console/defenderVersion";

export type SettingName = keyof ConsoleArgs;

interface Source {
  config: string;
  env?: string;
  secret?: boolean;
}

/** Config key and environment variable of each setting (env names as the Terraform provider reads them). */
export const SETTING_SOURCES: Record<SettingName, Source> = {
  url: { config: "consoleUrl", env: "PRISMACLOUDCOMPUTE_CONSOLE_URL" },
  username: { config: "username", env: "PRISMACLOUDCOMPUTE_USERNAME" },
  password: { config: "password", env: "PRISMACLOUDCOMPUTE_PASSWORD", secret: true },
  token: { config: "token", env: "PRISMACLOUDCOMPUTE_TOKEN", secret: true },
  apiVersion: { config: "apiVersion", env: "PRISMACLOUDCOMPUTE_API_VERSION" },
  project: { config: "project", env: "PRISMACLOUDCOMPUTE_PROJECT" },
  consoleAddress: { config: "consoleAddress" },
  caCertificate: { config: "caCertificate", env: "PRISMACLOUDCOMPUTE_CA_CERT" },
  insecureSkipVerify: { config: "insecureSkipVerify", env: "PRISMACLOUDCOMPUTE_INSECURE" },
  allowInsecureHttp: {
    config: "allowInsecureHttp",
    env: "PRISMACLOUDCOMPUTE_ALLOW_INSECURE_HTTP",
  },
  requestTimeoutSeconds: {
    config: "requestTimeoutSeconds",
    env: "PRISMACLOUDCOMPUTE_REQUEST_TIMEOUT",
  },
  // Not Terraform provider settings (it uses the standard proxy variables and has no request cap); named like the
  // others.
  maxInFlight: { config: "maxInFlight", env: "PRISMACLOUDCOMPUTE_MAX_IN_FLIGHT" },
  proxyUrl: { config: "proxyUrl", env: "PRISMACLOUDCOMPUTE_PROXY_URL", secret: true },
  requireDefenderVersion: {
    config: "requireDefenderVersion",
    env: "PRISMACLOUDCOMPUTE_REQUIRE_DEFENDER_VERSION",
  },
};

const NAMES = Object.keys(SETTING_SOURCES) as SettingName[];
export const DEFAULT_REQUEST_TIMEOUT_SECONDS = 60;

/** A value found for a setting and where it was found; `unknown` while it is an unresolved Output. */
export interface FoundSetting {
  value: unknown;
  where: string;
  unknown?: boolean;
}
export type FoundSettings = Partial<Record<SettingName, FoundSetting>>;

/** Every place a setting can be given, for error messages. */
export function whereToSet(name: SettingName): string {
  const s = SETTING_SOURCES[name];
  const env = s.env ? ` or env ${s.env}` : "";
  return `the \`${name}\` arg, stack config \`prisma-defender:${s.config}\`${env}`;
}

/**
 * Check found settings and build the resolved ones. Pure: `unknown` values are only checked for presence. Returns
 * every problem at once, so the user fixes them in one go.
 */
export function checkConsoleSettings(found: FoundSettings): {
  settings?: ResolvedConsoleSettings;
  problems: string[];
} {
  const problems: string[] = [];
  const { url, username, password, token, insecureSkipVerify, caCertificate } = found;
  if (!url) problems.push(`no Console URL: set ${whereToSet("url")}`);
  if (token && (username || password)) {
    const other = password ?? username!;
    problems.push(
      `both a token (${token.where}) and ${password ? "a password" : "a username"} (${other.where}) are set: use either \`token\`, or \`username\` and \`password\`, not both`,
    );
  } else if (!token && !username && !password) {
    problems.push(
      `no credentials: set \`token\` (${whereToSet("token")}), or \`username\` and \`password\` (${whereToSet("username")}; ${whereToSet("password")})`,
    );
  } else if (!token && !password) {
    problems.push(`a username (${username!.where}) but no password: set ${whereToSet("password")}`);
  } else if (!token && !username) {
    problems.push(`a password (${password!.where}) but no username: set ${whereToSet("username")}`);
  }

  const check = <T>(name: SettingName, rule: (raw: string, where: string) => Checked<T>) => {
    const f = found[name];
    if (!f || f.unknown) return undefined;
    const r = rule(f.value as string, `${name} (${f.where})`);
    if (!r.ok) problems.push(r.problem);
    return r.ok ? r.value : undefined;
  };
  const settings: ResolvedConsoleSettings = {
    url: check("url", normalizeConsoleUrl) ?? "",
    username: found.username?.value as string | undefined,
    password: found.password?.value as string | undefined,
    token: found.token?.value as string | undefined,
    apiVersion: check("apiVersion", checkApiVersion),
    project: found.project?.value as string | undefined,
    consoleAddress: check("consoleAddress", checkHost),
    caCertificate: check("caCertificate", readCaCertificate),
    insecureSkipVerify: check("insecureSkipVerify", parseBoolean) ?? false,
    // Kept only when true, so the resolved settings of an https Console are as before.
    allowInsecureHttp: check("allowInsecureHttp", parseBoolean) || undefined,
    requestTimeoutSeconds:
      check("requestTimeoutSeconds", parseTimeout) ?? DEFAULT_REQUEST_TIMEOUT_SECONDS,
    maxInFlight: check("maxInFlight", parseMaxInFlight),
    proxyUrl: check("proxyUrl", checkProxyUrl),
    requireDefenderVersion: check("requireDefenderVersion", checkVersionRange),
  };
  const insecureOn = insecureSkipVerify?.unknown !== true && settings.insecureSkipVerify;
  if (insecureOn && caCertificate) {
    problems.push(
      `insecureSkipVerify (${insecureSkipVerify!.where}) and caCertificate (${caCertificate.where}) are both set: a CA is only useful when the certificate is verified; keep one`,
    );
  }
  // Refused before any request: over http the password (or token) and the Defender secrets travel in the clear on
  // every attempt, and against a Console's HTTPS port the client would only see connection resets.
  if (
    url &&
    !url.unknown &&
    settings.url.startsWith("http:") &&
    found.allowInsecureHttp?.unknown !== true &&
    !settings.allowInsecureHttp
  ) {
    problems.push(
      `url (${url.where}) is plain http: credentials and Defender secrets would travel unencrypted. The Console serves HTTPS, usually on port 8083: use https://${settings.url.slice("http://".length)} (for example https://console.example.com:8083). Only for a Console reachable solely over http, opt in with ${whereToSet("allowInsecureHttp")} set to true`,
    );
  }
  for (const key of Object.keys(settings) as (keyof ResolvedConsoleSettings)[]) {
    if (settings[key] === undefined) delete settings[key];
  }
  return problems.length ? { problems } : { settings, problems };
}

interface Candidate {
  value: pulumi.Input<unknown>;
  where: string;
}

function candidates(
  args: pulumi.Input<ConsoleArgs> | undefined,
  config: pulumi.Config,
): Record<SettingName, Candidate[]> {
  const out = {} as Record<SettingName, Candidate[]>;
  for (const name of NAMES) {
    const s = SETTING_SOURCES[name];
    const list: Candidate[] = [];
    const arg = isPlain(args)
      ? (args as ConsoleArgs | undefined)?.[name]
      : pulumi.output(args).apply((a) => a?.[name]);
    if (arg !== undefined && arg !== null) list.push({ value: arg, where: `arg \`${name}\`` });
    const configured = s.secret ? config.getSecret(s.config) : config.get(s.config);
    const configWhere = `stack config \`prisma-defender:${s.config}\``;
    if (configured !== undefined) list.push({ value: configured, where: configWhere });
    const env = s.env ? process.env[s.env] : undefined;
    if (env !== undefined) list.push({ value: env, where: `env ${s.env}` });
    // Plain empty strings mean "not set" (an exported-but-empty variable), so the next source is used.
    out[name] = list.filter((c) => !isPlain(c.value) || presentString(c.value) !== undefined);
  }
  return out;
}

/** The first found value per setting, resolved or not (sync presence check). */
function firstFound(all: Record<SettingName, Candidate[]>): FoundSettings {
  const found: FoundSettings = {};
  for (const name of NAMES) {
    const c = all[name][0];
    if (c)
      found[name] = isPlain(c.value)
        ? { ...c }
        : { value: undefined, where: c.where, unknown: true };
  }
  return found;
}

const warnedInsecure = new Set<string>();

function warnOnce(settings: ResolvedConsoleSettings): void {
  const key = `${settings.url}|${settings.insecureSkipVerify}`;
  if (warnedInsecure.has(key)) return;
  warnedInsecure.add(key);
  if (settings.insecureSkipVerify && settings.url.startsWith("https:")) {
    logWarn(
      `prisma-defender: TLS verification of the Console at ${settings.url} is OFF (insecureSkipVerify): anyone on the path can read the Console credentials. Set caCertificate instead.`,
    );
  } else if (settings.url.startsWith("http:")) {
    logWarn(
      `prisma-defender: the Console URL ${settings.url} is plain http: credentials and Defender secrets travel unencrypted.`,
    );
  }
}

/**
 * Resolve the Console connection settings of one component from its args, stack config and environment. Throws a
 * `ConsoleSettingsError` at once when settings are missing, contradictory or malformed; the Output is secret.
 */
export function resolveConsoleSettings(
  args: pulumi.Input<ConsoleArgs> | undefined,
  resourceName: string,
  checks?: Checks,
): pulumi.Output<ResolvedConsoleSettings> {
  // A component passes its checks, so that the error (now or once resolved) is the component's own.
  const raise = (problems: string[]): never => {
    const error = new ConsoleSettingsError(resourceName, problems);
    throw checks ? checks.error(problemsOf(error)!) : error;
  };
  const all = candidates(args, new pulumi.Config("prisma-defender"));
  // From another language, the whole `console` object can arrive as one Output (a nested secret, or a dependency,
  // without output values): which fields it holds is then unknown until it resolves, so the check waits for it.
  const flat = NAMES.flatMap((name) => all[name].map((c) => ({ name, ...c })));
  if (isPlain(args)) {
    const early = checkConsoleSettings(firstFound(all));
    if (early.problems.length) raise(early.problems);
    // Every value plain (the usual case: env, plain config, literal args): the check above saw exactly the
    // values the Output would resolve to, so its settings are the answer. One Output instead of one per value.
    if (early.settings && flat.every((c) => isPlain(c.value))) {
      return pulumi.secret(accept(early.settings));
    }
  }

  const resolved = pulumi.all(flat.map((c) => c.value)).apply((values) => {
    const found: FoundSettings = {};
    flat.forEach((c, i) => {
      const value =
        typeof values[i] === "boolean" || typeof values[i] === "number"
          ? values[i]
          : presentString(values[i]);
      if (value !== undefined && !found[c.name]) found[c.name] = { value, where: c.where };
    });
    // Register before checking: a problem message must not be able to carry a credential.
    registerSecret(found.password?.value as string | undefined);
    registerSecret(found.token?.value as string | undefined);
    registerProxyCredentials(found.proxyUrl?.value as string | undefined);
    const { settings, problems } = checkConsoleSettings(found);
    if (!settings) return raise(problems);
    return accept(settings);
  });
  return pulumi.secret(resolved);
}

/** Settings that passed the checks: their credentials registered for redaction, the TLS warning given once. */
function accept(settings: ResolvedConsoleSettings): ResolvedConsoleSettings {
  registerSecret(settings.password);
  registerSecret(settings.token);
  registerProxyCredentials(settings.proxyUrl);
  warnOnce(settings);
  return settings;
}
