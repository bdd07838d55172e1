/**
 * The TypeScript type of a JSON Schema written `as const`: the part of JSON Schema the wire's
 * schemas use (`type`, also as a list; `enum`; `properties` with `required`; `items`). A keyword it
 * does not know (`pattern`, `maxLength`, `minimum`, `not`) narrows no type. So a payload's shape is
 * written once, as the schema the server validates with, and its type is read off it. One type (`T`
 * is each JSON type name the schema allows, `R` its required properties), so the API report shows it
 * whole.
 */
export type SchemaType<
  S,
  T = S extends { type: infer N } ? (N extends readonly (infer E)[] ? E : N) : never,
  R = S extends { required: readonly (infer K)[] } ? K : never,
> = S extends { enum: readonly (infer E)[] }
  ? E
  : T extends 'string'
    ? string
    : T extends 'integer' | 'number'
      ? number
      : T extends 'boolean'
        ? boolean
        : T extends 'null'
          ? null
          : T extends 'array'
            ? S extends { items: infer I }
              ? SchemaType<I>[]
              : unknown[]
            : T extends 'object'
              ? S extends { properties: infer P }
                ? { -readonly [K in keyof P & R]-?: SchemaType<P[K]> } & {
                    -readonly [K in Exclude<keyof P, R>]?: SchemaType<P[K]>;
                  }
                : Record<string, unknown>
              : unknown;
