import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

/**
 * One ajv instance for every schema the engine owns (policies, features, cohorts, tests).
 * allErrors: an analyst sees every problem of a file at once, not one per save.
 */
let shared: Ajv2020 | undefined;

export function schemaCompiler(): Ajv2020 {
  if (!shared) {
    // verbose: errors carry their parentSchema, which is how messages are refined per definition.
    shared = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true, verbose: true });
    addFormats.default(shared);
    shared.addFormat('date-or-date-time', {
      type: 'string',
      validate: (value: string) => /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?$/.test(value) && !Number.isNaN(Date.parse(value)),
    });
  }
  return shared;
}

export function compileSchema<T>(schema: object): ValidateFunction<T> {
  return schemaCompiler().compile<T>(schema);
}

export type { ErrorObject, ValidateFunction };
