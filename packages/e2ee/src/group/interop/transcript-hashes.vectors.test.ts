/**
 * MLS interop vectors, transcript-hashes.json: the confirmation tag of a
 * Commit and the confirmed and interim transcript hashes after it, as
 * test-vectors.md "Transcript Hashes" asks.
 */
import { decodeAuthenticatedContent } from 'ts-mls/authenticatedContent.js';
import { createConfirmedHash, createInterimHash } from 'ts-mls/transcriptHash.js';
import { expect } from 'vitest';
import { hex, toHex } from '../../../test/mls-interop/load-vectors.js';
import { describeVectors, requireImpl } from '../../../test/mls-interop/vector-suite.js';

interface TranscriptHashesVector {
  cipher_suite: number;
  confirmation_key: string;
  authenticated_content: string;
  interim_transcript_hash_before: string;
  confirmed_transcript_hash_after: string;
  interim_transcript_hash_after: string;
}

describeVectors<TranscriptHashesVector>('transcript-hashes', async (v, maybeImpl) => {
  const impl = requireImpl(maybeImpl);
  const decoded = decodeAuthenticatedContent(hex(v.authenticated_content), 0);
  if (decoded === undefined) throw new Error('authenticated_content does not decode');
  const [ac] = decoded;
  // authenticated_content contains a Commit ...
  const content = ac.content;
  if (content.contentType !== 'commit') throw new Error(`authenticated_content holds ${content.contentType}`);
  if (ac.auth.contentType !== 'commit') throw new Error('authenticated_content has no confirmation tag');
  const confirmedAfter = hex(v.confirmed_transcript_hash_after);
  // ... whose confirmation_tag is a MAC of confirmed_transcript_hash_after under confirmation_key.
  const tag = ac.auth.confirmationTag;
  expect(await impl.hash.verifyMac(hex(v.confirmation_key), tag, confirmedAfter)).toBe(true);

  const input = { wireformat: ac.wireformat, content, signature: ac.auth.signature };
  const confirmed = await createConfirmedHash(hex(v.interim_transcript_hash_before), input, impl.hash);
  expect(toHex(confirmed), 'confirmed_transcript_hash_after').toBe(v.confirmed_transcript_hash_after);
  const interim = await createInterimHash(confirmedAfter, tag, impl.hash);
  expect(toHex(interim), 'interim_transcript_hash_after').toBe(v.interim_transcript_hash_after);
});
