// Secret scan: across every test program (each component, in update and preview mode, healthy and failing, with
// credentials given as args, as stack config and as PRISMACLOUDCOMPUTE_* variables), no Console password, token,
// INSTALL_BUNDLE or TW_POLICY appears in plaintext in registered resource inputs (secret-wrapped values are fine),
// non-secret component outputs, console/log lines or error messages; and the files we write are private and hold
// no credential.
//
// Files: the cache holds the Console's own artefacts (downloads named by their SHA-256 at the cache root; the
// app-embedded zip carries INSTALL_BUNDLE in its Dockerfile, as the Console makes it). Those may hold a credential,
// so their protection is their mode: 0600 under 0700 directories. Every OTHER file we write (merged Lambda code,
// staged build contexts, their metadata, temporary files) must hold none. Files we generate are 0600; staged copies
// of the user's own build-context files keep the user's mode (docker COPY preserves it, so an executable must stay
// executable) but sit in 0700 directories; no file or directory is writable by group or others.
import axios from "axios";
import * as fs from "node:fs";
import * as https from "node:https";
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import {
  details,
  installMocks,
  RecordedResource,
  unwrapInput,
  withoutSecrets,
} from "../helpers/pulumi";
import { Program, PROGRAMS, program, VARIANTS } from "./programs";
import { runProgram, useEnv, withConsoleCapture } from "./support";

const env = useEnv();

/** Everything a run exposed in plaintext, kept until the end, when every credential seen is known. */
const exposed: { where: string; text: string }[] = [];
/** Credential values seen inside secret-wrapped inputs and secret outputs (TW_POLICY, INSTALL_BUNDLE). */
const seenSecrets = new Set<string>();
const wrongPassword = "Wr0ng-Passw0rd-For-The-Scan";
let privateTmp = "";
let savedTmp: string | undefined;

beforeAll(() => {
  // Temporary files the components write go here, so they can be scanned.
  privateTmp = fs.mkdtempSync(path.join(os.tmpdir(), "pd-secret-scan-tmp-"));
  savedTmp = process.env.TMPDIR;
  process.env.TMPDIR = privateTmp;
});
afterAll(() => {
  if (savedTmp === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = savedTmp;
  fs.rmSync(privateTmp, { recursive: true, force: true });
});

/** TW_POLICY and INSTALL_BUNDLE values inside secret-wrapped inputs: they must not show up anywhere else. */
function collectInputSecrets(resources: RecordedResource[]): void {
  const visit = (value: unknown, key = ""): void => {
    const plain = unwrapInput(value);
    if (typeof plain === "string") {
      if (/TW_POLICY|INSTALL_BUNDLE|secretString/.test(key) && plain.length >= 8)
        seenSecrets.add(plain);
      if (key === "containerDefinitions") {
        for (const c of JSON.parse(plain) as {
          environment?: { name: string; value: string }[];
        }[]) {
          for (const e of c.environment ?? [])
            if (e.name === "INSTALL_BUNDLE") seenSecrets.add(e.value);
        }
      }
    } else if (Array.isArray(plain)) {
      for (const item of plain) {
        const named = item as { name?: unknown; value?: unknown };
        if (named && typeof named.name === "string" && "value" in named)
          visit(named.value, named.name);
        else visit(item, key);
      }
    } else if (plain && typeof plain === "object") {
      for (const [k, v] of Object.entries(plain)) visit(v, k);
    }
  };
  for (const r of resources) visit(r.inputs);
}

/** Each public Output of the component: secret ones add their value to the credentials, others are exposed. */
async function scanOutputs(
  component: pulumi.ComponentResource | undefined,
  where: string,
): Promise<void> {
  if (!component) return;
  for (const [name, value] of Object.entries(component)) {
    if (!pulumi.Output.isInstance(value)) continue;
    // runProgram waited until every registration was answered, so each output settles now; a rejected one (the
    // component failed) has no value to scan.
    const d = await details(value as pulumi.Output<unknown>).catch(() => undefined);
    if (!d || !d.known || d.value === undefined) continue;
    const text = typeof d.value === "string" ? d.value : JSON.stringify(d.value);
    if (d.secret) {
      if (typeof d.value === "string" && d.value.length >= 8) seenSecrets.add(d.value);
    } else {
      exposed.push({ where: `${where}: output ${name}`, text });
    }
  }
}

async function scan(
  prog: Program,
  console: Parameters<Program["build"]>[0],
  label: string,
  before?: () => void,
) {
  const { value: run, lines } = await withConsoleCapture(() =>
    runProgram(env, prog, console, before),
  );
  const where = `${prog.name} (${label})`;
  collectInputSecrets(env.mocks.resources);
  for (const r of env.mocks.resources) {
    exposed.push({
      where: `${where}: inputs of ${r.type} ${r.name}`,
      text: JSON.stringify(withoutSecrets(r.inputs)),
    });
  }
  await scanOutputs(run.component, where);
  for (const e of run.errors) exposed.push({ where: `${where}: error`, text: e });
  for (const l of lines) exposed.push({ where: `${where}: log line`, text: l });
  return run;
}

const ALL = [...PROGRAMS, ...VARIANTS];

describe.each(ALL.map((p) => [p.name, p] as const))("%s", (_name, prog) => {
  it("healthy Console, update and preview", async () => {
    const update = await scan(prog, env.console(), "update");
    env.mocks = installMocks({ preview: true });
    try {
      await scan(prog, env.console(), "preview");
    } finally {
      env.mocks = installMocks({ preview: false });
    }
    expect(update.unprotected).toEqual([]);
  });

  it("failing Console: wrong password, 500s, malformed JSON, wrong CA", async () => {
    const wrong = await scan(prog, env.console({ password: wrongPassword }), "wrong password");
    expect(wrong.errors.join("\n")).toMatch(/401|credentials/);
    await scan(prog, env.console(), "500 everywhere", () => {
      for (const e of prog.endpoints.filter((x) => x !== "authenticate")) {
        env.sim.injectFault({ endpoint: e, kind: "status", status: 500 });
      }
    });
    await scan(prog, env.console(), "malformed JSON from authenticate", () =>
      env.sim.injectFault({ endpoint: "authenticate", kind: "malformedJson" }),
    );
    await scan(prog, env.console({ caCertificate: undefined }), "self-signed certificate refused");
  });
});

describe("settings from outside the args", () => {
  it("stack config (password a config secret)", async () => {
    env.mocks = installMocks({
      config: {
        "prisma-defender:consoleUrl": env.sim.url,
        "prisma-defender:username": env.sim.credentials.username,
        "prisma-defender:password": env.sim.credentials.password,
        "prisma-defender:caCertificate": env.sim.caCertificate,
      },
      secretKeys: ["prisma-defender:password"],
    });
    try {
      for (const p of ALL) {
        const run = await scan(p, undefined as never, "stack config");
        expect([p.name, run.errors]).toEqual([p.name, []]);
      }
    } finally {
      env.mocks = installMocks();
    }
  });

  it("PRISMACLOUDCOMPUTE_* variables, and a ready token", async () => {
    const vars = {
      PRISMACLOUDCOMPUTE_CONSOLE_URL: env.sim.url,
      PRISMACLOUDCOMPUTE_USERNAME: env.sim.credentials.username,
      PRISMACLOUDCOMPUTE_PASSWORD: env.sim.credentials.password,
      PRISMACLOUDCOMPUTE_CA_CERT: env.sim.caCertificate,
    };
    Object.assign(process.env, vars);
    try {
      for (const p of ALL) {
        const run = await scan(p, undefined as never, "environment variables");
        expect([p.name, run.errors]).toEqual([p.name, []]);
      }
    } finally {
      for (const k of Object.keys(vars)) delete process.env[k];
    }
    const agent = new https.Agent({ ca: env.sim.caCertificate, keepAlive: false });
    const token = (
      await axios.post(`${env.sim.url}/api/v1/authenticate`, env.sim.credentials, {
        httpsAgent: agent,
      })
    ).data.token as string;
    agent.destroy();
    const tokenArgs = {
      url: env.sim.url,
      token,
      caCertificate: env.sim.caCertificate,
      requestTimeoutSeconds: 1,
    };
    for (const name of ["ProtectedLambda (layer)", "ProtectedFargateTask"]) {
      const run = await scan(program(name), tokenArgs, "given token");
      expect([name, run.errors]).toEqual([name, []]);
    }
  });
});

describe("after every program", () => {
  const credentials = () =>
    [
      env.sim.credentials.password,
      wrongPassword,
      env.sim.secrets.installBundle,
      env.sim.secrets.marker,
      ...env.sim.tokensIssued(),
      ...seenSecrets,
    ].filter((s) => s.length >= 8);

  it("found credentials to look for (the scan is not vacuous)", () => {
    expect(env.sim.tokensIssued().length).toBeGreaterThan(0);
    // TW_POLICY values (Lambda, Azure) and INSTALL_BUNDLE values (Fargate, images) were seen wrapped as secrets.
    expect(seenSecrets.size).toBeGreaterThan(3);
    expect(exposed.length).toBeGreaterThan(100);
  });

  const leaksIn = (items: { where: string; text: string }[]) =>
    items.flatMap(({ where, text }) =>
      credentials()
        .filter((c) => text.includes(c))
        .map((c) => `${where}: contains ${c.slice(0, 4)}…`),
    );

  it("would notice a leak (each kind of credential planted once)", () => {
    const policy = [...seenSecrets][0];
    const planted = [
      { where: "planted password", text: `login ${env.sim.credentials.password} failed` },
      { where: "planted token", text: `Bearer ${env.sim.tokensIssued()[0]}` },
      {
        where: "planted INSTALL_BUNDLE",
        text: `{"INSTALL_BUNDLE":"${env.sim.secrets.installBundle}"}`,
      },
      { where: "planted TW_POLICY", text: `TW_POLICY=${policy}` },
    ];
    expect([...new Set(leaksIn(planted).map((l) => l.split(":")[0]))]).toEqual(
      planted.map((p) => p.where),
    );
  });

  it("no credential in plaintext inputs, non-secret outputs, log lines or error messages", () => {
    expect(leaksIn(exposed)).toEqual([]);
  });

  it("cache: private modes, and credentials only in the Console's own downloads", () => {
    const problems: string[] = [];
    const walk = (dir: string, depth: number): void => {
      const mode = fs.statSync(dir).mode & 0o777;
      if (mode !== 0o700) problems.push(`${dir}: directory mode ${mode.toString(8)}, expected 700`);
      for (const name of fs.readdirSync(dir)) {
        const file = path.join(dir, name);
        const st = fs.lstatSync(file);
        if (st.isDirectory()) {
          walk(file, depth + 1);
          continue;
        }
        const m = st.mode & 0o777;
        if (m & 0o022) problems.push(`${file}: writable by group or others (${m.toString(8)})`);
        const stagedUserFile =
          /\/contexts\/[^/]+\//.test(file) && !/prisma-defender|twistlock/.test(name);
        if (!stagedUserFile && m !== 0o600)
          problems.push(`${file}: mode ${m.toString(8)}, expected 600`);
        const consoleDownload = depth === 0 && /^[0-9a-f]{64}\.(zip|tar\.gz)$/.test(name);
        if (!consoleDownload) {
          const content = fs.readFileSync(file, "latin1");
          for (const c of credentials())
            if (content.includes(c)) problems.push(`${file}: holds a credential`);
        }
      }
    };
    walk(env.cacheDir, 0);
    expect(problems).toEqual([]);
  });

  it("temporary files hold no credential", () => {
    const problems: string[] = [];
    const walk = (dir: string): void => {
      for (const name of fs.readdirSync(dir)) {
        const file = path.join(dir, name);
        const st = fs.lstatSync(file);
        if (st.isDirectory()) walk(file);
        else if (st.isFile()) {
          const content = fs.readFileSync(file, "latin1");
          for (const c of credentials())
            if (content.includes(c)) problems.push(`${file}: holds a credential`);
        }
      }
    };
    walk(privateTmp);
    expect(problems).toEqual([]);
  });
});
