import { createReadStream } from "node:fs";
import { open } from "node:fs/promises";
import { parse } from "csv-parse";
import { parse as parseSync } from "csv-parse/sync";
import { UserError } from "../../errors.js";

/** The text encodings platforms and spreadsheets save CSV in. */
export type Encoding = "utf-8" | "utf-16le" | "utf-16be" | "windows-1252";
export type Delimiter = "," | ";" | "\t";
export const DELIMITERS: readonly Delimiter[] = ["\t", ";", ","];

const HEAD_BYTES = 256 * 1024;
/** Lines searched for a header: the longest preamble seen (Microsoft Advertising) is about ten. */
export const HEAD_LINES = 60;

/**
 * The encoding of a file from its first bytes: a byte order mark, UTF-16 without one (every other
 * byte zero), UTF-8 when it decodes, else Windows-1252 (a CSV re-saved by Excel in Europe).
 */
export function detectEncoding(head: Buffer): Encoding {
  if (head[0] === 0xff && head[1] === 0xfe) return "utf-16le";
  if (head[0] === 0xfe && head[1] === 0xff) return "utf-16be";
  const sample = head.subarray(0, Math.min(head.length, 512));
  let zeroOdd = 0;
  let zeroEven = 0;
  for (let i = 0; i < sample.length; i++) if (sample[i] === 0) i % 2 === 1 ? zeroOdd++ : zeroEven++;
  if (sample.length >= 4 && zeroOdd > sample.length / 4) return "utf-16le";
  if (sample.length >= 4 && zeroEven > sample.length / 4) return "utf-16be";
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(head, { stream: true });
    return "utf-8";
  } catch {
    return "windows-1252";
  }
}

/** The first lines of a file, decoded (a byte order mark removed). */
export async function readHead(file: string): Promise<{ encoding: Encoding; lines: string[] }> {
  const handle = await open(file, "r");
  try {
    const buffer = Buffer.alloc(HEAD_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, HEAD_BYTES, 0);
    const head = buffer.subarray(0, bytesRead);
    const encoding = detectEncoding(head);
    const text = new TextDecoder(encoding).decode(head, { stream: true });
    return { encoding, lines: text.split(/\r?\n/).slice(0, HEAD_LINES) };
  } finally {
    await handle.close();
  }
}

/** The cells of one line with a delimiter, or null when it is not a CSV line. */
export function splitLine(line: string, delimiter: Delimiter): string[] | null {
  try {
    const rows = parseSync(line, { delimiter, relax_quotes: true, relax_column_count: true }) as string[][];
    return rows[0] ?? [];
  } catch {
    return null;
  }
}

/** The decoded text of a file after its first `skipLines` lines. */
async function* textAfter(file: string, encoding: Encoding, skipLines: number): AsyncGenerator<string> {
  // UTF-8 was chosen from the first bytes: a later byte that is not UTF-8 is refused, not replaced.
  const decoder = new TextDecoder(encoding, { fatal: encoding === "utf-8" });
  let toSkip = skipLines;
  for await (const chunk of createReadStream(file) as AsyncIterable<Buffer>) {
    let text: string;
    try {
      text = decoder.decode(chunk, { stream: true });
    } catch {
      throw new UserError(
        `${file} starts as UTF-8 text but later holds bytes that are not: save it again as UTF-8 (or CSV UTF-8 in Excel). Nothing was imported.`,
        [{ field: "file", reason: "not UTF-8" }],
        422,
      );
    }
    while (toSkip > 0 && text.length > 0) {
      const nl = text.indexOf("\n");
      if (nl < 0) {
        text = "";
        break;
      }
      text = text.slice(nl + 1);
      toSkip--;
    }
    if (text) yield text;
  }
  const rest = decoder.decode();
  if (rest && toSkip === 0) yield rest;
}

/** A record of the file and the line (from 1, in the original file) where it starts. */
export interface SourceRecord {
  readonly line: number;
  readonly cells: string[];
}

/** The non-blank records of a file from line `fromLine` on (the header), read as they stream. */
export async function* records(
  file: string,
  encoding: Encoding,
  delimiter: Delimiter,
  fromLine: number,
): AsyncGenerator<SourceRecord> {
  const parser = parse({
    delimiter,
    relax_column_count: true,
    relax_quotes: true,
    info: true,
    raw: true,
    record_delimiter: ["\r\n", "\n"],
  });
  const feed = (async () => {
    try {
      for await (const text of textAfter(file, encoding, fromLine - 1)) {
        if (!parser.write(text)) await new Promise((r) => parser.once("drain", r));
      }
      parser.end();
    } catch (error) {
      parser.destroy(error as Error);
    }
  })();
  for await (const item of parser as AsyncIterable<{
    record: string[];
    info: { lines: number };
    raw: string;
  }>) {
    // `info.lines` is the line where the record ends; line breaks inside quoted cells move its start up.
    if (item.record.every((cell) => cell.trim() === "")) continue;
    const inner = (item.raw.replace(/\r?\n$/, "").match(/\n/g) ?? []).length;
    yield { line: fromLine - 1 + item.info.lines - inner, cells: item.record };
  }
  await feed;
}
