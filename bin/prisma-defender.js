#!/usr/bin/env node
// The `prisma-defender` command. The package ships TypeScript sources, so tsx's CommonJS loader transpiles them
// (no type-check) before the CLI in provider/cli/main.ts runs.
"use strict";
require("tsx/cjs/api").register();
require("../provider/cli/main.ts")
  .main(process.argv.slice(2), process.stdout, process.stderr)
  .then((code) => {
    process.exitCode = code;
  });
