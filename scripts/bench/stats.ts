import fs from 'node:fs';

/** Nearest-rank percentile of samples in milliseconds (p in 0..100). */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

export function mean(samples: readonly number[]): number {
  return samples.length ? samples.reduce((sum, x) => sum + x, 0) / samples.length : Number.NaN;
}

export interface Latency {
  n: number;
  p50: number;
  p95: number;
  max: number;
  mean: number;
}

export function latency(samples: readonly number[]): Latency {
  return { n: samples.length, p50: percentile(samples, 50), p95: percentile(samples, 95), max: Math.max(...samples), mean: mean(samples) };
}

/** Milliseconds since `start` (a process.hrtime.bigint() reading). */
export function msSince(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e6;
}

export async function timed<T>(work: () => Promise<T>): Promise<{ result: T; ms: number }> {
  const start = process.hrtime.bigint();
  const result = await work();
  return { result, ms: msSince(start) };
}

/** A measured value against its target: PASS, or MISS with by how much. */
export interface Verdict {
  name: string;
  measured: string;
  target: string;
  pass: boolean;
  /** For a miss: how far off, in words ("12.3 ms over (+25%)"). */
  shortfall: string;
}

export function atMost(name: string, value: number, limit: number, unit: string, digits = 1): Verdict {
  const pass = value <= limit;
  const over = value - limit;
  return {
    name,
    measured: `${value.toFixed(digits)}${unit}`,
    target: `≤ ${limit}${unit}`,
    pass,
    shortfall: pass ? '' : `${over.toFixed(digits)}${unit} over (+${((over / limit) * 100).toFixed(0)}%)`,
  };
}

export function atLeast(name: string, value: number, limit: number, unit: string, digits = 0): Verdict {
  const pass = value >= limit;
  const under = limit - value;
  return {
    name,
    measured: `${value.toFixed(digits)}${unit}`,
    target: `≥ ${limit}${unit}`,
    pass,
    shortfall: pass ? '' : `${under.toFixed(digits)}${unit} short (-${((under / limit) * 100).toFixed(0)}%)`,
  };
}

export function exactly(name: string, ok: boolean, measured: string, target: string, shortfall: string): Verdict {
  return { name, measured, target, pass: ok, shortfall: ok ? '' : shortfall };
}

export function ms(value: number): string {
  return Number.isFinite(value) ? value.toFixed(1) : '—';
}

export function seconds(msValue: number): string {
  return `${(msValue / 1000).toFixed(1)} s`;
}

export function thousands(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** Jiffies of the whole machine (all cores) from /proc/stat: busy and total. */
function machineTicks(): { busy: number; total: number } {
  const fields = (/^cpu\s+(.+)$/m.exec(fs.readFileSync('/proc/stat', 'utf8'))?.[1] ?? '').trim().split(/\s+/).map(Number);
  const total = fields.slice(0, 8).reduce((sum, x) => sum + x, 0);
  const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
  return { busy: total - idle, total };
}

/** CPU time (user + system) of one process, in clock ticks (USER_HZ, 100 on Linux). */
function processTicks(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

export interface CpuUse {
  /** Share of all the machine's cores that was busy (anyone's work), 0..100. */
  machineBusyPercent: number;
  /**
   * Share of all the machine's cores used by processes that are not this run's (the bench, its
   * PostgreSQL, the app, and their children): other people's work on a shared machine. A lower
   * bound: a process that ended during the phase is not counted.
   */
  othersPercent: number;
  /** The watched processes' CPU time, in percent of one core. */
  processPercent: Record<string, number>;
}

const ourRoots = new Set<number>([process.pid]);

/** Counts this process and its descendants as the run's own work (the PostgreSQL server, the app). */
export function countAsOurs(pid: number | null | undefined): void {
  if (pid) ourRoots.add(pid);
}

/** Every process's parent and CPU ticks, from /proc. */
function allProcesses(): Map<number, { ppid: number; ticks: number }> {
  const out = new Map<number, { ppid: number; ticks: number }>();
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(Number(name), { ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) });
    } catch {
      // ended while we looked
    }
  }
  return out;
}

function othersTicks(processes: Map<number, { ppid: number; ticks: number }>): Map<number, number> {
  const ours = (pid: number): boolean => {
    for (let p = pid, hops = 0; p > 1 && hops < 64; hops += 1) {
      if (ourRoots.has(p)) return true;
      p = processes.get(p)?.ppid ?? 0;
    }
    return false;
  };
  const out = new Map<number, number>();
  for (const [pid, { ticks }] of processes) if (!ours(pid)) out.set(pid, ticks);
  return out;
}

/** Starts watching; the returned function says how busy the machine and the given processes were since. */
export function watchCpu(processes: Record<string, number>): () => CpuUse {
  const machineStart = machineTicks();
  const othersStart = othersTicks(allProcesses());
  const started = process.hrtime.bigint();
  const startTicks = Object.fromEntries(Object.entries(processes).map(([name, pid]) => [name, processTicks(pid)]));
  return () => {
    const machineEnd = machineTicks();
    const othersEnd = othersTicks(allProcesses());
    const secondsElapsed = msSince(started) / 1000;
    let others = 0;
    for (const [pid, ticks] of othersEnd) others += Math.max(0, ticks - (othersStart.get(pid) ?? 0));
    const machineTotal = Math.max(1, machineEnd.total - machineStart.total);
    return {
      machineBusyPercent: (100 * (machineEnd.busy - machineStart.busy)) / machineTotal,
      othersPercent: (100 * others) / machineTotal,
      processPercent: Object.fromEntries(
        Object.entries(processes).map(([name, pid]) => [name, ((processTicks(pid) - startTicks[name]!) / 100 / secondsElapsed) * 100]),
      ),
    };
  };
}
