// `npm run console-simulator`: prints how to reach it, serves with the printed CA and credentials, stops on Ctrl-C.
import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import type { ConsoleSimulator } from "../../provider/simulator";
import { call } from "./helpers";

it("starts from the command line, serves with the printed CA and credentials, and stops on SIGINT", async () => {
  const tsx = path.resolve(__dirname, "../../node_modules/.bin/tsx");
  const cli = path.resolve(__dirname, "../../provider/simulator/cli.ts");
  const child = spawn(tsx, [cli, "--tenant-path", "/us-3-7", "--project", "team-a"], {
    stdio: "pipe",
  });
  let out = "";
  child.stdout.on("data", (d) => (out += d));
  child.stderr.on("data", (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  /** Resolves once the CLI has printed something matching `pattern`; rejects if it exits first. */
  const printed = (pattern: RegExp) =>
    new Promise<void>((resolve, reject) => {
      const stop = () => {
        child.stdout.off("data", check);
        child.stderr.off("data", check);
        child.off("exit", early);
      };
      const check = () => {
        if (!pattern.test(out)) return;
        stop();
        resolve();
      };
      const early = () => {
        stop();
        reject(new Error(`CLI exited: ${out}`));
      };
      child.stdout.on("data", check);
      child.stderr.on("data", check);
      child.on("exit", early);
      check();
    });
  try {
    await printed(/Press Ctrl-C/);
    const field = (name: string) => new RegExp(`${name}:\\s+(\\S+)`).exec(out)![1];
    const caFile = field("CA file");
    const sim = {
      url: field("URL"),
      caCertificate: fs.readFileSync(caFile, "utf8"),
      credentials: { username: field("Username"), password: field("Password") },
    } as ConsoleSimulator;
    expect(sim.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/us-3-7$/);
    const answer = await call(sim, "/api/v34.04/version?project=team-a", {
      basic: sim.credentials,
    });
    expect([answer.status, answer.json()]).toEqual([200, "34.04.145"]);
    await printed(/GET \/us-3-7\/api\/v34\.04\/version -> /);
    expect(out).toMatch(/GET \/us-3-7\/api\/v34\.04\/version -> 200 \(basic\)/);
    child.kill("SIGINT");
    expect(await exited).toBe(0);
    expect(fs.existsSync(caFile)).toBe(false);
  } finally {
    child.kill();
  }
});
