/**
 * The condition AST. Node kinds follow libsinsp's `filter/ast.h`; every node carries the span of
 * source text it was parsed from (`loc`), as 0-based offsets and 1-based line/column.
 */

/** A point in the condition text. */
export interface Position {
  /** 0-based character offset. */
  offset: number;
  /** 1-based line. */
  line: number;
  /** 1-based column. */
  column: number;
}

/** The source span of a node. */
export interface Span {
  start: Position;
  end: Position;
}

/** Comparison operators of the condition language. */
export type BinaryOperator =
  | '='
  | '=='
  | '!='
  | '<'
  | '<='
  | '>'
  | '>='
  | 'contains'
  | 'icontains'
  | 'bcontains'
  | 'startswith'
  | 'bstartswith'
  | 'endswith'
  | 'glob'
  | 'iglob'
  | 'regex'
  | 'in'
  | 'intersects'
  | 'pmatch';

/** List quantifiers that may follow a string operator: `proc.name = oneof (a, b)`. */
export type ListModifier = 'oneof' | 'anyof' | 'allof';

/** Field transformers (`val` is only valid on the right-hand side). */
export type TransformerName =
  | 'tolower'
  | 'toupper'
  | 'b64'
  | 'basename'
  | 'len'
  | 'join'
  | 'concat'
  | 'getopt'
  | 'val';

/** Boolean expressions. */
export type Expr = AndExpr | OrExpr | NotExpr | IdentifierExpr | UnaryCheckExpr | BinaryCheckExpr;

/** A field reference or a transformer over fields: what a check compares. */
export type FieldLike = FieldExpr | TransformerExpr;

/** What may appear right of an operator. */
export type Operand = ValueExpr | ListExpr | TransformerExpr;

/** `a and b and c`. */
export interface AndExpr {
  kind: 'and';
  children: Expr[];
  loc: Span;
}

/** `a or b or c`. */
export interface OrExpr {
  kind: 'or';
  children: Expr[];
  loc: Span;
}

/** `not a`. */
export interface NotExpr {
  kind: 'not';
  child: Expr;
  loc: Span;
}

/** A bare identifier in boolean position: a macro reference. */
export interface IdentifierExpr {
  kind: 'identifier';
  name: string;
  loc: Span;
}

/** `field exists`. */
export interface UnaryCheckExpr {
  kind: 'unary';
  op: 'exists';
  left: FieldLike;
  loc: Span;
}

/** `field op value`, `field in (a, b)`, `field = oneof (a, b)`, `field = val(other.field)`. */
export interface BinaryCheckExpr {
  kind: 'binary';
  op: BinaryOperator;
  /** Set for `oneof` / `anyof` / `allof` forms; `right` is then a list or a list name. */
  modifier?: ListModifier;
  left: FieldLike;
  right: Operand;
  loc: Span;
}

/** `proc.name`, `proc.aname[2]`, `evt.arg.name`, `evt.arg[0]`, `container.label["x"]`. */
export interface FieldExpr {
  kind: 'field';
  name: string;
  arg?: string;
  loc: Span;
}

/**
 * `tolower(field)`, nested transformers, `val(field)`, `join(sep, (a, b))`, `concat(a, b)`,
 * `getopt(field, "opts")[key]`. `args` holds the transformed operands; literal items of `join` and
 * `concat` are {@link ValueExpr}s.
 */
export interface TransformerExpr {
  kind: 'transformer';
  name: TransformerName;
  args: (FieldLike | ValueExpr)[];
  /** `join` separator or `getopt` option string. */
  param?: string;
  /** `getopt(...)[key]`. */
  key?: string;
  loc: Span;
}

/** A literal: bare or quoted (unescaped) string or number text. */
export interface ValueExpr {
  kind: 'value';
  value: string;
  quoted: boolean;
  loc: Span;
}

/** `(a, 'b', c)`. */
export interface ListExpr {
  kind: 'list';
  items: ValueExpr[];
  loc: Span;
}

/** Any AST node. */
export type Node = Expr | FieldExpr | TransformerExpr | ValueExpr | ListExpr;
