import fs from 'node:fs';
import path from 'node:path';
import SwaggerParser from '@apidevtools/swagger-parser';
import Ajv2020, { ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { parse as parseYaml } from 'yaml';

// Tests run from source, so the spec sits next to this folder.
// eslint-disable-next-line no-restricted-syntax
const SPEC_PATH = path.resolve(__dirname, '../openapi.yaml');

/** Where the plugin's router is mounted in a test backend. */
const BASE_PATH = '/api/ml-platform';

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

/** The parts of a supertest response the checker reads. */
export interface CheckedResponse {
  status: number;
  text: string;
  body: any;
  headers: Record<string, string>;
}

// Supertest keeps the request on its response without typing it.
const requestOf = (res: CheckedResponse) =>
  (res as unknown as { req: { method: string; path: string } }).req;

// The few parts of a dereferenced OpenAPI document the checker reads.
interface Operation {
  parameters?: Array<{ name: string; in: string }>;
  responses?: Record<string, { content?: Record<string, { schema?: object }> }>;
}
interface Spec {
  paths?: Record<string, Partial<Record<string, Operation>>>;
}

function matchTemplate(template: string, pathname: string): boolean {
  const want = template.split('/');
  const got = pathname.split('/');
  return (
    want.length === got.length &&
    want.every(
      (part, i) =>
        part === got[i] || (/^\{.+\}$/.test(part) && got[i].length > 0),
    )
  );
}

/**
 * Checks responses of the real router against `openapi.yaml`: the operation
 * must be documented, the status must be one of its responses, and the body
 * must validate against that response's schema (a 2xx request may use only
 * documented query parameters). Remembers every operation and status it saw,
 * so a suite can require that every documented response was produced.
 */
export async function loadOpenApiChecker() {
  const source = parseYaml(fs.readFileSync(SPEC_PATH, 'utf8'));
  // Throws on a document that is not valid OpenAPI 3.1.
  await SwaggerParser.validate(structuredClone(source));
  const spec = (await SwaggerParser.dereference(
    structuredClone(source),
  )) as Spec;

  const ajv = new Ajv2020({ allErrors: true, strict: false });
  addFormats(ajv);
  const validators = new WeakMap<object, ValidateFunction>();
  const validatorOf = (schema: object) => {
    let validate = validators.get(schema);
    if (!validate) {
      validate = ajv.compile(schema);
      validators.set(schema, validate);
    }
    return validate;
  };

  const documented = new Set<string>();
  for (const [template, item] of Object.entries(spec.paths ?? {})) {
    for (const method of METHODS) {
      const operation = item?.[method];
      for (const status of Object.keys(operation?.responses ?? {})) {
        documented.add(`${method.toUpperCase()} ${template} ${status}`);
      }
    }
  }
  const seen = new Set<string>();

  function findOperation(method: string, pathname: string) {
    for (const [template, item] of Object.entries(spec.paths ?? {})) {
      const operation = item?.[method.toLowerCase()];
      if (operation && matchTemplate(template, pathname)) {
        return { template, operation };
      }
    }
    return undefined;
  }

  function problems(res: CheckedResponse): string[] {
    const req = requestOf(res);
    const url = new URL(req.path, 'http://backend');
    if (!url.pathname.startsWith(`${BASE_PATH}/`)) {
      return [`${url.pathname} is not under ${BASE_PATH}`];
    }
    const pathname = url.pathname.slice(BASE_PATH.length);
    const found = findOperation(req.method, pathname);
    if (!found) return [`${req.method} ${pathname} is not documented`];
    const { template, operation } = found;
    seen.add(`${req.method} ${template} ${res.status}`);

    const errors: string[] = [];
    const response = operation.responses?.[String(res.status)];
    if (!response) {
      return [`${res.status} is not a documented answer`];
    }

    if (res.status < 300) {
      const known = new Set(
        operation.parameters?.filter(p => p.in === 'query').map(p => p.name),
      );
      for (const name of url.searchParams.keys()) {
        if (!known.has(name)) {
          errors.push(`query parameter '${name}' is not documented`);
        }
      }
    }

    const schema = response.content?.['application/json']?.schema;
    if (!schema) {
      if (res.text) errors.push('a body where none is documented');
      return errors;
    }
    if (!String(res.headers['content-type']).startsWith('application/json')) {
      errors.push(`content-type ${res.headers['content-type']}, not JSON`);
      return errors;
    }
    const validate = validatorOf(schema);
    if (!validate(res.body)) {
      errors.push(
        ...(validate.errors ?? []).map(
          e => `body${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`,
        ),
      );
    }
    return errors;
  }

  return {
    spec,
    /** Throws, naming every mismatch, when the response breaks the spec. */
    check<R extends CheckedResponse>(res: R): R {
      const found = problems(res);
      if (found.length > 0) {
        const { method, path: url } = requestOf(res);
        throw new Error(
          `${method} ${url} answered ${
            res.status
          } against openapi.yaml:\n  ${found.join('\n  ')}`,
        );
      }
      return res;
    },
    /** Documented operation and status pairs that no checked response produced. */
    unseen(): string[] {
      return [...documented].filter(key => !seen.has(key)).sort();
    },
  };
}
