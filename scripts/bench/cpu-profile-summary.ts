/**
 * The top functions of a V8 .cpuprofile (what `node --cpu-prof` or the inspector's Profiler
 * writes): self time (samples in the function itself) and inclusive time (samples with the
 * function anywhere on the stack, counted once per sample however deep it recurses).
 *
 * Standalone: `npx tsx scripts/bench/cpu-profile-summary.ts <file.cpuprofile> [top]`.
 */
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

export interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface FunctionTime {
  name: string;
  selfPercent: number;
  inclusivePercent: number;
}

/** "name (package-or-file:line)", short enough to read in a table. */
function label(node: ProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame;
  const name = functionName || '(anonymous)';
  if (!url) return name;
  const path = url.replace(/^file:\/\//, '');
  const modules = path.lastIndexOf('node_modules/');
  const where = modules >= 0 ? path.slice(modules + 'node_modules/'.length) : path.replace(/^.*\/(src|scripts)\//, '$1/');
  return `${name} (${where}:${lineNumber + 1})`;
}

/**
 * With `leavesLeftOut`, samples taken in those functions are left out: on a busy machine a thread
 * preempted in a socket write is sampled there while it waits for a core, which says nothing about
 * what the JavaScript costs.
 */
export function summarize(profile: CpuProfile, leavesLeftOut?: RegExp): { total: number; idlePercent: number; functions: FunctionTime[] } {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let idle = 0;
  const samples = profile.samples.filter((id) => !leavesLeftOut?.test(byId.get(id)!.callFrame.functionName));
  const total = samples.length;
  for (const id of samples) {
    const node = byId.get(id)!;
    const name = label(node);
    if (node.callFrame.functionName === '(idle)') idle += 1;
    self.set(name, (self.get(name) ?? 0) + 1);
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frame = label(byId.get(at)!);
      if (seen.has(frame)) continue;
      seen.add(frame);
      inclusive.set(frame, (inclusive.get(frame) ?? 0) + 1);
    }
  }
  const functions = [...inclusive.keys()].map((name) => ({
    name,
    selfPercent: (100 * (self.get(name) ?? 0)) / total,
    inclusivePercent: (100 * inclusive.get(name)!) / total,
  }));
  return { total, idlePercent: (100 * idle) / total, functions };
}

export function printSummary(profile: CpuProfile, top: number, focus?: RegExp, leavesLeftOut?: RegExp): void {
  const { total, idlePercent, functions } = summarize(profile, leavesLeftOut);
  console.log(`${total} samples${leavesLeftOut ? ` (without those in ${leavesLeftOut.source})` : ''}, ${idlePercent.toFixed(1)}% idle`);
  const row = (f: FunctionTime) => `  ${f.selfPercent.toFixed(1).padStart(5)}%  ${f.inclusivePercent.toFixed(1).padStart(5)}%  ${f.name}`;
  console.log(`top ${top} by self time (self, inclusive):`);
  for (const f of [...functions].sort((a, b) => b.selfPercent - a.selfPercent).slice(0, top)) console.log(row(f));
  const inclusive = functions.filter((f) => !focus || focus.test(f.name)).sort((a, b) => b.inclusivePercent - a.inclusivePercent);
  console.log(`top ${top} by inclusive time${focus ? ` (matching ${focus.source})` : ''} (self, inclusive):`);
  for (const f of inclusive.slice(0, top)) console.log(row(f));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [file, top, focus, leftOut] = process.argv.slice(2);
  if (!file) throw new Error('usage: cpu-profile-summary.ts <file.cpuprofile> [top] [inclusive-filter] [leaves-left-out]');
  const pattern = (source: string | undefined) => (source ? new RegExp(source) : undefined);
  printSummary(JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile, Number(top ?? 20), pattern(focus), pattern(leftOut));
}
