// gRPC status codes by number (google.golang.org/grpc/codes). A file of its own, without the wire codec, so the
// waterfall (format.ts) can name a status without loading the gRPC prober.

export const STATUS_NAMES = [
  'OK', 'CANCELLED', 'UNKNOWN', 'INVALID_ARGUMENT', 'DEADLINE_EXCEEDED', 'NOT_FOUND', 'ALREADY_EXISTS', 'PERMISSION_DENIED',
  'RESOURCE_EXHAUSTED', 'FAILED_PRECONDITION', 'ABORTED', 'OUT_OF_RANGE', 'UNIMPLEMENTED', 'INTERNAL', 'UNAVAILABLE', 'DATA_LOSS',
  'UNAUTHENTICATED',
] as const;

export function statusName(code: number): string {
  return STATUS_NAMES[code] ?? `CODE_${code}`;
}
