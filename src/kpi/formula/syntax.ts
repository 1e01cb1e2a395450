/**
 * Runs jsep over a formula with hooks that restrict it to our language and record where each
 * token sits in the source.
 *
 * jsep has no private instances: its operators, literals and hooks are global to the process.
 * Rather than strip features for every other user, we register hooks that only act while
 * `parseSyntax` runs. Our `gobble-token` hook reads every operand itself (numbers, names, calls,
 * parentheses, unary signs), so strings, arrays, member access and `this` never reach jsep's own
 * token reader, and each node gets an exact source span. jsep still does what it is for: binary
 * operators and their precedence. Operators outside our language are rejected later, in parse.ts,
 * where we know their position from the spans around them.
 */
import jsep from "jsep";
import { formulaError, tokenAt } from "./formula-error.js";

/** Half-open range [start, end) of source characters a node was read from. */
export interface Span {
  readonly start: number;
  readonly end: number;
}

/** Parentheses, kept as a node so the span of `(a + b)` can include them without hiding `a`'s. */
export interface GroupExpression extends jsep.Expression {
  type: "FormulaGroup";
  expression: jsep.Expression;
}

/** Every node `parseSyntax` can return. */
export type SyntaxNode = jsep.CoreExpression | GroupExpression;

const CODE = { openParen: 40, closeParen: 41, comma: 44, question: 63 } as const;
const IDENTIFIER_START = /[A-Za-z_$]/;
const NUMBER_START = /[0-9.]/;
const EXPECTED_OPERAND = 'a number, a KPI name or "("';

const spans = new WeakMap<jsep.Expression, Span>();
let active = false;
// How many calls or parentheses enclose the expression being read; at 0 it must end the formula.
let depth = 0;

/** Parses `source` into a jsep tree whose nodes all have a span; throws a formula UserError. */
export function parseSyntax(source: string): SyntaxNode {
  const first = source.search(/\S/);
  if (first < 0) throw formulaError(0, "the formula is empty");
  active = true;
  depth = 0;
  let root: jsep.Expression;
  try {
    root = jsep(source);
  } catch (error) {
    throw isJsepError(error) ? formulaError(error.index, jsepReason(error.description)) : error;
  } finally {
    active = false;
  }
  // jsep skips leading ";" and "," as statement separators, and yields an empty Compound for
  // nothing but separators: both mean the formula does not start with an operand.
  if (root.type === "Compound" || spanOf(root).start !== first) {
    throw formulaError(first, unexpectedOperandReason(source, first));
  }
  return root as SyntaxNode;
}

/** Where a node came from. jsep builds binary nodes itself, so theirs is derived from their operands. */
export function spanOf(node: jsep.Expression): Span {
  const span = spans.get(node);
  if (span) return span;
  if (node.type === "BinaryExpression") {
    const { left, right } = node as jsep.BinaryExpression;
    return { start: spanOf(left).start, end: spanOf(right).end };
  }
  throw new Error(`jsep node ${node.type} has no source span`);
}

jsep.hooks.add(
  "gobble-token",
  function readOperand(env) {
    if (active) env.node = gobbleOperand(this);
  },
  true,
);

// Registered first so it runs before jsep's ternary plugin, which would otherwise parse `a ? b : c`.
jsep.hooks.add(
  "after-expression",
  function checkExpressionEnd(env) {
    if (!active || !env.node || this.index >= this.expr.length) return;
    if (this.code === CODE.question) {
      throw formulaError(this.index, 'the "?:" operator is not supported; use if(condition, then, else)');
    }
    if (depth === 0) {
      const found = tokenAt(this.expr, this.index);
      const reason = startsOperand(this.char)
        ? `expected an operator before "${found}"`
        : `unexpected "${found}"`;
      throw formulaError(this.index, reason);
    }
  },
  true,
);

/** Reads one operand with its unary signs and call arguments, and rejects anything after it that
 * would make it a member access or a call of a non-function. */
function gobbleOperand(p: jsep.HookScope): jsep.Expression {
  const start = p.index;
  const ch = p.char;
  if (ch === "-" || ch === "+") {
    p.index++;
    const argument = gobbleOperandAfterSpaces(p);
    return withSpan(
      { type: "UnaryExpression", operator: ch, argument, prefix: true },
      start,
      spanOf(argument).end,
    );
  }
  let node: jsep.Expression;
  if (NUMBER_START.test(ch)) {
    node = withSpan(required(p.gobbleNumericLiteral(), start), start, p.index);
  } else if (IDENTIFIER_START.test(ch)) {
    node = gobbleNameOrCall(p);
  } else if (ch === "(") {
    node = gobbleGroup(p);
  } else {
    throw formulaError(start, unexpectedOperandReason(p.expr, start));
  }
  rejectPostfix(p);
  return node;
}

function gobbleOperandAfterSpaces(p: jsep.HookScope): jsep.Expression {
  p.gobbleSpaces();
  return gobbleOperand(p);
}

function gobbleNameOrCall(p: jsep.HookScope): jsep.Expression {
  const start = p.index;
  const callee = withSpan(required(p.gobbleIdentifier(), start), start, p.index);
  p.gobbleSpaces();
  if (p.code !== CODE.openParen) return callee;
  const args = gobbleEnclosed(p, '"," or ")"', () => gobbleArguments(p));
  return withSpan({ type: "CallExpression", callee, arguments: args }, start, p.index);
}

function gobbleArguments(p: jsep.HookScope): jsep.Expression[] {
  const args: jsep.Expression[] = [];
  p.gobbleSpaces();
  if (p.code === CODE.closeParen) return args;
  for (;;) {
    args.push(p.gobbleExpression());
    if (p.code !== CODE.comma) return args;
    p.index++;
  }
}

function gobbleGroup(p: jsep.HookScope): jsep.Expression {
  const start = p.index;
  const expression = gobbleEnclosed(p, '")"', () => p.gobbleExpression());
  const group: GroupExpression = { type: "FormulaGroup", expression };
  return withSpan(group, start, p.index);
}

/** Reads `(`, the content, and `)`, tracking depth so commas and `)` inside are not "trailing". */
function gobbleEnclosed<T>(p: jsep.HookScope, expected: string, content: () => T): T {
  const open = p.index;
  p.index++;
  depth++;
  const result = content();
  depth--;
  p.gobbleSpaces();
  if (p.code !== CODE.closeParen) {
    const reason =
      p.index >= p.expr.length
        ? `missing ")" for the "(" at position ${open}`
        : `expected ${expected} but found "${tokenAt(p.expr, p.index)}"`;
    throw formulaError(p.index, reason);
  }
  p.index++;
  return result;
}

function rejectPostfix(p: jsep.HookScope): void {
  p.gobbleSpaces();
  const ch = p.char;
  if (ch === ".") throw formulaError(p.index, 'unexpected "."; KPI names cannot contain dots');
  if (ch === "[") throw formulaError(p.index, 'unexpected "["; square brackets are not supported');
  if (ch === "(") throw formulaError(p.index, 'unexpected "("; only min, max, abs and if can be called');
}

function unexpectedOperandReason(source: string, position: number): string {
  const ch = source.charAt(position);
  if (ch === "") return `the formula ends where ${EXPECTED_OPERAND} is expected`;
  if (ch === '"' || ch === "'") return "quoted text is not supported; write KPI names without quotes";
  if (ch === "[") return 'unexpected "["; square brackets are not supported';
  return `expected ${EXPECTED_OPERAND} but found "${tokenAt(source, position)}"`;
}

function startsOperand(ch: string): boolean {
  return IDENTIFIER_START.test(ch) || NUMBER_START.test(ch) || ch === "(";
}

function withSpan<T extends jsep.Expression>(node: T, start: number, end: number): T {
  spans.set(node, { start, end });
  return node;
}

/** jsep's token readers return `undefined` only when nothing matched, which our checks rule out. */
function required(node: jsep.Expression | undefined, position: number): jsep.Expression {
  if (!node) throw new Error(`jsep read no token at position ${position}`);
  return node;
}

/** jsep's own syntax errors (e.g. in number literals) carry the offset and a bare description. */
function isJsepError(error: unknown): error is Error & { index: number; description: string } {
  return (
    error instanceof Error &&
    typeof (error as { index?: unknown }).index === "number" &&
    typeof (error as { description?: unknown }).description === "string"
  );
}

function jsepReason(description: string): string {
  const reason = description.replace(/^Variable names/, "names");
  return reason.charAt(0).toLowerCase() + reason.slice(1);
}
