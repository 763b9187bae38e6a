import { AsyncLocalStorage } from 'node:async_hooks';
import {
  IsomorphicFetchHttpLibrary,
  ResponseContext,
  SelfDecodingBody,
  wrapHttpLibrary,
  type HttpLibrary,
  type RequestContext,
} from '@kubernetes/client-node';
import { KubeTimeoutError, KubeUnreachableError } from './kubeErrors';

/**
 * How long an apiserver request may take and how it is tried again.
 * @public
 */
export interface KubeRequestPolicy {
  /** Bound of one request, its retries and their pauses included. */
  timeoutMs: number;
  /** Attempts of one request, the first included. */
  attempts: number;
  /** Pause before the second attempt; doubles per attempt, with jitter. */
  backoffMs: number;
}

/** @public */
export const DEFAULT_KUBE_REQUEST_POLICY: KubeRequestPolicy = {
  timeoutMs: 10_000,
  attempts: 4,
  backoffMs: 250,
};

const MAX_BACKOFF_MS = 2_000;

/**
 * Statuses that mean "not now": the apiserver's priority and fairness sheds
 * load with 429 before it handles a request; 5xx come from an apiserver that
 * is starting or a proxy before it whose backend is away.
 */
const RETRIED_READ_STATUSES = new Set([429, 500, 502, 503, 504]);
/** A write is sent again only when the apiserver certainly did not handle it. */
const RETRIED_WRITE_STATUSES = new Set([429]);

/** Connection errors (Node's codes) after which a read may be sent again. */
const RETRIED_READ_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'ECONNABORTED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);
/** ...and a write: the request never left this process. */
const RETRIED_WRITE_CODES = new Set([
  'ECONNREFUSED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);

/**
 * Whether sending the request twice is the same as sending it once: reads,
 * and server-side apply, which sets the same fields to the same values.
 */
function isIdempotent(request: RequestContext): boolean {
  const method = request.getHttpMethod().toString();
  if (method === 'GET' || method === 'HEAD') return true;
  const contentType = Object.entries(request.getHeaders()).find(
    ([k]) => k.toLowerCase() === 'content-type',
  )?.[1];
  return method === 'PATCH' && contentType === 'application/apply-patch+yaml';
}

interface CallScope {
  policy: KubeRequestPolicy;
  /** Ends every request of the call when it fires, e.g. the caller's own deadline. */
  signal?: AbortSignal;
}

const callScope = new AsyncLocalStorage<CallScope>();

/**
 * Runs `call` with every apiserver request it sends under `policy`. The
 * scope follows the call through its promises, so the requests client-node's
 * own API classes build inside it are bounded as well.
 */
export function withRequestPolicy<T>(
  policy: KubeRequestPolicy,
  signal: AbortSignal | undefined,
  call: () => Promise<T>,
): Promise<T> {
  return callScope.run({ policy, signal }, call);
}

function errorCode(error: unknown): string | undefined {
  const e = error as { code?: unknown; errno?: unknown; cause?: unknown };
  if (typeof e?.code === 'string') return e.code;
  if (typeof e?.errno === 'string') return e.errno;
  if (e?.cause) return errorCode(e.cause);
  return undefined;
}

function retryAfterMs(response: ResponseContext): number | undefined {
  const value = response.headers['retry-after'];
  const seconds = value === undefined ? NaN : Number(value);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : undefined;
}

function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise(resolve => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}

function describeRequest(request: RequestContext): string {
  const url = new URL(request.getUrl());
  return `${request.getHttpMethod()} ${url.pathname}`;
}

/**
 * client-node's fetch with a bound on every request and retries decided by
 * status codes and Node's error codes, never by message text. An attempt
 * ends at the request's deadline, answer body included: an apiserver (or a
 * proxy before it) that accepts the connection and stalls, or trickles
 * bytes, fails the request at its bound.
 */
export function createBoundedHttpLibrary(
  defaultPolicy: KubeRequestPolicy = DEFAULT_KUBE_REQUEST_POLICY,
  inner: HttpLibrary = new IsomorphicFetchHttpLibrary(),
): HttpLibrary {
  async function send(request: RequestContext): Promise<ResponseContext> {
    const scope = callScope.getStore();
    const policy = scope?.policy ?? defaultPolicy;
    const callerSignal = scope?.signal;
    const deadline = Date.now() + policy.timeoutMs;
    const idempotent = isIdempotent(request);
    const retriedStatuses = idempotent
      ? RETRIED_READ_STATUSES
      : RETRIED_WRITE_STATUSES;
    const retriedCodes = idempotent ? RETRIED_READ_CODES : RETRIED_WRITE_CODES;

    const timedOut = () =>
      new KubeTimeoutError(
        describeRequest(request),
        `the apiserver did not answer within ${policy.timeoutMs / 1000} s`,
      );

    for (let attempt = 1; ; attempt++) {
      const left = deadline - Date.now();
      if (left <= 0) throw timedOut();
      const timer = AbortSignal.timeout(left);
      const signal = callerSignal
        ? AbortSignal.any([timer, callerSignal])
        : timer;
      request.setSignal(signal);
      const backoff = Math.min(
        MAX_BACKOFF_MS,
        policy.backoffMs * 2 ** (attempt - 1) * (0.8 + Math.random() * 0.4),
      );
      let response: ResponseContext;
      try {
        const answer = await inner.send(request).toPromise();
        // The whole answer within the bound, not only its headers.
        const body = await answer.body.binary();
        response = new ResponseContext(
          answer.httpStatusCode,
          answer.headers,
          new SelfDecodingBody(Promise.resolve(body)),
        );
      } catch (error) {
        if (callerSignal?.aborted) {
          throw new KubeTimeoutError(
            describeRequest(request),
            (callerSignal.reason as Error)?.message ?? 'aborted',
          );
        }
        if (timer.aborted) throw timedOut();
        const code = errorCode(error);
        const retry =
          code !== undefined &&
          retriedCodes.has(code) &&
          attempt < policy.attempts &&
          Date.now() + backoff < deadline;
        if (!retry) {
          throw new KubeUnreachableError(
            describeRequest(request),
            (error as Error)?.message?.replace(
              /^request to \S+ failed, reason: /,
              '',
            ) ?? String(error),
            code,
          );
        }
        await pause(backoff, signal);
        continue;
      }
      if (
        retriedStatuses.has(response.httpStatusCode) &&
        attempt < policy.attempts
      ) {
        const wait = Math.max(backoff, retryAfterMs(response) ?? 0);
        // A pause that would outlast the bound only delays the same answer.
        if (Date.now() + wait < deadline) {
          await pause(wait, signal);
          if (!signal.aborted) continue;
        }
      }
      return response;
    }
  }
  return wrapHttpLibrary({ send });
}
