// Bundles the TypeScript side into dist/ with esbuild: the CLI and the library entry.
import { build } from "esbuild";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
await build({
  entryPoints: { cli: join(root, "src/cli.ts"), index: join(root, "src/index.ts") },
  outdir: join(root, "dist"),
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  sourcemap: true,
  splitting: true,
  chunkNames: "chunks/[name]-[hash]",
  logLevel: "warning",
});
console.log("build-ts: dist/cli.js dist/index.js");
