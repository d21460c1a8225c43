import { LabConfigError } from './errors.ts';
import { randomInt, seededRandom } from './prng.ts';

/**
 * Neutral placeholder torrent names for lab mode only: innocuous words, a
 * counter and a video extension. Nothing here resembles a real file name.
 */
const WORDS = [
  'holiday-video', 'garden-party', 'family-trip', 'birthday-cake', 'beach-walk', 'mountain-hike',
  'city-tour', 'school-concert', 'cooking-class', 'dog-park', 'lake-picnic', 'snow-day',
] as const;
const EXTENSIONS = ['mp4', 'avi', 'mkv'] as const;
const COUNTER_SPAN = 10_000;

/** How many distinct names sampleNames can produce. */
export const SAMPLE_NAME_CAPACITY = WORDS.length * EXTENSIONS.length * COUNTER_SPAN;

/**
 * Returns n distinct names like `holiday-video-0042.mp4`, deterministic for a seed.
 * Walks the name space with a stride coprime to its size, so names never
 * repeat and no retry loop is needed.
 */
export function sampleNames(n: number, seed = 1): string[] {
  if (!Number.isSafeInteger(n) || n < 0 || n > SAMPLE_NAME_CAPACITY) {
    throw new LabConfigError(`sample name count must be an integer in [0, ${SAMPLE_NAME_CAPACITY}], got ${n}`);
  }
  const rand = seededRandom(seed);
  const start = randomInt(rand, SAMPLE_NAME_CAPACITY);
  let stride = 1 + randomInt(rand, SAMPLE_NAME_CAPACITY - 1);
  while (gcd(stride, SAMPLE_NAME_CAPACITY) !== 1) stride++; // terminates: stride+k hits a prime > all factors
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(nameAt((start + i * stride) % SAMPLE_NAME_CAPACITY));
  return out;
}

function nameAt(k: number): string {
  const word = WORDS[k % WORDS.length];
  const ext = EXTENSIONS[Math.floor(k / WORDS.length) % EXTENSIONS.length];
  const counter = Math.floor(k / (WORDS.length * EXTENSIONS.length));
  return `${word}-${String(counter).padStart(4, '0')}.${ext}`;
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}
