import { pythonJsonDumps } from './pythonJson.mjs';

const ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/**
 * A stable stand-in for the controllers' pod-template-hash: FNV-32a of the
 * value's JSON with sorted keys, rendered with the alphabet of
 * k8s.io/apimachinery's rand.SafeEncodeString.
 */
export function podHash(value) {
  let h = 0x811c9dc5;
  for (const b of Buffer.from(pythonJsonDumps(value, { sortKeys: true }))) {
    h = Math.imul(h ^ b, 0x01000193) >>> 0;
  }
  return [...String(h)]
    .map(ch => ALPHABET[ch.charCodeAt(0) % ALPHABET.length])
    .join('');
}
