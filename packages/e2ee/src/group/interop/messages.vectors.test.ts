/**
 * MLS interop vectors, messages.json: every field decodes with its structure
 * (using all its bytes) and re-encodes to the same bytes, as test-vectors.md
 * "Messages" asks. The four MLSMessage(PublicMessage)s must also carry the
 * content type their field names.
 */
import { decodeCommit, encodeCommit } from 'ts-mls/commit.js';
import type { Decoder } from 'ts-mls/codec/tlsDecoder.js';
import type { Encoder } from 'ts-mls/codec/tlsEncoder.js';
import { decodeGroupSecrets, encodeGroupSecrets } from 'ts-mls/groupSecrets.js';
import { decodeMlsMessage, encodeMlsMessage, type MLSMessage } from 'ts-mls/message.js';
import {
  decodeAdd,
  decodeExternalInit,
  decodeGroupContextExtensions,
  decodePSK,
  decodeReinit,
  decodeRemove,
  decodeUpdate,
  encodeAdd,
  encodeExternalInit,
  encodeGroupContextExtensions,
  encodePSK,
  encodeReinit,
  encodeRemove,
  encodeUpdate,
} from 'ts-mls/proposal.js';
import { decodeRatchetTree, encodeRatchetTree } from 'ts-mls/ratchetTree.js';
import { expect } from 'vitest';
import { hex, toHex } from '../../../test/mls-interop/load-vectors.js';
import { describeVectors } from '../../../test/mls-interop/vector-suite.js';

interface MessagesVector {
  mls_welcome: string;
  mls_group_info: string;
  mls_key_package: string;
  ratchet_tree: string;
  group_secrets: string;
  add_proposal: string;
  update_proposal: string;
  remove_proposal: string;
  pre_shared_key_proposal: string;
  re_init_proposal: string;
  external_init_proposal: string;
  group_context_extensions_proposal: string;
  commit: string;
  public_message_application: string;
  public_message_proposal: string;
  public_message_commit: string;
  private_message: string;
}

type Field = keyof MessagesVector;

function roundTrip<T>(v: MessagesVector, field: Field, decode: Decoder<T>, encode: Encoder<T>): T {
  const bytes = hex(v[field]);
  const decoded = decode(bytes, 0);
  if (decoded === undefined) throw new Error(`${field} does not decode`);
  expect(decoded[1], `${field}: bytes decoded`).toBe(bytes.length);
  expect(toHex(encode(decoded[0])), `${field} re-encoded`).toBe(v[field]);
  return decoded[0];
}

function mlsMessage(v: MessagesVector, field: Field, wireformat: MLSMessage['wireformat']): MLSMessage {
  const m = roundTrip(v, field, decodeMlsMessage, encodeMlsMessage);
  expect(m.wireformat, `${field} wire format`).toBe(wireformat);
  return m;
}

function publicContentType(m: MLSMessage): string {
  if (m.wireformat !== 'mls_public_message') throw new Error('not a PublicMessage');
  return m.publicMessage.content.contentType;
}

describeVectors<MessagesVector>('messages', (v) => {
  mlsMessage(v, 'mls_welcome', 'mls_welcome');
  mlsMessage(v, 'mls_group_info', 'mls_group_info');
  mlsMessage(v, 'mls_key_package', 'mls_key_package');
  roundTrip(v, 'ratchet_tree', decodeRatchetTree, encodeRatchetTree);
  roundTrip(v, 'group_secrets', decodeGroupSecrets, encodeGroupSecrets);
  roundTrip(v, 'add_proposal', decodeAdd, encodeAdd);
  roundTrip(v, 'update_proposal', decodeUpdate, encodeUpdate);
  roundTrip(v, 'remove_proposal', decodeRemove, encodeRemove);
  roundTrip(v, 'pre_shared_key_proposal', decodePSK, encodePSK);
  roundTrip(v, 're_init_proposal', decodeReinit, encodeReinit);
  roundTrip(v, 'external_init_proposal', decodeExternalInit, encodeExternalInit);
  roundTrip(v, 'group_context_extensions_proposal', decodeGroupContextExtensions, encodeGroupContextExtensions);
  roundTrip(v, 'commit', decodeCommit, encodeCommit);
  const app = mlsMessage(v, 'public_message_application', 'mls_public_message');
  expect(publicContentType(app)).toBe('application');
  const proposal = mlsMessage(v, 'public_message_proposal', 'mls_public_message');
  expect(publicContentType(proposal)).toBe('proposal');
  const commit = mlsMessage(v, 'public_message_commit', 'mls_public_message');
  expect(publicContentType(commit)).toBe('commit');
  mlsMessage(v, 'private_message', 'mls_private_message');
});
