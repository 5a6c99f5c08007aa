import type { ApolloServerPlugin } from '@apollo/server';
import {
  getNamedType,
  GraphQLError,
  isListType,
  isNonNullType,
  Kind,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
  type GraphQLType,
  type SelectionSetNode,
  type ValidationRule,
  type ValueNode,
} from 'graphql';
import { DEFAULT_PAGE } from '../store/paging.js';
import type { AdminContext } from './context.js';

/** Deepest selection allowed (introspection fields excluded: the standard introspection query is deep by design). */
export const MAX_DEPTH = 12;
/**
 * Most objects one operation may ask for: every object-typed field counts once per
 * parent it may be resolved for (a connection multiplies its children by `first`, other
 * lists by LIST_GUESS). 50 tenants × 50 clients ≈ 5,000; 100 × 100 × anything is refused.
 */
export const MAX_COST = 20_000;
const LIST_GUESS = 10;

type Fragments = Record<string, FragmentDefinitionNode>;

function depthOf(set: SelectionSetNode | undefined, fragments: Fragments, seen: Set<string>): number {
  if (!set) return 0;
  let max = 0;
  for (const sel of set.selections) {
    if (sel.kind === Kind.FIELD) {
      if (sel.name.value.startsWith('__')) continue;
      max = Math.max(max, sel.selectionSet ? 1 + depthOf(sel.selectionSet, fragments, seen) : 1);
    } else if (sel.kind === Kind.INLINE_FRAGMENT) {
      max = Math.max(max, depthOf(sel.selectionSet, fragments, seen));
    } else {
      const name = sel.name.value;
      const frag = fragments[name];
      if (!frag || seen.has(name)) continue; // unknown or cyclic fragments are other rules' errors
      max = Math.max(max, depthOf(frag.selectionSet, fragments, new Set([...seen, name])));
    }
  }
  return max;
}

/** Validation rule: refuses operations nested deeper than MAX_DEPTH (GRAPHQL_VALIDATION_FAILED). */
export const depthLimit: ValidationRule = (context) => {
  const fragments: Fragments = {};
  for (const def of context.getDocument().definitions) if (def.kind === Kind.FRAGMENT_DEFINITION) fragments[def.name.value] = def;
  return {
    OperationDefinition(op) {
      const depth = depthOf(op.selectionSet, fragments, new Set());
      if (depth > MAX_DEPTH) {
        context.reportError(
          new GraphQLError(`the operation is nested ${depth} levels deep; the limit is ${MAX_DEPTH}`, { nodes: [op], extensions: { code: 'GRAPHQL_VALIDATION_FAILED', depth, maxDepth: MAX_DEPTH } }),
        );
      }
    },
  };
};

function argValue(node: ValueNode | undefined, variables: Record<string, unknown>): unknown {
  if (!node) return undefined;
  if (node.kind === Kind.VARIABLE) return variables[node.name.value];
  if (node.kind === Kind.INT) return Number(node.value);
  return undefined;
}

function isList(type: GraphQLType): boolean {
  return isListType(isNonNullType(type) ? type.ofType : type);
}

function costOf(
  schema: GraphQLSchema,
  parent: GraphQLNamedType | undefined,
  set: SelectionSetNode | undefined,
  multiplier: number,
  fragments: Fragments,
  variables: Record<string, unknown>,
  depth: number,
): number {
  if (!set || !parent || depth > 50 || !('getFields' in parent)) return 0;
  const fields = parent.getFields() as Record<string, GraphQLField<unknown, unknown>>;
  let total = 0;
  for (const sel of set.selections) {
    if (sel.kind === Kind.FIELD) {
      const def = fields[sel.name.value];
      if (!def || !sel.selectionSet) continue;
      const type = getNamedType(def.type);
      let childMultiplier = multiplier;
      if (def.args.some((a) => a.name === 'first')) {
        const first = argValue(sel.arguments?.find((a) => a.name.value === 'first')?.value, variables);
        childMultiplier *= typeof first === 'number' ? Math.max(first, 1) : DEFAULT_PAGE;
      } else if (isList(def.type) && !parent.name.endsWith('Connection')) {
        // (A connection's edges are already counted by its `first`.)
        childMultiplier *= LIST_GUESS;
      }
      total += multiplier + costOf(schema, type, sel.selectionSet, childMultiplier, fragments, variables, depth + 1);
    } else {
      const frag = sel.kind === Kind.INLINE_FRAGMENT ? sel : fragments[sel.name.value];
      if (!frag) continue;
      const type = frag.typeCondition ? schema.getType(frag.typeCondition.name.value) : parent;
      total += costOf(schema, type ?? undefined, frag.selectionSet, multiplier, fragments, variables, depth + 1);
    }
  }
  return total;
}

/**
 * Refuses operations that could resolve more than MAX_COST objects, before any resolver
 * runs. A plugin rather than a validation rule because the cost depends on variables.
 */
export const costLimit: ApolloServerPlugin<AdminContext> = {
  async requestDidStart() {
    return {
      async didResolveOperation({ document, operation, request, schema }) {
        if (!operation) return;
        const fragments: Fragments = {};
        for (const def of document.definitions) if (def.kind === Kind.FRAGMENT_DEFINITION) fragments[def.name.value] = def;
        const root = operation.operation === 'mutation' ? schema.getMutationType() : operation.operation === 'query' ? schema.getQueryType() : schema.getSubscriptionType();
        const cost = costOf(schema, root ?? undefined, operation.selectionSet, 1, fragments, request.variables ?? {}, 0);
        if (cost > MAX_COST) {
          throw new GraphQLError(`the operation may resolve about ${cost} objects; the limit is ${MAX_COST}: ask for smaller pages (first) or fewer nested lists`, {
            extensions: { code: 'BAD_USER_INPUT', cost, maxCost: MAX_COST, http: { status: 400 } },
          });
        }
      },
    };
  },
};
