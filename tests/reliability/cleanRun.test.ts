// Every test program, run against a healthy Console: it registers its workload protected, and calls exactly the
// endpoints the fault matrix crosses with faults (so a component that starts calling a new endpoint gets noticed).
import { PROGRAMS } from "./programs";
import { runProgram, useEnv } from "./support";

const env = useEnv();

describe.each(PROGRAMS.map((p) => [p.name, p] as const))("%s", (_name, prog) => {
  it("registers its workload protected and calls the endpoints the fault matrix covers", async () => {
    const run = await runProgram(env, prog, env.console());
    expect(run.errors).toEqual([]);
    expect(run.workloads.length).toBeGreaterThan(0);
    expect(run.unprotected).toEqual([]);
    const called = [...new Set(env.sim.requests.map((r) => r.endpoint))].sort();
    expect(called).toEqual([...prog.endpoints].sort());
  });
});
