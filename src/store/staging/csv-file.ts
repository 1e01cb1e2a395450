import { createReadStream } from "node:fs";
import { open } from "node:fs/promises";
import { parse } from "csv-parse/sync";
import { UserError } from "../../errors.js";

const HEADER_BYTES = 1024 * 1024;

/** The header row of a CSV file (quoted names, a BOM and CRLF are handled by csv-parse). */
export async function readCsvHeader(file: string): Promise<string[]> {
  const handle = await open(file, "r");
  try {
    const buffer = Buffer.alloc(HEADER_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, HEADER_BYTES, 0);
    const rows = parse(buffer.subarray(0, bytesRead), {
      bom: true,
      to_line: 1,
      relax_column_count: true,
      skip_empty_lines: true,
    }) as string[][];
    const header = rows[0]?.map((name) => name.trim());
    if (!header || header.every((name) => name === "")) {
      throw new UserError(
        `Line 1 of ${file} is not a header row of column names.`,
        [{ field: "file", line: 1, reason: "no header" }],
        422,
      );
    }
    return header;
  } catch (error) {
    if (error instanceof UserError) throw error;
    throw new UserError(
      `Line 1 of ${file} is not a readable CSV header: ${(error as Error).message}`,
      [{ field: "file", line: 1, reason: "unreadable header" }],
      422,
    );
  } finally {
    await handle.close();
  }
}

/** Header names made unique (a second "Clicks" becomes "Clicks_2") so every column can be addressed. */
export function uniqueNames(header: readonly string[]): string[] {
  const seen = new Map<string, number>();
  return header.map((name, i) => {
    const base = name === "" ? `column_${i + 1}` : name;
    const count = (seen.get(base.toLowerCase()) ?? 0) + 1;
    seen.set(base.toLowerCase(), count);
    return count === 1 ? base : `${base}_${count}`;
  });
}

/**
 * The physical line numbers of some data rows (0 = the first row after the header). Rows and
 * lines differ when a quoted value holds a line break or when blank lines are skipped, so bad rows
 * are reported at the line a person sees in an editor. Only run when there is something to report.
 */
export async function physicalLines(file: string, rows: readonly number[]): Promise<Map<number, number>> {
  const wanted = new Set(rows);
  const found = new Map<number, number>();
  if (wanted.size === 0) return found;
  const maxRow = Math.max(...rows);
  let line = 1;
  let record = -1; // the header is record -1
  let inQuotes = false;
  let lineHasContent = false;
  let recordStarted = false;
  for await (const chunk of createReadStream(file) as AsyncIterable<Buffer>) {
    for (let i = 0; i < chunk.length; i++) {
      const byte = chunk[i];
      if (!recordStarted && byte !== 0x0a && byte !== 0x0d) {
        recordStarted = true;
        if (record >= 0 && wanted.has(record)) found.set(record, line);
      }
      if (byte === 0x22) inQuotes = !inQuotes;
      if (byte === 0x0a) {
        if (!inQuotes && lineHasContent) {
          record++;
          recordStarted = false;
          lineHasContent = false;
          if (record > maxRow) return found;
        }
        line++;
      } else if (byte !== 0x0d) lineHasContent = true;
    }
  }
  return found;
}
