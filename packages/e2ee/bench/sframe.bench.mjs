/**
 * SFrame per-frame cost in Node (`pnpm bench` builds first). The
 * measurements live in sframe-measure.mjs, shared with the browser run.
 */
import { runSframeBench } from './sframe-measure.mjs';

console.log(`SFrame benchmark — Node ${process.version}, ${process.platform}/${process.arch}`);
const only = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length);
await runSframeBench((line) => console.log(line), { only });
