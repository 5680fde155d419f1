// A by-hand check of the page in Firefox (Debian's firefox-esr), which playwright-core cannot
// drive (its Firefox needs a patched build; its WebDriver BiDi mode needs a newer Firefox): this
// speaks WebDriver BiDi itself. It serves dist/web/, boots the tiny Linux, types `uname -a`, saves
// the machine state, and fails on console errors. Needs a global WebSocket: Node 22+, or Node 20
// with --experimental-websocket.
//
//   npm run web:build && node --experimental-websocket web/check-firefox.mjs [/usr/bin/firefox-esr] [screenshot.png]
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { serve } from "./serve.mjs";

const firefox = process.argv[2] ?? "/usr/bin/firefox-esr";
const screenshot = process.argv[3];
if (typeof WebSocket !== "function") {
  console.error("check-firefox: no global WebSocket; use Node 22+ or node --experimental-websocket");
  process.exit(2);
}

const { server, url } = await serve({ port: 0 });
const profile = mkdtempSync(join(tmpdir(), "emu-firefox-"));
const port = 9300 + Math.floor(Math.random() * 500);
const ff = spawn(firefox, ["--headless", `--remote-debugging-port=${port}`, "--profile", profile, "--no-remote", "about:blank"], { stdio: ["ignore", "ignore", "pipe"] });
let stderr = "";
ff.stderr.on("data", (d) => { stderr += d; });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

let ws;
try {
  for (let i = 0; i < 150 && !/WebDriver BiDi listening/.test(stderr); i++) await sleep(200);
  ws = new WebSocket(`ws://127.0.0.1:${port}/session`);
  await new Promise((resolve, reject) => { ws.onopen = resolve; ws.onerror = () => reject(new Error(`no BiDi socket on port ${port}: ${stderr.slice(-500)}`)); });
  let nextId = 0;
  const pending = new Map();
  const errors = [];
  ws.onmessage = (e) => {
    const m = JSON.parse(e.data);
    if (m.id && pending.has(m.id)) {
      const p = pending.get(m.id);
      pending.delete(m.id);
      if (m.type === "error") p.reject(new Error(`${m.error}: ${m.message}`)); else p.resolve(m.result);
    } else if (m.method === "log.entryAdded" && m.params.level === "error") {
      errors.push(m.params.text);
    }
  };
  const send = (method, params = {}) => new Promise((resolve, reject) => {
    const id = ++nextId;
    pending.set(id, { resolve, reject });
    ws.send(JSON.stringify({ id, method, params }));
  });
  await send("session.new", { capabilities: {} });
  await send("session.subscribe", { events: ["log.entryAdded"] });
  const context = (await send("browsingContext.getTree")).contexts[0].context;
  await send("browsingContext.setViewport", { context, viewport: { width: 1366, height: 768 } });
  const evaluate = async (expression) => {
    const r = await send("script.evaluate", { expression, target: { context }, awaitPromise: true });
    if (r.type === "exception") throw new Error(r.exceptionDetails.text);
    return r.result.value;
  };
  const waitFor = async (what, expression, ms) => {
    for (const end = Date.now() + ms; Date.now() < end; await sleep(200)) if (await evaluate(expression)) return;
    throw new Error(`${what}: not within ${ms / 1000} s; the terminal shows:\n${await evaluate("globalThis.emu?.terminalText() ?? ''")}`);
  };

  await send("browsingContext.navigate", { context, url, wait: "complete" });
  await waitFor("shell prompt", "globalThis.emu?.promptAt !== undefined", 180_000);
  const promptMs = await evaluate("globalThis.emu.promptAt");
  await evaluate("document.querySelector('.xterm-helper-textarea').focus(), true");
  const keys = [..."uname -a", "\uE007"].flatMap((value) => [{ type: "keyDown", value }, { type: "keyUp", value }]);
  await send("input.performActions", { context, actions: [{ type: "key", id: "keyboard", actions: keys }] });
  await waitFor("uname -a output", "/\\nLinux emu 6/.test(globalThis.emu.terminalText())", 30_000);
  await evaluate("document.getElementById('save').click(), true");
  await waitFor("state saved", "/^saved /.test(document.getElementById('info').textContent)", 60_000);
  const mips = await evaluate("document.getElementById('mips').textContent");
  if (screenshot) writeFileSync(screenshot, Buffer.from((await send("browsingContext.captureScreenshot", { context })).data, "base64"));
  if (errors.length) throw new Error(`console errors:\n${errors.join("\n")}`);
  console.log(`check-firefox: ok - shell prompt ${(promptMs / 1000).toFixed(2)} s after page load, uname answered, state saved, no console errors (guest MIPS now ${mips})`);
} catch (e) {
  console.error(`check-firefox: ${e.message}`);
  process.exitCode = 1;
} finally {
  ws?.close();
  ff.kill();
  server.close();
  setTimeout(() => rmSync(profile, { recursive: true, force: true }), 500);
}
