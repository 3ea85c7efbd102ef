/**
 * Numbers in messages and tables that show their arithmetic. Plain string work rather than
 * Intl: the first toLocaleString call initialises ICU, about 12 ms of a `check` run's start-up.
 */

/**
 * Rounds away floating-point noise (0.0014000000000000002), keeps at most `fractionDigits`
 * decimals without trailing zeros, and groups thousands with commas when asked (8,400).
 */
export function num(value: number, fractionDigits = 6, grouping = false): string {
  if (!Number.isFinite(value)) return String(value);
  const rounded = Number(Number(value.toPrecision(12)).toFixed(fractionDigits));
  if (rounded === 0) return '0';
  const [whole = '', fraction] = Math.abs(rounded).toFixed(fractionDigits).split('.');
  const digits = grouping ? whole.replace(/\B(?=(\d{3})+$)/g, ',') : whole;
  const decimals = fraction?.replace(/0+$/, '');
  return `${rounded < 0 ? '-' : ''}${digits}${decimals ? `.${decimals}` : ''}`;
}

/** Dollars: cents for large sums (`$8,400`), enough digits for a per-request price (`$0.0014`). */
export function usd(value: number): string {
  return `$${num(value, Math.abs(value) >= 100 ? 2 : 6, true)}`;
}

/** Milliseconds; messages that quote the spec's own values leave them ungrouped, as written. */
export function ms(value: number, grouping = false): string {
  return `${num(value, 1, grouping)} ms`;
}

/** A fraction (0..1) as a percentage: 0.35 -> `35%`. */
export function percentOf(fraction: number, digits = 1): string {
  return `${num(fraction * 100, digits)}%`;
}
