import {
  GraphQLError,
  isInputObjectType,
  isListType,
  isNonNullType,
  isScalarType,
  Kind,
  TypeInfo,
  visit,
  visitWithTypeInfo,
  type DocumentNode,
  type GraphQLInputType,
  type GraphQLSchema,
  type ValueNode,
} from 'graphql';

/**
 * The one policy for text that clients send: every String or ID input — an argument or a field of
 * an input object, at any depth, given literally in the query or through a variable — has at most
 * GRAPHQL_MAX_STRING_LENGTH characters (1,000 by default) unless it is declared below, and none
 * may hold a NUL character (PostgreSQL cannot store one; it would fail as an SQL error). It is
 * checked once the operation is known, before any resolver runs, on HTTP and WebSocket alike.
 *
 * Exceptions are free text that is longer by nature, named by schema coordinate: an argument as
 * `Type.field(argument:)`, an input field as `InputType.field`.
 */
export const STRING_LENGTH_EXCEPTIONS: Readonly<Record<string, number>> = {
  // A cancellation reason is a note written by a person, kept on the order's timeline.
  'Mutation.orderCancel(reason:)': 4000,
  // A product's description is shop copy: a few paragraphs.
  'ProductCreateInput.description': 10_000,
  'ProductUpdateInput.description': 10_000,
};

const TEXT_SCALARS = new Set(['String', 'ID']);

const refusal = (message: string, path: string[]) => new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT', field: path, http: { status: 400 } } });

/**
 * Why the operation's string inputs are refused, if they are: the first input that is too long
 * or holds a NUL character. Variables are checked at each place they are used, by that place's
 * limit; unused variables reach no resolver (the message size limit bounds them).
 */
export function stringInputRefusal(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Readonly<Record<string, unknown>> | null | undefined,
  maxLength: number,
  exceptions: Readonly<Record<string, number>> = STRING_LENGTH_EXCEPTIONS,
): GraphQLError | undefined {
  const values = variables ?? {};
  const defaults = new Map<string, ValueNode>();
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
    for (const variable of definition.variableDefinitions ?? []) if (variable.defaultValue) defaults.set(variable.variable.name.value, variable.defaultValue);
  }
  let found: GraphQLError | undefined;

  const checkText = (text: string, coordinate: string, path: string[]) => {
    const max = exceptions[coordinate] ?? maxLength;
    if (text.includes('\u0000')) found = refusal(`${path.join('.')} contains a NUL character (\\u0000), which is not allowed in text.`, path);
    else if (text.length > max) found = refusal(`${path.join('.')} is longer than the ${max} characters allowed.`, path);
  };

  const checkValue = (value: unknown, type: GraphQLInputType, coordinate: string, path: string[]): void => {
    if (found || value === null || value === undefined) return;
    if (isNonNullType(type)) return checkValue(value, type.ofType, coordinate, path);
    if (isListType(type)) {
      // A single value where a list is expected is coerced to a list of one.
      if (!Array.isArray(value)) return checkValue(value, type.ofType, coordinate, path);
      value.forEach((item, i) => checkValue(item, type.ofType, coordinate, [...path, String(i)]));
      return;
    }
    if (isInputObjectType(type)) {
      if (typeof value !== 'object') return;
      for (const field of Object.values(type.getFields())) {
        if (field.name in value) checkValue((value as Record<string, unknown>)[field.name], field.type, `${type.name}.${field.name}`, [...path, field.name]);
      }
      return;
    }
    if (isScalarType(type) && TEXT_SCALARS.has(type.name) && typeof value === 'string') checkText(value, coordinate, path);
  };

  const checkNode = (node: ValueNode, type: GraphQLInputType, coordinate: string, path: string[]): void => {
    if (found) return;
    if (node.kind === Kind.VARIABLE) {
      const name = node.name.value;
      if (name in values) return checkValue(values[name], type, coordinate, path);
      const fallback = defaults.get(name);
      return fallback ? checkNode(fallback, type, coordinate, path) : undefined;
    }
    if (isNonNullType(type)) return checkNode(node, type.ofType, coordinate, path);
    if (isListType(type)) {
      if (node.kind !== Kind.LIST) return checkNode(node, type.ofType, coordinate, path);
      node.values.forEach((item, i) => checkNode(item, type.ofType, coordinate, [...path, String(i)]));
      return;
    }
    if (isInputObjectType(type)) {
      if (node.kind !== Kind.OBJECT) return;
      const fields = type.getFields();
      for (const field of node.fields) {
        const definition = fields[field.name.value];
        if (definition) checkNode(field.value, definition.type, `${type.name}.${definition.name}`, [...path, definition.name]);
      }
      return;
    }
    if (node.kind === Kind.STRING && isScalarType(type) && TEXT_SCALARS.has(type.name)) checkText(node.value, coordinate, path);
  };

  const typeInfo = new TypeInfo(schema);
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Argument(node) {
        if (found) return false;
        const argument = typeInfo.getArgument();
        if (!argument) return false;
        const directive = typeInfo.getDirective();
        const owner = directive ? `@${directive.name}` : `${typeInfo.getParentType()?.name}.${typeInfo.getFieldDef()?.name}`;
        const field = directive ? `@${directive.name}` : (typeInfo.getFieldDef()?.name ?? '');
        checkNode(node.value, argument.type, `${owner}(${argument.name}:)`, [field, argument.name]);
        return false;
      },
    }),
  );
  return found;
}
