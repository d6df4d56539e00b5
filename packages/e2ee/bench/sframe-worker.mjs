/** Runs the shared SFrame measurements inside a browser Worker and posts each line. */
import { runSframeBench } from './sframe-measure.mjs';

await runSframeBench((line) => self.postMessage({ line }));
self.postMessage({ done: true });
