import { describe, expect, it } from "vitest";
import { type DecimalSeparator, decimalEvidence, parseNumber, symbolMatches } from "./numbers.js";

describe("numbers as exports write them", () => {
  it.each<[string, DecimalSeparator, number | null, boolean, string | null]>([
    ["15,320", ".", 15320, false, null],
    ["1,234,567.89", ".", 1234567.89, false, null],
    ["1.234,56", ",", 1234.56, false, null],
    ["1.234", ",", 1234, false, null],
    ["1,234", ".", 1234, false, null],
    ["0,5", ",", 0.5, false, null],
    ["1234.5", ".", 1234.5, false, null],
    ["€1,234.56", ".", 1234.56, false, "€"],
    ["1.234,56 €", ",", 1234.56, false, "€"],
    ["1\u202f234,56\u00a0€", ",", 1234.56, false, "€"],
    ["US$12.50", ".", 12.5, false, "US$"],
    ["12.50 USD", ".", 12.5, false, "USD"],
    ["EUR 7,10", ",", 7.1, false, "EUR"],
    ["2.53%", ".", 2.53, true, null],
    ["2,53 %", ",", 2.53, true, null],
    ["--", ".", null, false, null],
    [" ", ",", null, false, null],
    ["-3", ".", -3, false, null],
    ["(4.50)", ".", -4.5, false, null],
    ["1'234.5", ".", 1234.5, false, null],
  ])("reads %j with %j as the decimal separator", (raw, decimal, value, percent, symbol) => {
    expect(parseNumber(raw, decimal)).toEqual({ value, percent, symbol });
  });

  it.each<[string, DecimalSeparator]>([
    ["2,53", "."], // a decimal comma in a file that writes decimal points
    ["1.234.5", "."],
    ["12,34,567", "."],
    ["abc", "."],
    ["1,2,3", ","],
    ["12 apples", "."],
  ])("refuses %j with %j", (raw, decimal) => {
    expect(parseNumber(raw, decimal)).toHaveProperty("error");
  });

  it.each<[string, DecimalSeparator | null]>([
    ["1.234,56", ","],
    ["1,234.56", "."],
    ["2,5", ","],
    ["2.53%", "."],
    ["1,234", null],
    ["1.234", null],
    ["1,234,567", "."],
    ["1.234.567", ","],
    ["15", null],
    ["--", null],
    ["0.125", "."],
  ])("%j says the decimal separator is %j", (raw, expected) => {
    expect(decimalEvidence(raw)).toBe(expected);
  });

  it.each<[string, string, boolean]>([
    ["€", "EUR", true],
    ["€", "USD", false],
    ["$", "USD", true],
    ["$", "EUR", false],
    ["US$", "CAD", false],
    ["USD", "usd", true],
    ["GBP", "EUR", false],
  ])("%j can be %j: %j", (symbol, currency, ok) => {
    expect(symbolMatches(symbol, currency)).toBe(ok);
  });
});
