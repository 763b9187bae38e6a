import {
  ConflictError,
  CustomErrorBase,
  NotFoundError,
} from '@backstage/errors';

/**
 * What the apiserver said when it refused a request: the HTTP status and the
 * fields of its `meta/v1` Status answer.
 * @public
 */
export interface KubeStatus {
  status: number;
  /** e.g. `NotFound`, `Conflict`, `Invalid`, `Forbidden`. */
  reason?: string;
  /** The apiserver's own sentence. */
  message?: string;
  /** Which object or kind the answer is about, e.g. `{ kind: 'namespaces', name: 'x' }`. */
  details?: { name?: string; group?: string; kind?: string };
}

const REASONS: Record<number, string> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  409: 'Conflict',
  410: 'Gone',
  415: 'UnsupportedMediaType',
  422: 'Invalid',
  429: 'TooManyRequests',
  500: 'InternalError',
  502: 'BadGateway',
  503: 'ServiceUnavailable',
  504: 'GatewayTimeout',
};

/** The Status fields of an error answer, which may also be text from a proxy. */
export function readKubeStatus(status: number, body: unknown): KubeStatus {
  let parsed: unknown = body;
  if (typeof body === 'string') {
    try {
      parsed = JSON.parse(body);
    } catch {
      parsed = body.trim() ? { message: body.trim() } : {};
    }
  }
  const s = (parsed && typeof parsed === 'object' ? parsed : {}) as {
    kind?: string;
    reason?: string;
    message?: string;
    details?: KubeStatus['details'];
  };
  return {
    status,
    reason: s.reason || REASONS[status],
    message: s.message,
    details: s.details,
  };
}

/** `404 NotFound: deployments.apps "x" not found`. */
function formatKubeStatus(s: KubeStatus): string {
  const reason = s.reason ?? 'Error';
  return `${s.status} ${reason}${
    s.message && s.message !== reason ? `: ${s.message}` : ''
  }`;
}

/**
 * The apiserver answered with an error status other than 404 and 409.
 * @public
 */
export class KubeApiError extends CustomErrorBase {
  readonly kubeStatus: KubeStatus;

  constructor(what: string, kubeStatus: KubeStatus) {
    super(`${what}: ${formatKubeStatus(kubeStatus)}`);
    this.kubeStatus = kubeStatus;
  }
}

/**
 * The apiserver answered 404: the object, its namespace or its kind is not
 * there (`kubeStatus.details.kind` tells which).
 * @public
 */
export class KubeNotFoundError extends NotFoundError {
  readonly kubeStatus: KubeStatus;

  constructor(message: string, kubeStatus: KubeStatus) {
    super(message);
    this.kubeStatus = kubeStatus;
  }
}

/**
 * The apiserver answered 409: the object changed since it was read, it
 * exists already, or a server-side apply would take fields of another
 * field manager.
 * @public
 */
export class KubeConflictError extends ConflictError {
  readonly kubeStatus: KubeStatus;

  constructor(message: string, kubeStatus: KubeStatus) {
    super(message);
    this.kubeStatus = kubeStatus;
  }
}

/**
 * No answer within the request's time. For a write, the change may or may
 * not have been applied.
 * @public
 */
export class KubeTimeoutError extends CustomErrorBase {
  /** Why, without what was asked: the same for every request to a stalled apiserver. */
  readonly reason: string;

  constructor(what: string, reason: string) {
    super(`${what}: ${reason}`);
    this.reason = reason;
  }
}

/**
 * The apiserver could not be reached: the connection was refused, reset or
 * never made (`code` is Node's, e.g. `ECONNREFUSED`).
 * @public
 */
export class KubeUnreachableError extends CustomErrorBase {
  readonly code?: string;
  /** Why, without what was asked: the same for every request to a cluster that is down. */
  readonly reason: string;

  constructor(what: string, reason: string, code?: string) {
    super(`${what}: ${reason}`);
    this.reason = reason;
    this.code = code;
  }
}

/**
 * The apiserver's answer behind an error of the Kubernetes client, a watch
 * or client-node's own API classes, or undefined when there was no answer.
 * @public
 */
export function kubeStatusOf(error: unknown): KubeStatus | undefined {
  const e = error as {
    kubeStatus?: KubeStatus;
    statusCode?: unknown;
    code?: unknown;
    body?: unknown;
  } | null;
  if (!e || typeof e !== 'object') return undefined;
  if (e.kubeStatus) return e.kubeStatus;
  // A watch that did not open (client-node's Watch) carries statusCode.
  if (typeof e.statusCode === 'number') {
    return readKubeStatus(e.statusCode, e.body);
  }
  // client-node's ApiException.
  if (typeof e.code === 'number') return readKubeStatus(e.code, e.body);
  return undefined;
}

/**
 * A one-line account of a failed request or watch, such as
 * `403 Forbidden: deployments.apps is forbidden: User "x" cannot list ...`,
 * or what kept the request from an answer.
 * @public
 */
export function describeKubeError(error: unknown): string {
  if (
    error instanceof KubeApiError ||
    error instanceof KubeNotFoundError ||
    error instanceof KubeConflictError
  ) {
    return formatKubeStatus(error.kubeStatus);
  }
  if (
    error instanceof KubeTimeoutError ||
    error instanceof KubeUnreachableError
  ) {
    return error.reason;
  }
  const status = kubeStatusOf(error);
  if (status) return formatKubeStatus(status);
  const message = (error as Error)?.message ?? String(error);
  // node-fetch says `request to <url> failed, reason: connect ECONNREFUSED ...`;
  // the URL differs per kind, the reason is what a person needs.
  return message.replace(/^request to \S+ failed, reason: /, '');
}
