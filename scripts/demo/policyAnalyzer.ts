// Runs the policy pack in policy/ the way the Pulumi CLI does and speaks the Analyzer gRPC API to it: the CLI
// starts `node <pack>/node_modules/@pulumi/pulumi/cmd/run-policy-pack <engine address> <pack dir>` in the pack's
// directory, reads the port the analyzer prints on its first stdout line, then calls GetAnalyzerInfo, Configure,
// Analyze (each resource's inputs) and AnalyzeStack (every resource's outputs). The engine address is served here by
// a minimal Engine service on 127.0.0.1 that records what the pack logs.
import { spawn } from "child_process";
import * as path from "path";
import type { WireResource } from "./policyResources";
import { REPO_ROOT } from "./run";

export const POLICY_DIR = path.join(REPO_ROOT, "policy");

// The pack's own copy of @pulumi/pulumi: the stubs must be the ones the analyzer's grpc-js understands.
const proto = path.join(POLICY_DIR, "node_modules", "@pulumi", "pulumi", "proto");
/* eslint-disable @typescript-eslint/no-require-imports */
const grpc = require(require.resolve("@grpc/grpc-js", { paths: [proto] }));
const analyzerRpc = require(path.join(proto, "analyzer_grpc_pb"));
const analyzerPb = require(path.join(proto, "analyzer_pb"));
const engineRpc = require(path.join(proto, "engine_grpc_pb"));
const enginePb = require(path.join(proto, "engine_pb"));
const structPb = require(
  require.resolve("google-protobuf/google/protobuf/struct_pb", { paths: [proto] }),
);
const emptyPb = require(
  require.resolve("google-protobuf/google/protobuf/empty_pb", { paths: [proto] }),
);
/* eslint-enable @typescript-eslint/no-require-imports */

export type EnforcementLevel = "advisory" | "mandatory" | "disabled";
const LEVELS: EnforcementLevel[] = ["advisory", "mandatory", "disabled"];

export interface Diagnostic {
  policyName: string;
  message: string;
  enforcementLevel: EnforcementLevel | "remediate";
  urn: string;
}

export interface PolicyInfo {
  name: string;
  description: string;
  enforcementLevel: EnforcementLevel | "remediate";
  configSchema?: Record<string, unknown>;
}

export interface PolicyConfig {
  enforcementLevel?: EnforcementLevel;
  [option: string]: unknown;
}

export interface RunningPack {
  info(): Promise<{ name: string; version: string; policies: PolicyInfo[] }>;
  configure(config: Record<string, PolicyConfig>): Promise<void>;
  /** Analyze: one resource's inputs, as the engine sends them before a step. */
  analyze(r: WireResource): Promise<Diagnostic[]>;
  /** AnalyzeStack: every resource's outputs, as the engine sends them at the end of a preview or update. */
  analyzeStack(resources: WireResource[]): Promise<Diagnostic[]>;
  /** What the pack logged through the engine, and its stderr. */
  logs: string[];
  close(): Promise<void>;
}

const unary = (client: any, method: string, req: unknown) =>
  new Promise<any>((resolve, reject) =>
    client[method](req, (err: unknown, res: unknown) => (err ? reject(err) : resolve(res))),
  );

async function startEngine(logs: string[]): Promise<{ address: string; close(): Promise<void> }> {
  const server = new grpc.Server();
  server.addService(engineRpc.EngineService, {
    log: (call: any, cb: any) => {
      logs.push(`${call.request.getSeverity()}: ${call.request.getMessage()}`);
      cb(null, new emptyPb.Empty());
    },
    getRootResource: (_call: any, cb: any) => cb(null, new enginePb.GetRootResourceResponse()),
    setRootResource: (_call: any, cb: any) => cb(null, new enginePb.SetRootResourceResponse()),
    startDebugging: (_call: any, cb: any) => cb(null, new emptyPb.Empty()),
  });
  const port: number = await new Promise((resolve, reject) =>
    server.bindAsync(
      "127.0.0.1:0",
      grpc.ServerCredentials.createInsecure(),
      (e: unknown, p: number) => (e ? reject(e) : resolve(p)),
    ),
  );
  return {
    address: `127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.tryShutdown(() => resolve())),
  };
}

function options(r: WireResource) {
  const o = new analyzerPb.AnalyzerResourceOptions();
  o.setProtect(false);
  if (r.parent) o.setParent(r.parent);
  return o;
}

function diagnostics(res: any): Diagnostic[] {
  return res.getDiagnosticsList().map((d: any) => ({
    policyName: d.getPolicyname(),
    message: d.getMessage(),
    enforcementLevel: [...LEVELS, "remediate"][
      d.getEnforcementlevel()
    ] as Diagnostic["enforcementLevel"],
    urn: d.getUrn(),
  }));
}

/** Starts the pack as the CLI does; resolves once the analyzer has printed its port. */
export async function startPolicyPack(packDir = POLICY_DIR): Promise<RunningPack> {
  const logs: string[] = [];
  const engine = await startEngine(logs);
  const child = spawn(
    process.execPath,
    [
      path.join(packDir, "node_modules", "@pulumi", "pulumi", "cmd", "run-policy-pack"),
      engine.address,
      ".",
    ],
    { cwd: packDir, stdio: ["ignore", "pipe", "pipe"] },
  );
  child.stderr.on("data", (d: Buffer) => logs.push(`stderr: ${d.toString().trimEnd()}`));
  const port: number = await new Promise((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /^(\d+)\s*\n/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.on("exit", (code) =>
      reject(
        new Error(`the policy pack exited (${code}) before printing its port:\n${logs.join("\n")}`),
      ),
    );
  });
  const client = new analyzerRpc.AnalyzerClient(
    `127.0.0.1:${port}`,
    grpc.credentials.createInsecure(),
    {
      "grpc.max_receive_message_length": 400 * 1024 * 1024,
    },
  );
  const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
  // The CLI's first call once the pack is up: the stack it analyzes.
  const stackReq = new analyzerPb.AnalyzerStackConfigureRequest();
  stackReq.setStack("demo");
  stackReq.setProject("prisma-defender-policy-test");
  stackReq.setOrganization("organization");
  await unary(client, "configureStack", stackReq);
  const pack: RunningPack = {
    logs,
    async info() {
      const res = await unary(client, "getAnalyzerInfo", new emptyPb.Empty());
      return {
        name: res.getName(),
        version: res.getVersion(),
        policies: res.getPoliciesList().map((p: any) => ({
          name: p.getName(),
          description: p.getDescription(),
          enforcementLevel: [...LEVELS, "remediate"][p.getEnforcementlevel()],
          configSchema: p.getConfigschema()?.getProperties()?.toJavaScript(),
        })),
      };
    },
    async configure(config) {
      // Like the CLI, a policy whose level the config does not set gets its default (from GetAnalyzerInfo).
      const defaults = Object.fromEntries(
        (await pack.info()).policies.map((p) => [p.name, p.enforcementLevel]),
      );
      const req = new analyzerPb.ConfigureAnalyzerRequest();
      const map = req.getPolicyconfigMap();
      for (const [name, { enforcementLevel, ...props }] of Object.entries(config)) {
        const pc = new analyzerPb.PolicyConfig();
        pc.setEnforcementlevel(
          LEVELS.indexOf(enforcementLevel ?? (defaults[name] as EnforcementLevel)),
        );
        pc.setProperties(structPb.Struct.fromJavaScript(props));
        map.set(name, pc);
      }
      await unary(client, "configure", req);
    },
    async analyze(r) {
      const req = new analyzerPb.AnalyzeRequest();
      req.setType(r.type);
      req.setName(r.name);
      req.setUrn(r.urn);
      req.setProperties(structPb.Struct.fromJavaScript(r.inputs));
      req.setOptions(options(r));
      return diagnostics(await unary(client, "analyze", req));
    },
    async analyzeStack(resources) {
      const req = new analyzerPb.AnalyzeStackRequest();
      for (const r of resources) {
        const a = new analyzerPb.AnalyzerResource();
        a.setType(r.type);
        a.setName(r.name);
        a.setUrn(r.urn);
        a.setProperties(structPb.Struct.fromJavaScript(r.outputs));
        a.setOptions(options(r));
        if (r.parent) a.setParent(r.parent);
        a.setDependenciesList(r.dependencies);
        const deps = a.getPropertydependenciesMap();
        for (const [k, urns] of Object.entries(r.propertyDependencies)) {
          const d = new analyzerPb.AnalyzerPropertyDependencies();
          d.setUrnsList(urns);
          deps.set(k, d);
        }
        req.addResources(a);
      }
      return diagnostics(await unary(client, "analyzeStack", req));
    },
    async close() {
      client.close();
      child.kill();
      await exited;
      await engine.close();
    },
  };
  return pack;
}
