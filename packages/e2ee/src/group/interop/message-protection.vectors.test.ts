/**
 * MLS interop vectors, message-protection.json, as test-vectors.md "Message
 * Protection" asks: for the proposal, the commit and the application data,
 * sent by leaf 1 in a GroupContext built from the vector,
 * - the vector's PublicMessage verifies (membership tag, signature) and holds
 *   the raw value; protecting the raw value as a PublicMessage gives one that
 *   verifies; application data cannot be protected as a PublicMessage;
 * - the vector's PrivateMessage unprotects with a fresh two-leaf secret tree
 *   and holds the raw value; protecting the raw value as a PrivateMessage gives
 *   one that unprotects.
 * Our own messages go through the MLSMessage wire encoding before they are
 * unprotected.
 */
import type { AuthenticatedContent } from 'ts-mls/authenticatedContent.js';
import { decodeCommit, encodeCommit, type Commit } from 'ts-mls/commit.js';
import { getCiphersuiteNameFromId, type CiphersuiteId, type CiphersuiteImpl } from 'ts-mls/crypto/ciphersuite.js';
import { defaultCapabilities } from 'ts-mls/defaultCapabilities.js';
import { createContentCommitSignature } from 'ts-mls/framedContent.js';
import type { GroupContext } from 'ts-mls/groupContext.js';
import { defaultKeyRetentionConfig } from 'ts-mls/keyRetentionConfig.js';
import { decodeMlsMessage, encodeMlsMessage } from 'ts-mls/message.js';
import { protect, protectApplicationData, protectProposal, unprotectPrivateMessage } from 'ts-mls/messageProtection.js';
import { protectProposalPublic, protectPublicMessage, unprotectPublicMessage } from 'ts-mls/messageProtectionPublic.js';
import { UsageError } from 'ts-mls/mlsError.js';
import { defaultPaddingConfig } from 'ts-mls/paddingConfig.js';
import type { PrivateMessage } from 'ts-mls/privateMessage.js';
import { decodeProposal, encodeProposal, type Proposal } from 'ts-mls/proposal.js';
import type { PublicMessage } from 'ts-mls/publicMessage.js';
import type { RatchetTree } from 'ts-mls/ratchetTree.js';
import { createSecretTree } from 'ts-mls/secretTree.js';
import { expect } from 'vitest';
import { hex, toHex } from '../../../test/mls-interop/load-vectors.js';
import { describeVectors, requireImpl } from '../../../test/mls-interop/vector-suite.js';

interface MessageProtectionVector {
  cipher_suite: number;
  group_id: string;
  epoch: number;
  tree_hash: string;
  confirmed_transcript_hash: string;
  signature_priv: string;
  signature_pub: string;
  encryption_secret: string;
  sender_data_secret: string;
  membership_key: string;
  proposal: string;
  proposal_pub: string;
  proposal_priv: string;
  commit: string;
  commit_pub: string;
  commit_priv: string;
  application: string;
  application_priv: string;
}

const SENDER = 1;

interface Ctx {
  v: MessageProtectionVector;
  impl: CiphersuiteImpl;
  gc: GroupContext;
  /** Two leaves, leaf 1 the sender with signature_pub: ts-mls checks that sender data names a non-blank leaf. */
  tree: RatchetTree;
}

function senderTree(signaturePub: Uint8Array): RatchetTree {
  return [
    undefined,
    undefined,
    {
      nodeType: 'leaf',
      leaf: {
        leafNodeSource: 'commit',
        hpkePublicKey: new Uint8Array(),
        signaturePublicKey: signaturePub,
        capabilities: defaultCapabilities(),
        parentHash: new Uint8Array(),
        extensions: [],
        signature: new Uint8Array(),
        credential: { credentialType: 'basic', identity: new Uint8Array() },
      },
    },
  ];
}

function decodePublic(bytes: Uint8Array): PublicMessage {
  const m = decodeMlsMessage(bytes, 0)?.[0];
  if (m?.wireformat !== 'mls_public_message') throw new Error('not an MLSMessage(PublicMessage)');
  return m.publicMessage;
}

function decodePrivate(bytes: Uint8Array): PrivateMessage {
  const m = decodeMlsMessage(bytes, 0)?.[0];
  if (m?.wireformat !== 'mls_private_message') throw new Error('not an MLSMessage(PrivateMessage)');
  return m.privateMessage;
}

function viaWire(pm: PublicMessage): PublicMessage {
  return decodePublic(encodeMlsMessage({ version: 'mls10', wireformat: 'mls_public_message', publicMessage: pm }));
}

function viaWirePrivate(pm: PrivateMessage): PrivateMessage {
  return decodePrivate(encodeMlsMessage({ version: 'mls10', wireformat: 'mls_private_message', privateMessage: pm }));
}

function rawProposal(v: MessageProtectionVector): Proposal {
  const p = decodeProposal(hex(v.proposal), 0);
  if (p === undefined) throw new Error('proposal does not decode');
  return p[0];
}

function rawCommit(v: MessageProtectionVector): Commit {
  const c = decodeCommit(hex(v.commit), 0);
  if (c === undefined) throw new Error('commit does not decode');
  return c[0];
}

/** Verifies a PublicMessage with membership_key and signature_pub; returns what it carries, encoded. */
async function openPublic({ v, impl, gc }: Ctx, pm: PublicMessage): Promise<string> {
  const ac = await unprotectPublicMessage(hex(v.membership_key), gc, [], pm, impl, hex(v.signature_pub));
  expect(ac.content.sender).toEqual({ senderType: 'member', leafIndex: SENDER });
  return ac.content.contentType === 'proposal' ? toHex(encodeProposal(ac.content.proposal)) : toHex(encodeCommit(ac.content.commit));
}

/** Unprotects a PrivateMessage with a fresh secret tree and signature_pub; returns what it carries. */
async function openPrivate({ v, impl, gc, tree }: Ctx, pm: PrivateMessage): Promise<AuthenticatedContent> {
  const secretTree = await createSecretTree(2, hex(v.encryption_secret), impl.kdf);
  const out = await unprotectPrivateMessage(
    hex(v.sender_data_secret),
    pm,
    secretTree,
    tree,
    gc,
    defaultKeyRetentionConfig,
    impl,
    hex(v.signature_pub),
  );
  expect(out.content.content.sender).toEqual({ senderType: 'member', leafIndex: SENDER });
  return out.content;
}

function carried(ac: AuthenticatedContent): string {
  const c = ac.content;
  if (c.contentType === 'proposal') return toHex(encodeProposal(c.proposal));
  if (c.contentType === 'commit') return toHex(encodeCommit(c.commit));
  return toHex(c.applicationData);
}

async function signedCommit(ctx: Ctx, wireformat: 'mls_public_message' | 'mls_private_message') {
  const { v, impl, gc } = ctx;
  const { framedContent, signature } = await createContentCommitSignature(
    gc,
    wireformat,
    rawCommit(v),
    { senderType: 'member', leafIndex: SENDER },
    new Uint8Array(),
    hex(v.signature_priv),
    impl.signature,
  );
  // Any MAC-sized tag: the vector gives no confirmation key, and message protection does not check it.
  const confirmationTag = impl.rng.randomBytes(impl.kdf.size);
  return { framedContent, signature, confirmationTag };
}

async function checkProposal(ctx: Ctx): Promise<void> {
  const { v, impl, gc } = ctx;
  expect(await openPublic(ctx, decodePublic(hex(v.proposal_pub))), 'proposal_pub').toBe(v.proposal);
  const pub = await protectProposalPublic(hex(v.signature_priv), hex(v.membership_key), gc, new Uint8Array(), rawProposal(v), SENDER, impl);
  expect(await openPublic(ctx, viaWire(pub.publicMessage)), 'proposal as our PublicMessage').toBe(v.proposal);

  expect(carried(await openPrivate(ctx, decodePrivate(hex(v.proposal_priv)))), 'proposal_priv').toBe(v.proposal);
  const priv = await protectProposal(
    hex(v.signature_priv),
    hex(v.sender_data_secret),
    rawProposal(v),
    new Uint8Array(),
    gc,
    await createSecretTree(2, hex(v.encryption_secret), impl.kdf),
    SENDER,
    defaultPaddingConfig,
    impl,
  );
  const ours = await openPrivate(ctx, viaWirePrivate(priv.privateMessage));
  expect(carried(ours), 'proposal as our PrivateMessage').toBe(v.proposal);
}

async function checkCommit(ctx: Ctx): Promise<void> {
  const { v, impl, gc } = ctx;
  expect(await openPublic(ctx, decodePublic(hex(v.commit_pub))), 'commit_pub').toBe(v.commit);
  const p = await signedCommit(ctx, 'mls_public_message');
  const pub = await protectPublicMessage(
    hex(v.membership_key),
    gc,
    {
      wireformat: 'mls_public_message',
      content: p.framedContent,
      auth: { contentType: 'commit', signature: p.signature, confirmationTag: p.confirmationTag },
    },
    impl,
  );
  expect(await openPublic(ctx, viaWire(pub)), 'commit as our PublicMessage').toBe(v.commit);

  expect(carried(await openPrivate(ctx, decodePrivate(hex(v.commit_priv)))), 'commit_priv').toBe(v.commit);
  const s = await signedCommit(ctx, 'mls_private_message');
  const priv = await protect(
    hex(v.sender_data_secret),
    new Uint8Array(),
    gc,
    await createSecretTree(2, hex(v.encryption_secret), impl.kdf),
    {
      ...s.framedContent,
      auth: { contentType: 'commit', signature: s.signature, confirmationTag: s.confirmationTag },
    },
    SENDER,
    defaultPaddingConfig,
    impl,
  );
  expect(carried(await openPrivate(ctx, viaWirePrivate(priv.privateMessage))), 'commit as our PrivateMessage').toBe(v.commit);
}

async function checkApplication(ctx: Ctx): Promise<void> {
  const { v, impl, gc } = ctx;
  const given = await openPrivate(ctx, decodePrivate(hex(v.application_priv)));
  expect(carried(given), 'application_priv').toBe(v.application);

  const priv = await protectApplicationData(
    hex(v.signature_priv),
    hex(v.sender_data_secret),
    hex(v.application),
    new Uint8Array(),
    gc,
    await createSecretTree(2, hex(v.encryption_secret), impl.kdf),
    SENDER,
    defaultPaddingConfig,
    impl,
  );
  const ours = await openPrivate(ctx, viaWirePrivate(priv.privateMessage));
  expect(carried(ours), 'application as our PrivateMessage').toBe(v.application);

  // Application data must not go out as a PublicMessage.
  const asPublic: AuthenticatedContent = { ...given, wireformat: 'mls_public_message' };
  expect(asPublic.content.contentType).toBe('application');
  await expect(protectPublicMessage(hex(v.membership_key), gc, asPublic, impl)).rejects.toThrow(UsageError);
}

describeVectors<MessageProtectionVector>('message-protection', async (v, maybeImpl) => {
  const impl = requireImpl(maybeImpl);
  const gc: GroupContext = {
    version: 'mls10',
    cipherSuite: getCiphersuiteNameFromId(v.cipher_suite as CiphersuiteId),
    groupId: hex(v.group_id),
    epoch: BigInt(v.epoch),
    treeHash: hex(v.tree_hash),
    confirmedTranscriptHash: hex(v.confirmed_transcript_hash),
    extensions: [],
  };
  const ctx: Ctx = { v, impl, gc, tree: senderTree(hex(v.signature_pub)) };
  await checkProposal(ctx);
  await checkCommit(ctx);
  await checkApplication(ctx);
});
