import {
  getArgumentValues,
  getNamedType,
  getNullableType,
  isCompositeType,
  isListType,
  isObjectType,
  isInterfaceType,
  Kind,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { ApiError, ApiErrorCode } from './errors.js';

export interface QueryLimits {
  maxDepth: number;
  maxComplexity: number;
  /** The largest `limit` a list field accepts; a list without `limit` is assumed to be this long. */
  maxPageSize: number;
}

export interface QueryCost {
  depth: number;
  complexity: number;
}

/**
 * Depth and estimated cost of the operation that will run. Each field costs 1, and a list
 * field multiplies the cost of its selection by its `limit` (as the variables give it).
 * Introspection fields are free, so tools can always read the schema.
 */
export function measureOperation(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Record<string, unknown> | null | undefined,
  maxPageSize: number,
): QueryCost {
  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  const operation = operationName ? operations.find((o) => o.name?.value === operationName) : operations[0];
  if (!operation) return { depth: 0, complexity: 0 };
  const fragments = new Map(
    document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((f) => [f.name.value, f]),
  );
  const root = schema.getRootType(operation.operation);
  if (!root) return { depth: 0, complexity: 0 };
  const vars = variables ?? {};

  const walk = (set: SelectionSetNode, parent: GraphQLCompositeType, depth: number, seen: ReadonlySet<string>): QueryCost => {
    let complexity = 0;
    let deepest = depth;
    for (const sel of set.selections) {
      if (sel.kind === Kind.FRAGMENT_SPREAD) {
        const frag = fragments.get(sel.name.value);
        if (!frag || seen.has(frag.name.value)) continue;
        const type = schema.getType(frag.typeCondition.name.value);
        if (!type || !isCompositeType(type)) continue;
        const c = walk(frag.selectionSet, type, depth, new Set([...seen, frag.name.value]));
        complexity += c.complexity;
        deepest = Math.max(deepest, c.depth);
        continue;
      }
      if (sel.kind === Kind.INLINE_FRAGMENT) {
        const type = sel.typeCondition ? schema.getType(sel.typeCondition.name.value) : parent;
        if (!type || !isCompositeType(type)) continue;
        const c = walk(sel.selectionSet, type, depth, seen);
        complexity += c.complexity;
        deepest = Math.max(deepest, c.depth);
        continue;
      }
      if (sel.name.value.startsWith('__')) continue;
      const field = isObjectType(parent) || isInterfaceType(parent) ? parent.getFields()[sel.name.value] : undefined;
      if (!field) continue;
      let childCost = 0;
      deepest = Math.max(deepest, depth + 1);
      const childType = getNamedType(field.type);
      if (sel.selectionSet && isCompositeType(childType)) {
        const c = walk(sel.selectionSet, childType, depth + 1, seen);
        childCost = c.complexity;
        deepest = Math.max(deepest, c.depth);
      }
      let size = 1;
      if (isListType(getNullableType(field.type))) {
        size = maxPageSize;
        if (field.args.some((a) => a.name === 'limit')) {
          try {
            const limit = getArgumentValues(field, sel, vars).limit;
            // Out-of-range limits are refused by the field itself, with a clearer message.
            if (typeof limit === 'number' && limit >= 1) size = Math.min(limit, maxPageSize);
          } catch {
            // Bad argument values are reported by execution.
          }
        }
      }
      complexity += 1 + size * childCost;
    }
    return { complexity, depth: deepest };
  };
  return walk(operation.selectionSet, root, 0, new Set());
}

/** The first limit the operation breaks, as an ApiError; null if it is within limits. */
export function checkQueryLimits(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Record<string, unknown> | null | undefined,
  limits: QueryLimits,
): ApiError | null {
  const { depth, complexity } = measureOperation(schema, document, operationName, variables, limits.maxPageSize);
  if (depth > limits.maxDepth) {
    return new ApiError(ApiErrorCode.QueryTooDeep, `Query is nested ${depth} levels deep; the limit is ${limits.maxDepth}`);
  }
  if (complexity > limits.maxComplexity) {
    return new ApiError(
      ApiErrorCode.QueryTooComplex,
      `Query cost is ${complexity} (fields × list sizes); the limit is ${limits.maxComplexity}: ask for fewer fields or smaller limits`,
    );
  }
  return null;
}
