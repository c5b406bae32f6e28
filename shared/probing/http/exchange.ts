// The shape of one hop of an HTTP probe (one request on one new connection, as blackbox's transport with
// keep-alives off): what is sent and what came back. hop.ts carries it.
import type { BodyReader } from './body.js';
import type { ResponseHeaders } from './checks.js';

export interface HopRequest {
  url: URL;
  method: string;
  /** Lower-case names; a "host" entry overrides the Host header. */
  headers: Record<string, string>;
  body: string | undefined;
}

export interface ResponseHead {
  status: number;
  headers: ResponseHeaders;
  /** "HTTP/1.1", as Go's resp.Proto. */
  version: string;
  tls: boolean;
}

/** Decides, synchronously with the head, how to read the body: a BodyReader, or undefined to stop here. */
export type OnHead = (head: ResponseHead) => BodyReader | undefined;
