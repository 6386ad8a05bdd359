// What every simulator route is given and returns, apart from the route table, so that route modules
// (routes.ts, artefacts/routes.ts) import this and never each other.
import type { AuthResult } from "./auth";
import { ConsoleHttpError, SimResponse } from "./http";
import type { SimState } from "./state";
import type { SimulatorEndpoint } from "./types";

export interface RequestContext {
  method: string;
  endpoint: SimulatorEndpoint;
  apiVersion: string;
  query: Record<string, string>;
  body: Buffer;
  auth: AuthResult & { token?: string };
}

export interface Route {
  method: "GET" | "POST";
  /** `false` only for `_ping` and `authenticate` (permission `none` in the spec). */
  auth: boolean;
  handle(ctx: RequestContext, state: SimState): SimResponse | Promise<SimResponse>;
}

/** A host name Defenders can connect to; the docs and working scripts send the SAN host, never a URL. */
export function consoleAddressParam(value: unknown, field: string): string {
  if (typeof value !== "string" || value.trim() === "") {
    throw new ConsoleHttpError(400, `missing ${field}`);
  }
  if (value.includes("://") || /[/\s]/.test(value)) {
    throw new ConsoleHttpError(
      400,
      `invalid ${field} ${JSON.stringify(value)}: expected the Console's host name (a SAN such as ` +
        `console.example.com), not a URL`,
    );
  }
  return value;
}
