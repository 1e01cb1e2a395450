import { describe, expect, it } from "vitest";
import { fileFormat, parseColumnMap, parseImportKind, toStrptimeFormat } from "./options.js";

describe("import options", () => {
  it.each([
    ["DD-MM-YYYY", "%d-%m-%Y"],
    ["YYYY/MM/DD HH:mm:ss", "%Y/%m/%d %H:%M:%S"],
    ["MM.DD.YYYY HH:mm", "%m.%d.%Y %H:%M"],
  ])("reads the date format %s as %s", (format, strptime) => {
    expect(toStrptimeFormat(format)).toBe(strptime);
  });

  it("names the position of an unknown token", () => {
    expect(() => toStrptimeFormat("DD-MMM-YYYY")).toThrow(/position 5/);
    expect(() => toStrptimeFormat("HH:mm")).toThrow(/YYYY, MM and DD/);
    expect(() => toStrptimeFormat("%d-%m-%Y")).toThrow(/position 0/);
  });

  it("parses --map pairs and rejects unknown targets", () => {
    expect(parseColumnMap("costs", "date=Date, spend=Spent")).toEqual({ date: "Date", spend: "Spent" });
    expect(() => parseColumnMap("costs", "budget=Spent")).toThrow(/not a costs column/);
    expect(() => parseColumnMap("costs", "spend")).toThrow(/target=source/);
  });

  it("knows the kinds and file formats", () => {
    expect(parseImportKind("orders")).toBe("orders");
    expect(() => parseImportKind("sales")).toThrow(/events, costs, email, social, orders/);
    expect(fileFormat("a.JSONL")).toBe("jsonl");
    expect(fileFormat("a.csv")).toBe("csv");
  });
});
