import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import type { ImportKind } from "../../model/import-kinds.js";
import { MAX_NESTING_DEPTH, tooDeep } from "../../model/limits.js";
import { segmentMessageRecord } from "../../model/segment-record.js";
import { isObject, type TextRecord, text } from "../../model/text-record.js";
import type { RejectedRow } from "../store.js";

export interface JsonlRows {
  readonly columns: string[];
  readonly rows: { line: number; record: TextRecord }[];
  readonly rejected: RejectedRow[];
}

/**
 * Reads a JSON Lines file into text records with the kind's column names: Segment messages for
 * events, flat objects for the other kinds. Lines that are not JSON objects are rejected by line.
 */
export async function readJsonl(file: string, kind: ImportKind): Promise<JsonlRows> {
  const columns = new Set<string>();
  const rows: { line: number; record: TextRecord }[] = [];
  const rejected: RejectedRow[] = [];
  const lines = createInterface({
    input: createReadStream(file, "utf8"),
    crlfDelay: Number.POSITIVE_INFINITY,
  });
  let line = 0;
  for await (const text of lines) {
    line++;
    if (text.trim() === "") continue;
    let value: unknown;
    try {
      value = JSON.parse(line === 1 ? text.replace(/^\uFEFF/, "") : text);
    } catch (error) {
      rejected.push({ line, reason: `not valid JSON (${(error as Error).message})` });
      continue;
    }
    if (!isObject(value)) {
      rejected.push({ line, reason: "not a JSON object" });
      continue;
    }
    // Before JSON.stringify below, which exhausts the stack on thousands of levels.
    const deep = tooDeep(value);
    if (deep !== null) {
      const shown = deep.split(".").slice(0, 4).join(".");
      rejected.push({
        line,
        reason: `${shown}… nests objects and arrays more than ${MAX_NESTING_DEPTH} levels deep`,
      });
      continue;
    }
    const record = kind === "events" ? segmentMessageRecord(value) : flatRecord(value);
    for (const key of Object.keys(record)) columns.add(key);
    rows.push({ line, record });
  }
  return { columns: [...columns], rows, rejected };
}

function flatRecord(value: Record<string, unknown>): TextRecord {
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, text(v)]));
}
