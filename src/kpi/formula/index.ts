export type {
  BinaryNode,
  BinaryOperator,
  CallNode,
  Formula,
  FormulaNode,
  FunctionName,
  NameNode,
  NumberNode,
  UnaryNode,
  UnaryOperator,
} from "./ast.js";
export { BINARY_OPERATORS, FUNCTION_NAMES, UNARY_OPERATORS } from "./ast.js";
export { evaluateFormula } from "./evaluate.js";
export { parseFormula } from "./parse.js";
