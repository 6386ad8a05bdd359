// Plain Node HTTP(S) requests to the simulator (not our Console client: the simulator must stand on its own).
import * as fs from "fs";
import * as http from "http";
import * as https from "https";
import * as os from "os";
import * as path from "path";
import * as yauzl from "yauzl";
import type { ConsoleSimulator } from "../../provider/simulator";

export interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  text: string;
  json: () => any;
}

export interface CallOptions {
  method?: string;
  body?: unknown;
  /** Raw body (string or Buffer) sent as is. */
  raw?: string | Buffer;
  contentType?: string;
  token?: string;
  basic?: { username: string; password: string };
  headers?: Record<string, string>;
  /** CA to trust; default the simulator's. */
  ca?: string;
}

/** One request to `<sim.url><path>` (path starts with `/api/...`), trusting the simulator's CA. */
export function call(
  sim: ConsoleSimulator,
  urlPath: string,
  options: CallOptions = {},
): Promise<Answer> {
  const url = new URL(sim.url + urlPath);
  const headers: Record<string, string> = { ...(options.headers ?? {}) };
  let payload: Buffer | undefined;
  if (options.raw !== undefined) payload = Buffer.from(options.raw);
  else if (options.body !== undefined) payload = Buffer.from(JSON.stringify(options.body));
  if (payload) headers["Content-Type"] = options.contentType ?? "application/json";
  if (options.token) headers.Authorization = `Bearer ${options.token}`;
  if (options.basic) {
    const pair = `${options.basic.username}:${options.basic.password}`;
    headers.Authorization = `Basic ${Buffer.from(pair).toString("base64")}`;
  }
  const method = options.method ?? (payload ? "POST" : "GET");
  return new Promise((resolve, reject) => {
    const transport = url.protocol === "https:" ? https : http;
    const req = transport.request(
      url,
      { method, headers, ca: options.ca ?? sim.caCertificate, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("error", reject);
        res.on("end", () => {
          const body = Buffer.concat(chunks);
          const text = body.toString("utf8");
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body,
            text,
            json: () => JSON.parse(text),
          });
        });
      },
    );
    req.on("error", reject);
    req.end(payload);
  });
}

/** Logs in with the simulator's credentials and returns the token. */
export async function login(sim: ConsoleSimulator, version = "v1"): Promise<string> {
  const answer = await call(sim, `/api/${version}/authenticate`, { body: sim.credentials });
  if (answer.status !== 200) throw new Error(`login failed: ${answer.status} ${answer.text}`);
  return answer.json().token;
}

/** Reads every file of a zip into memory (with its Unix mode). */
export function unzip(buffer: Buffer): Promise<Map<string, { data: Buffer; mode: number }>> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(buffer, { lazyEntries: true }, (err, zip) => {
      if (err || !zip) return reject(err);
      const files = new Map<string, { data: Buffer; mode: number }>();
      zip.on("entry", (entry: yauzl.Entry) => {
        zip.openReadStream(entry, (e, stream) => {
          if (e || !stream) return reject(e);
          const chunks: Buffer[] = [];
          stream.on("data", (c: Buffer) => chunks.push(c));
          stream.on("end", () => {
            files.set(entry.fileName, {
              data: Buffer.concat(chunks),
              mode: (entry.externalFileAttributes >>> 16) & 0o777,
            });
            zip.readEntry();
          });
        });
      });
      zip.on("end", () => resolve(files));
      zip.on("error", reject);
      zip.readEntry();
    });
  });
}

/** Writes zip files into a fresh temporary directory (keeping the executable bit). */
export async function extractZip(buffer: Buffer, dir?: string): Promise<string> {
  const target = dir ?? tempDir();
  for (const [name, file] of await unzip(buffer)) {
    const out = path.join(target, name);
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, file.data, { mode: file.mode || 0o644 });
  }
  return target;
}

const created: string[] = [];

/** A fresh temporary directory, removed after the test file's tests. */
export function tempDir(prefix = "twsim-test-"): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  created.push(dir);
  return dir;
}

afterAll(() => {
  for (const dir of created.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

export const fixture = (name: string) =>
  JSON.parse(fs.readFileSync(path.join(__dirname, "fixtures", name), "utf8"));
