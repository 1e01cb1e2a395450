import type { BinaryOperator, CallNode, Formula, FormulaNode } from "./ast.js";

type Values = Readonly<Record<string, number | null>>;

/**
 * Computes a formula. A KPI with no value (null), a division by zero or a non-finite result yields
 * null rather than 0 or Infinity, so a report shows "no value" instead of a wrong number.
 */
export function evaluateFormula(formula: Formula, values: Values): number | null {
  return evaluateNode(formula.ast, values);
}

function evaluateNode(node: FormulaNode, values: Values): number | null {
  switch (node.kind) {
    case "number":
      return node.value;
    case "name":
      return finite(lookupValue(node.name, values));
    case "unary": {
      const operand = evaluateNode(node.operand, values);
      if (operand === null) return null;
      return node.op === "-" ? -operand : operand;
    }
    case "binary": {
      // Both sides are evaluated even if one is null, so a missing name is always reported.
      const left = evaluateNode(node.left, values);
      const right = evaluateNode(node.right, values);
      return left === null || right === null ? null : finite(applyBinary(node.op, left, right));
    }
    case "call":
      return evaluateCall(node, values);
  }
}

function evaluateCall(node: CallNode, values: Values): number | null {
  if (node.fn === "if") {
    // Only the chosen branch is evaluated, like a spreadsheet IF.
    const condition = evaluateNode(argument(node, 0), values);
    if (condition === null) return null;
    return evaluateNode(argument(node, condition !== 0 ? 1 : 2), values);
  }
  if (node.fn === "abs") {
    const operand = evaluateNode(argument(node, 0), values);
    return operand === null ? null : Math.abs(operand);
  }
  const args = node.args.map((arg) => evaluateNode(arg, values));
  const numbers = args.filter((arg): arg is number => arg !== null);
  if (numbers.length < args.length) return null;
  return node.fn === "min" ? Math.min(...numbers) : Math.max(...numbers);
}

function applyBinary(op: BinaryOperator, left: number, right: number): number | null {
  switch (op) {
    case "+":
      return left + right;
    case "-":
      return left - right;
    case "*":
      return left * right;
    case "/":
      return right === 0 ? null : left / right;
    case ">":
      return left > right ? 1 : 0;
    case "<":
      return left < right ? 1 : 0;
    case ">=":
      return left >= right ? 1 : 0;
    case "<=":
      return left <= right ? 1 : 0;
    case "==":
      return left === right ? 1 : 0;
    case "!=":
      return left !== right ? 1 : 0;
  }
}

function lookupValue(name: string, values: Values): number | null {
  const value = Object.hasOwn(values, name) ? values[name] : undefined;
  // parseFormula lists the names a formula needs; a caller that did not supply one has a bug.
  if (value === undefined) throw new Error(`formula needs a value for "${name}" but none was given`);
  return value;
}

function argument(call: CallNode, index: number): FormulaNode {
  const arg = call.args[index];
  // parseFormula checks arity, so a missing argument means the tree was built by hand, wrongly.
  if (arg === undefined) throw new Error(`formula call is missing argument ${index + 1}`);
  return arg;
}

function finite(value: number | null): number | null {
  return value === null || !Number.isFinite(value) ? null : value;
}
