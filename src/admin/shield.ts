import type { ApolloServerPlugin } from '@apollo/server';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import type { ValidationRule } from 'graphql';

/**
 * The admin API's guard against abusive operations, checked before any resolver runs:
 * @escape.tech/graphql-armor's maintained rules instead of hand-written ones.
 * Every refusal is a GraphQL error with `extensions.code` (GRAPHQL_VALIDATION_FAILED, or
 * GRAPHQL_PARSE_FAILED for the token limit) and HTTP 400. docs/administering.md lists the limits.
 */
export const SHIELD_LIMITS = {
  /** Aliases per operation: 1,000 aliases of one expensive field is the classic amplification. */
  maxAliases: 30,
  /** Deepest selection (introspection excluded: the standard introspection query is deep by design). */
  maxDepth: 12,
  /**
   * graphql-armor's static cost: objects 2, scalars 1, ×1.5 per nesting level, × a literal
   * `first`. The tenant export (100 clients with every field) costs ~16,000; 100 tenants × 100
   * users each ~440,000.
   */
  maxCost: 50_000,
  /** Lexical tokens in the document (variables do not count): bounds parser work. */
  maxTokens: 5_000,
  maxDirectives: 50,
} as const;

export function shield(): { plugins: ApolloServerPlugin[]; validationRules: ValidationRule[]; parseOptions: { maxTokens: number } } {
  const { plugins, validationRules } = new ApolloArmor({
    maxAliases: { n: SHIELD_LIMITS.maxAliases },
    maxDepth: { n: SHIELD_LIMITS.maxDepth, ignoreIntrospection: true },
    costLimit: { maxCost: SHIELD_LIMITS.maxCost },
    // graphql-armor's Apollo token plugin throws from parsingDidStart, which Apollo answers with
    // a 500; graphql's own parser limit (parseOptions below) gives GRAPHQL_PARSE_FAILED and 400.
    maxTokens: { enabled: false },
    maxDirectives: { n: SHIELD_LIMITS.maxDirectives },
    // "Did you mean …?" would let a caller map the schema field by field. Anonymous callers are
    // refused before validation anyway; admins may introspect, so they lose nothing.
    blockFieldSuggestion: { enabled: true },
  }).protect();
  // graphql-armor's typings resolve @apollo/server's CommonJS declarations; the objects are the same.
  return { plugins: plugins as unknown as ApolloServerPlugin[], validationRules, parseOptions: { maxTokens: SHIELD_LIMITS.maxTokens } };
}
