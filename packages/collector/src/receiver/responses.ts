import type { ServerResponse } from 'node:http';
import type { Signal } from '@otelspool/exporter-jsonl';
import {
  encodeResponse,
  encodeStatus,
  REJECTED_FIELD,
  type PartialSuccess,
} from '../protobuf/codec.js';

// The receiver's answers, as the OTLP/HTTP spec shapes them
// (https://opentelemetry.io/docs/specs/otlp/#otlphttp-response): a success is an
// Export<Signal>ServiceResponse (with partial_success when items were rejected), a failure a
// google.rpc.Status, each in the request's own encoding.

/** The encoding of a request, and so of its answer. */
export type Format = 'json' | 'protobuf';

/** A Content-Type header's media type, lowercase, without parameters. */
export function mediaType(header: string | undefined): string {
  return (header ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

/** Protobuf for `application/x-protobuf`, JSON for anything else (also how errors answer). */
export function formatOf(contentType: string | undefined): Format {
  return mediaType(contentType) === 'application/x-protobuf' ? 'protobuf' : 'json';
}

/** gRPC code in the google.rpc.Status body for an HTTP status (OTLP/HTTP spec mapping). */
function grpcCode(status: number): number {
  switch (status) {
    case 400:
    case 415:
      return 3; // INVALID_ARGUMENT
    case 401:
      return 16; // UNAUTHENTICATED
    case 403:
      return 7; // PERMISSION_DENIED
    case 404:
      return 5; // NOT_FOUND
    case 405:
      return 12; // UNIMPLEMENTED
    case 413:
      return 8; // RESOURCE_EXHAUSTED
    case 503:
      return 14; // UNAVAILABLE
    default:
      return 13; // INTERNAL
  }
}

function contentType(format: Format): string {
  return format === 'protobuf' ? 'application/x-protobuf' : 'application/json';
}

/** An error answer: `status` with a google.rpc.Status body. Nothing when already answered. */
export function sendStatus(
  res: ServerResponse,
  status: number,
  format: Format,
  message: string,
  extraHeaders: Record<string, string> = {},
): void {
  if (res.headersSent) return;
  const body =
    format === 'protobuf'
      ? Buffer.from(encodeStatus({ code: grpcCode(status), message }))
      : Buffer.from(JSON.stringify({ code: grpcCode(status), message }));
  res.writeHead(status, {
    'Content-Type': contentType(format),
    'Content-Length': body.length,
    ...extraHeaders,
  });
  res.end(body);
}

/** A 200 with the export response, carrying partial_success when `partial` is given. */
export function sendSuccess(
  res: ServerResponse,
  signal: Signal,
  format: Format,
  partial?: PartialSuccess,
): void {
  let body: Buffer;
  if (format === 'protobuf') {
    body = Buffer.from(encodeResponse(signal, partial));
  } else {
    body = Buffer.from(
      JSON.stringify(
        partial
          ? {
              partialSuccess: {
                [REJECTED_FIELD[signal]]: String(partial.rejected),
                errorMessage: partial.errorMessage,
              },
            }
          : {},
      ),
    );
  }
  res.writeHead(200, { 'Content-Type': contentType(format), 'Content-Length': body.length });
  res.end(body);
}
