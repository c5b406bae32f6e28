// The `steps` module block: a multi-step HTTP check. Each step is a request with the `http` module's keys plus
// a name (its `step` label), `extract` (variables taken from the response: a JSON path, a header, a regex
// capture) and `variables_from` (variables that are secrets, by reference). `${name}` in a later step's url,
// headers and body is replaced by the variable's value. Every use of a variable is checked here against
// what the steps before it define, so a typo fails validation, not the 3 a.m. probe.
import * as z from 'zod/mini';
import { regexp, secretRef, urlOf } from '../../config/fields.js';
import { http2HeadersCheck, httpModuleFields, normaliseHttpFields } from '../http/schema.js';

const VARIABLE_NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** `${name}` in a template; `$${` writes a literal `${`. */
export const VARIABLE_RE = /\$\$\{|\$\{([^}]*)\}/g;

/** The variable names a template uses, in order. */
export function templateVariables(template: string): string[] {
  const names: string[] = [];
  for (const match of template.matchAll(VARIABLE_RE)) if (match[1] !== undefined) names.push(match[1]);
  return names;
}

const extraction = z
  .strictObject({
    /** A path into the JSON body: token, data.items[0].id ($. prefix allowed). */
    json: z.optional(z.string().check(z.minLength(1))),
    /** A response header; with regexp, its first capture group. */
    header: z.optional(z.string().check(z.minLength(1))),
    /** RE2 regex on the body (or on the header, with header): the first capture group, else the whole match. */
    regexp: z.optional(regexp),
  })
  .check(
    z.refine((e) => [e.json, e.header].filter((v) => v !== undefined).length + (e.header === undefined && e.regexp !== undefined ? 1 : 0) === 1, {
      message: 'an extraction takes one of json, header (optionally with regexp) or regexp',
    }),
  );

const variableMap = <T extends z.core.SomeType>(value: T) =>
  z.record(z.string(), value).check(
    z.superRefine((map, ctx) => {
      for (const key of Object.keys(map)) {
        if (!VARIABLE_NAME_RE.test(key)) ctx.addIssue({ code: 'custom', path: [key], message: `"${key}" is not a variable name (letters, digits, _)` });
      }
    }),
  );

// The URL may hold ${…} anywhere, even in the host: it is checked with each variable replaced by a stand-in.
const templatedUrl = z.string().check(
  z.superRefine((text, ctx) => {
    const checked = urlOf(['http:', 'https:'], (scheme) => `URL scheme must be http or https, not ${scheme}`, 'variables_from').safeParse(
      text.replace(VARIABLE_RE, (all, name: string | undefined) => (name === undefined ? all : 'x')),
    );
    if (!checked.success) for (const issue of checked.error.issues) ctx.addIssue({ code: 'custom', message: issue.message });
  }),
);

const stepFields = z.extend(httpModuleFields, {
  name: z.string().check(z.regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'must be letters, digits, _ . - (it is the step label)'), z.maxLength(64)),
  url: templatedUrl,
  extract: z._default(variableMap(extraction), {}),
  variables_from: z._default(variableMap(secretRef), {}),
});

const stepSchema = z.pipe(stepFields, z.transform((fields: z.output<typeof stepFields>) => normaliseHttpFields(fields))).check(http2HeadersCheck);

export const stepsModuleSchema = z.array(stepSchema).check(
  z.minLength(1, 'a multi-step check needs at least one step'),
  z.superRefine((steps, ctx) => {
    const defined = new Set<string>();
    const names = new Map<string, number>();
    steps.forEach((step, index) => {
      const first = names.get(step.name);
      if (first !== undefined) ctx.addIssue({ code: 'custom', path: [index, 'name'], message: `duplicate step name "${step.name}" (also steps[${first}])` });
      else names.set(step.name, index);
      for (const name of Object.keys(step.variables_from)) defined.add(name);
      const uses: Array<[Array<string | number>, string]> = [[['url'], step.url], ...Object.entries(step.headers).map(([h, v]): [Array<string | number>, string] => [['headers', h], v])];
      if (step.body !== undefined) uses.push([['body'], step.body]);
      for (const [path, template] of uses) {
        for (const name of templateVariables(template)) {
          if (!defined.has(name)) {
            ctx.addIssue({
              code: 'custom',
              path: [index, ...path],
              message: `uses \${${name}}, which no earlier step extracts and variables_from does not define`,
            });
          }
        }
      }
      for (const name of Object.keys(step.extract)) defined.add(name);
    });
  }),
);

export type StepsModule = z.output<typeof stepsModuleSchema>;
export type HttpStep = StepsModule[number];
export type StepExtraction = HttpStep['extract'][string];
