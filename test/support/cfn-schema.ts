// A CloudFormation template checked against the CloudFormation registry schemas, as the AWS CDK ships them
// (@aws-cdk/aws-service-spec): every resource type exists; every property exists, has the schema's shape (string,
// number, boolean, list, map, nested type, tag; a literal outside an enumeration the schema lists) and every required one is
// there, at any depth; every Ref, Fn::GetAtt and ${…} in Fn::Sub names a resource, parameter or pseudo parameter,
// and every attribute a GetAtt asks for is one the resource type has; DependsOn names resources.
// CloudFormation converts scalars to strings where a string is expected, and so does this check.
import { loadAwsServiceSpecSync } from '@aws-cdk/aws-service-spec';
import type { Property, PropertyType, Resource, SpecDatabase } from '@aws-cdk/service-spec-types';

export interface Template {
  Parameters?: Record<string, unknown>;
  Resources: Record<string, { Type: string; Properties?: Record<string, unknown>; DependsOn?: string | string[] }>;
  Outputs?: Record<string, { Value: unknown }>;
}

let db: SpecDatabase | undefined;
/** The registry schemas (~2 s to load; once per process). */
export function serviceSpec(): SpecDatabase {
  db ??= loadAwsServiceSpecSync();
  return db;
}

const PSEUDO = new Set(['AWS::AccountId', 'AWS::NotificationARNs', 'AWS::NoValue', 'AWS::Partition', 'AWS::Region', 'AWS::StackId', 'AWS::StackName', 'AWS::URLSuffix']);
const INTRINSICS = new Set(['Ref', 'Fn::GetAtt', 'Fn::Sub', 'Fn::Join', 'Fn::If', 'Fn::Select', 'Fn::Split', 'Fn::ImportValue', 'Fn::FindInMap', 'Fn::Base64', 'Fn::GetAZs', 'Fn::Cidr', 'Fn::Length', 'Fn::ToJsonString']);
/** Intrinsics whose result is a list. */
const LIST_INTRINSICS = new Set(['Fn::Split', 'Fn::GetAZs', 'Fn::Cidr']);

function intrinsic(value: unknown): [string, unknown] | undefined {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const keys = Object.keys(value);
  return keys.length === 1 && INTRINSICS.has(keys[0] as string) ? [keys[0] as string, (value as Record<string, unknown>)[keys[0] as string]] : undefined;
}

function describeType(type: PropertyType): string {
  switch (type.type) {
    case 'array':
      return `list of ${describeType(type.element)}`;
    case 'map':
      return `map of ${describeType(type.element)}`;
    case 'union':
      return type.types.map(describeType).join(' or ');
    case 'ref':
      return 'object';
    default:
      return type.type;
  }
}

export function validateTemplate(template: Template, spec: SpecDatabase = serviceSpec()): string[] {
  const problems: string[] = [];
  const resourceSpecs = new Map<string, Resource>();
  for (const [id, resource] of Object.entries(template.Resources)) {
    const found = spec.lookup('resource', 'cloudFormationType', 'equals', resource.Type);
    if (found.length === 0) problems.push(`Resources.${id}: type ${resource.Type} does not exist`);
    else resourceSpecs.set(id, found.only());
  }
  const parameters = new Set(Object.keys(template.Parameters ?? {}));

  const checkRef = (path: string, name: string) => {
    if (!PSEUDO.has(name) && !parameters.has(name) && !(name in template.Resources)) problems.push(`${path}: Ref ${name}: no such resource or parameter`);
  };
  const checkGetAtt = (path: string, id: string, attribute: string) => {
    if (!(id in template.Resources)) {
      problems.push(`${path}: Fn::GetAtt ${id}.${attribute}: no such resource`);
      return;
    }
    const type = resourceSpecs.get(id);
    if (type && !(attribute in type.attributes)) problems.push(`${path}: Fn::GetAtt ${id}.${attribute}: ${type.cloudFormationType} has no attribute ${attribute} (it has ${Object.keys(type.attributes).join(', ') || 'none'})`);
  };
  /** Intrinsic functions anywhere inside a value: references checked. */
  const checkIntrinsics = (path: string, value: unknown): void => {
    const fn = intrinsic(value);
    if (fn) {
      const [name, args] = fn;
      if (name === 'Ref') {
        if (typeof args === 'string') checkRef(path, args);
        else problems.push(`${path}: Ref takes a name`);
      } else if (name === 'Fn::GetAtt') {
        const [id, ...attribute] = Array.isArray(args) ? (args as string[]) : typeof args === 'string' ? args.split('.') : [];
        if (typeof id !== 'string' || attribute.length === 0) problems.push(`${path}: Fn::GetAtt takes [resource, attribute]`);
        else checkGetAtt(path, id, attribute.join('.'));
      } else if (name === 'Fn::Sub') {
        const [text, variables] = Array.isArray(args) ? (args as [unknown, Record<string, unknown>?]) : [args, undefined];
        if (typeof text !== 'string') problems.push(`${path}: Fn::Sub takes a string`);
        else {
          for (const m of text.matchAll(/\$\{([^!}][^}]*)\}/g)) {
            const ref = (m[1] as string).trim();
            if (variables && ref in variables) continue;
            const dot = ref.indexOf('.');
            if (dot > 0 && !ref.startsWith('AWS::')) checkGetAtt(path, ref.slice(0, dot), ref.slice(dot + 1));
            else checkRef(path, ref);
          }
        }
        if (variables) checkIntrinsics(path, variables);
      } else checkIntrinsics(path, args);
      return;
    }
    if (Array.isArray(value)) value.forEach((v, i) => checkIntrinsics(`${path}[${i}]`, v));
    else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) checkIntrinsics(`${path}.${k}`, v);
  };

  /** Problems of `value` against `type` (empty: it fits). References are checked separately. */
  const fit = (path: string, value: unknown, type: PropertyType): string[] => {
    const fn = intrinsic(value);
    if (fn) {
      // An intrinsic stands for a value of the right kind; only list-valued ones cannot stand for a scalar.
      if (LIST_INTRINSICS.has(fn[0]) && type.type !== 'array' && type.type !== 'json' && type.type !== 'union') return [`${path}: ${fn[0]} gives a list, ${describeType(type)} expected`];
      return [];
    }
    switch (type.type) {
      case 'string':
      case 'date-time':
        if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
          if (type.type === 'string' && type.allowedValues && typeof value === 'string' && !type.allowedValues.includes(value)) return [`${path}: "${value}" is not one of ${type.allowedValues.join(', ')}`];
          return [];
        }
        return [`${path}: ${describeType(type)} expected, got ${JSON.stringify(value)?.slice(0, 80)}`];
      case 'number':
      case 'integer': {
        const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
        if (typeof n !== 'number' || !Number.isFinite(n) || (type.type === 'integer' && !Number.isInteger(n))) return [`${path}: ${type.type} expected, got ${JSON.stringify(value)}`];
        return [];
      }
      case 'boolean':
        return typeof value === 'boolean' || value === 'true' || value === 'false' ? [] : [`${path}: boolean expected, got ${JSON.stringify(value)}`];
      case 'json':
        return value !== null && value !== undefined ? [] : [`${path}: JSON expected`];
      case 'null':
        return [];
      case 'tag':
        return value && typeof value === 'object' && 'Key' in value && 'Value' in value ? [] : [`${path}: a tag {Key, Value} expected`];
      case 'array':
        if (!Array.isArray(value)) return [`${path}: ${describeType(type)} expected, got ${JSON.stringify(value)?.slice(0, 80)}`];
        return value.flatMap((v, i) => fit(`${path}[${i}]`, v, type.element));
      case 'map':
        if (!value || typeof value !== 'object' || Array.isArray(value)) return [`${path}: ${describeType(type)} expected`];
        return Object.entries(value).flatMap(([k, v]) => fit(`${path}.${k}`, v, type.element));
      case 'union': {
        let best: string[] | undefined;
        for (const option of type.types) {
          const found = fit(path, value, option);
          if (found.length === 0) return [];
          if (!best || found.length < best.length) best = found;
        }
        return best ?? [];
      }
      case 'ref': {
        const definition = spec.get('typeDefinition', type.reference);
        if (!value || typeof value !== 'object' || Array.isArray(value)) return [`${path}: ${definition.name} (an object) expected, got ${JSON.stringify(value)?.slice(0, 80)}`];
        return fitProperties(path, value as Record<string, unknown>, definition.properties);
      }
      default:
        return [];
    }
  };
  const fitProperties = (path: string, value: Record<string, unknown>, properties: Record<string, Property>): string[] => {
    const found: string[] = [];
    for (const [name, v] of Object.entries(value)) {
      const property = properties[name];
      if (!property) found.push(`${path}.${name}: no such property (known: ${Object.keys(properties).sort().join(', ')})`);
      else found.push(...fit(`${path}.${name}`, v, property.type));
    }
    for (const [name, property] of Object.entries(properties)) {
      if (property.required && !(name in value)) found.push(`${path}: required property ${name} is missing`);
    }
    return found;
  };

  for (const [id, resource] of Object.entries(template.Resources)) {
    const path = `Resources.${id}`;
    const type = resourceSpecs.get(id);
    if (type) problems.push(...fitProperties(`${path}.Properties`, resource.Properties ?? {}, type.properties));
    checkIntrinsics(`${path}.Properties`, resource.Properties ?? {});
    for (const dependency of [resource.DependsOn ?? []].flat()) {
      if (!(dependency in template.Resources)) problems.push(`${path}.DependsOn: no such resource ${dependency}`);
    }
  }
  for (const [id, output] of Object.entries(template.Outputs ?? {})) checkIntrinsics(`Outputs.${id}.Value`, output.Value);
  return problems;
}
