/** The candidate closest to `name` by edit distance, if one is within 2 edits and not a whole rewrite. */
export function closestName(name: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of candidates) {
    const distance = editDistance(name, candidate);
    // Ties go to the alphabetically first candidate so the suggestion does not depend on set order.
    if (distance < bestDistance || (distance === bestDistance && best !== undefined && candidate < best)) {
      best = candidate;
      bestDistance = distance;
    }
  }
  // Suggesting "cd" for "ab" would be noise: require something of the typed name to survive.
  return best !== undefined && bestDistance < Math.max(name.length, best.length) ? best : undefined;
}

/** Levenshtein distance, counting a swap of two adjacent letters as one edit (a common typo). */
export function editDistance(a: string, b: string): number {
  const width = b.length + 1;
  // cell(i, j) is the distance between the first i letters of `a` and the first j letters of `b`.
  const cells = new Array<number>((a.length + 1) * width).fill(0);
  const cell = (i: number, j: number): number => cells[i * width + j] ?? 0;
  for (let i = 0; i <= a.length; i++) {
    for (let j = 0; j <= b.length; j++) {
      let distance = i + j;
      if (i > 0 && j > 0) {
        const cost = a[i - 1] === b[j - 1] ? 0 : 1;
        distance = Math.min(cell(i - 1, j) + 1, cell(i, j - 1) + 1, cell(i - 1, j - 1) + cost);
        if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
          distance = Math.min(distance, cell(i - 2, j - 2) + 1);
        }
      }
      cells[i * width + j] = distance;
    }
  }
  return cell(a.length, b.length);
}
