import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type IdentityLink, resolvePersons } from "./resolve-persons.js";

const link = (anonymousId: string, userId: string, firstUs: number): IdentityLink => ({
  anonymousId,
  userId,
  firstUs: BigInt(firstUs),
});

describe("resolvePersons", () => {
  it("gives an identified device and its user one person, named by the user id", () => {
    expect(Object.fromEntries(resolvePersons([link("anon-1", "u1", 10)]))).toEqual({
      "anon-1": "u1",
      u1: "u1",
    });
  });

  it("joins two devices of one user id, and an alias chain, into one person", () => {
    const persons = resolvePersons([
      link("phone", "u1", 30),
      link("laptop", "u1", 10),
      // alias: previousId u1 → userId u2, seen later than u1: u1 stays the person's id.
      link("u1", "u2", 50),
      link("tablet", "u2", 60),
      link("other", "u9", 5),
    ]);
    expect(Object.fromEntries(persons)).toEqual({
      phone: "u1",
      laptop: "u1",
      u1: "u1",
      u2: "u1",
      tablet: "u1",
      other: "u9",
      u9: "u9",
    });
  });

  it("names a person by its earliest user id, ties by the id's text", () => {
    expect(resolvePersons([link("a", "zed", 5), link("a", "amy", 7)]).get("a")).toBe("zed");
    expect(resolvePersons([link("a", "zed", 5), link("a", "amy", 5)]).get("a")).toBe("amy");
  });

  it("does not depend on the order of the links", () => {
    const ids = fc.constantFrom("a1", "a2", "a3", "u1", "u2", "u3");
    const links = fc.array(
      fc.record({ anonymousId: ids, userId: ids, firstUs: fc.bigInt({ min: 0n, max: 5n }) }),
      { maxLength: 12 },
    );
    fc.assert(
      fc.property(links, fc.integer(), (list, seed) => {
        const shuffled = [...list].sort((x, y) => ((seed ^ hash(x)) % 7) - ((seed ^ hash(y)) % 7));
        expect(resolvePersons(shuffled)).toEqual(resolvePersons(list));
        // Every id of a component has the same person, itself one of the component's user ids.
        const persons = resolvePersons(list);
        for (const l of list) {
          expect(persons.get(l.anonymousId)).toBe(persons.get(l.userId));
          expect(list.some((m) => m.userId === persons.get(l.userId))).toBe(true);
        }
      }),
    );
  });
});

function hash(l: IdentityLink): number {
  return (l.anonymousId.charCodeAt(1) * 31 + l.userId.charCodeAt(1) * 7 + Number(l.firstUs)) | 0;
}
