// Secrets are references, never literals: "env:NAME", "file:/path" and (in AWS) "ssm:/path".
// The resolved value is handed to the client that needs it and is never logged or put in an error.
import { readFile } from 'node:fs/promises';

export const SECRET_REF_RE = /^(env:[A-Za-z_][A-Za-z0-9_]*|file:.+|ssm:\/.+)$/;

export class SecretError extends Error {}

export interface SecretResolver {
  resolve(ref: string): Promise<string>;
}

export type SsmFetcher = (path: string) => Promise<string>;

/**
 * Resolves env:/file: references directly and ssm: references through the fetcher given (the pipeline
 * passes one backed by @aws-sdk/client-ssm). Messages name the reference, never the value.
 */
export function createSecretResolver(options: { env?: NodeJS.ProcessEnv; ssm?: SsmFetcher } = {}): SecretResolver {
  const env = options.env ?? process.env;
  return {
    async resolve(ref: string): Promise<string> {
      if (ref.startsWith('env:')) {
        const value = env[ref.slice(4)];
        if (value === undefined) throw new SecretError(`secret ${ref}: environment variable ${ref.slice(4)} is not set`);
        return value;
      }
      if (ref.startsWith('file:')) {
        try {
          return (await readFile(ref.slice(5), 'utf8')).trim();
        } catch (err) {
          throw new SecretError(`secret ${ref}: cannot read file (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
        }
      }
      if (ref.startsWith('ssm:')) {
        if (!options.ssm) throw new SecretError(`secret ${ref}: SSM references need AWS (not available here)`);
        return options.ssm(ref.slice(4));
      }
      throw new SecretError(`secret reference "${ref}" must start with env:, file: or ssm:/`);
    },
  };
}
