/**
 * Every label and domain-separation string of the key schedule, in one place.
 *
 * Each KDF label is used in exactly one place in the code, and each context
 * string in one module only (a test checks this), so no key or MAC of one
 * purpose can be confused with another. All carry the
 * protocol version: changing any derivation means bumping "v1".
 *
 * (The second generation's labels are in ../group/, beside the one use of each.)
 */

/** Unkeyed BLAKE2b("…/passphrase-salt" ‖ roomId) → argon2id salt. */
export const LABEL_PASSPHRASE_SALT = 'conclave/v1/passphrase-salt';
