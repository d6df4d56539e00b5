/** Runs the shared SFrame measurements inside a browser Worker and posts each line. */
import { runSframeBench } from './sframe-measure.mjs';

const only = new URL(self.location.href).searchParams.get('only') ?? undefined;
await runSframeBench((line) => self.postMessage({ line }), { only });
self.postMessage({ done: true });
