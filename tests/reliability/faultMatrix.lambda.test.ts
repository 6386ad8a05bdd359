// Fault matrix, part 1: DefenderLayer and ProtectedLambda (layer and embedded modes). See faultMatrix.ts.
import { faultMatrix } from "./faultMatrix";
import { program } from "./programs";

faultMatrix([
  program("DefenderLayer"),
  program("ProtectedLambda (layer)"),
  program("ProtectedLambda (embedded)"),
]);
