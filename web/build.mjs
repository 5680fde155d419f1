// npm run web:build: bundle the page (web/main.ts) and the machine's worker (web/worker.ts) with
// esbuild into dist/web/, with index.html, the CSS, the CPU core (dist/core.wasm, from
// `npm run build`) and the tiny Linux (images/out/, from `npm run images`) beside them.
import { build } from "esbuild";
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, "dist", "web");
const quiet = process.argv.includes("--quiet");
const log = (s) => { if (!quiet) console.log(s); };

// src/cpu/cpu.ts reads core.wasm with node:fs in Cpu.create; the worker compiles the fetched core
// and calls Cpu.fromModule instead, so in the browser those Node modules are never used: they
// become empty stand-ins.
const nodeBuiltinsAbsent = {
  name: "node-builtins-absent",
  setup(b) {
    b.onResolve({ filter: /^node:/ }, (args) => ({ path: args.path, namespace: "node-absent" }));
    b.onLoad({ filter: /.*/, namespace: "node-absent" }, (args) => ({
      contents: `// ${args.path} is not available in a browser; nothing on the page's paths uses it.\nmodule.exports = {};\n`,
      loader: "js",
    }));
  },
};

export async function buildWeb() {
  const core = join(root, "dist", "core.wasm");
  if (!existsSync(core)) throw new Error("web:build: dist/core.wasm is missing; run `npm run build` first");
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });

  const result = await build({
    entryPoints: { main: join(root, "web", "main.ts"), worker: join(root, "web", "worker.ts") },
    outdir: out,
    bundle: true,
    format: "esm",
    platform: "browser",
    target: ["chrome110", "firefox115", "safari16"],
    minify: true,
    sourcemap: true,
    metafile: true,
    legalComments: "linked",
    plugins: [nodeBuiltinsAbsent],
    logLevel: "warning",
  });

  copyFileSync(join(root, "web", "index.html"), join(out, "index.html"));
  copyFileSync(join(root, "web", "style.css"), join(out, "style.css"));
  copyFileSync(join(root, "node_modules", "@xterm", "xterm", "css", "xterm.css"), join(out, "xterm.css"));
  copyFileSync(core, join(out, "core.wasm"));
  const bios = join(root, "dist", "bios.bin");
  if (existsSync(bios)) copyFileSync(bios, join(out, "bios.bin"));
  else console.warn("web:build: dist/bios.bin is missing (npm run build): the page cannot boot a disk image without a kernel");

  const images = join(root, "images", "out");
  const wanted = ["bzImage", "initramfs.cpio.gz"];
  const haveImages = wanted.every((f) => existsSync(join(images, f)));
  if (haveImages) {
    mkdirSync(join(out, "images"), { recursive: true });
    for (const f of wanted) copyFileSync(join(images, f), join(out, "images", f));
  } else {
    console.warn("web:build: images/out/bzImage or initramfs.cpio.gz is missing (run `npm run images`): the page will ask for a kernel instead of booting the tiny Linux");
  }

  const sizes = {};
  for (const f of walk(out)) sizes[relative(out, f)] = statSync(f).size;
  const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;
  const code = ["main.js", "worker.js", "index.html", "style.css", "xterm.css"].reduce((s, f) => s + (sizes[f] ?? 0), 0);
  // What a server compressing its responses would send for the code.
  const gzipped = ["main.js", "worker.js", "core.wasm", "index.html", "style.css", "xterm.css"]
    .reduce((s, f) => s + gzipSync(readFileSync(join(out, f)), { level: 9 }).length, 0);
  log(`web:build: ${relative(root, out)}/ main.js ${kib(sizes["main.js"])}, worker.js ${kib(sizes["worker.js"])}, core.wasm ${kib(sizes["core.wasm"])}; ` +
    `page code ${kib(code)} + core ${kib(sizes["core.wasm"])} (${kib(gzipped)} gzipped)` +
    (haveImages ? `; images ${kib((sizes["images/bzImage"] ?? 0) + (sizes["images/initramfs.cpio.gz"] ?? 0))}` : ""));
  return { out, sizes, gzipped, haveImages, metafile: result.metafile };
}

function* walk(dir) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) yield* walk(p); else yield p;
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    await buildWeb();
  } catch (e) {
    console.error(e.message);
    process.exitCode = 1;
  }
}
