// "Did you mean …?" for misspelt keywords, keys and choices.

/** Optimal-string-alignment distance: insertions, deletions, substitutions and adjacent swaps cost 1. */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  let prev2: number[] = [];
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, prev2[j - 2] + 1);
      row.push(d);
    }
    prev2 = prev;
    prev = row;
  }
  return prev[b.length];
}

export interface Candidate {
  readonly name: string;
  /** Other spellings that mean this candidate (e.g. `padding` for `pad`). */
  readonly aliases?: readonly string[];
}

/**
 * The candidate `word` most likely stands for: same letters in another case, a known alias,
 * then the closest spelling within a small edit distance. Undefined when nothing is close.
 */
export function suggest(word: string, candidates: readonly Candidate[]): string | undefined {
  const lower = word.toLowerCase();
  for (const c of candidates) if (c.name.toLowerCase() === lower) return c.name;
  for (const c of candidates) if (c.aliases?.some((a) => a.toLowerCase() === lower)) return c.name;
  // Longer words tolerate more typos; 1-2 letter words only a single one.
  const limit = lower.length <= 4 ? 1 : 2;
  let best: string | undefined;
  let bestDistance = limit + 1;
  for (const c of candidates) {
    // Cheap bound first: the distance is at least the difference in length.
    if (Math.abs(c.name.length - lower.length) > limit) continue;
    const d = editDistance(lower, c.name.toLowerCase());
    if (d < bestDistance && d < Math.max(c.name.length, lower.length)) {
      best = c.name;
      bestDistance = d;
    }
  }
  return best;
}
