import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { detectEncoding, records, type SourceRecord } from "./source.js";

describe("reading an export's text", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "sextant-source-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it.each([
    ["utf-16le", Buffer.from([0xff, 0xfe, 0x41, 0x00])],
    ["utf-16be", Buffer.from([0xfe, 0xff, 0x00, 0x41])],
    ["utf-16le", Buffer.from("Day\tCost\n", "utf16le")],
    ["utf-8", Buffer.from("\uFEFFCampagne;Coût\n", "utf8")],
    ["windows-1252", Buffer.from([0x43, 0x6f, 0x73, 0x74, 0x3b, 0x80, 0x31, 0x0a])],
  ])("detects %s", (encoding, bytes) => {
    expect(detectEncoding(bytes)).toBe(encoding);
  });

  it("numbers records by the original file's lines, after a preamble and across quoted line breaks", async () => {
    const file = join(dir, "p.csv");
    await writeFile(file, 'Report\nrange "x\na,b\r\n1,2\r\n\r\n"3\nx",4\nlast,5');
    const seen: SourceRecord[] = [];
    for await (const r of records(file, "utf-8", ",", 3)) seen.push(r);
    expect(seen.map((r) => [r.line, r.cells[0]])).toEqual([
      [3, "a"],
      [4, "1"],
      [6, "3\nx"],
      [8, "last"],
    ]);
  });

  it("refuses a file that stops being UTF-8 after its first bytes", async () => {
    const file = join(dir, "late-1252.csv");
    await writeFile(
      file,
      Buffer.concat([
        Buffer.from("a,b\n1,2\n"),
        Buffer.from([0x52, 0x65, 0x6e, 0x74, 0x72, 0xe9, 0x65, 0x2c, 0x33, 0x0a]),
      ]),
    );
    const read = async () => {
      for await (const _ of records(file, "utf-8", ",", 1)) {
        // reading is the test
      }
    };
    await expect(read()).rejects.toThrow(/not UTF-8|later holds bytes/);
  });

  it("decodes UTF-16LE with a byte order mark, tab-separated", async () => {
    const file = join(dir, "u16.csv");
    await writeFile(
      file,
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from("T\nDay\tCost\n2026-03-01\t€1,5\n", "utf16le")]),
    );
    const seen: SourceRecord[] = [];
    for await (const r of records(file, "utf-16le", "\t", 2)) seen.push(r);
    expect(seen).toEqual([
      { line: 2, cells: ["Day", "Cost"] },
      { line: 3, cells: ["2026-03-01", "€1,5"] },
    ]);
  });
});
