/**
 * One link between two ids of the same person: an `anonymousId` (a device, or an alias's
 * `previousId`) seen with a `userId`, first at `firstUs` (microseconds since the epoch).
 */
export interface IdentityLink {
  readonly anonymousId: string;
  readonly userId: string;
  readonly firstUs: bigint;
}

/**
 * The person of every id named by `links`: ids joined by links, directly or through other ids, are
 * one person (connected components, by union-find with path halving). A person's id is its user id
 * seen first (the smallest `firstUs` of the links naming it as user id; ties by the id's text),
 * which depends on the links alone and not on the order they arrived in, so deriving a store in
 * steps gives the persons of deriving it at once (docs/concepts.md, "Persons").
 */
export function resolvePersons(links: readonly IdentityLink[]): Map<string, string> {
  const parent = new Map<string, string>();
  const find = (id: string): string => {
    let x = id;
    for (;;) {
      const p = parent.get(x) ?? x;
      if (p === x) return x;
      const grand = parent.get(p) ?? p;
      parent.set(x, grand);
      x = grand;
    }
  };
  // When a user id was first seen: what makes it its person's id.
  const seen = new Map<string, bigint>();
  for (const link of links) {
    parent.set(link.anonymousId, parent.get(link.anonymousId) ?? link.anonymousId);
    parent.set(link.userId, parent.get(link.userId) ?? link.userId);
    const a = find(link.anonymousId);
    const u = find(link.userId);
    if (a !== u) parent.set(a, u);
    const first = seen.get(link.userId);
    if (first === undefined || link.firstUs < first) seen.set(link.userId, link.firstUs);
  }
  // Each component's winner: its earliest user id.
  const winner = new Map<string, string>();
  for (const [userId, first] of seen) {
    const root = find(userId);
    const best = winner.get(root);
    if (best === undefined || earlier(first, userId, seen.get(best) ?? first, best)) winner.set(root, userId);
  }
  const persons = new Map<string, string>();
  for (const id of parent.keys()) {
    const root = find(id);
    // Every component holds a user id (every link names one).
    persons.set(id, winner.get(root) ?? root);
  }
  return persons;
}

function earlier(us: bigint, id: string, otherUs: bigint, other: string): boolean {
  return us < otherUs || (us === otherUs && id < other);
}

/** Every id of the person holding `id` among `persons` (resolvePersons), sorted, `id` included. */
export function idsOfPerson(persons: ReadonlyMap<string, string>, id: string): string[] {
  const person = persons.get(id);
  if (person === undefined) return [id];
  return [...persons]
    .filter(([, p]) => p === person)
    .map(([other]) => other)
    .sort();
}
