// Endpoints that answer archives. (Filled in below.)
import type { Route } from "../routes";
import type { SimulatorEndpoint } from "../types";

export const artefactRoutes = {} as Record<
  Exclude<
    SimulatorEndpoint,
    | "_ping"
    | "authenticate"
    | "authenticate/renew"
    | "version"
    | "settings/certs"
    | "defenders/install-bundle"
    | "defenders/fargate.json"
    | "defenders/fargate.yaml"
    | "policies/runtime/serverless/encode"
  >,
  Route
>;
