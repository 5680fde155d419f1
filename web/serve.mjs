// npm run web: serve dist/web/ on 127.0.0.1 (PORT, default 8080). Static files only, with the
// MIME types browsers insist on (application/wasm for WebAssembly.compileStreaming, JavaScript
// for module workers).
import { createServer } from "node:http";
import { createReadStream, existsSync, statSync } from "node:fs";
import { dirname, extname, join, normalize, sep } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

export const MIME = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".wasm": "application/wasm",
  ".map": "application/json; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".txt": "text/plain; charset=utf-8",
  ".png": "image/png",
  ".svg": "image/svg+xml",
  ".ico": "image/x-icon",
  ".gz": "application/octet-stream", // the initrd: served as is, never with Content-Encoding
};

/** Start the server; resolves with the server and its URL once it listens. */
export function serve({ dir = join(root, "dist", "web"), host = "127.0.0.1", port = 8080, log = () => {} } = {}) {
  const base = normalize(dir + sep);
  const server = createServer((req, res) => {
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { allow: "GET, HEAD" }).end();
      return;
    }
    let path;
    try {
      path = decodeURIComponent((req.url ?? "/").split(/[?#]/)[0]);
    } catch {
      res.writeHead(400).end();
      return;
    }
    if (path.endsWith("/")) path += "index.html";
    const file = normalize(join(base, path));
    if (!file.startsWith(base) || !existsSync(file) || !statSync(file).isFile()) {
      log(`404 ${path}`);
      res.writeHead(404, { "content-type": "text/plain; charset=utf-8" }).end(`not found: ${path}\n`);
      return;
    }
    res.writeHead(200, {
      "content-type": MIME[extname(file).toLowerCase()] ?? "application/octet-stream",
      "content-length": statSync(file).size,
      "cache-control": "no-cache",
      "x-content-type-options": "nosniff",
    });
    if (req.method === "HEAD") { res.end(); return; }
    createReadStream(file).pipe(res);
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      const { port: actual } = server.address();
      resolve({ server, url: `http://${host}:${actual}/` });
    });
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const dir = join(root, "dist", "web");
  if (!existsSync(join(dir, "index.html"))) {
    console.error("emu web: dist/web/ is not built; run `npm run web:build` first");
    process.exit(2);
  }
  const port = Number(process.env.PORT ?? 8080);
  try {
    const { url } = await serve({ dir, port, log: (s) => console.log(s) });
    console.log(`emu web: serving ${dir} at ${url} (Ctrl-C to stop)`);
  } catch (e) {
    console.error(`emu web: cannot listen on 127.0.0.1:${port}: ${e.code ?? e.message}${e.code === "EADDRINUSE" ? " (set PORT to another port)" : ""}`);
    process.exit(1);
  }
}
