import type jsep from "jsep";
import { closestName } from "../suggest.js";
import {
  BINARY_OPERATORS,
  type BinaryOperator,
  type Formula,
  type FormulaNode,
  FUNCTION_NAMES,
  type FunctionName,
} from "./ast.js";
import { formulaError } from "./formula-error.js";
import { parseSyntax, type SyntaxNode, spanOf } from "./syntax.js";

const ARITY: Readonly<
  Record<FunctionName, { readonly min: number; readonly max: number; readonly usage: string }>
> = {
  min: { min: 2, max: Number.POSITIVE_INFINITY, usage: "min(a, b, ...)" },
  max: { min: 2, max: Number.POSITIVE_INFINITY, usage: "max(a, b, ...)" },
  abs: { min: 1, max: 1, usage: "abs(x)" },
  if: { min: 3, max: 3, usage: "if(condition, then, else)" },
};

// Operators a spreadsheet or JavaScript user may reach for, with what to write instead.
const OPERATOR_HINTS: Readonly<Record<string, string>> = {
  "===": 'use "=="',
  "!==": 'use "!="',
  "&&": "use if() or min()",
  "||": "use if() or max()",
};

interface Context {
  readonly source: string;
  readonly knownNames: ReadonlySet<string>;
  readonly names: Set<string>;
}

/** Parses a custom-KPI formula over `knownNames`; throws a UserError at the first syntax mistake, else
 * at the first unknown name, unsupported operator or bad call in source order. */
export function parseFormula(source: string, knownNames: ReadonlySet<string>): Formula {
  const context: Context = { source, knownNames, names: new Set() };
  const ast = convert(parseSyntax(source), context);
  return Object.freeze({ source, ast, names: Object.freeze([...context.names]) });
}

/** Turns jsep's tree into ours, checking names, operators and calls left to right so the error
 * reported is the first one in the source. */
function convert(node: jsep.Expression, context: Context): FormulaNode {
  const syntax = node as SyntaxNode;
  switch (syntax.type) {
    case "FormulaGroup":
      return convert(syntax.expression, context);
    case "Literal":
      return convertNumber(syntax, context);
    case "Identifier":
      return convertName(syntax, context);
    case "UnaryExpression": {
      const op = syntax.operator;
      if (op !== "-" && op !== "+") throw unsupported(syntax);
      return Object.freeze({ kind: "unary", op, operand: convert(syntax.argument, context) });
    }
    case "BinaryExpression": {
      const left = convert(syntax.left, context);
      const op = syntax.operator;
      if (!isBinaryOperator(op)) {
        const position = operatorPosition(syntax, context.source);
        const hint = OPERATOR_HINTS[op];
        throw formulaError(position, `the "${op}" operator is not supported${hint ? `; ${hint}` : ""}`);
      }
      return Object.freeze({ kind: "binary", op, left, right: convert(syntax.right, context) });
    }
    case "CallExpression":
      return convertCall(syntax, context);
    default:
      throw unsupported(syntax);
  }
}

function convertNumber(node: jsep.Literal, context: Context): FormulaNode {
  const { start, end } = spanOf(node);
  if (typeof node.value !== "number") throw unsupported(node);
  if (!Number.isFinite(node.value)) {
    throw formulaError(start, `the number ${context.source.slice(start, end)} is too large`);
  }
  return Object.freeze({ kind: "number", value: node.value });
}

function convertName(node: jsep.Identifier, context: Context): FormulaNode {
  const position = spanOf(node).start;
  const { name } = node;
  if (!context.knownNames.has(name)) {
    const suggestion = closestName(name, context.knownNames);
    const hint = suggestion === undefined ? "" : ` (did you mean "${suggestion}"?)`;
    throw formulaError(position, `unknown KPI "${name}"${hint}`);
  }
  context.names.add(name);
  return Object.freeze({ kind: "name", name, position });
}

function convertCall(node: jsep.CallExpression, context: Context): FormulaNode {
  const position = spanOf(node).start;
  // syntax.ts only builds calls on a bare name.
  const fn = (node.callee as jsep.Identifier).name;
  if (!isFunctionName(fn)) {
    const suggestion = closestName(fn, FUNCTION_NAMES);
    const hint =
      suggestion === undefined ? "the functions are min, max, abs and if" : `did you mean "${suggestion}"?`;
    throw formulaError(position, `unknown function "${fn}" (${hint})`);
  }
  const arity = ARITY[fn];
  const count = node.arguments.length;
  if (count < arity.min || count > arity.max) {
    throw formulaError(
      position,
      `${fn} expects ${expectedCount(arity)}, as in ${arity.usage}, but got ${count}`,
    );
  }
  const args = Object.freeze(node.arguments.map((arg) => convert(arg, context)));
  return Object.freeze({ kind: "call", fn, args, position });
}

function expectedCount(arity: { readonly min: number; readonly max: number }): string {
  const plural = (n: number): string => `${n} argument${n === 1 ? "" : "s"}`;
  return arity.min === arity.max ? plural(arity.min) : `at least ${plural(arity.min)}`;
}

/** jsep does not record where an operator is: it is the first non-blank character after the left operand. */
function operatorPosition(node: jsep.BinaryExpression, source: string): number {
  const afterLeft = spanOf(node.left).end;
  const offset = source.slice(afterLeft).search(/\S/);
  return offset < 0 ? afterLeft : afterLeft + offset;
}

/** A node syntax.ts should have rejected already: a bug, not a user mistake. */
function unsupported(node: jsep.Expression): Error {
  return new Error(`formula syntax produced an unsupported jsep node: ${node.type}`);
}

function isBinaryOperator(op: string): op is BinaryOperator {
  return (BINARY_OPERATORS as readonly string[]).includes(op);
}

function isFunctionName(name: string): name is FunctionName {
  return (FUNCTION_NAMES as readonly string[]).includes(name);
}
