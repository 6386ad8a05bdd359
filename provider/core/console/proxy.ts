// Which proxy carries the requests to one Console, and the agents that go through it.
//
// The proxy is the `proxyUrl` setting, else the standard environment variables (`https_proxy`/`HTTPS_PROXY` for an
// https Console, `http_proxy`/`HTTP_PROXY` for http; lower case first, as curl reads them) unless `no_proxy`/
// `NO_PROXY` lists the Console. HTTPS is tunnelled with CONNECT (https-proxy-agent) and the TLS session inside the
// tunnel is the Console's own, verified with `caCertificate`/`insecureSkipVerify` exactly as without a proxy.
import * as http from "node:http";
import * as https from "node:https";
import { BlockList, isIP, Socket } from "node:net";
import * as tls from "node:tls";
import { HttpProxyAgent } from "http-proxy-agent";
import { HttpsProxyAgent } from "https-proxy-agent";
import { registerSecret } from "../secrets";
import { checkProxyUrl } from "../settingsRules";
import { ResolvedConsoleSettings } from "../types";

export interface ConsoleProxy {
  /** The proxy URL, credentials included: for the agents only, never for a message. */
  url: URL;
  /** The proxy without credentials, for messages, such as `http://proxy.example.com:3128`. */
  address: string;
  /** Where it was set, for messages: `env HTTPS_PROXY`, or `the proxyUrl setting`. */
  source: string;
  /** Whether the URL carries a user and password. */
  hasCredentials: boolean;
}

/** The proxy for a Console, none (`{}`), or a problem naming the variable and the fix. */
export interface ProxyChoice {
  proxy?: ConsoleProxy;
  problem?: string;
}

const decode = (v: string) => {
  try {
    return decodeURIComponent(v);
  } catch {
    return v;
  }
};

/** Remember the user and password of a proxy URL, so that `redact` removes them (and the Basic header's base64). */
export function registerProxyCredentials(proxyUrl: string | undefined): void {
  if (!proxyUrl) return;
  let url: URL;
  try {
    url = new URL(/:\/\//.test(proxyUrl) ? proxyUrl.trim() : `http://${proxyUrl.trim()}`);
  } catch {
    return;
  }
  if (!url.password) return;
  registerSecret(url.password);
  registerSecret(decode(url.password));
  registerSecret(`${decode(url.username)}:${decode(url.password)}`);
}

/** The first non-empty value among environment variables, with its name. */
function firstEnv(
  env: NodeJS.ProcessEnv,
  names: string[],
): { name: string; value: string } | undefined {
  for (const name of names) {
    const value = env[name]?.trim();
    if (value) return { name, value };
  }
  return undefined;
}

/** The proxy to use for `settings.url`: the `proxyUrl` setting, else the environment (see the file comment). */
export function proxyFor(
  settings: Pick<ResolvedConsoleSettings, "url" | "proxyUrl">,
  env: NodeJS.ProcessEnv = process.env,
): ProxyChoice {
  let raw: string;
  let source: string;
  if (settings.proxyUrl) {
    raw = settings.proxyUrl;
    source = "the proxyUrl setting";
  } else {
    const https = settings.url.startsWith("https:");
    const found = firstEnv(
      env,
      https ? ["https_proxy", "HTTPS_PROXY"] : ["http_proxy", "HTTP_PROXY"],
    );
    if (!found) return {};
    const noProxy = firstEnv(env, ["no_proxy", "NO_PROXY"]);
    if (noProxy && bypassesProxy(settings.url, noProxy.value)) return {};
    raw = found.value;
    source = `env ${found.name}`;
  }
  registerProxyCredentials(raw);
  const checked = checkProxyUrl(raw, source);
  if (!checked.ok) return { problem: checked.problem };
  const url = new URL(checked.value);
  return {
    proxy: {
      url,
      address: `${url.protocol}//${url.host}`,
      source,
      hasCredentials: Boolean(url.username || url.password),
    },
  };
}

/**
 * True when `noProxy` (the NO_PROXY syntax) excludes `consoleUrl` from proxying. As curl: entries separated by
 * commas or spaces, case-insensitive; `*` matches every host; a name matches itself and its subdomains, with a
 * leading `.` or `*.` ignored (`example.com`, `.example.com` and `*.example.com` all match `console.example.com`
 * and `example.com`); an IP address or CIDR block (`10.0.0.0/8`, `fd00::/8`) matches a Console given by IP
 * address (names are not resolved). As Go's net/http also allows, an entry may end with `:port` to match that
 * port only. Loopback is not special: list `127.0.0.1` or `localhost` to bypass the proxy for them.
 */
export function bypassesProxy(consoleUrl: string, noProxy: string): boolean {
  const url = new URL(consoleUrl);
  const host = url.hostname
    .replace(/^\[|\]$/g, "")
    .replace(/\.$/, "")
    .toLowerCase();
  const port = Number(url.port || (url.protocol === "https:" ? 443 : 80));
  const hostFamily = isIP(host);
  for (const token of noProxy.toLowerCase().split(/[\s,]+/)) {
    if (!token) continue;
    if (token === "*") return true;
    const withPort = /^\[([^\]]+)\](?::(\d+))?$/.exec(token) ?? /^([^:]+):(\d+)$/.exec(token);
    const entry = withPort ? withPort[1] : token;
    if (withPort?.[2] !== undefined && Number(withPort[2]) !== port) continue;
    if (hostFamily) {
      if (matchesAddress(host, hostFamily, entry)) return true;
      continue;
    }
    const name = entry.replace(/^\*?\./, "").replace(/\.$/, "");
    if (name && (host === name || host.endsWith(`.${name}`))) return true;
  }
  return false;
}

function matchesAddress(host: string, family: number, entry: string): boolean {
  const [address, bits, extra] = entry.split("/");
  if (extra !== undefined || isIP(address) !== family) return false;
  const type = family === 4 ? "ipv4" : "ipv6";
  const list = new BlockList();
  if (bits === undefined) {
    list.addAddress(address, type);
  } else {
    const prefix = Number(bits);
    if (!/^\d+$/.test(bits) || prefix > (family === 4 ? 32 : 128)) return false;
    list.addSubnet(address, prefix, type);
  }
  return list.check(host, type);
}

/** TLS settings of the Console's own connection (inside the tunnel when there is a proxy). */
export interface OriginTls {
  rejectUnauthorized: boolean;
  ca?: string;
  /** The CA parsed once for every connection to this Console (Node would otherwise parse it per connection). */
  secureContext?: tls.SecureContext;
}

/**
 * Connections per Console and scheme at once. Without a cap, N components asking at once open N TLS connections
 * (a handshake each, on both sides); with keep-alive, a few connections carry every request in turn.
 */
export const MAX_SOCKETS_PER_CONSOLE = 16;

/**
 * An HttpsProxyAgent that upgrades the tunnel with the Console's TLS settings. The library builds the inner TLS
 * connection from the request's options only (not the agent's), so without this the CA would be ignored; and for
 * a Console given by IP address it leaves no name to check, so Node would check the certificate against the
 * proxy's host: the check is pinned to the Console's host here.
 */
class ConsoleTunnelAgent extends HttpsProxyAgent<string> {
  constructor(
    proxy: string,
    headers: http.OutgoingHttpHeaders,
    readonly originTls: OriginTls,
  ) {
    super(proxy, { keepAlive: true, maxSockets: MAX_SOCKETS_PER_CONSOLE, headers });
  }

  override async connect(...[req, opts]: Parameters<HttpsProxyAgent<string>["connect"]>) {
    const host = opts.host ?? "";
    const tunnelled = opts.secureEndpoint
      ? {
          ...opts,
          ...this.originTls,
          checkServerIdentity: (_name: string, cert: tls.PeerCertificate) =>
            tls.checkServerIdentity(host, cert),
        }
      : opts;
    // A request given up (timeout, deadline) while the proxy has not answered CONNECT must close its connection to
    // the proxy, or that stays open (and keeps the process alive) until the proxy hangs up. A destroyed request
    // without a socket emits nothing, so it is polled; the library opens the connection synchronously from
    // `connectOpts`, so a per-request abort signal is slipped in for that moment.
    const abandon = new AbortController();
    const watch = setInterval(() => req.destroyed && abandon.abort(), 100).unref();
    const shared = this.connectOpts;
    const self = this as { connectOpts: typeof shared };
    self.connectOpts = { ...shared, signal: abandon.signal } as typeof shared;
    let pending: Promise<Socket>;
    try {
      pending = super.connect(req, tunnelled);
    } finally {
      self.connectOpts = shared;
    }
    try {
      return await pending;
    } finally {
      clearInterval(watch);
    }
  }
}

/** The answer of a proxy that did not open the tunnel. */
export interface RefusedTunnel {
  statusCode: number;
  statusText: string;
  headers: http.IncomingHttpHeaders;
}

/**
 * The agents for a Console's requests: through its proxy (with `onRefused` as in `proxyAgents`) when it has one,
 * else direct; `proxyProblem` when the proxy setting or variable is malformed (then nothing may be sent).
 */
export function consoleAgents(
  settings: ResolvedConsoleSettings,
  onRefused: (req: object, answer: RefusedTunnel) => void,
): { httpsAgent: http.Agent; httpAgent: http.Agent; proxy?: ConsoleProxy; proxyProblem?: string } {
  const originTls: OriginTls = {
    rejectUnauthorized: !settings.insecureSkipVerify,
    ...(settings.caCertificate
      ? {
          ca: settings.caCertificate,
          secureContext: tls.createSecureContext({ ca: settings.caCertificate }),
        }
      : {}),
  };
  const { proxy, problem } = proxyFor(settings);
  if (proxy) return { ...proxyAgents(proxy, originTls, onRefused), proxy };
  return {
    httpsAgent: new https.Agent({
      keepAlive: true,
      maxSockets: MAX_SOCKETS_PER_CONSOLE,
      ...originTls,
    }),
    httpAgent: new http.Agent({ keepAlive: true, maxSockets: MAX_SOCKETS_PER_CONSOLE }),
    proxyProblem: problem,
  };
}

/**
 * The agents for requests through `proxy`: CONNECT tunnels for https Consoles, absolute-URI requests for http ones.
 * `onRefused` hears of every CONNECT the proxy answered with something other than 200 (the request then receives
 * the proxy's answer as its response).
 */
export function proxyAgents(
  proxy: ConsoleProxy,
  originTls: OriginTls,
  onRefused: (req: object, answer: RefusedTunnel) => void,
): { httpsAgent: HttpsProxyAgent<string>; httpAgent: HttpProxyAgent<string> } {
  // The agents get the URL without credentials and the Basic header instead: they print their URL in debug logs.
  const bare = new URL(proxy.url.href);
  bare.username = "";
  bare.password = "";
  const headers: http.OutgoingHttpHeaders = {};
  if (proxy.hasCredentials) {
    const login = `${decode(proxy.url.username)}:${decode(proxy.url.password)}`;
    headers["Proxy-Authorization"] = `Basic ${Buffer.from(login).toString("base64")}`;
  }
  const httpsAgent = new ConsoleTunnelAgent(bare.href, headers, originTls);
  httpsAgent.on("proxyConnect", (answer: RefusedTunnel, req: object) => {
    if (answer.statusCode !== 200) onRefused(req, answer);
  });
  const httpAgent = new HttpProxyAgent(bare.href, {
    keepAlive: true,
    maxSockets: MAX_SOCKETS_PER_CONSOLE,
    headers,
  });
  return { httpsAgent, httpAgent };
}
