#!/usr/bin/env node
// The `prisma-defender` command (package.json `bin`): runs the CLI in ./main with the process's arguments and streams.
import { main } from "./main";

void main(process.argv.slice(2), process.stdout, process.stderr).then((code) => {
  process.exitCode = code;
});
