/**
 * CPU time and resident memory of a process tree (the server and its
 * mediasoup workers), read from /proc so the benchmark measures what the
 * kernel accounts, not what the process says of itself.
 */
import { readFileSync, readdirSync } from 'node:fs';

const CLK_TCK = 100; // USER_HZ on Linux x86_64
const PAGE_KB = 4;

interface ProcStat {
  pid: number;
  ppid: number;
  cpuSeconds: number;
  rssKb: number;
}

function readStat(pid: number): ProcStat | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    // fields[0] is state (field 3); utime/stime are fields 14/15, rss is 24.
    const ppid = Number(fields[1]);
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    const rssPages = Number(fields[21]);
    return { pid, ppid, cpuSeconds: (utime + stime) / CLK_TCK, rssKb: rssPages * PAGE_KB };
  } catch {
    return null;
  }
}

/** The process and all its descendants. */
export function treeUsage(rootPid: number): { cpuSeconds: number; rssMb: number; processes: number } {
  const all = readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map((d) => readStat(Number(d)))
    .filter((s): s is ProcStat => s !== null);
  const children = new Map<number, ProcStat[]>();
  for (const s of all) children.set(s.ppid, [...(children.get(s.ppid) ?? []), s]);
  const root = all.find((s) => s.pid === rootPid);
  if (!root) throw new Error(`process ${rootPid} is gone`);
  let cpuSeconds = 0;
  let rssKb = 0;
  let processes = 0;
  const stack = [root];
  while (stack.length) {
    const s = stack.pop()!;
    cpuSeconds += s.cpuSeconds;
    rssKb += s.rssKb;
    processes += 1;
    stack.push(...(children.get(s.pid) ?? []));
  }
  return { cpuSeconds, rssMb: rssKb / 1024, processes };
}
