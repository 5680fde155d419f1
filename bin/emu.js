#!/usr/bin/env node
// The `emu` command: a thin launcher for the bundled CLI in dist/.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const cli = join(root, "dist", "cli.js");
if (!existsSync(cli) || !existsSync(join(root, "dist", "core.wasm"))) {
  process.stderr.write("emu: not built yet; run `npm run build` in " + root + "\n");
  process.exit(2);
}
const { main } = await import(cli);
process.exitCode = await main(process.argv.slice(2));
