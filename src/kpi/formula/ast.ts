/**
 * The syntax tree of a custom-KPI formula. It is our own, not jsep's, so the rest of the code
 * only ever sees the small language we accept, and every node is frozen so a parsed formula
 * can be shared and cached without defensive copies.
 */

export const BINARY_OPERATORS = ["+", "-", "*", "/", ">", "<", ">=", "<=", "==", "!="] as const;
export type BinaryOperator = (typeof BINARY_OPERATORS)[number];

export const UNARY_OPERATORS = ["-", "+"] as const;
export type UnaryOperator = (typeof UNARY_OPERATORS)[number];

export const FUNCTION_NAMES = ["min", "max", "abs", "if"] as const;
export type FunctionName = (typeof FUNCTION_NAMES)[number];

export interface NumberNode {
  readonly kind: "number";
  readonly value: number;
}

/** A reference to a KPI or measure; `position` is its 0-based offset in the formula source. */
export interface NameNode {
  readonly kind: "name";
  readonly name: string;
  readonly position: number;
}

export interface UnaryNode {
  readonly kind: "unary";
  readonly op: UnaryOperator;
  readonly operand: FormulaNode;
}

export interface BinaryNode {
  readonly kind: "binary";
  readonly op: BinaryOperator;
  readonly left: FormulaNode;
  readonly right: FormulaNode;
}

/** A function call; `position` is the offset of the function name. */
export interface CallNode {
  readonly kind: "call";
  readonly fn: FunctionName;
  readonly args: readonly FormulaNode[];
  readonly position: number;
}

export type FormulaNode = NumberNode | NameNode | UnaryNode | BinaryNode | CallNode;

/** A parsed formula: the source it came from, its tree, and the names it reads. */
export interface Formula {
  readonly source: string;
  readonly ast: FormulaNode;
  /** Distinct names referenced, in order of first use. */
  readonly names: readonly string[];
}
