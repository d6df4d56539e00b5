/**
 * The room's verification ("safety") code.
 *
 *   K_verify = KDF(meetingSecret, "conclave/v1/verify")
 *   h = BLAKE2b-512(key = K_verify,
 *                   str(CONTEXT_SAFETY_CODE) ‖ str(roomId) ‖ u32 n ‖ e_1 ‖ … ‖ e_n)
 *
 * with e_i = signPk ‖ boxPk (64 bytes) of every member whose announcement
 * verified, including oneself, sorted bytewise (duplicates removed). So it
 * is equal for everyone who sees the same member set and changes when
 * anyone joins or leaves. Being keyed with the meeting secret, the server
 * cannot even compute it.
 *
 * Shown as 10 digits in two groups of five (h[0..8) as a big-endian integer
 * mod 10^10, ≈33 bits), 4 emoji from a fixed 256-entry table (h[8..12),
 * 32 bits), and a `words` form for screen readers (digits spelled one by
 * one, then the emoji names). Reading digits and emoji aloud compares ≈65
 * bits, which someone who knows the meeting secret would have to match by
 * grinding identity keys.
 */
import { Writer, compareBytes } from './encoding.js';
import { kdf } from './kdf.js';
import { CONTEXT_SAFETY_CODE, LABEL_VERIFY } from './labels.js';
import { lib } from './sodium.js';

/** 256 distinct single-code-point emoji (Unicode ≤ 11, default emoji presentation) and their names. */
export const SAFETY_EMOJI: ReadonlyArray<readonly [emoji: string, name: string]> = [
  ['🐶', 'dog'],
  ['🐱', 'cat'],
  ['🐭', 'mouse'],
  ['🐹', 'hamster'],
  ['🐰', 'rabbit'],
  ['🦊', 'fox'],
  ['🐻', 'bear'],
  ['🐼', 'panda'],
  ['🐨', 'koala'],
  ['🐯', 'tiger'],
  ['🦁', 'lion'],
  ['🐮', 'cow'],
  ['🐷', 'pig'],
  ['🐸', 'frog'],
  ['🐵', 'monkey'],
  ['🐔', 'chicken'],
  ['🐧', 'penguin'],
  ['🐦', 'bird'],
  ['🦆', 'duck'],
  ['🦅', 'eagle'],
  ['🦉', 'owl'],
  ['🦇', 'bat'],
  ['🐺', 'wolf'],
  ['🐴', 'horse'],
  ['🦄', 'unicorn'],
  ['🐝', 'bee'],
  ['🦋', 'butterfly'],
  ['🐌', 'snail'],
  ['🐞', 'ladybug'],
  ['🐜', 'ant'],
  ['🦂', 'scorpion'],
  ['🐢', 'turtle'],
  ['🐍', 'snake'],
  ['🦎', 'lizard'],
  ['🦖', 'dinosaur'],
  ['🐙', 'octopus'],
  ['🦀', 'crab'],
  ['🐟', 'fish'],
  ['🐬', 'dolphin'],
  ['🐳', 'whale'],
  ['🦈', 'shark'],
  ['🐊', 'crocodile'],
  ['🦓', 'zebra'],
  ['🦍', 'gorilla'],
  ['🐘', 'elephant'],
  ['🦏', 'rhino'],
  ['🐪', 'camel'],
  ['🦒', 'giraffe'],
  ['🐑', 'sheep'],
  ['🐐', 'goat'],
  ['🦌', 'deer'],
  ['🦔', 'hedgehog'],
  ['🐉', 'dragon'],
  ['🦘', 'kangaroo'],
  ['🦙', 'llama'],
  ['🦛', 'hippo'],
  ['🦚', 'peacock'],
  ['🦜', 'parrot'],
  ['🦞', 'lobster'],
  ['🦝', 'raccoon'],
  ['🌵', 'cactus'],
  ['🌳', 'tree'],
  ['🌴', 'palm'],
  ['🌱', 'sprout'],
  ['🍀', 'clover'],
  ['🍁', 'maple'],
  ['🍄', 'mushroom'],
  ['🌷', 'tulip'],
  ['🌹', 'rose'],
  ['🌻', 'sunflower'],
  ['💐', 'bouquet'],
  ['🌙', 'moon'],
  ['⭐', 'star'],
  ['🌞', 'sun'],
  ['🌈', 'rainbow'],
  ['⛄', 'snowman'],
  ['🔥', 'fire'],
  ['💧', 'droplet'],
  ['🌊', 'wave'],
  ['⚡', 'lightning'],
  ['🌍', 'earth'],
  ['🌋', 'volcano'],
  ['🗻', 'mountain'],
  ['☔', 'umbrella'],
  ['🌀', 'cyclone'],
  ['✨', 'sparkles'],
  ['🌠', 'comet'],
  ['🍎', 'apple'],
  ['🍐', 'pear'],
  ['🍊', 'orange'],
  ['🍋', 'lemon'],
  ['🍌', 'banana'],
  ['🍉', 'watermelon'],
  ['🍇', 'grapes'],
  ['🍓', 'strawberry'],
  ['🍒', 'cherries'],
  ['🍍', 'pineapple'],
  ['🥥', 'coconut'],
  ['🥝', 'kiwi'],
  ['🍅', 'tomato'],
  ['🍆', 'eggplant'],
  ['🥑', 'avocado'],
  ['🥦', 'broccoli'],
  ['🌽', 'corn'],
  ['🥕', 'carrot'],
  ['🥔', 'potato'],
  ['🥐', 'croissant'],
  ['🍞', 'bread'],
  ['🥨', 'pretzel'],
  ['🧀', 'cheese'],
  ['🥚', 'egg'],
  ['🥓', 'bacon'],
  ['🍔', 'burger'],
  ['🍟', 'fries'],
  ['🍕', 'pizza'],
  ['🌭', 'hot dog'],
  ['🥪', 'sandwich'],
  ['🌮', 'taco'],
  ['🍜', 'noodles'],
  ['🍣', 'sushi'],
  ['🍩', 'doughnut'],
  ['🍪', 'cookie'],
  ['🎂', 'cake'],
  ['🍫', 'chocolate'],
  ['🍭', 'lollipop'],
  ['🍯', 'honey'],
  ['🍿', 'popcorn'],
  ['🥛', 'milk'],
  ['☕', 'coffee'],
  ['🍺', 'beer'],
  ['🍷', 'wine'],
  ['🥜', 'peanut'],
  ['🥗', 'salad'],
  ['🍦', 'ice cream'],
  ['⚽', 'football'],
  ['🏀', 'basketball'],
  ['⚾', 'baseball'],
  ['🎾', 'tennis'],
  ['🎱', 'billiards'],
  ['🏓', 'ping pong'],
  ['🥊', 'boxing'],
  ['🎯', 'bullseye'],
  ['⛳', 'golf'],
  ['🎣', 'fishing'],
  ['🎿', 'ski'],
  ['🏆', 'trophy'],
  ['🎪', 'circus'],
  ['🎭', 'theater'],
  ['🎨', 'palette'],
  ['🎬', 'clapper'],
  ['🎤', 'microphone'],
  ['🎧', 'headphones'],
  ['🎹', 'piano'],
  ['🥁', 'drum'],
  ['🎷', 'saxophone'],
  ['🎺', 'trumpet'],
  ['🎸', 'guitar'],
  ['🎻', 'violin'],
  ['🎲', 'dice'],
  ['🎳', 'bowling'],
  ['🎮', 'gamepad'],
  ['🧩', 'puzzle'],
  ['🧸', 'teddy'],
  ['🎁', 'gift'],
  ['🎈', 'balloon'],
  ['🎉', 'party'],
  ['🎀', 'ribbon'],
  ['🎃', 'pumpkin'],
  ['🔔', 'bell'],
  ['💡', 'bulb'],
  ['🔦', 'flashlight'],
  ['📚', 'books'],
  ['📝', 'memo'],
  ['📌', 'pushpin'],
  ['📎', 'paperclip'],
  ['🔑', 'key'],
  ['🔒', 'lock'],
  ['🔨', 'hammer'],
  ['🔧', 'wrench'],
  ['🧲', 'magnet'],
  ['🔬', 'microscope'],
  ['🔭', 'telescope'],
  ['🧭', 'compass'],
  ['🧱', 'brick'],
  ['⏰', 'alarm'],
  ['📷', 'camera'],
  ['📺', 'television'],
  ['📻', 'radio'],
  ['📱', 'phone'],
  ['💻', 'laptop'],
  ['⌚', 'watch'],
  ['💿', 'disc'],
  ['🔋', 'battery'],
  ['📦', 'parcel'],
  ['📫', 'mailbox'],
  ['💰', 'money bag'],
  ['💎', 'diamond'],
  ['💍', 'ring'],
  ['👑', 'crown'],
  ['🎩', 'top hat'],
  ['🧢', 'cap'],
  ['👓', 'glasses'],
  ['👕', 'shirt'],
  ['👖', 'jeans'],
  ['🧦', 'socks'],
  ['🧥', 'coat'],
  ['👗', 'dress'],
  ['👜', 'handbag'],
  ['🎒', 'backpack'],
  ['👞', 'shoe'],
  ['👟', 'sneaker'],
  ['⚓', 'anchor'],
  ['⛵', 'sailboat'],
  ['🚀', 'rocket'],
  ['🛸', 'ufo'],
  ['🚁', 'helicopter'],
  ['🚂', 'train'],
  ['🚗', 'car'],
  ['🚌', 'bus'],
  ['🚒', 'fire truck'],
  ['🚜', 'tractor'],
  ['🚲', 'bicycle'],
  ['🚢', 'ship'],
  ['🚦', 'traffic light'],
  ['🏠', 'house'],
  ['🏰', 'castle'],
  ['🗼', 'tower'],
  ['⛺', 'tent'],
  ['🎡', 'ferris wheel'],
  ['⛲', 'fountain'],
  ['🏁', 'flag'],
  ['🔮', 'crystal ball'],
  ['🧶', 'yarn'],
  ['💯', 'hundred'],
  ['💥', 'boom'],
  ['👻', 'ghost'],
  ['👽', 'alien'],
  ['🤖', 'robot'],
  ['💀', 'skull'],
  ['🎅', 'santa'],
  ['👀', 'eyes'],
  ['👂', 'ear'],
  ['👃', 'nose'],
  ['👅', 'tongue'],
  ['👄', 'lips'],
  ['👍', 'thumbs up'],
  ['✋', 'hand'],
  ['👏', 'clap'],
  ['💪', 'muscle'],
  ['🧠', 'brain'],
  ['👣', 'footprints'],
  ['🦷', 'tooth'],
  ['🦴', 'bone'],
  ['🎵', 'music'],
  ['🏺', 'amphora'],
  ['🗿', 'moai'],
];

const DIGIT_WORDS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'] as const;

export interface SafetyCode {
  /** "12345 67890" */
  digits: string;
  /** 4 emoji */
  emoji: string[];
  /** The names of the 4 emoji, e.g. ["dog", "rocket", "pizza", "key"]. */
  emojiNames: string[];
  /** For screen readers: "one two three four five, six seven eight nine zero; dog, rocket, pizza, key". */
  words: string;
  /** How many identities (including oneself) the code covers. */
  memberCount: number;
}

export interface IdentityKeys {
  signPk: Uint8Array;
  boxPk: Uint8Array;
}

/** K_verify = KDF(meetingSecret, "conclave/v1/verify"). */
export function deriveVerifyKey(meetingSecret: Uint8Array): Uint8Array {
  return kdf(meetingSecret, LABEL_VERIFY);
}

/** The code for a member set (order does not matter). */
export function computeSafetyCode(verifyKey: Uint8Array, roomId: string, members: readonly IdentityKeys[]): SafetyCode {
  const entries = members
    .map((m) => {
      if (m.signPk.length !== 32 || m.boxPk.length !== 32) throw new RangeError('identity keys must be 32 bytes');
      const e = new Uint8Array(64);
      e.set(m.signPk, 0);
      e.set(m.boxPk, 32);
      return e;
    })
    .sort(compareBytes)
    .filter((e, i, all) => i === 0 || compareBytes(e, all[i - 1] as Uint8Array) !== 0);
  const w = new Writer().str(CONTEXT_SAFETY_CODE).str(roomId).u32(entries.length);
  for (const e of entries) w.fixed(e, 64);
  const h = lib().crypto_generichash(64, w.finish(), verifyKey);

  let n = 0n;
  for (let i = 0; i < 8; i++) n = (n << 8n) | BigInt(h[i] as number);
  const ten = (n % 10_000_000_000n).toString().padStart(10, '0');
  const digits = `${ten.slice(0, 5)} ${ten.slice(5)}`;
  const picks = [8, 9, 10, 11].map((i) => SAFETY_EMOJI[h[i] as number] as readonly [string, string]);
  const emoji = picks.map((p) => p[0]);
  const emojiNames = picks.map((p) => p[1]);
  const spell = (s: string) => [...s].map((d) => DIGIT_WORDS[Number(d)]).join(' ');
  const words = `${spell(ten.slice(0, 5))}, ${spell(ten.slice(5))}; ${emojiNames.join(', ')}`;
  return { digits, emoji, emojiNames, words, memberCount: entries.length };
}
