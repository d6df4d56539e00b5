/**
 * Admission: who may be added to a meeting's group, and which group a
 * newcomer may accept. One path for both kinds of meeting secret: a CPace
 * run (draft-irtf-cfrg-cpace, ristretto255) between the newcomer and the
 * member who adds it, relayed by the server, with the secret as CPace's
 * password (PRS):
 *
 *   link key    the 32 random bytes of the link's `#k=`;
 *   passphrase  the UTF-8 bytes of the passphrase (NFKC).
 *
 * The server sees two random-looking group elements and MACs: nothing it can
 * test a guess against offline. Each guess costs it a run that a member sees
 * fail. One path rather than keeping a MAC for the link key: every meeting,
 * and so every test, goes through the code that protects passphrases, and
 * the newcomer checks the group it is welcomed into in both cases.
 *
 *   CI   = lv("conclave/v3/admission") ‖ lv(kind) ‖ lv(room id)
 *   sid  = SHA-256(newcomer's KeyPackage)[0..16]
 *   ADa  = SHA-256(newcomer's KeyPackage)
 *   ADb  = the responder's MLS signature public key
 *   k    = HKDF-SHA256(ISK, info = "conclave/v3/admission/confirm")
 *
 * Messages (the `groupAdmit` relay, opaque to the server):
 *
 *   newcomer  → all        Ya                       (with its KeyPackage, in groupJoin)
 *   responder → newcomer   0x01 ‖ Yb ‖ ADb
 *   newcomer  → responder  0x02 ‖ HMAC(k, "newcomer")
 *   responder → newcomer   0x03 ‖ HMAC(k, "welcome" ‖ epoch authenticator)   (before its commit)
 *   responder → newcomer   0x04 ‖ reason                                      (refused; unauthenticated)
 *
 * The responder adds the newcomer only after its MAC checks: the KeyPackage
 * (hence the credential and signature key in it) is bound through sid and
 * ADa. The newcomer accepts a Welcome only with the responder's MAC over the
 * epoch authenticator of the group it lands in, and only if the responder
 * is a member of that group under the signature key it gave as ADb: a
 * server cannot welcome it into a group of its own making.
 */
import { equalBytes } from '@noble/ciphers/utils.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { cpaceRespond, cpaceStart, CpaceError } from './cpace.js';

export const LINK_KEY_BYTES = 32;
/** Bytes of a CPace message (a ristretto255 element). */
export const PAKE_MESSAGE_BYTES = 32;
const SIGNATURE_KEY_BYTES = 32;
const MAC_BYTES = 32;

export type MeetingSecret = { kind: 'link'; key: Uint8Array } | { kind: 'passphrase'; passphrase: string };

export const AdmitType = { Respond: 1, Confirm: 2, Welcome: 3, Refused: 4 } as const;

export const RefusalReason = { WrongSecret: 1, TooManyAttempts: 2 } as const;
export type RefusalReason = 'wrong-secret' | 'too-many-attempts';

export class AdmissionError extends Error {
  override name = 'AdmissionError';
}

const encoder = new TextEncoder();

function lv(bytes: Uint8Array): Uint8Array {
  if (bytes.length > 255) throw new RangeError('field too long');
  const out = new Uint8Array(1 + bytes.length);
  out[0] = bytes.length;
  out.set(bytes, 1);
  return out;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function prs(secret: MeetingSecret): Uint8Array {
  if (secret.kind === 'link') {
    if (secret.key.length !== LINK_KEY_BYTES) throw new RangeError(`link key must be ${LINK_KEY_BYTES} bytes, got ${secret.key.length}`);
    return secret.key;
  }
  const bytes = encoder.encode(secret.passphrase.normalize('NFKC'));
  if (bytes.length === 0) throw new RangeError('empty passphrase');
  return bytes;
}

function params(secret: MeetingSecret, roomId: string, keyPackage: Uint8Array) {
  const ci = concat(lv(encoder.encode('conclave/v3/admission')), lv(encoder.encode(secret.kind)), lv(encoder.encode(roomId)));
  const adA = sha256(keyPackage);
  return { cpace: { prs: prs(secret), ci, sid: adA.slice(0, 16) }, adA };
}

function confirmKey(isk: Uint8Array): Uint8Array {
  const k = hkdf(sha256, isk, undefined, encoder.encode('conclave/v3/admission/confirm'), 32);
  isk.fill(0);
  return k;
}

const NEWCOMER = encoder.encode('newcomer');
const WELCOME = encoder.encode('welcome');

function welcomeMac(k: Uint8Array, epochAuthenticator: Uint8Array): Uint8Array {
  return hmac(sha256, k, concat(WELCOME, epochAuthenticator));
}

/** The newcomer's side, from its join until it is in the group. */
export class NewcomerAdmission {
  private constructor(
    /** Ya: goes with the KeyPackage in groupJoin. */
    readonly message: Uint8Array,
    private readonly finish: (yb: Uint8Array, adB: Uint8Array) => Uint8Array,
  ) {}

  static start(secret: MeetingSecret, roomId: string, keyPackage: Uint8Array): NewcomerAdmission {
    const { cpace, adA } = params(secret, roomId, keyPackage);
    const run = cpaceStart(cpace, adA);
    return new NewcomerAdmission(run.message, (yb, adB) => run.finish(yb, adB));
  }

  /**
   * A responder's message (0x01 ‖ Yb ‖ ADb): our MAC for it (0x02 ‖ …), and
   * the session that checks its Welcome MAC later. Throws AdmissionError on
   * a malformed message or an invalid element. Each call spends this run's
   * scalar on one responder: a second responder needs a second run, which
   * the caller does not start (it answers one responder per join).
   */
  answer(respond: Uint8Array): { confirm: Uint8Array; session: AdmittedSession } {
    if (respond.length !== 1 + PAKE_MESSAGE_BYTES + SIGNATURE_KEY_BYTES || respond[0] !== AdmitType.Respond) {
      throw new AdmissionError('malformed admission answer');
    }
    const yb = respond.subarray(1, 1 + PAKE_MESSAGE_BYTES);
    const adB = respond.slice(1 + PAKE_MESSAGE_BYTES);
    let isk: Uint8Array;
    try {
      isk = this.finish(yb, adB);
    } catch (err) {
      throw new AdmissionError(err instanceof CpaceError ? err.message : 'admission answer refused', { cause: err });
    }
    const k = confirmKey(isk);
    const confirm = concat(Uint8Array.of(AdmitType.Confirm), hmac(sha256, k, NEWCOMER));
    return { confirm, session: new AdmittedSession(k, adB) };
  }
}

/** What the newcomer keeps of a run it answered: checks the Welcome's MAC. */
export class AdmittedSession {
  constructor(
    private readonly k: Uint8Array,
    /** The responder's signature key, as it gave it: it must be a member of the group we are welcomed into. */
    readonly responderKey: Uint8Array,
  ) {}

  /** Whether `welcome` (0x03 ‖ MAC) covers this epoch authenticator. */
  checkWelcome(welcome: Uint8Array, epochAuthenticator: Uint8Array): boolean {
    if (welcome.length !== 1 + MAC_BYTES || welcome[0] !== AdmitType.Welcome) return false;
    return equalBytes(welcome.subarray(1), welcomeMac(this.k, epochAuthenticator));
  }

  dispose(): void {
    this.k.fill(0);
  }
}

/** The responder's side of one newcomer's run. */
export class ResponderRun {
  private constructor(
    /** 0x01 ‖ Yb ‖ ADb, for the newcomer. */
    readonly message: Uint8Array,
    private readonly k: Uint8Array,
  ) {}

  /**
   * Answers a newcomer's Ya; `ownSignatureKey` is our leaf's MLS signature
   * public key (ADb). Throws AdmissionError when Ya is not a valid element.
   */
  static respond(secret: MeetingSecret, roomId: string, keyPackage: Uint8Array, ya: Uint8Array, ownSignatureKey: Uint8Array): ResponderRun {
    if (ownSignatureKey.length !== SIGNATURE_KEY_BYTES) throw new RangeError('signature key must be 32 bytes');
    const { cpace, adA } = params(secret, roomId, keyPackage);
    let out: { message: Uint8Array; isk: Uint8Array };
    try {
      out = cpaceRespond(cpace, adA, ya, ownSignatureKey);
    } catch (err) {
      throw new AdmissionError(err instanceof CpaceError ? err.message : 'admission request refused', { cause: err });
    }
    return new ResponderRun(concat(Uint8Array.of(AdmitType.Respond), out.message, ownSignatureKey), confirmKey(out.isk));
  }

  /** Whether the newcomer's MAC (0x02 ‖ …) shows it used the same secret. Constant time. */
  checkConfirm(confirm: Uint8Array): boolean {
    if (confirm.length !== 1 + MAC_BYTES || confirm[0] !== AdmitType.Confirm) return false;
    return equalBytes(confirm.subarray(1), hmac(sha256, this.k, NEWCOMER));
  }

  /** 0x03 ‖ MAC over the epoch authenticator of the epoch our commit adds the newcomer at. */
  welcome(epochAuthenticator: Uint8Array): Uint8Array {
    return concat(Uint8Array.of(AdmitType.Welcome), welcomeMac(this.k, epochAuthenticator));
  }

  dispose(): void {
    this.k.fill(0);
  }
}

/** 0x04 ‖ reason: tells a newcomer it was not let in (unauthenticated: only shapes what it shows). */
export function refusal(reason: RefusalReason): Uint8Array {
  return Uint8Array.of(AdmitType.Refused, reason === 'wrong-secret' ? RefusalReason.WrongSecret : RefusalReason.TooManyAttempts);
}

export function readRefusal(bytes: Uint8Array): RefusalReason | null {
  if (bytes.length !== 2 || bytes[0] !== AdmitType.Refused) return null;
  if (bytes[1] === RefusalReason.WrongSecret) return 'wrong-secret';
  if (bytes[1] === RefusalReason.TooManyAttempts) return 'too-many-attempts';
  return null;
}
