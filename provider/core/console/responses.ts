// Reading a 2xx answer: the whole body or nothing (Content-Length checked, stalls time out), and an answer that is
// not what was asked for (an HTML login page, broken JSON, JSON of the wrong shape) is an error, not a value.
import { AxiosResponse } from "axios";
import { Readable } from "node:stream";
import { z } from "zod";
import { ConsoleError } from "../errors";
import { BodyReader, consume, ReadContext } from "./http";
import { markRetryable } from "./retry";
import { describeIssues } from "./schemas";

const NOT_AN_ANSWER_HINT =
  "Check `url`: it must point at the Console itself (on SaaS including the tenant segment), not at a login page or proxy.";

/** Declared length of the body as sent, when it can be compared with what arrives (no content encoding). */
export function declaredLength(response: AxiosResponse): number | undefined {
  if (response.headers["content-encoding"]) return undefined;
  const raw = response.headers["content-length"];
  const n = raw === undefined ? NaN : Number(raw);
  return Number.isInteger(n) && n >= 0 ? n : undefined;
}

/** A failure while the body streams in: cut short or stalled. Both may succeed on a new attempt. */
export function bodyError(endpoint: string, error: unknown, idleMs: number): ConsoleError {
  if (error instanceof ConsoleError) return error;
  const code = (error as { code?: string }).code;
  const stalled = code === "ETIMEDOUT";
  return markRetryable(
    new ConsoleError({
      endpoint,
      kind: stalled ? "timeout" : "network",
      problem: stalled
        ? `the answer stalled (no data for ${idleMs / 1000}s)`
        : `the answer was cut short (${code ?? "connection closed"})`,
      hint: stalled
        ? "Raise `requestTimeoutSeconds` or check the network path to the Console."
        : "The connection to the Console broke during the answer; check the network and any proxy in between.",
      cause: error,
    }),
  );
}

export function truncatedError(endpoint: string, expected: number, received: number): ConsoleError {
  return markRetryable(
    new ConsoleError({
      endpoint,
      kind: "network",
      problem: `the answer was cut short (${received} of ${expected} bytes)`,
      hint: "The connection to the Console broke during the answer; check the network and any proxy in between.",
    }),
  );
}

export function unexpectedAnswer(
  endpoint: string,
  what: string,
  hint = NOT_AN_ANSWER_HINT,
): ConsoleError {
  return new ConsoleError({
    endpoint,
    kind: "response",
    problem: `unexpected answer: ${what}`,
    hint,
  });
}

/** The whole body as text; `kind` names what we expect, to reject an HTML page in its place. */
export async function readText(
  response: AxiosResponse<Readable>,
  ctx: ReadContext,
  kind: "JSON" | "text",
): Promise<string> {
  const contentType = String(response.headers["content-type"] ?? "");
  if (/html/i.test(contentType)) {
    response.data.destroy();
    throw unexpectedAnswer(ctx.endpoint, `an HTML page (${contentType}) instead of ${kind}`);
  }
  const chunks: Buffer[] = [];
  try {
    await consume(response.data, ctx.idleTimeoutMs, (c) => chunks.push(c));
  } catch (error) {
    throw bodyError(ctx.endpoint, error, ctx.idleTimeoutMs);
  }
  const body = Buffer.concat(chunks);
  const expected = declaredLength(response);
  if (expected !== undefined && expected !== body.length) {
    throw truncatedError(ctx.endpoint, expected, body.length);
  }
  const text = body.toString("utf8");
  if (/^\s*<(!doctype|html)/i.test(text)) {
    throw unexpectedAnswer(ctx.endpoint, `an HTML page instead of ${kind}`);
  }
  return text;
}

/** A JSON answer checked against `schema` (loose: unknown fields kept). */
export function readJson<T>(schema: z.ZodType<T>, expected: string): BodyReader<T> {
  return async (response, ctx) => {
    const text = await readText(response, ctx, "JSON");
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      // Retried like a body cut short: a proxy that cuts an answer can leave it unparseable instead.
      throw markRetryable(
        unexpectedAnswer(
          ctx.endpoint,
          `malformed JSON (${text.length} bytes) where ${expected} was expected`,
          "The Console, or a proxy in front of it, sent a broken answer; check its logs and try again.",
        ),
      );
    }
    const parsed = schema.safeParse(value);
    if (!parsed.success) {
      throw unexpectedAnswer(
        ctx.endpoint,
        `${expected} was expected but the answer does not match (${describeIssues(parsed.error)})`,
        "The Console's version may answer differently: set `apiVersion` to a version this package supports (such as 34.04), or report the answer's shape.",
      );
    }
    return parsed.data;
  };
}
