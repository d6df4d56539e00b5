/**
 * MLS interop vectors, passive-client-welcome.json: a passive client joins
 * from a Welcome, with the ratchet tree in the Welcome or given apart and
 * with or without an external PSK (no epochs follow the join).
 * test-vectors.md "Passive Client Scenarios" says what to verify; the check
 * is test/mls-interop/passive-client.ts.
 */
import { checkPassiveClient, passiveClientDetail, type PassiveClientVector } from '../../../test/mls-interop/passive-client.js';
import { describeVectors, requireImpl } from '../../../test/mls-interop/vector-suite.js';

describeVectors<PassiveClientVector>('passive-client-welcome', (v, impl) => checkPassiveClient(v, requireImpl(impl)), {
  detail: passiveClientDetail,
  timeout: 120_000,
});
