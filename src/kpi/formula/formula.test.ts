import jsep from "jsep";
import { describe, expect, it } from "vitest";
import { UserError } from "../../errors.js";
import { editDistance } from "../suggest.js";
import { evaluateFormula, type Formula, parseFormula } from "./index.js";

const KNOWN = new Set(["revenue", "spend", "orders", "clicks", "conversion_rate"]);

function evaluate(source: string, values: Record<string, number | null>): number | null {
  return evaluateFormula(parseFormula(source, KNOWN), values);
}

function parseError(source: string): UserError {
  try {
    parseFormula(source, KNOWN);
  } catch (error) {
    if (error instanceof UserError) return error;
    throw error;
  }
  throw new Error(`expected "${source}" to be rejected`);
}

describe("parseFormula", () => {
  it("builds a frozen tree that follows operator precedence", () => {
    const formula = parseFormula("revenue * 0.4 - spend", KNOWN);
    expect(formula.ast).toEqual({
      kind: "binary",
      op: "-",
      left: {
        kind: "binary",
        op: "*",
        left: { kind: "name", name: "revenue", position: 0 },
        right: { kind: "number", value: 0.4 },
      },
      right: { kind: "name", name: "spend", position: 16 },
    });
    expect(Object.isFrozen(formula)).toBe(true);
    expect(Object.isFrozen(formula.ast)).toBe(true);
    expect(Object.isFrozen(formula.names)).toBe(true);
  });

  it("lists distinct names in order of first use", () => {
    expect(parseFormula("spend + revenue / spend - min(orders, revenue)", KNOWN).names).toEqual([
      "spend",
      "revenue",
      "orders",
    ]);
    expect(parseFormula("1 + 2", KNOWN).names).toEqual([]);
  });

  it("records the position of names and calls inside parentheses", () => {
    const formula = parseFormula("( max(spend, 1) )", KNOWN);
    expect(formula.ast).toMatchObject({ kind: "call", fn: "max", position: 2 });
    expect(formula.ast).toMatchObject({ args: [{ kind: "name", position: 6 }, { kind: "number" }] });
  });

  it.each([
    ["1e3", 1000],
    [".5", 0.5],
    ["2.5E-1", 0.25],
  ])("reads the number literal %s", (source, value) => {
    expect(parseFormula(source, KNOWN).ast).toEqual({ kind: "number", value });
  });

  // [case, source, position, reason]
  it.each([
    ["an empty formula", "", 0, "the formula is empty"],
    ["a blank formula", "   ", 0, "the formula is empty"],
    ["a missing operand", "revenue * * 2", 10, 'expected a number, a KPI name or "(" but found "*"'],
    [
      "a formula ending in an operator",
      "revenue +",
      9,
      'the formula ends where a number, a KPI name or "(" is expected',
    ],
    ["an unknown KPI", "revenu - spend", 0, 'unknown KPI "revenu" (did you mean "revenue"?)'],
    ["an unknown KPI later on", "spend + revenu", 8, 'unknown KPI "revenu" (did you mean "revenue"?)'],
    ["an unknown KPI with nothing close", "spend + foo", 8, 'unknown KPI "foo"'],
    ["a JavaScript literal", "true", 0, 'unknown KPI "true"'],
    [
      "an unknown function",
      "spend + foo(1)",
      8,
      'unknown function "foo" (the functions are min, max, abs and if)',
    ],
    ["a misspelt function", "mx(spend, 1)", 0, 'unknown function "mx" (did you mean "max"?)'],
    [
      "a KPI called as a function",
      "revenue(1)",
      0,
      'unknown function "revenue" (the functions are min, max, abs and if)',
    ],
    ["member access", "a.b", 1, 'unexpected "."; KPI names cannot contain dots'],
    ["member access after a call", "abs(spend).x", 10, 'unexpected "."; KPI names cannot contain dots'],
    ["computed member access", "spend[0]", 5, 'unexpected "["; square brackets are not supported'],
    ["a single-quoted string", "'x'", 0, "quoted text is not supported; write KPI names without quotes"],
    [
      "a double-quoted string",
      'spend + "x"',
      8,
      "quoted text is not supported; write KPI names without quotes",
    ],
    ["an array", "min([1], 2)", 4, 'unexpected "["; square brackets are not supported'],
    ["&&", "revenue > 0 && spend > 0", 12, 'the "&&" operator is not supported; use if() or min()'],
    ["||", "revenue || spend", 8, 'the "||" operator is not supported; use if() or max()'],
    ["%", "revenue % 2", 8, 'the "%" operator is not supported'],
    ["**", "revenue ** 2", 8, 'the "**" operator is not supported'],
    ["===", "(revenue) === spend", 10, 'the "===" operator is not supported; use "=="'],
    ["an unsupported operator inside a call", "max(1, 2 & spend)", 9, 'the "&" operator is not supported'],
    [
      "the ternary operator",
      "revenue > 0 ? 1 : 0",
      12,
      'the "?:" operator is not supported; use if(condition, then, else)',
    ],
    ["logical not", "!spend", 0, 'expected a number, a KPI name or "(" but found "!"'],
    ["assignment", "spend = 1", 6, 'unexpected "="'],
    ["two operands without an operator", "revenue spend", 8, 'expected an operator before "spend"'],
    ["a statement separator", "revenue; spend", 7, 'unexpected ";"'],
    ["a trailing comma", "revenue,", 7, 'unexpected ","'],
    ["a leading separator", ";revenue", 0, 'expected a number, a KPI name or "(" but found ";"'],
    [
      "a leading separator after a space",
      " ;revenue",
      1,
      'expected a number, a KPI name or "(" but found ";"',
    ],
    ["nothing but separators", ";,", 0, 'expected a number, a KPI name or "(" but found ";"'],
    ["a stray closing parenthesis", "revenue)", 7, 'unexpected ")"'],
    ["an unclosed parenthesis", "(revenue - spend", 16, 'missing ")" for the "(" at position 0'],
    ["a comma in parentheses", "(revenue, spend)", 8, 'expected ")" but found ","'],
    ["empty parentheses", "spend * ()", 9, 'expected a number, a KPI name or "(" but found ")"'],
    ["a call of a number", "2(3)", 1, 'unexpected "("; only min, max, abs and if can be called'],
    [
      "a missing comma between arguments",
      "min(spend revenue)",
      10,
      'expected "," or ")" but found "revenue"',
    ],
    ["an empty argument", "min(spend, )", 11, 'expected a number, a KPI name or "(" but found ")"'],
    ["an unclosed call", "min(spend, 1", 12, 'missing ")" for the "(" at position 3'],
    ["abs with two arguments", "abs(1, 2)", 0, "abs expects 1 argument, as in abs(x), but got 2"],
    ["abs without arguments", "abs()", 0, "abs expects 1 argument, as in abs(x), but got 0"],
    [
      "if with two arguments",
      "if(spend, 1)",
      0,
      "if expects 3 arguments, as in if(condition, then, else), but got 2",
    ],
    [
      "if with four arguments",
      "1 + if(spend, 1, 2, 3)",
      4,
      "if expects 3 arguments, as in if(condition, then, else), but got 4",
    ],
    [
      "min with one argument",
      "min(spend)",
      0,
      "min expects at least 2 arguments, as in min(a, b, ...), but got 1",
    ],
    [
      "max without arguments",
      "max()",
      0,
      "max expects at least 2 arguments, as in max(a, b, ...), but got 0",
    ],
    ["a name starting with a digit", "2spend", 1, "names cannot start with a number (2s)"],
    ["a number too large to represent", "1e999 * spend", 0, "the number 1e999 is too large"],
  ])("rejects %s: %j at position %i", (_case, source, position, reason) => {
    const error = parseError(source);
    expect(error.message).toBe(`Formula error at position ${position}: ${reason}`);
    expect(error.details).toEqual([{ field: "formula", position, reason }]);
    expect(error.status).toBe(400);
  });

  it("leaves jsep unchanged for other code in the process", () => {
    parseFormula("revenue", KNOWN);
    expect(jsep("a.b ? 'x' : [1]")).toMatchObject({
      type: "ConditionalExpression",
      test: { type: "MemberExpression" },
      consequent: { type: "Literal", value: "x" },
      alternate: { type: "ArrayExpression" },
    });
  });

  it("reports the first mistake in the source when there are several", () => {
    expect(parseError("revenu + spnd").details[0]?.position).toBe(0);
    expect(parseError("spend + revenu % 2").details[0]?.position).toBe(8);
  });
});

describe("evaluateFormula", () => {
  const values = { revenue: 1000, spend: 200, orders: 40, clicks: 0, conversion_rate: null };

  // [case, source, expected]
  it.each([
    ["multiplication before subtraction", "revenue * 0.4 - spend", 200],
    ["division before addition", "spend + revenue / orders", 225],
    ["left-to-right subtraction", "revenue - spend - orders", 760],
    ["parentheses first", "(revenue - spend) / orders", 20],
    ["nested parentheses", "((revenue - (spend + 100)) * 2)", 1400],
    ["unary minus", "-spend + revenue", 800],
    ["unary minus on a group", "-(revenue - spend)", -800],
    ["double unary minus", "- -spend", 200],
    ["unary plus", "+spend", 200],
    ["unary minus binds tighter than *", "-spend * 2", -400],
    ["> true", "revenue > spend", 1],
    ["> false", "spend > revenue", 0],
    ["<", "spend < revenue", 1],
    [">= on equal values", "spend >= 200", 1],
    ["<= false", "revenue <= spend", 0],
    ["==", "orders == 40", 1],
    ["!=", "orders != 40", 0],
    ["comparison after arithmetic", "revenue - spend > 700", 1],
    ["if taking the then branch", "if(revenue > spend, revenue, spend)", 1000],
    ["if taking the else branch", "if(revenue < spend, revenue, spend)", 200],
    ["if treating any non-zero as true", "if(-3, 1, 2)", 1],
    ["if treating zero as false", "if(clicks, 1, 2)", 2],
    ["if guarding a division by zero", "if(clicks > 0, spend / clicks, 0)", 0],
    ["if ignoring a null in the branch not taken", "if(1, revenue, conversion_rate)", 1000],
    ["min", "min(revenue, spend, orders)", 40],
    ["max", "max(revenue, spend, orders)", 1000],
    ["abs", "abs(spend - revenue)", 800],
    ["calls inside arithmetic", "max(0, revenue - spend) / abs(-orders)", 20],
  ])("computes %s: %s", (_case, source, expected) => {
    expect(evaluate(source, values)).toBe(expected);
  });

  // [case, source]
  it.each([
    ["a null name", "conversion_rate"],
    ["a null operand of +", "revenue + conversion_rate"],
    ["a null operand of *", "conversion_rate * 0"],
    ["a null operand of a comparison", "conversion_rate > 0"],
    ["a null under unary minus", "-conversion_rate"],
    ["a null if condition", "if(conversion_rate, 1, 2)"],
    ["a null in the if branch taken", "if(0, 1, conversion_rate)"],
    ["a null min argument", "min(revenue, conversion_rate)"],
    ["a null max argument", "max(conversion_rate, revenue)"],
    ["a null abs argument", "abs(conversion_rate)"],
    ["division by zero", "spend / clicks"],
    ["zero divided by zero", "clicks / 0"],
    ["a division by zero inside a larger formula", "revenue + spend / (orders - 40)"],
    ["a result too large to represent", "1e308 * 10"],
  ])("gives null for %s: %s", (_case, source) => {
    expect(evaluate(source, values)).toBeNull();
  });

  it("treats a non-finite input value as no value", () => {
    expect(evaluate("revenue + 1", { revenue: Number.POSITIVE_INFINITY })).toBeNull();
  });

  it("throws a plain Error when a referenced name has no entry in values", () => {
    const formula: Formula = parseFormula("revenue - spend", KNOWN);
    expect(() => evaluateFormula(formula, { revenue: 1 })).toThrow(/"spend"/);
    expect(() => evaluateFormula(formula, { revenue: 1 })).not.toThrow(UserError);
  });

  it("does not mistake inherited object properties for values", () => {
    const formula = parseFormula("constructor", new Set(["constructor"]));
    expect(() => evaluateFormula(formula, {})).toThrow(/"constructor"/);
  });
});

describe("editDistance", () => {
  it.each([
    ["revenue", "revenue", 0],
    ["revenu", "revenue", 1],
    ["reveune", "revenue", 1],
    ["spnd", "spend", 1],
    ["", "abc", 3],
    ["kitten", "sitting", 3],
  ])("between %s and %s is %i", (a, b, distance) => {
    expect(editDistance(a, b)).toBe(distance);
    expect(editDistance(b, a)).toBe(distance);
  });

  it("suggests nothing for a short name that would have to be rewritten", () => {
    expect(() => parseFormula("ab", new Set(["cd"]))).toThrow(
      /^Formula error at position 0: unknown KPI "ab"$/,
    );
    expect(() => parseFormula("ab", new Set(["abc"]))).toThrow('(did you mean "abc"?)');
  });
});
