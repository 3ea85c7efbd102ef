/**
 * Secrets in text: the detectors (what an API key, a token, a private key or a password in a URL
 * looks like), and the one masker every output goes through, so that no detected secret is ever
 * echoed in full (`sk-proj-…kL2x`: the public prefix that says what kind it is, and at most the
 * last four characters).
 */

interface Detector {
  kind: string;
  /** The environment variable to suggest in its place. */
  env: string;
  pattern: RegExp;
  /** The capture group holding the secret itself, when the match carries context around it. */
  group?: number;
  /** The public part that names the kind (`sk-proj-`, `AKIA`): shown when masked. */
  prefix?: RegExp;
  /** Rejects matches that only look like secrets (a model name with a key-like prefix, an env reference). */
  accept?: (secret: string) => boolean;
}

/** Random tokens mix letters and digits; words and model names joined by dashes rarely do. */
const looksRandom = (secret: string) => /\d/.test(secret) && /[a-z]/.test(secret) && /[A-Z]/.test(secret);
const ENV_REFERENCE = /^\$\{[A-Z_][A-Z0-9_]*\}$/;

// Order matters: the first detector to claim a span names it (sk-ant- before sk-).
const DETECTORS: readonly Detector[] = [
  {
    kind: 'private key',
    env: 'PRIVATE_KEY',
    // The whole block when its end is there, so that masking hides the key and not only its header.
    pattern: /-----BEGIN ((?:[A-Z0-9]+ )*)PRIVATE KEY( BLOCK)?-----(?:[\s\S]*?-----END \1PRIVATE KEY\2-----)?/g,
    prefix: /^-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----/,
  },
  { kind: 'Anthropic API key', env: 'ANTHROPIC_API_KEY', pattern: /\bsk-ant-[A-Za-z0-9_-]{20,}/g, prefix: /^sk-ant-/ },
  { kind: 'Stripe live secret key', env: 'STRIPE_SECRET_KEY', pattern: /\b[rs]k_live_[0-9A-Za-z]{16,}/g, prefix: /^[rs]k_live_/ },
  {
    kind: 'OpenAI API key',
    env: 'OPENAI_API_KEY',
    pattern: /\bsk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}/g,
    prefix: /^sk-(?:proj-|svcacct-|admin-)?/,
    accept: looksRandom,
  },
  { kind: 'AWS access key id', env: 'AWS_ACCESS_KEY_ID', pattern: /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g, prefix: /^(?:AKIA|ASIA)/ },
  {
    kind: 'GitHub token',
    env: 'GITHUB_TOKEN',
    pattern: /\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})/g,
    prefix: /^(?:gh[pousr]_|github_pat_)/,
  },
  { kind: 'Slack token', env: 'SLACK_TOKEN', pattern: /\bxox[abpr]-[A-Za-z0-9-]{10,}/g, prefix: /^xox[abpr]-/ },
  { kind: 'Google API key', env: 'GOOGLE_API_KEY', pattern: /\bAIza[0-9A-Za-z_-]{35}/g, prefix: /^AIza/ },
  { kind: 'JSON Web Token', env: 'API_TOKEN', pattern: /\beyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g, prefix: /^eyJ/ },
  {
    kind: 'password in a URL',
    env: 'PASSWORD',
    pattern: /\b[a-z][a-z0-9+.-]*:\/\/[^\s:/?#@]+:([^\s/?#@]+)@/gi,
    group: 1,
    accept: (secret) => !ENV_REFERENCE.test(secret),
  },
  { kind: 'bearer token', env: 'API_TOKEN', pattern: /\bBearer\s+([A-Za-z0-9._~+/-]{16,}=*)/g, group: 1 },
];

/**
 * Every detector needs one of these markers, so most text (names, descriptions, PromQL) is passed
 * over with one scan instead of eleven. A test keeps it in step with DETECTORS.
 */
export const SECRET_MARKERS = /PRIVATE KEY|sk-|k_live_|AKIA|ASIA|gh[pousr]_|github_pat_|xox[abpr]-|AIza|eyJ|:\/\/[^\s]*@|Bearer/;

/**
 * A secret as it may be shown: its public prefix (which says what kind it is), an ellipsis, and
 * the last four characters of a long secret (two of a middling one, none of a short one).
 */
export function mask(secret: string, prefix = ''): string {
  const rest = secret.slice(prefix.length);
  const shown = rest.length >= 16 ? 4 : rest.length >= 8 ? 2 : 0;
  return `${prefix}…${shown ? rest.slice(-shown) : ''}`;
}

export interface SecretMatch {
  kind: string;
  /** The environment variable to suggest in its place (`OPENAI_API_KEY`). */
  env: string;
  /** The secret itself: for masking it wherever it is quoted, never for showing. */
  secret: string;
  /** Where the secret starts and ends in the text scanned (UTF-16 offsets). */
  start: number;
  end: number;
  masked: string;
}

/** The secrets in `text`, in order, each claimed by the most specific detector. */
export function findSecrets(text: string): SecretMatch[] {
  if (!SECRET_MARKERS.test(text)) return [];
  // Characters a detector has claimed: a later detector skips a match that overlaps one. A map of
  // the text rather than a list of spans, so that a file of thousands of keys stays linear.
  const claimed = new Uint8Array(text.length);
  const overlaps = (from: number, to: number) => claimed.subarray(from, to).includes(1);
  const found: SecretMatch[] = [];
  for (const detector of DETECTORS) {
    for (const match of text.matchAll(detector.pattern)) {
      const at = match.index;
      const secret = detector.group === undefined ? match[0] : (match[detector.group] ?? match[0]);
      if (detector.accept && !detector.accept(secret)) continue;
      const start = detector.group === undefined ? at : at + match[0].lastIndexOf(secret);
      const end = start + secret.length;
      if (overlaps(at, at + match[0].length)) continue;
      claimed.fill(1, at, at + match[0].length);
      const prefix = detector.prefix?.exec(secret)?.[0] ?? '';
      // A key block shows its header (the kind) and nothing of the key.
      const masked = detector.kind === 'private key' ? `${prefix}…` : mask(secret, prefix);
      found.push({ kind: detector.kind, env: detector.env, secret, start, end, masked });
    }
  }
  return found.sort((a, b) => a.start - b.start);
}

/** A secret already known (found in the spec it came from), to mask wherever it is quoted. */
export interface KnownSecret {
  secret: string;
  masked: string;
}

/** Above this many known secrets, a text is searched by the secrets' lengths rather than secret by secret. */
const MANY = 32;

/**
 * Masks known secrets by looking each window of the text up in a map, one length at a time,
 * longest first: linear in the text for each distinct length, whatever the number of secrets.
 */
function maskMany(text: string, known: KnownSecrets): string {
  const bySecret = new Map(known.map((entry) => [entry.secret, entry.masked]));
  const lengths = [...new Set(known.map((entry) => entry.secret.length))].filter((length) => length <= text.length);
  let out = '';
  let i = 0;
  outer: while (i < text.length) {
    for (const length of lengths) {
      const masked = bySecret.get(text.slice(i, i + length));
      if (masked !== undefined) {
        out += masked;
        i += length;
        continue outer;
      }
    }
    out += text[i];
    i++;
  }
  return out;
}

/** Known secrets as maskSecrets goes through them: prepared once for many texts. */
export type KnownSecrets = readonly KnownSecret[] & { readonly prepared: true };

/**
 * The known secrets that a detector would not find again in a quote of them alone (a password
 * without its URL, a token without "Bearer", one spelt with escapes), each once, longest first (so
 * that a secret holding a shorter one is masked whole). The detectors mask the others anyway, so
 * a file of thousands of keys does not make every message a search for each of them.
 */
export function knownSecrets(known: readonly KnownSecret[]): KnownSecrets {
  if ((known as Partial<KnownSecrets>).prepared) return known as KnownSecrets;
  const unique = new Map<string, KnownSecret>();
  for (const entry of known) {
    if (entry.secret.length === 0 || unique.has(entry.secret)) continue;
    const alone = findSecrets(entry.secret);
    if (alone.length === 1 && alone[0]!.secret === entry.secret) continue;
    unique.set(entry.secret, { secret: entry.secret, masked: entry.masked });
  }
  const list = [...unique.values()].sort((a, b) => b.secret.length - a.secret.length);
  return Object.assign(list, { prepared: true as const });
}

/**
 * `text` with every secret masked: the `known` ones (found where the text came from, so masked
 * even when quoted without the context their detector needs) and any other the detectors find.
 */
export function maskSecrets(text: string, known: readonly KnownSecret[] = []): string {
  const prepared = knownSecrets(known);
  let out = prepared.length > MANY ? maskMany(text, prepared) : text;
  if (prepared.length <= MANY) {
    for (const { secret, masked } of prepared) {
      if (out.includes(secret)) out = out.split(secret).join(masked);
    }
  }
  const found = findSecrets(out);
  for (let i = found.length - 1; i >= 0; i--) {
    const { start, end, masked } = found[i]!;
    out = `${out.slice(0, start)}${masked}${out.slice(end)}`;
  }
  return out;
}
