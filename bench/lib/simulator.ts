// The benchmarks' simulator runs in the parent process: children only run the code being measured, and the
// parent reads the simulator's request log after each child exits.
import { startConsoleSimulator } from "../../provider/simulator";
import type { ConsoleSimulator, ConsoleSimulatorOptions } from "../../provider/simulator/types";
import type { ConsoleEnv } from "./child";

export async function startSimulator(
  options: ConsoleSimulatorOptions = {},
): Promise<ConsoleSimulator> {
  return startConsoleSimulator({ ...options, https: true });
}

export function envOf(sim: ConsoleSimulator): ConsoleEnv {
  return {
    url: sim.url,
    caCertificate: sim.caCertificate,
    username: sim.credentials.username,
    password: sim.credentials.password,
  };
}

/** Requests per endpoint, in the order endpoints were first called. */
export function countByEndpoint(sim: ConsoleSimulator): Map<string, number> {
  const counts = new Map<string, number>();
  for (const r of sim.requests) counts.set(r.endpoint, (counts.get(r.endpoint) ?? 0) + 1);
  return counts;
}
