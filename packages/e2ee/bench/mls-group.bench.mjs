/**
 * MLS group costs, through the module the app uses (dist/group/meeting-group.js):
 * for groups of 3, 10, 50 and 100 members, the time and size of a commit
 * that adds one member with its Welcome, of processing that commit, of
 * joining from the Welcome, and of a Remove commit (with its UpdatePath) and
 * its processing.
 * Medians of REPEAT runs each. Run after `tsc -b`: node bench/mls-group.bench.mjs
 */
import { MeetingGroup } from '../dist/group/meeting-group.js';

const SIZES = (process.env.MLS_BENCH_SIZES ?? '3,10,50,100').split(',').map(Number);
const REPEAT = Number(process.env.MLS_BENCH_REPEAT ?? 5);
const ROOM = 'bench-room';

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)];
};
const ms = (x) => `${x.toFixed(0)} ms`;
const kb = (x) => (x >= 1024 ? `${(x / 1024).toFixed(1)} KB` : `${x} B`);

async function time(fn) {
  const t = performance.now();
  const r = await fn();
  return [performance.now() - t, r];
}

async function offer(i) {
  return MeetingGroup.offer({ peerId: `p${i}`, displayName: `Member ${i}` });
}

/** A group of n: the founder, plus n-1 members added in batches (only the founder and one observer keep state). */
async function buildGroup(n) {
  const founder = await MeetingGroup.found(ROOM, await offer(0));
  let observer = null;
  const observerOffer = await offer(1);
  let next = 1;
  while (next < n) {
    const batch = [];
    const offers = [];
    for (let k = 0; k < 10 && next < n; k++, next++) {
      const o = next === 1 ? observerOffer : await offer(next);
      offers.push(o);
      batch.push(await MeetingGroup.checkKeyPackage(o.keyPackage));
    }
    const pending = await founder.commit({ add: batch });
    if (observer) await observer.processCommit(pending.commit);
    founder.adopt(pending);
    if (!observer) observer = await MeetingGroup.join(ROOM, observerOffer, pending.welcome);
  }
  return { founder, observer };
}

console.log(`MLS group (ts-mls 1.6.4, ${process.version}), median of ${REPEAT}:`);
console.log(
  'members | commit Add+Welcome | commit size | Welcome size | process commit | join from Welcome | commit Remove | Remove size | process Remove',
);
for (const n of SIZES) {
  const rows = { add: [], process: [], join: [], remove: [], processRemove: [], commitBytes: [], welcomeBytes: [], removeBytes: [] };
  for (let r = 0; r < REPEAT; r++) {
    const { founder, observer } = await buildGroup(n - 1);
    const newcomer = await offer(1000 + r);
    const checked = await MeetingGroup.checkKeyPackage(newcomer.keyPackage);
    const [tAdd, pending] = await time(() => founder.commit({ add: [checked] }));
    rows.add.push(tAdd);
    rows.commitBytes.push(pending.commit.length);
    rows.welcomeBytes.push(pending.welcome.length);
    const [tProcess] = await time(() => observer.processCommit(pending.commit));
    rows.process.push(tProcess);
    founder.adopt(pending);
    const [tJoin, joined] = await time(() => MeetingGroup.join(ROOM, newcomer, pending.welcome));
    rows.join.push(tJoin);
    const leaf = joined.ownLeaf;
    const [tRemove, removal] = await time(() => founder.commit({ remove: [leaf] }));
    rows.remove.push(tRemove);
    rows.removeBytes.push(removal.commit.length);
    const [tProcessRemove] = await time(() => observer.processCommit(removal.commit));
    rows.processRemove.push(tProcessRemove);
    founder.adopt(removal);
    for (const g of [founder, observer, joined]) g.dispose();
  }
  console.log(
    `${String(n).padStart(7)} | ${ms(median(rows.add)).padStart(18)} | ${kb(median(rows.commitBytes)).padStart(11)} | ${kb(median(rows.welcomeBytes)).padStart(12)} | ${ms(median(rows.process)).padStart(14)} | ${ms(median(rows.join)).padStart(17)} | ${ms(median(rows.remove)).padStart(13)} | ${kb(median(rows.removeBytes)).padStart(11)} | ${ms(median(rows.processRemove)).padStart(14)}`,
  );
}
const kp = await offer(1);
console.log(`KeyPackage: ${kp.keyPackage.length} B`);
