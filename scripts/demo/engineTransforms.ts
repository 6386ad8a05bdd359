// Stack transforms applied the way the Pulumi engine applies them. Under `pulumi.runtime.setMocks` the SDK still
// registers a stack transform with the monitor (a Callback: a token and the address of the program's own gRPC
// callback server on 127.0.0.1), but the mock monitor only hands the function to `mocks.registerTransform` and
// never runs it. This wraps the mock monitor so that, as the engine does, every RegisterResource first goes through
// each registered stack transform, in registration order, over gRPC (`Callbacks.Invoke` with a TransformRequest),
// and is registered with the properties and options the TransformResponse gives.
import * as path from "path";

const proto = path.dirname(require.resolve("@pulumi/pulumi/proto/resource_grpc_pb"));
/* eslint-disable @typescript-eslint/no-require-imports */
const grpc = require(require.resolve("@grpc/grpc-js", { paths: [proto] }));
const resourcePb = require(path.join(proto, "resource_pb"));
const callbackPb = require(path.join(proto, "callback_pb"));
const callbackRpc = require(path.join(proto, "callback_grpc_pb"));
/* eslint-enable @typescript-eslint/no-require-imports */

interface Registered {
  token: string;
  target: string;
}

/** Counts of what the wrapped monitor did, for tests. */
export interface EngineTransforms {
  /** Stack transforms registered so far. */
  readonly registered: number;
  /** TransformRequests sent. */
  readonly invocations: number;
}

/** Wraps `monitor` (the mock monitor of the current run) so it applies stack transforms like the engine. */
export function applyStackTransformsLikeTheEngine(monitor: any): EngineTransforms {
  const transforms: Registered[] = [];
  const clients = new Map<string, any>();
  let invocations = 0;
  const clientFor = (target: string) => {
    let c = clients.get(target);
    if (!c) {
      c = new callbackRpc.CallbacksClient(target, grpc.credentials.createInsecure());
      clients.set(target, c);
    }
    return c;
  };
  monitor.registerStackTransform = (req: any, callback: (err: unknown, res: unknown) => void) => {
    transforms.push({ token: req.getToken(), target: req.getTarget() });
    callback(null, {});
  };
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req: any, callback: (err: unknown, res?: unknown) => void) => {
    applyAll(req).then(
      () => register(req, callback),
      (err) => callback(err),
    );
  };

  async function applyAll(req: any): Promise<void> {
    for (const t of [...transforms]) {
      const request = new resourcePb.TransformRequest();
      request.setType(req.getType());
      request.setName(req.getName());
      request.setCustom(req.getCustom());
      request.setParent(req.getParent());
      request.setProperties(req.getObject());
      const options = new resourcePb.TransformResourceOptions();
      options.setDependsOnList(req.getDependenciesList());
      options.setProtect(!!req.getProtect());
      options.setIgnoreChangesList(req.getIgnorechangesList());
      options.setProvider(req.getProvider());
      options.setDeleteBeforeReplace(req.getDeletebeforereplace());
      options.setAdditionalSecretOutputsList(req.getAdditionalsecretoutputsList());
      request.setOptions(options);
      const invoke = new callbackPb.CallbackInvokeRequest();
      invoke.setToken(t.token);
      invoke.setRequest(request.serializeBinary());
      invocations++;
      const answer: any = await new Promise((resolve, reject) =>
        clientFor(t.target).invoke(invoke, (err: unknown, res: unknown) =>
          err ? reject(err) : resolve(res),
        ),
      );
      const response = resourcePb.TransformResponse.deserializeBinary(answer.getResponse_asU8());
      if (response.getProperties()) req.setObject(response.getProperties());
      const opts = response.getOptions();
      if (opts) {
        req.setDependenciesList(opts.getDependsOnList());
        if (opts.getProvider()) req.setProvider(opts.getProvider());
      }
    }
  }

  return {
    get registered() {
      return transforms.length;
    },
    get invocations() {
      return invocations;
    },
  };
}
