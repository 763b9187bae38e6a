/**
 * A one-line account of a failed list or watch that names the HTTP status
 * and the apiserver's reason, e.g. `403 Forbidden: deployments.apps is
 * forbidden: User "x" cannot list ...`, or the network error.
 */
export function describeKubeError(error: unknown): string {
  const e = error as {
    code?: number | string;
    statusCode?: number;
    body?: unknown;
    message?: string;
  };
  const status = statusOf(error);
  if (status) {
    const body = parseBody(e.body);
    const reason = body?.reason ?? httpReason(status);
    const detail = body?.message ?? (e.statusCode ? e.message : undefined);
    return `${status} ${reason}${
      detail && detail !== reason ? `: ${detail}` : ''
    }`;
  }
  // node-fetch says `request to <url> failed, reason: connect ECONNREFUSED ...`;
  // the URL differs per kind, the reason is what a person needs.
  const message = e?.message ?? String(error);
  return message.replace(/^request to \S+ failed, reason: /, '');
}

/** The HTTP status of a failed list (ApiException.code) or watch (statusCode). */
export function statusOf(error: unknown): number | undefined {
  const e = error as { code?: unknown; statusCode?: unknown } | undefined;
  if (typeof e?.statusCode === 'number') return e.statusCode;
  if (typeof e?.code === 'number') return e.code;
  return undefined;
}

function parseBody(
  body: unknown,
): { reason?: string; message?: string } | undefined {
  if (typeof body === 'string') {
    try {
      return JSON.parse(body);
    } catch {
      return body ? { message: body } : undefined;
    }
  }
  return body && typeof body === 'object'
    ? (body as { reason?: string; message?: string })
    : undefined;
}

const REASONS: Record<number, string> = {
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  410: 'Gone',
  500: 'InternalError',
  503: 'ServiceUnavailable',
};

function httpReason(status: number): string {
  return REASONS[status] ?? 'Error';
}
