// The API's errors: an HTTP status, a code (docs/api.md lists them), a message naming what is
// wrong, and the field it is about (the page shows the message next to that field).
import { isClipmillError } from '../shared/errors.js';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field: string | null = null,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface ErrorBody {
  code: string;
  message: string;
  field: string | null;
}

export const ErrorBodySchema = {
  type: 'object',
  properties: { code: { type: 'string' }, message: { type: 'string' }, field: { type: ['string', 'null'] } },
  required: ['code', 'message', 'field'],
} as const;

/** Fastify's schema errors name the field as a JSON pointer (/parts/0/clips) or a missing property. */
function fieldOfValidation(v: { instancePath?: string; params?: Record<string, unknown> }): string | null {
  const path = (v.instancePath ?? '').split('/').filter(Boolean);
  if (typeof v.params?.missingProperty === 'string') path.push(v.params.missingProperty);
  if (typeof v.params?.additionalProperty === 'string') path.push(v.params.additionalProperty);
  return path.length ? path.map((p, i) => (/^\d+$/.test(p) ? `[${p}]` : i ? `.${p}` : p)).join('') : null;
}

/** The status and body of any error a route throws. */
export function errorResponse(err: unknown): { status: number; body: ErrorBody } {
  if (err instanceof ApiError) return { status: err.status, body: { code: err.code, message: err.message, field: err.field } };
  if (noSpace(err)) return { status: 507, body: { code: 'NO_SPACE', message: 'the file system of the root is full (ENOSPC): nothing was written', field: null } };
  if (isClipmillError(err)) {
    const field = typeof err.details.field === 'string' ? err.details.field : null;
    const status = err.code === 'USAGE' || err.code === 'JOB_INVALID' ? 400 : err.code === 'DUPLICATE' ? 409 : 500;
    if (status === 500) return internal();
    return { status, body: { code: err.code, message: err.message, field } };
  }
  const e = err as { statusCode?: number; code?: string; message?: string; validation?: { instancePath?: string; params?: Record<string, unknown> }[]; validationContext?: string };
  if (e.validation?.length) {
    const field = fieldOfValidation(e.validation[0]!);
    return { status: 400, body: { code: 'INVALID', message: `${e.validationContext ?? 'request'}${field ? ` ${field}` : ''}: ${e.validation[0] && (e.validation[0] as { message?: string }).message}`, field } };
  }
  if (e.statusCode && e.statusCode >= 400 && e.statusCode < 500) return { status: e.statusCode, body: { code: e.code ?? 'BAD_REQUEST', message: e.message ?? 'bad request', field: null } };
  return internal();
}

/** A server fault: the body says only that (paths and system messages go to the server's log). */
function internal(): { status: number; body: ErrorBody } {
  return { status: 500, body: { code: 'INTERNAL', message: 'the server failed to answer this request: its log (clipmill serve) says why', field: null } };
}

/** ENOSPC anywhere in the error or its causes (writeFileAtomic wraps it as IO with details.errno). */
function noSpace(err: unknown): boolean {
  for (let e = err as { code?: unknown; details?: { errno?: unknown }; cause?: unknown } | undefined, i = 0; e && i < 5; e = e.cause as typeof e, i++) {
    if (e.code === 'ENOSPC' || e.details?.errno === 'ENOSPC') return true;
  }
  return false;
}
