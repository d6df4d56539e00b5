/**
 * MLS interop vectors, deserialization.json: the length that a variable-length
 * vector header (RFC 9420 §2.1.2) decodes to, as test-vectors.md "Vector
 * Deserialization" asks.
 */
import { determineLength } from 'ts-mls/codec/variableLength.js';
import { expect } from 'vitest';
import { hex } from '../../../test/mls-interop/load-vectors.js';
import { describeVectors } from '../../../test/mls-interop/vector-suite.js';

interface DeserializationVector {
  vlbytes_header: string;
  length: number;
}

describeVectors<DeserializationVector>(
  'deserialization',
  (v) => {
    const header = hex(v.vlbytes_header);
    const decoded = determineLength(header);
    expect(decoded.length).toBe(v.length);
  },
  { detail: (v) => `header ${v.vlbytes_header}, length ${v.length}` },
);
