// The engine's side of a deployment, for driving the plugin PROCESS over gRPC the way `pulumi up` does: a resource
// monitor (Pulumi's own MockMonitor behind a real gRPC server, so children the component registers are recorded and
// get computed outputs) and the engine's logging service. Only what a Construct call needs.
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { computedState } from "../../scripts/demo/mocks";

const proto = path.dirname(require.resolve("@pulumi/pulumi/proto/resource_grpc_pb"));
/* eslint-disable @typescript-eslint/no-require-imports */
const grpc = require(require.resolve("@grpc/grpc-js", { paths: [proto] }));
const resourceRpc = require(path.join(proto, "resource_grpc_pb"));
const resourcePb = require(path.join(proto, "resource_pb"));
const engineRpc = require(path.join(proto, "engine_grpc_pb"));
const enginePb = require(path.join(proto, "engine_pb"));
const emptyPb = require(
  require.resolve("google-protobuf/google/protobuf/empty_pb", { paths: [proto] }),
);
const { MockMonitor } = require(path.join(proto, "..", "runtime", "mocks"));
/* eslint-enable @typescript-eslint/no-require-imports */

export interface RegisteredResource {
  type: string;
  name: string;
  inputs: Record<string, any>;
}

export interface FakeEngine {
  /** `127.0.0.1:<port>`: both the monitor endpoint and the engine address. */
  address: string;
  registered: RegisteredResource[];
  /** Messages the plugin logged through the engine (`pulumi.log.*`), as `severity: message`. */
  logs: string[];
  close(): Promise<void>;
}

type Handler = (call: { request: any }, cb: (err: unknown, res?: unknown) => void) => void;

export async function startFakeEngine(): Promise<FakeEngine> {
  const registered: RegisteredResource[] = [];
  const logs: string[] = [];
  const monitor = new MockMonitor({
    newResource(args: pulumi.runtime.MockResourceArgs) {
      registered.push({ type: args.type, name: args.name, inputs: args.inputs });
      return {
        id: `${args.name}-id`,
        state: { ...args.inputs, ...computedState(args.type, args.name, args.inputs) },
      };
    },
    call(args: pulumi.runtime.MockCallArgs) {
      if (args.token === "aws:index/getRegion:getRegion") {
        return { name: "us-east-1", region: "us-east-1", id: "us-east-1" };
      }
      return args.inputs;
    },
  });
  const delegate =
    (method: string): Handler =>
    (call, cb) =>
      monitor[method](call.request, cb);
  const unimplemented: Handler = (_call, cb) => cb({ code: grpc.status.UNIMPLEMENTED });
  const monitorHandlers: Record<string, Handler> = {};
  for (const name of Object.keys(resourceRpc.ResourceMonitorService)) {
    monitorHandlers[name] = unimplemented;
  }
  Object.assign(monitorHandlers, {
    supportsFeature: (call, cb) => {
      const res = new resourcePb.SupportsFeatureResponse();
      res.setHassupport(call.request.getId() !== "outputValues");
      cb(null, res);
    },
    getDeploymentInfo: delegate("getDeploymentInfo"),
    registerResource: delegate("registerResource"),
    registerResourceOutputs: (call, cb) =>
      monitor.registerResourceOutputs(call.request, (err: unknown) => cb(err, new emptyPb.Empty())),
    invoke: delegate("invoke"),
    readResource: delegate("readResource"),
    registerPackage: delegate("registerPackage"),
  } satisfies Record<string, Handler>);
  const engineHandlers: Record<string, Handler> = {};
  for (const name of Object.keys(engineRpc.EngineService)) engineHandlers[name] = unimplemented;
  Object.assign(engineHandlers, {
    log: (call, cb) => {
      logs.push(`${call.request.getSeverity()}: ${call.request.getMessage()}`);
      cb(null, new emptyPb.Empty());
    },
    getRootResource: (_call, cb) => cb(null, new enginePb.GetRootResourceResponse()),
    setRootResource: (_call, cb) => cb(null, new enginePb.SetRootResourceResponse()),
  } satisfies Record<string, Handler>);

  const server = new grpc.Server();
  server.addService(resourceRpc.ResourceMonitorService, monitorHandlers);
  server.addService(engineRpc.EngineService, engineHandlers);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(
      "127.0.0.1:0",
      grpc.ServerCredentials.createInsecure(),
      (err: Error, p: number) => (err ? reject(err) : resolve(p)),
    ),
  );
  return {
    address: `127.0.0.1:${port}`,
    registered,
    logs,
    close: () => new Promise<void>((resolve) => server.tryShutdown(() => resolve())),
  };
}
