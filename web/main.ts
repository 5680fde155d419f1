// The page: renders what the machine's worker posts (COM1 in an xterm.js terminal, the VGA screen
// on a canvas, the counters in the panel) and sends it keys, files and commands. No guest code
// runs on this thread.

import { Terminal } from "@xterm/xterm";
import { VgaCanvas } from "./vga-canvas.ts";
import { HV_EVENTS } from "./hv-events.ts";
import type { FromWorker, ToWorker, StatsSample, MachineState, NamedBytes } from "./protocol.ts";

const $ = <T extends HTMLElement = HTMLElement>(id: string) => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`#${id} is missing from index.html`);
  return el as T;
};

const worker = new Worker("worker.js", { type: "module" });
const send = (m: ToWorker, transfer: Transferable[] = []) => worker.postMessage(m, transfer);

// ---- COM1 terminal ------------------------------------------------------------------------------

const term = new Terminal({
  cols: 80,
  rows: 25,
  scrollback: 5000,
  cursorBlink: true,
  fontSize: 14,
  lineHeight: 1.15, // at 1.0 the DOM renderer clips underscores at the bottom of the row
  fontFamily: '"DejaVu Sans Mono", "Cascadia Mono", Consolas, Menlo, "Liberation Mono", monospace',
  theme: { background: "#111417", foreground: "#d8dee4" },
});
term.open($("terminal"));
const encoder = new TextEncoder();
term.onData((s) => { const data = encoder.encode(s); send({ type: "serial", data }, [data.buffer]); });
term.onBinary((s) => {
  const data = Uint8Array.from(s, (c) => c.charCodeAt(0) & 0xff);
  send({ type: "serial", data }, [data.buffer]);
});

/** When the guest first showed a shell prompt (ms since navigation started). */
let promptAt: number | undefined;
let serialTail = "";
const decoder = new TextDecoder("latin1");
function watchPrompt(data: Uint8Array): void {
  if (promptAt !== undefined) return;
  // A shell prompt: the output ends in "# " or "$ " (after dropping escape sequences like ESC[6n).
  serialTail = (serialTail + decoder.decode(data)).slice(-256);
  const plain = serialTail.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, "");
  if (/[#$] $/.test(plain)) {
    promptAt = performance.now();
    setInfo(`shell prompt ${(promptAt / 1000).toFixed(1)} s after the page started loading`);
  }
}

// ---- VGA screen and PS/2 keyboard -----------------------------------------------------------------

const canvas = $<HTMLCanvasElement>("screen");
const vga = new VgaCanvas(canvas);
const held = new Set<string>();
canvas.addEventListener("keydown", (e) => {
  if (!e.code) return;
  e.preventDefault();
  held.add(e.code);
  send({ type: "key", code: e.code, down: true });
});
canvas.addEventListener("keyup", (e) => {
  if (!e.code) return;
  e.preventDefault();
  held.delete(e.code);
  send({ type: "key", code: e.code, down: false });
});
canvas.addEventListener("blur", () => {
  // Keys still down when the canvas loses focus would repeat forever: release them.
  for (const code of held) send({ type: "key", code, down: false });
  held.clear();
});
canvas.addEventListener("mousedown", () => canvas.focus());

// ---- tabs -------------------------------------------------------------------------------------------

function showTab(which: "serial" | "vga"): void {
  $("tab-serial").setAttribute("aria-selected", String(which === "serial"));
  $("tab-vga").setAttribute("aria-selected", String(which === "vga"));
  $("pane-serial").hidden = which !== "serial";
  $("pane-vga").hidden = which !== "vga";
  if (which === "serial") term.focus(); else canvas.focus();
}
$("tab-serial").addEventListener("click", () => showTab("serial"));
$("tab-vga").addEventListener("click", () => showTab("vga"));

// ---- controls -------------------------------------------------------------------------------------

let machineState: MachineState = "loading";
const pauseButton = $<HTMLButtonElement>("pause");
const saveButton = $<HTMLButtonElement>("save");
const resetButton = $<HTMLButtonElement>("reset");

function setStatus(state: MachineState, detail?: string): void {
  machineState = state;
  const el = $("status");
  el.textContent = detail ? `${state}: ${detail}` : state;
  el.dataset.state = state;
  pauseButton.textContent = state === "paused" ? "Resume" : "Pause";
  pauseButton.disabled = state !== "running" && state !== "paused";
  saveButton.disabled = state !== "running" && state !== "paused";
  resetButton.disabled = state === "loading";
}
function setInfo(text: string): void {
  delete $("info").dataset.error;
  $("info").textContent = text;
}

pauseButton.addEventListener("click", () => send({ type: machineState === "paused" ? "resume" : "pause" }));
resetButton.addEventListener("click", () => {
  send({ type: "reset" });
  term.write("\r\n[emu: reset]\r\n");
});
saveButton.addEventListener("click", () => {
  saveButton.disabled = true;
  setInfo("saving the machine state…");
  send({ type: "save" });
});

async function readFile(file: File): Promise<NamedBytes> {
  return { name: file.name, bytes: await file.arrayBuffer() };
}

async function restoreFrom(file: File): Promise<void> {
  const f = await readFile(file);
  setInfo(`restoring ${file.name}…`);
  term.write(`\r\n[emu: restoring ${file.name}]\r\n`);
  send({ type: "restore", name: f.name, bytes: f.bytes }, [f.bytes]);
}
const restoreInput = $<HTMLInputElement>("restore-file");
$("restore").addEventListener("click", () => restoreInput.click());
restoreInput.addEventListener("change", () => {
  const file = restoreInput.files?.[0];
  restoreInput.value = "";
  if (file) restoreFrom(file).catch(showError);
});

// Your own kernel, initrd and disk.
const kernelInput = $<HTMLInputElement>("kernel-file");
const initrdInput = $<HTMLInputElement>("initrd-file");
const diskInput = $<HTMLInputElement>("disk-file");
const cmdlineInput = $<HTMLInputElement>("cmdline");
const memoryInput = $<HTMLSelectElement>("memory");
const biosBootInput = $<HTMLInputElement>("bios-boot");
const chosen: { kernel?: File; initrd?: File; disk?: File } = {};
function showChosen(): void {
  // A disk without a kernel boots through the BIOS unless the user says otherwise.
  biosBootInput.checked = !!chosen.disk && !chosen.kernel;
  biosBootInput.disabled = !chosen.disk;
  showKernel();
  $("chosen-initrd").textContent = chosen.initrd?.name ?? (chosen.kernel ? "none" : "built-in initramfs");
  $("chosen-disk").textContent = chosen.disk?.name ?? "none";
}
function showKernel(): void {
  $("chosen-kernel").textContent = biosBootInput.checked ? "none (the BIOS boots the disk)" : chosen.kernel?.name ?? "built-in tiny Linux";
}
biosBootInput.addEventListener("change", showKernel);
kernelInput.addEventListener("change", () => { chosen.kernel = kernelInput.files?.[0]; showChosen(); });
initrdInput.addEventListener("change", () => { chosen.initrd = initrdInput.files?.[0]; showChosen(); });
diskInput.addEventListener("change", () => { chosen.disk = diskInput.files?.[0]; showChosen(); });
$("clear-files").addEventListener("click", () => {
  delete chosen.kernel; delete chosen.initrd; delete chosen.disk;
  for (const i of [kernelInput, initrdInput, diskInput]) i.value = "";
  showChosen();
});
$("boot").addEventListener("click", () => { bootChosen().catch(showError); });

async function bootChosen(): Promise<void> {
  const transfer: Transferable[] = [];
  const named = async (f?: File) => {
    if (!f) return undefined;
    const n = await readFile(f);
    transfer.push(n.bytes);
    return n;
  };
  const biosBoot = biosBootInput.checked && !!chosen.disk;
  const kernel = biosBoot ? undefined : await named(chosen.kernel);
  const boot = {
    kernel,
    initrd: kernel ? await named(chosen.initrd) : undefined,
    disk: await named(chosen.disk),
    biosBoot,
    cmdline: cmdlineInput.value.trim() || undefined,
    memoryMiB: Number(memoryInput.value) || undefined,
  };
  term.reset();
  promptAt = undefined;
  serialTail = "";
  setInfo(`booting ${biosBoot ? `${chosen.disk!.name} through the BIOS` : kernel?.name ?? "the built-in tiny Linux"}…`);
  send({ type: "boot", boot }, transfer);
}

// Drag and drop anywhere on the page: a state file restores; a kernel, initrd or disk is picked.
async function classify(file: File): Promise<"state" | "kernel" | "initrd" | "disk"> {
  const head = new Uint8Array(await file.slice(0, 8192).arrayBuffer());
  const text = (a: number, b: number) => String.fromCharCode(...head.subarray(a, b));
  if (text(0, 8) === "EMUSNAP1") return "state";
  if (text(0x202, 0x206) === "HdrS") return "kernel";
  const words = new DataView(head.buffer, 0, head.length & ~3);
  for (let o = 0; o + 12 <= words.byteLength; o += 4) {
    // A multiboot header: magic, flags, checksum adding up to zero (in the first 8 KiB).
    const magic = words.getUint32(o, true);
    if (magic === 0x1badb002 && ((magic + words.getUint32(o + 4, true) + words.getUint32(o + 8, true)) >>> 0) === 0) return "kernel";
  }
  if (head[0] === 0x1f && head[1] === 0x8b) {
    if (/\.emustate$/i.test(file.name)) return "state";
    const { isSnapshotFile } = await import("./snapshot.ts");
    return (await isSnapshotFile(new Uint8Array(await file.slice(0, 64 << 10).arrayBuffer()))) ? "state" : "initrd";
  }
  if (text(0, 6) === "070701" || text(0, 6) === "070702") return "initrd"; // uncompressed cpio
  if (head[0] === 0x7f && text(1, 4) === "ELF") return "kernel"; // multiboot ELF kernels
  return "disk";
}
document.addEventListener("dragover", (e) => { e.preventDefault(); document.body.classList.add("dropping"); });
document.addEventListener("dragleave", (e) => { if (!e.relatedTarget) document.body.classList.remove("dropping"); });
document.addEventListener("drop", (e) => {
  e.preventDefault();
  document.body.classList.remove("dropping");
  const files = [...(e.dataTransfer?.files ?? [])];
  (async () => {
    for (const file of files) {
      const kind = await classify(file);
      if (kind === "state") { await restoreFrom(file); return; }
      chosen[kind] = file;
    }
    showChosen();
    ($("own-files") as HTMLDetailsElement).open = true;
    setInfo(`picked ${files.map((f) => f.name).join(", ")}: press Boot to start them`);
  })().catch(showError);
});

function showError(e: unknown): void {
  const message = e instanceof Error ? e.message : String(e);
  setInfo(`error: ${message}`);
  $("info").dataset.error = "1";
}

// ---- statistics panel ---------------------------------------------------------------------------

const IRQ_NAMES: Record<number, string> = { 0: "timer", 1: "keyboard", 3: "COM2", 4: "COM1", 6: "floppy", 8: "RTC", 12: "mouse", 13: "FPU", 14: "IDE 0", 15: "IDE 1" };
let previous: StatsSample | undefined;
const fmt = (n: number, digits = 0) => n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });
const rate = (n: number) => (n >= 100 ? fmt(n) : n >= 10 ? fmt(n, 1) : fmt(n, n === 0 ? 0 : 1));
function escapeHtml(s: string): string {
  return s.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!);
}

function showStats(s: StatsSample, ringSource: string): void {
  const p = previous && previous.at < s.at && previous.instructions <= s.instructions ? previous : undefined;
  previous = s;
  const dt = p ? (s.at - p.at) / 1000 : 0;
  const per = (now: number, before: number | undefined) => (dt > 0 && before !== undefined ? Math.max(0, now - before) / dt : 0);

  const mips = per(s.instructions, p?.instructions) / 1e6;
  $("mips").textContent = fmt(mips, 1);
  $("instructions").textContent = fmt(s.instructions);
  $("guest-time").textContent = `${fmt(s.guestNs / 1e9, 2)} s`;
  const speed = dt > 0 && p ? (s.guestNs - p.guestNs) / 1e6 / (s.at - p.at) : 0;
  $("guest-speed").textContent = dt > 0 ? `${fmt(speed * 100)} %` : "–";

  // Instructions per ring (this interval when anything ran, else since boot).
  const ringDelta = s.rings.map((r, i) => (p ? r - p.rings[i] : r));
  const useDelta = ringDelta.reduce((a, b) => a + b, 0) > 0;
  const ring = useDelta ? ringDelta : s.rings;
  const ringTotal = ring.reduce((a, b) => a + b, 0) || 1;
  $("rings").innerHTML = ring.map((n, i) => {
    const pct = (100 * n) / ringTotal;
    if (i === 1 || i === 2) { if (n === 0) return ""; }
    const label = i === 0 ? "ring 0 (kernel)" : i === 3 ? "ring 3 (user)" : `ring ${i}`;
    return `<div class="bar"><span class="bar-label">${label}</span><span class="bar-track"><span class="bar-fill r${i}" style="width:${pct.toFixed(1)}%"></span></span><span class="num">${fmt(pct, 1)} %</span><span class="num dim">${rate(per(s.rings[i], p?.rings[i]) / 1e6)} M/s</span></div>`;
  }).join("");
  $("ring-source").textContent = ringSource === "core" ? "counted by the core at every CPL change" : "counted by the worker per run slice";

  // Interrupts and exceptions.
  const irqTotal = s.irqs.reduce((a, b) => a + b, 0);
  const irqRate = per(irqTotal, p?.irqs.reduce((a, b) => a + b, 0));
  const irqParts = s.irqs.map((n, i) => ({ i, n, r: per(n, p?.irqs[i]) })).filter((x) => x.n > 0);
  $("irqs").innerHTML = `<b class="num">${rate(irqRate)}</b>/s <span class="dim">(${fmt(irqTotal)} total)</span><br>` +
    irqParts.map((x) => `<span class="chip">IRQ${x.i}${IRQ_NAMES[x.i] ? " " + IRQ_NAMES[x.i] : ""}: ${rate(x.r)}/s</span>`).join(" ");
  $("pagefaults").innerHTML = `<b class="num">${rate(per(s.exceptions[14], p?.exceptions[14]))}</b>/s <span class="dim">(${fmt(s.exceptions[14])} total)</span>`;
  const exTotal = s.exceptions.reduce((a, b) => a + b, 0);
  $("exceptions").innerHTML = `<b class="num">${rate(per(exTotal, p?.exceptions.reduce((a, b) => a + b, 0)))}</b>/s <span class="dim">(${fmt(exTotal)} total; INT n ${fmt(s.softInt)})</span>`;

  // Port I/O by device, busiest first.
  const rows = Object.entries(s.ports).map(([name, [r, w]]) => {
    const before = p?.ports[name];
    return { name, r: per(r, before?.[0] ?? (p ? 0 : undefined)), w: per(w, before?.[1] ?? (p ? 0 : undefined)), total: r + w };
  }).sort((a, b) => b.r + b.w - (a.r + a.w) || b.total - a.total);
  const PORT_ROWS = 8;
  $("ports").innerHTML = rows.slice(0, PORT_ROWS).map((x) =>
    `<tr><td>${escapeHtml(x.name)}</td><td class="num">${rate(x.r)}</td><td class="num">${rate(x.w)}</td><td class="num dim">${fmt(x.total)}</td></tr>`).join("");
  const rest = rows.slice(PORT_ROWS);
  $("ports-more").textContent = rest.length
    ? `and ${rest.length} more: ${rest.map((x) => `${x.name} ${fmt(x.total)}`).join(", ")}`
    : "";

  // What a VT-x/KVM hypervisor would see.
  let exitsPerSecond = 0;
  $("hv").innerHTML = HV_EVENTS.map((ev) => {
    const r = per(s.events[ev.key] ?? 0, p?.events[ev.key]);
    if (ev.exits === "always") exitsPerSecond += r;
    return `<tr class="ex-${ev.exits}"><td>${escapeHtml(ev.label)}</td><td class="num">${rate(r)}</td><td class="num dim">${fmt(s.events[ev.key] ?? 0)}</td><td class="note">${escapeHtml(ev.note)}</td></tr>`;
  }).join("");
  $("exits").textContent = rate(exitsPerSecond);
  const insnPerExit = exitsPerSecond > 0 ? (mips * 1e6) / exitsPerSecond : 0;
  $("insn-per-exit").textContent = insnPerExit > 0 ? fmt(insnPerExit) : "–";
  $("tlb").textContent = `${rate(per(s.tlbMisses, p?.tlbMisses))}/s misses, ${rate(per(s.tlbFlushes, p?.tlbFlushes))}/s flushes`;
}

// ---- messages from the worker ---------------------------------------------------------------------

let restoredCount = 0;
worker.onmessage = (e: MessageEvent<FromWorker>) => {
  const m = e.data;
  switch (m.type) {
    case "serial": term.write(m.data); watchPrompt(m.data); break;
    case "frame":
      vga.draw(m.frame);
      $("vga-mode").textContent = vga.description;
      break;
    case "stats": showStats(m.sample, m.ringSource); break;
    case "state": setStatus(m.state, m.detail); break;
    case "booted":
      $("machine").textContent = m.description;
      previous = undefined;
      if (/^booting/.test($("info").textContent ?? "")) setInfo("");
      break;
    case "saved": {
      const url = URL.createObjectURL(new Blob([m.bytes], { type: "application/octet-stream" }));
      const a = document.createElement("a");
      a.href = url;
      a.download = m.name;
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
      setInfo(`saved ${m.name} (${fmt(m.bytes.byteLength / (1 << 20), 1)} MiB)`);
      saveButton.disabled = false;
      break;
    }
    case "restored": restoredCount++; setInfo(`restored ${m.name}: the machine goes on from there`); break;
    case "error":
      console.error(`emu: ${m.message}`);
      showError(m.message);
      saveButton.disabled = machineState !== "running" && machineState !== "paused";
      break;
  }
};
worker.onerror = (e) => { console.error(`emu worker: ${e.message}`); showError(e.message); };

// Hooks for tests and the curious (read-only views of what the page shows).
Object.assign(globalThis, {
  emu: {
    terminalText(): string {
      const b = term.buffer.active;
      const lines: string[] = [];
      for (let i = 0; i < b.length; i++) lines.push(b.getLine(i)?.translateToString(true) ?? "");
      return lines.join("\n").trimEnd();
    },
    screenText: () => vga.screenText(),
    get state() { return machineState; },
    get promptAt() { return promptAt; },
    get restored() { return restoredCount; },
  },
});

showChosen();
setStatus("loading", "fetching the emulator and the tiny Linux");
send({ type: "boot", boot: {} });
showTab("serial");
