// The shapes handlers answer with, and the Console's error convention (`{"err": "..."}`).
import { Readable } from "stream";

export class ConsoleHttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** What a handler answers: a small body in memory, or a stream (large archives) with its length when known. */
export interface SimResponse {
  status: number;
  contentType: string;
  headers?: Record<string, string>;
  body?: Buffer;
  stream?: () => { stream: Readable; length?: number };
  /** Archive kind, used by the `corruptArchive` fault to keep the content type. */
  archive?: boolean;
}

export function json(value: unknown, status = 200): SimResponse {
  return {
    status,
    contentType: "application/json; charset=utf-8",
    body: Buffer.from(JSON.stringify(value)),
  };
}

export function errorResponse(
  status: number,
  message: string,
  headers: Record<string, string> = {},
) {
  return { ...json({ err: message }, status), headers };
}

export function archive(body: Buffer, kind: "zip" | "tar.gz", filename: string): SimResponse {
  return {
    status: 200,
    contentType: kind === "zip" ? "application/zip" : "application/gzip",
    headers: { "Content-Disposition": `attachment; filename="${filename}"` },
    body,
    archive: true,
  };
}
