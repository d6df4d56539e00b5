/**
 * MLS interop vectors, passive-client-random.json: a passive client follows
 * 200 epochs of random Commits and proposals (one suite-1 scenario).
 * test-vectors.md "Passive Client Scenarios" says what to verify; the check
 * is test/mls-interop/passive-client.ts.
 */
import { checkPassiveClient, passiveClientDetail, type PassiveClientVector } from '../../../test/mls-interop/passive-client.js';
import { describeVectors, requireImpl } from '../../../test/mls-interop/vector-suite.js';

describeVectors<PassiveClientVector>('passive-client-random', (v, impl) => checkPassiveClient(v, requireImpl(impl)), {
  detail: passiveClientDetail,
  timeout: 120_000,
});
