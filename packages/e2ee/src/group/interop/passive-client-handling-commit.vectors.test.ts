/**
 * MLS interop vectors, passive-client-handling-commit.json: a passive client
 * follows two epochs of Commits, some taking proposals sent before them.
 * test-vectors.md "Passive Client Scenarios" says what to verify; the check
 * is test/mls-interop/passive-client.ts.
 */
import { checkPassiveClient, passiveClientDetail, type PassiveClientVector } from '../../../test/mls-interop/passive-client.js';
import { describeVectors, requireImpl } from '../../../test/mls-interop/vector-suite.js';

describeVectors<PassiveClientVector>('passive-client-handling-commit', (v, impl) => checkPassiveClient(v, requireImpl(impl)), {
  detail: passiveClientDetail,
  timeout: 120_000,
});
