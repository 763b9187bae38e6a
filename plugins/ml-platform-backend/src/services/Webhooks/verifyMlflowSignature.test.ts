import { createHmac } from 'node:crypto';
import { verifyMlflowSignature } from './verifyMlflowSignature';

// A delivery signed by MLflow 3.17.2's own code
// (mlflow.webhooks.delivery._generate_hmac_signature), byte for byte.
const SECRET = 'whsec-unit-test-secret';
const DELIVERY_ID = '3f1c9a52-0d7e-4a51-9b8e-2d4e8f6a1c07';
const SIGNED_AT = 1795950000;
const BODY = Buffer.from(
  '{"entity": "model_version", "action": "created", "timestamp": "2026-11-29T11:00:00+00:00", "data": {"name": "fraud-detector", "version": "7", "source": "models:/m-1", "run_id": "abc", "tags": {}, "description": "caf\\u00e9"}}',
);
const MLFLOW_SIGNATURE = 'v1,ek1j4YQZFQp3jtvq+MYc55yxZll9WqQCvzEc9XfrLHs=';

const delivery = {
  deliveryId: DELIVERY_ID,
  timestamp: String(SIGNED_AT),
  signature: MLFLOW_SIGNATURE,
  body: BODY,
};
const at = (nowSeconds: number, secret = SECRET) => ({
  secret,
  nowSeconds,
  toleranceSeconds: 300,
});

describe('verifyMlflowSignature', () => {
  it('accepts the signature MLflow computed', () => {
    expect(verifyMlflowSignature(delivery, at(SIGNED_AT + 10))).toEqual({
      deliveryId: DELIVERY_ID,
      timestamp: SIGNED_AT,
    });
  });

  it('accepts one signature of several, as sent while a secret rotates', () => {
    const other = createHmac('sha256', 'the-previous-secret!')
      .update(`${DELIVERY_ID}.${SIGNED_AT}.${BODY}`)
      .digest('base64');
    expect(() =>
      verifyMlflowSignature(
        { ...delivery, signature: `v1,${other} ${MLFLOW_SIGNATURE}` },
        at(SIGNED_AT),
      ),
    ).not.toThrow();
  });

  it.each([
    [
      'a tampered body',
      { body: Buffer.from(BODY.toString().replace('"7"', '"8"')) },
    ],
    ['another delivery id', { deliveryId: `${DELIVERY_ID}x` }],
    ['another timestamp', { timestamp: String(SIGNED_AT + 1) }],
    [
      'an unknown signature version',
      { signature: MLFLOW_SIGNATURE.replace('v1,', 'v2,') },
    ],
    ['a truncated signature', { signature: MLFLOW_SIGNATURE.slice(0, 20) }],
    ['a missing signature', { signature: undefined }],
  ])('refuses %s with a 401', (_, change) => {
    expect(() =>
      verifyMlflowSignature({ ...delivery, ...change }, at(SIGNED_AT)),
    ).toThrow(expect.objectContaining({ name: 'AuthenticationError' }));
  });

  it('refuses a delivery signed with another secret', () => {
    expect(() =>
      verifyMlflowSignature(delivery, at(SIGNED_AT, 'not-the-webhook-secret')),
    ).toThrow('The webhook signature does not match the configured secret');
  });

  it.each([
    ['too old', SIGNED_AT + 301],
    ['from the future', SIGNED_AT - 301],
  ])('refuses a validly signed delivery %s', (_, now) => {
    expect(() => verifyMlflowSignature(delivery, at(now))).toThrow(
      expect.objectContaining({
        name: 'AuthenticationError',
        message: expect.stringMatching(/more than 300 s from now/),
      }),
    );
  });

  it('accepts a delivery at the edge of the window', () => {
    expect(() =>
      verifyMlflowSignature(delivery, at(SIGNED_AT + 300)),
    ).not.toThrow();
  });

  it.each([
    ['no delivery id', { deliveryId: undefined }],
    ['no timestamp', { timestamp: undefined }],
    ['a timestamp that is not Unix seconds', { timestamp: '2026-11-29' }],
  ])('refuses %s with a 400', (_, change) => {
    expect(() =>
      verifyMlflowSignature({ ...delivery, ...change }, at(SIGNED_AT)),
    ).toThrow(expect.objectContaining({ name: 'InputError' }));
  });
});
