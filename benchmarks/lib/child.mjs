// One emulator run as a child process, watched from outside: the moment each interesting byte
// arrives on its stdout we take the wall clock and the child's CPU time, and before we end it its
// peak RSS (VmHWM, /proc/PID/status).
//
// CPU time is read two ways: utime + stime from /proc/PID/stat (all threads, exited ones too, but
// in 10 ms ticks) and the sum of the run times of its threads from /proc/PID/task/*/schedstat (in
// nanoseconds; a thread that exits takes its time with it, which none of the peers' threads do
// while a loop runs). MIPS uses the second where the kernel has it: a 0.3 s interval is then exact
// to well under 1%, where ticks would give ±3%.
import { spawn } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";

/** Clock ticks per second of /proc/PID/stat (USER_HZ; 100 on every Linux port we run on). */
const CLK_TCK = 100;

/** CPU seconds of a live process from its threads' schedstat, or NaN where there is none. */
export function threadCpuSeconds(pid) {
  let ns = 0;
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, "latin1").split(" ")[0]);
  } catch {
    return NaN;
  }
  return ns / 1e9;
}

/** CPU seconds (user + system, all threads, exited ones included) of a live process, in ticks. */
export function cpuSeconds(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, "latin1");
  // The command name (field 2) may hold spaces: count fields after its closing parenthesis.
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(f[11]) + Number(f[12])) / CLK_TCK; // fields 14 and 15
}

/** Peak resident set size (VmHWM) of a live process, in bytes. */
export function peakRss(pid) {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "latin1"));
  return m ? Number(m[1]) * 1024 : NaN;
}

/**
 * Run `cmd args` and feed its stdout to `onBytes(bytes, sample)`, where `sample()` gives
 * { wall: seconds since spawn, cpu: child CPU seconds (schedstat, else ticks), ticks: CPU seconds
 * from utime + stime } taken now. `onBytes` returns true when
 * the run has what it needs: the child's peak RSS is read and it is killed. Resolves to
 * { rss, wall, output } or rejects on timeout or an early exit.
 */
export function watchChild(cmd, args, { onBytes, timeoutS, env, label }) {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(cmd, args, { stdio: ["pipe", "pipe", "pipe"], env: env ?? process.env });
    const pid = child.pid;
    const wall = () => Number(process.hrtime.bigint() - t0) / 1e9;
    const sample = () => {
      const w = wall();
      let ticks = NaN;
      try { ticks = cpuSeconds(pid); } catch { /* already gone */ }
      const exact = threadCpuSeconds(pid);
      return { wall: w, cpu: Number.isNaN(exact) ? ticks : exact, ticks };
    };
    let output = "", stderr = "", finished = false;
    const finish = (err, value) => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      if (err) reject(err); else resolve(value);
    };
    const timer = setTimeout(() => finish(new Error(`${label}: no result after ${timeoutS} s (last output: ${JSON.stringify(output.slice(-200))})`)), timeoutS * 1000);
    child.stdout.on("data", (chunk) => {
      if (finished) return;
      output += chunk.toString("latin1");
      let done;
      try { done = onBytes(chunk, sample); } catch (e) { finish(new Error(`${label}: ${e.message}`)); return; }
      if (done) {
        let rss = NaN;
        try { rss = peakRss(pid); } catch { /* already gone */ }
        finish(undefined, { rss, wall: wall(), output });
      }
    });
    child.stderr.on("data", (chunk) => { stderr += chunk.toString("latin1"); });
    child.on("error", (e) => finish(new Error(`${label}: cannot start ${cmd}: ${e.message}`)));
    child.on("close", (code, signal) => {
      // After the last stdout data: an exit before onBytes said done is a failed run.
      finish(new Error(`${label}: exited (${signal ?? code}) before the end; output: ${JSON.stringify(output.slice(-300))} stderr: ${JSON.stringify(stderr.slice(-500))}`));
    });
  });
}
