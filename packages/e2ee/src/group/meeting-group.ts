/**
 * One member's view of a meeting's MLS group (RFC 9420), through ts-mls.
 * This file and mls-suite.ts are the only ones that import ts-mls, so a
 * later swap (ts-mls 2.x, OpenMLS in WASM) touches this module only.
 *
 * The group state is immutable between calls: a commit we make is a
 * PendingCommit until the Delivery Service accepts it (`adopt`); a commit
 * it refused is dropped, and the winning one is processed instead. Secrets a
 * step used up are zeroed once its new state is the one we keep.
 *
 * Everything that arrives from outside (KeyPackages, commits, Welcomes,
 * application messages) is checked here and refused with a GroupError,
 * never half-applied.
 */
import {
  createApplicationMessage,
  createCommit,
  createGroup,
  decodeMlsMessage,
  defaultCapabilities,
  defaultKeyPackageEqualityConfig,
  defaultKeyRetentionConfig,
  defaultLifetime,
  defaultLifetimeConfig,
  defaultPaddingConfig,
  emptyPskIndex,
  encodeMlsMessage,
  generateKeyPackage,
  joinGroup,
  mlsExporter,
  processPrivateMessage,
  zeroOutUint8Array,
  type ClientConfig,
  type ClientState,
  type CiphersuiteImpl,
  type KeyPackage,
  type PrivateKeyPackage,
  type Proposal,
} from 'ts-mls';
import { makeKeyPackageRef, verifyKeyPackage } from 'ts-mls/keyPackage.js';
import { unprotectPrivateMessage } from 'ts-mls/messageProtection.js';
import { addToMap } from 'ts-mls/util/addToMap.js';
import { decodeCredential, encodeCredential, type MemberCredential } from './member-credential.js';
import { mlsSuite } from './mls-suite.js';
import { baseKeyForLeaf, SFRAME_BASE_KEY_BYTES, SFRAME_EXPORTER_LABEL } from './sframe-epoch-keys.js';
import { verificationCode, type SafetyCode } from './verification-code.js';

export type GroupErrorReason =
  | 'malformed' // not the kind of MLS message expected, or does not decode
  | 'bad-key-package' // signature, credential or suite of a KeyPackage is wrong
  | 'stale' // a commit or message for an epoch that is over
  | 'future' // for an epoch we have not reached (we missed a commit, or it is forged)
  | 'rejected' // MLS refused it: bad signature, bad confirmation tag, replayed generation, not for this group…
  | 'removed' // we are no longer in the group
  | 'wrong-group'; // a Welcome into a group of another room

export class GroupError extends Error {
  constructor(
    readonly reason: GroupErrorReason,
    message: string,
  ) {
    super(message);
    this.name = 'GroupError';
  }
}

export interface GroupMember extends MemberCredential {
  leaf: number;
  /** The member's leaf signature key (Ed25519). */
  signatureKey: Uint8Array;
}

/** A KeyPackage of ours, made for one join, and its private half. */
export interface JoinOffer {
  credential: MemberCredential;
  /** The MLSMessage bytes to send (what the admission proof covers). */
  keyPackage: Uint8Array;
  readonly publicPackage: KeyPackage;
  readonly privatePackage: PrivateKeyPackage;
}

/** A newcomer's KeyPackage, decoded and checked (signature, credential). */
export interface CheckedKeyPackage {
  credential: MemberCredential;
  bytes: Uint8Array;
  /** RFC 9420 KeyPackageRef: names this KeyPackage once and for all. */
  ref: string;
  readonly keyPackage: KeyPackage;
}

export interface CommitPlan {
  add?: CheckedKeyPackage[];
  /** Leaf indexes to remove. */
  remove?: number[];
}

/** A commit we made, not yet accepted by the Delivery Service. */
export interface PendingCommit {
  /** The epoch it was made on. */
  epoch: bigint;
  commit: Uint8Array;
  welcome: Uint8Array | undefined;
  /** The epoch authenticator of the epoch this commit starts (what a newcomer's Welcome lands in). */
  readonly epochAuthenticator: Uint8Array;
  readonly newState: ClientState;
  readonly consumed: Uint8Array[];
}

export interface OpenedMessage {
  sender: GroupMember;
  data: Uint8Array;
  epoch: bigint;
}

const GROUP_ID_PREFIX = 'conclave/v2/group:';

function groupIdPrefix(roomId: string): Uint8Array {
  return new TextEncoder().encode(`${GROUP_ID_PREFIX}${roomId}:`);
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

function clientConfig(): ClientConfig {
  return {
    keyRetentionConfig: defaultKeyRetentionConfig,
    lifetimeConfig: defaultLifetimeConfig,
    keyPackageEqualityConfig: defaultKeyPackageEqualityConfig,
    paddingConfig: defaultPaddingConfig,
    // ts-mls's default accepts any credential: only ours (a peer id and a name) may be in the group.
    authService: { validateCredential: (credential) => Promise.resolve(decodeCredential(credential) !== null) },
  };
}

function decodeOne(bytes: Uint8Array) {
  let decoded;
  try {
    decoded = decodeMlsMessage(bytes, 0);
  } catch (err) {
    throw new GroupError('malformed', `does not decode: ${(err as Error).message}`);
  }
  if (decoded === undefined) throw new GroupError('malformed', 'does not decode as an MLS message');
  const [message, length] = decoded;
  if (length !== bytes.length) throw new GroupError('malformed', 'trailing bytes after the MLS message');
  return message;
}

function classify(err: unknown): GroupError {
  if (err instanceof GroupError) return err;
  const message = err instanceof Error ? err.message : String(err);
  if (/epoch too old|former epoch/i.test(message)) return new GroupError('stale', message);
  return new GroupError('rejected', message);
}

export class MeetingGroup {
  private state: ClientState;
  private disposed = false;
  private epochCache: { epoch: bigint; secret: Uint8Array } | undefined;

  private constructor(
    readonly roomId: string,
    state: ClientState,
    private readonly cs: CiphersuiteImpl,
  ) {
    this.state = state;
  }

  /** A fresh KeyPackage (new signature and HPKE keys) for joining as `credential`. */
  static async offer(credential: MemberCredential): Promise<JoinOffer> {
    const cs = await mlsSuite();
    const kp = await generateKeyPackage(encodeCredential(credential), defaultCapabilities(), defaultLifetime, [], cs);
    const keyPackage = encodeMlsMessage({ version: 'mls10', wireformat: 'mls_key_package', keyPackage: kp.publicPackage });
    return { credential, keyPackage, publicPackage: kp.publicPackage, privatePackage: kp.privatePackage };
  }

  /** Decodes and checks a newcomer's KeyPackage: its suite, its signature, and that its credential is one of ours. */
  static async checkKeyPackage(bytes: Uint8Array): Promise<CheckedKeyPackage> {
    const cs = await mlsSuite();
    const message = decodeOne(bytes);
    if (message.wireformat !== 'mls_key_package') throw new GroupError('malformed', `expected a KeyPackage, got ${message.wireformat}`);
    const kp = message.keyPackage;
    if (kp.cipherSuite !== cs.name) throw new GroupError('bad-key-package', `cipher suite ${kp.cipherSuite} is not ours`);
    const credential = decodeCredential(kp.leafNode.credential);
    if (credential === null) throw new GroupError('bad-key-package', 'credential is not a Conclave member credential');
    if (!(await verifyKeyPackage(kp, cs.signature))) throw new GroupError('bad-key-package', 'KeyPackage signature does not verify');
    const ref = hex(await makeKeyPackageRef(kp, cs.hash));
    return { credential, bytes: bytes.slice(), ref, keyPackage: kp };
  }

  /** Founds the room's group (epoch 0) with ourselves as its only member. */
  static async found(roomId: string, offer: JoinOffer): Promise<MeetingGroup> {
    const cs = await mlsSuite();
    const prefix = groupIdPrefix(roomId);
    const groupId = new Uint8Array(prefix.length + 16);
    groupId.set(prefix);
    groupId.set(crypto.getRandomValues(new Uint8Array(16)), prefix.length);
    const state = await createGroup(groupId, offer.publicPackage, offer.privatePackage, [], cs, clientConfig());
    return new MeetingGroup(roomId, state, cs);
  }

  /** Joins from a Welcome made for our offer; refuses a group of another room. */
  static async join(roomId: string, offer: JoinOffer, welcomeBytes: Uint8Array): Promise<MeetingGroup> {
    const cs = await mlsSuite();
    const message = decodeOne(welcomeBytes);
    if (message.wireformat !== 'mls_welcome') throw new GroupError('malformed', `expected a Welcome, got ${message.wireformat}`);
    let state: ClientState;
    try {
      state = await joinGroup(
        message.welcome,
        offer.publicPackage,
        offer.privatePackage,
        emptyPskIndex,
        cs,
        undefined,
        undefined,
        clientConfig(),
      );
    } catch (err) {
      throw classify(err);
    }
    const prefix = groupIdPrefix(roomId);
    const id = state.groupContext.groupId;
    if (id.length !== prefix.length + 16 || !prefix.every((b, i) => id[i] === b)) {
      throw new GroupError('wrong-group', 'the Welcome is for a group of another room');
    }
    return new MeetingGroup(roomId, state, cs);
  }

  get epoch(): bigint {
    return this.state.groupContext.epoch;
  }

  get ownLeaf(): number {
    return this.state.privatePath.leafIndex;
  }

  get active(): boolean {
    return !this.disposed && this.state.groupActiveState.kind === 'active';
  }

  /** Every member in the group now, by leaf index (ourselves included). */
  members(): GroupMember[] {
    const out: GroupMember[] = [];
    this.state.ratchetTree.forEach((node, i) => {
      if (node?.nodeType !== 'leaf' || i % 2 !== 0) return;
      const c = decodeCredential(node.leaf.credential);
      if (c === null) return; // cannot happen: the auth service refused such leaves
      out.push({ ...c, leaf: i / 2, signatureKey: node.leaf.signaturePublicKey });
    });
    return out;
  }

  /** This epoch's authenticator (RFC 9420 §8.7): equal for members exactly when they share the group state. */
  get epochAuthenticator(): Uint8Array {
    return this.state.keySchedule.epochAuthenticator;
  }

  /** The verification code of this epoch. */
  code(): SafetyCode {
    return verificationCode(this.state.keySchedule.epochAuthenticator, this.roomId, this.members().length, this.epoch);
  }

  /** RFC 9605 §5.2 base keys of this epoch, one per member leaf. */
  async sframeBaseKeys(): Promise<Map<number, Uint8Array>> {
    this.assertLive();
    const secret = await this.sframeEpochSecret();
    const keys = new Map<number, Uint8Array>();
    for (const m of this.members()) keys.set(m.leaf, baseKeyForLeaf(secret, m.leaf));
    return keys;
  }

  /** Makes a commit on the current epoch; nothing changes until `adopt`. */
  async commit(plan: CommitPlan): Promise<PendingCommit> {
    this.assertLive();
    const proposals: Proposal[] = [
      ...(plan.remove ?? []).map((removed): Proposal => ({ proposalType: 'remove', remove: { removed } })),
      ...(plan.add ?? []).map((k): Proposal => ({ proposalType: 'add', add: { keyPackage: k.keyPackage } })),
    ];
    let result;
    try {
      result = await createCommit({ state: this.state, cipherSuite: this.cs }, { extraProposals: proposals, ratchetTreeExtension: true });
    } catch (err) {
      throw classify(err);
    }
    return {
      epoch: this.epoch,
      commit: encodeMlsMessage(result.commit),
      welcome: result.welcome ? encodeMlsMessage({ version: 'mls10', wireformat: 'mls_welcome', welcome: result.welcome }) : undefined,
      epochAuthenticator: result.newState.keySchedule.epochAuthenticator,
      newState: result.newState,
      consumed: result.consumed,
    };
  }

  /** The Delivery Service accepted our commit: it is the group's state now. */
  adopt(pending: PendingCommit): void {
    this.assertLive();
    if (pending.epoch !== this.epoch) throw new GroupError('stale', `commit was made on epoch ${pending.epoch}, group is at ${this.epoch}`);
    this.enter(pending.newState, pending.consumed);
  }

  /** Processes another member's commit (relayed by the Delivery Service). */
  async processCommit(bytes: Uint8Array): Promise<void> {
    this.assertLive();
    const message = decodeOne(bytes);
    if (message.wireformat !== 'mls_private_message') throw new GroupError('malformed', `expected a commit, got ${message.wireformat}`);
    const pm = message.privateMessage;
    if (pm.epoch < this.epoch) throw new GroupError('stale', `commit on epoch ${pm.epoch}, group is at ${this.epoch}`);
    if (pm.epoch > this.epoch) throw new GroupError('future', `commit on epoch ${pm.epoch}, group is at ${this.epoch}`);
    if (pm.contentType !== 'commit') throw new GroupError('malformed', `expected a commit, got ${pm.contentType}`);
    let result;
    try {
      // processPrivateMessage, not processMessage: the generic path skips the PSK lookup for encrypted commits.
      result = await processPrivateMessage(this.state, pm, emptyPskIndex, this.cs);
    } catch (err) {
      throw classify(err);
    }
    if (result.kind !== 'newState') throw new GroupError('malformed', 'expected a commit');
    this.enter(result.newState, result.consumed);
  }

  /** Encrypts and signs application data (chat, control) for the group: an MLS PrivateMessage. */
  async seal(data: Uint8Array): Promise<Uint8Array> {
    this.assertLive();
    const result = await createApplicationMessage(this.state, data, this.cs);
    this.state = result.newState;
    result.consumed.forEach(zeroOutUint8Array);
    return encodeMlsMessage({ version: 'mls10', wireformat: 'mls_private_message', privateMessage: result.privateMessage });
  }

  /**
   * Opens another member's application message: checks its signature by
   * the sender's leaf key and consumes its generation (a replay is refused),
   * and says which member sent it. Messages of the last few epochs open too.
   */
  async open(bytes: Uint8Array): Promise<OpenedMessage> {
    this.assertLive();
    const message = decodeOne(bytes);
    if (message.wireformat !== 'mls_private_message')
      throw new GroupError('malformed', `expected a private message, got ${message.wireformat}`);
    const pm = message.privateMessage;
    if (pm.contentType !== 'application') throw new GroupError('malformed', `expected application data, got ${pm.contentType}`);
    const current = pm.epoch === this.epoch;
    const data = current
      ? { senderDataSecret: this.state.keySchedule.senderDataSecret, ...this.state }
      : this.state.historicalReceiverData.get(pm.epoch);
    if (data === undefined) throw new GroupError(pm.epoch > this.epoch ? 'future' : 'stale', `no keys for epoch ${pm.epoch}`);
    let result;
    try {
      result = await unprotectPrivateMessage(
        data.senderDataSecret,
        pm,
        data.secretTree,
        data.ratchetTree,
        data.groupContext,
        this.state.clientConfig.keyRetentionConfig,
        this.cs,
      );
    } catch (err) {
      throw classify(err);
    }
    const content = result.content.content;
    if (content.contentType !== 'application' || content.sender.senderType !== 'member') {
      throw new GroupError('malformed', 'not application data from a member');
    }
    const leaf = content.sender.leafIndex;
    const node = data.ratchetTree[leaf * 2];
    const credential = node?.nodeType === 'leaf' ? decodeCredential(node.leaf.credential) : null;
    if (node?.nodeType !== 'leaf' || credential === null) throw new GroupError('rejected', `no member at leaf ${leaf}`);
    this.state = current
      ? { ...this.state, secretTree: result.tree }
      : {
          ...this.state,
          historicalReceiverData: addToMap(this.state.historicalReceiverData, pm.epoch, {
            ...this.state.historicalReceiverData.get(pm.epoch)!,
            secretTree: result.tree,
          }),
        };
    result.consumed.forEach(zeroOutUint8Array);
    return { sender: { ...credential, leaf, signatureKey: node.leaf.signaturePublicKey }, data: content.applicationData, epoch: pm.epoch };
  }

  /** Forgets the group: every secret it held is zeroed. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    const s = this.state;
    for (const v of Object.values(s.keySchedule) as Uint8Array[]) zeroOutUint8Array(v);
    for (const k of Object.values(s.privatePath.privateKeys)) zeroOutUint8Array(k);
    zeroOutUint8Array(s.signaturePrivateKey);
    if (this.epochCache) zeroOutUint8Array(this.epochCache.secret);
    this.epochCache = undefined;
  }

  private assertLive(): void {
    if (this.disposed) throw new GroupError('removed', 'the group was left');
    if (this.state.groupActiveState.kind === 'removedFromGroup') throw new GroupError('removed', 'we were removed from the group');
  }

  private enter(next: ClientState, consumed: Uint8Array[]): void {
    this.state = next;
    consumed.forEach(zeroOutUint8Array);
    if (this.epochCache) zeroOutUint8Array(this.epochCache.secret);
    this.epochCache = undefined;
  }

  private async sframeEpochSecret(): Promise<Uint8Array> {
    const epoch = this.epoch;
    if (this.epochCache?.epoch === epoch) return this.epochCache.secret;
    const secret = await mlsExporter(
      this.state.keySchedule.exporterSecret,
      SFRAME_EXPORTER_LABEL,
      new Uint8Array(0),
      SFRAME_BASE_KEY_BYTES,
      this.cs,
    );
    this.epochCache = { epoch, secret };
    return secret;
  }
}
