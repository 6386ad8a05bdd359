// Fault matrix, part 2: ProtectedFargateTask, ProtectedAzureFunction and EmbeddedDefenderImage (both Console
// modes). See faultMatrix.ts.
import { faultMatrix } from "./faultMatrix";
import { program } from "./programs";

faultMatrix([
  program("ProtectedFargateTask"),
  program("ProtectedAzureFunction"),
  program("EmbeddedDefenderImage (Console)"),
  program("EmbeddedDefenderImage (Tarball)"),
]);
