import { describe, expect, it } from "vitest";
import { NO_PERSONS, nullablePersonOf, personMap, personOf } from "./persons-sql.js";

const row = (device: string, uid: string, firstUs: number) => ({ device, uid, first_us: String(firstUs) });

describe("personMap", () => {
  it("lists only the ids whose person is another id, sorted by id", () => {
    const map = personMap([
      row("phone", "alice", 20),
      row("laptop", "alice", 10),
      row("alice", "alice-2", 30),
    ]);
    expect(map).toEqual({
      ids: ["alice-2", "laptop", "phone"],
      persons: ["alice", "alice", "alice"],
    });
  });

  it("is empty without links", () => {
    expect(personMap([])).toEqual(NO_PERSONS);
  });
});

describe("personOf", () => {
  it("leaves ids alone when nothing is linked", () => {
    expect(personOf(NO_PERSONS, "visitor_id")).toBe("visitor_id");
    expect(nullablePersonOf(NO_PERSONS, "visitor_id")).toBe("visitor_id");
  });

  it("maps linked ids through one transform, every value quoted", () => {
    const map = { ids: ["it's"], persons: ["u\\1"] };
    expect(personOf(map, "visitor_id")).toBe(`transform(visitor_id, ['it\\'s'], ['u\\\\1'], visitor_id)`);
  });
});
