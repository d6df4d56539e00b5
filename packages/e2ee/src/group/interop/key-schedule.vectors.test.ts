/**
 * MLS interop vectors, key-schedule.json: the GroupContext of each epoch and
 * every secret the key schedule derives from it, the external_pub, and an
 * MLS-Exporter output, as test-vectors.md "Key Schedule" asks. Each epoch
 * starts from the init_secret ts-mls derived for the previous one.
 */
import { getCiphersuiteNameFromId, type CiphersuiteId } from 'ts-mls/crypto/ciphersuite.js';
import { encodeGroupContext, type GroupContext } from 'ts-mls/groupContext.js';
import { initializeEpoch, mlsExporter } from 'ts-mls/keySchedule.js';
import { expect } from 'vitest';
import { hex, toHex } from '../../../test/mls-interop/load-vectors.js';
import { describeVectors, requireImpl } from '../../../test/mls-interop/vector-suite.js';

interface KeyScheduleEpoch {
  tree_hash: string;
  commit_secret: string;
  psk_secret: string;
  confirmed_transcript_hash: string;
  group_context: string;
  joiner_secret: string;
  welcome_secret: string;
  init_secret: string;
  sender_data_secret: string;
  encryption_secret: string;
  exporter_secret: string;
  epoch_authenticator: string;
  external_secret: string;
  confirmation_key: string;
  membership_key: string;
  resumption_psk: string;
  external_pub: string;
  exporter: { label: string; context: string; length: number; secret: string };
}

interface KeyScheduleVector {
  cipher_suite: number;
  group_id: string;
  initial_init_secret: string;
  epochs: KeyScheduleEpoch[];
}

describeVectors<KeyScheduleVector>(
  'key-schedule',
  async (v, maybeImpl) => {
    const impl = requireImpl(maybeImpl);
    let initSecret = hex(v.initial_init_secret);
    for (const [i, e] of v.epochs.entries()) {
      const at = `epoch ${i}`;
      const gc: GroupContext = {
        version: 'mls10',
        cipherSuite: getCiphersuiteNameFromId(v.cipher_suite as CiphersuiteId),
        groupId: hex(v.group_id),
        epoch: BigInt(i),
        treeHash: hex(e.tree_hash),
        confirmedTranscriptHash: hex(e.confirmed_transcript_hash),
        extensions: [],
      };
      expect(toHex(encodeGroupContext(gc)), `${at} group_context`).toBe(e.group_context);

      const out = await initializeEpoch(initSecret, hex(e.commit_secret), gc, hex(e.psk_secret), impl.kdf);
      const ks = out.keySchedule;
      expect(toHex(out.joinerSecret), `${at} joiner_secret`).toBe(e.joiner_secret);
      expect(toHex(out.welcomeSecret), `${at} welcome_secret`).toBe(e.welcome_secret);
      expect(toHex(ks.initSecret), `${at} init_secret`).toBe(e.init_secret);
      expect(toHex(ks.senderDataSecret), `${at} sender_data_secret`).toBe(e.sender_data_secret);
      expect(toHex(out.encryptionSecret), `${at} encryption_secret`).toBe(e.encryption_secret);
      expect(toHex(ks.exporterSecret), `${at} exporter_secret`).toBe(e.exporter_secret);
      expect(toHex(ks.epochAuthenticator), `${at} epoch_authenticator`).toBe(e.epoch_authenticator);
      expect(toHex(ks.externalSecret), `${at} external_secret`).toBe(e.external_secret);
      expect(toHex(ks.confirmationKey), `${at} confirmation_key`).toBe(e.confirmation_key);
      expect(toHex(ks.membershipKey), `${at} membership_key`).toBe(e.membership_key);
      expect(toHex(ks.resumptionPsk), `${at} resumption_psk`).toBe(e.resumption_psk);

      // external_pub is the public half of KEM.DeriveKeyPair(external_secret).
      const { publicKey } = await impl.hpke.deriveKeyPair(ks.externalSecret);
      expect(toHex(await impl.hpke.exportPublicKey(publicKey)), `${at} external_pub`).toBe(e.external_pub);

      const x = e.exporter;
      const exported = await mlsExporter(ks.exporterSecret, x.label, hex(x.context), x.length, impl);
      expect(toHex(exported), `${at} exporter.secret`).toBe(x.secret);

      initSecret = ks.initSecret;
    }
  },
  { detail: (v) => `${v.epochs.length} epochs` },
);
