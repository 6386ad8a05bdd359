// The plugin's entry: what `pulumi-language-nodejs` runs for this package.
//
// The language host starts `node @pulumi/pulumi/cmd/run-plugin <repo>`, which registers a TYPE-CHECKING ts-node and
// then require()s the repository, i.e. package.json `main`, i.e. this file. Plain JavaScript is not type-checked;
// tsx's loader, registered here, takes over `.ts` from ts-node, so the provider's sources are only transpiled
// (esbuild, cached). Nothing is exported: exported component classes would make run-plugin start its own host,
// which runs the schema analyzer on every start. Details and timings: docs/plugin.md.
"use strict";
require("tsx/cjs/api").register();
// The engine address (and nothing else) follows the program directory on the command line.
module.exports = require("./serve.ts").serve(process.argv.slice(2));
