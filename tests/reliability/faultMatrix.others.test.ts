// Fault matrix, part 2: ProtectedFargateTask, ProtectedAzureFunction, EmbeddedDefenderImage (both Console modes)
// and ProtectedCloudFormationTemplate (JSON and YAML). See faultMatrix.ts.
import { faultMatrix } from "./faultMatrix";
import { program } from "./programs";

faultMatrix([
  program("ProtectedFargateTask"),
  program("ProtectedAzureFunction"),
  program("EmbeddedDefenderImage (Console)"),
  program("EmbeddedDefenderImage (Tarball)"),
  program("ProtectedCloudFormationTemplate (json)"),
  program("ProtectedCloudFormationTemplate (yaml)"),
]);
