// Shared by the image tests that plan against the simulator.
import { consoleFor, forgetConsoles } from "../../provider/core/console/client";
import type { ComputeConsole } from "../../provider/core/types";
import type { ConsoleSimulator } from "../../provider/simulator";

/** A fresh client of the simulator, as a component makes one: TLS verified against the simulator's CA. */
export function simulatorConsole(sim: ConsoleSimulator): ComputeConsole {
  forgetConsoles();
  return consoleFor({
    url: sim.url,
    username: sim.credentials.username,
    password: sim.credentials.password,
    caCertificate: sim.caCertificate,
    insecureSkipVerify: false,
    requestTimeoutSeconds: 30,
  });
}
