import { GraphQLError, GraphQLScalarType, Kind, type ValueNode } from 'graphql';

const bad = (message: string) => new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT' } });

export const DateTime = new GraphQLScalarType<Date, string>({
  name: 'DateTime',
  description: 'An instant, as an RFC 3339 / ISO 8601 string in UTC.',
  serialize: (v) => (v instanceof Date ? v : new Date(v as string)).toISOString(),
  parseValue: (v) => {
    const d = new Date(v as string);
    if (typeof v !== 'string' || Number.isNaN(d.getTime())) throw bad('DateTime must be an ISO 8601 string');
    return d;
  },
  parseLiteral: (ast) => {
    if (ast.kind !== Kind.STRING || Number.isNaN(new Date(ast.value).getTime())) throw bad('DateTime must be an ISO 8601 string');
    return new Date(ast.value);
  },
});

function checkUrl(v: unknown): string {
  if (typeof v !== 'string') throw bad('URL must be a string');
  try {
    return new URL(v).href;
  } catch {
    throw bad(`"${v.slice(0, 100)}" is not an absolute URL`);
  }
}

export const URL_ = new GraphQLScalarType<string, string>({
  name: 'URL',
  description: 'An absolute URL.',
  serialize: (v) => String(v),
  parseValue: checkUrl,
  parseLiteral: (ast) => checkUrl(ast.kind === Kind.STRING ? ast.value : undefined),
});

function literal(ast: ValueNode, variables?: Record<string, unknown> | null): unknown {
  switch (ast.kind) {
    case Kind.STRING:
    case Kind.BOOLEAN:
      return ast.value;
    case Kind.INT:
    case Kind.FLOAT:
      return Number(ast.value);
    case Kind.NULL:
      return null;
    case Kind.LIST:
      return ast.values.map((v) => literal(v, variables));
    case Kind.OBJECT:
      return Object.fromEntries(ast.fields.map((f) => [f.name.value, literal(f.value, variables)]));
    case Kind.VARIABLE:
      return variables?.[ast.name.value];
    default:
      throw bad('unsupported JSON literal');
  }
}

export const JSON_ = new GraphQLScalarType<unknown, unknown>({
  name: 'JSON',
  description: 'Any JSON value.',
  serialize: (v) => v,
  parseValue: (v) => v,
  parseLiteral: (ast, variables) => literal(ast, variables),
});
