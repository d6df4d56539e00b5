/**
 * Every label and domain-separation string of the key schedule, in one place.
 *
 * Each KDF label is used in exactly one place in the code, and each context
 * string in one module only (a test checks this), so no key or MAC of one
 * purpose can be confused with another. All carry the
 * protocol version: changing any derivation means bumping "v1".
 *
 * KDF labels (message of keyed BLAKE2b, see kdf.ts):
 */

/** K_auth = KDF(meetingSecret, AUTH): MACs announcements. */
export const LABEL_AUTH = 'conclave/v1/auth';
/** K_verify = KDF(meetingSecret, VERIFY): keys the safety code. */
export const LABEL_VERIFY = 'conclave/v1/verify';
/** senderKey(g+1) = KDF(senderKey(g), RATCHET): the join ratchet. */
export const LABEL_RATCHET = 'conclave/v1/ratchet';
/** chatKey = KDF(senderKey, CHAT). */
export const LABEL_CHAT = 'conclave/v1/chat';
/**
 * SFrame base_key (RFC 9605 §4.4.2) = KDF(senderKey, SFRAME). The raw sender
 * key is only ever a KDF input; the frame Worker receives this derived key.
 */
export const LABEL_SFRAME = 'conclave/v1/sframe';
/** Unkeyed BLAKE2b("…/passphrase-salt" ‖ roomId) → argon2id salt. */
export const LABEL_PASSPHRASE_SALT = 'conclave/v1/passphrase-salt';

/* Domain-separation strings (prefixes of MAC / signature / AEAD inputs). */

/** Prefix of the HMAC input of an announcement. */
export const CONTEXT_ANNOUNCE_MAC = 'conclave/v1/announce-mac';
/** Prefix of the Ed25519-signed message of an announcement. */
export const CONTEXT_ANNOUNCE_SIG = 'conclave/v1/announce-sig';
/** Prefix of a key box's plaintext. */
export const CONTEXT_KEY_BOX = 'conclave/v1/key-box';
/** Prefix of a chat message's AEAD additional data. */
export const CONTEXT_CHAT_AAD = 'conclave/v1/chat-aad';
/** Prefix of the safety-code hash input. */
export const CONTEXT_SAFETY_CODE = 'conclave/v1/safety-code';
