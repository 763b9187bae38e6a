import { Config } from '@backstage/config';
import { MlflowAuth } from './types';

/** One MLflow server as configured under `mlPlatform.registries.mlflow`. */
export interface MlflowRegistryConfig {
  id: string;
  baseUrl: string;
  uiUrl: string;
  auth?: MlflowAuth;
  /** For the writes rollouts make (moving the serving alias); auth when missing. */
  writeAuth?: MlflowAuth;
  /** Registry webhooks, when the server sends them to this backend. */
  webhook?: MlflowWebhookConfig;
}

/** `mlPlatform.registries.mlflow[].webhook` */
export interface MlflowWebhookConfig {
  /** The HMAC key MLflow signs each delivery with. */
  secret: string;
  /** Where MLflow reaches this backend; when set, the webhook is registered in MLflow. */
  url?: string;
  /** The webhook's name in MLflow. */
  name: string;
}

// MLflow accepts any secret; a short one would make the signature guessable.
const MIN_SECRET_LENGTH = 16;

const KEY = 'mlPlatform.registries.mlflow';

function readUrl(config: Config, key: string, where: string): string {
  const value = config.getString(key);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`${where}.${key} must be an absolute URL, got '${value}'`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`${where}.${key} must be an http or https URL`);
  }
  if (url.username || url.password) {
    // Credentials in the URL would end up in logs and error messages.
    throw new Error(
      `${where}.${key} must not contain credentials; use ${where}.auth`,
    );
  }
  return value.replace(/\/+$/, '');
}

function readAuth(
  config: Config,
  where: string,
  key: 'auth' | 'writeAuth' = 'auth',
): MlflowAuth | undefined {
  const auth = config.getOptionalConfig(key);
  if (!auth) return undefined;
  const hasToken = auth.has('token');
  const hasBasic = auth.has('username') || auth.has('password');
  if (hasToken === hasBasic) {
    throw new Error(
      `${where}.${key} must have either username and password, or token`,
    );
  }
  if (hasToken) return { token: auth.getString('token') };
  return {
    username: auth.getString('username'),
    password: auth.getString('password'),
  };
}

function readWebhook(
  config: Config,
  id: string,
  where: string,
): MlflowWebhookConfig | undefined {
  const webhook = config.getOptionalConfig('webhook');
  if (!webhook) return undefined;
  const secret = webhook.getString('secret');
  if (secret.length < MIN_SECRET_LENGTH) {
    throw new Error(
      `${where}.webhook.secret must be at least ${MIN_SECRET_LENGTH} characters`,
    );
  }
  return {
    secret,
    url: webhook.has('url')
      ? readUrl(webhook, 'url', `${where}.webhook`)
      : undefined,
    name: webhook.getOptionalString('name') ?? `backstage-ml-platform-${id}`,
  };
}

/** Reads every configured MLflow server; none when the key is absent. */
export function readMlflowRegistryConfigs(
  config: Config,
): MlflowRegistryConfig[] {
  return (config.getOptionalConfigArray(KEY) ?? []).map((entry, i) => {
    const where = `${KEY}[${i}]`;
    const id = entry.getString('id');
    if (!/^[a-zA-Z0-9][a-zA-Z0-9._-]*$/.test(id)) {
      throw new Error(
        `${where}.id '${id}' must be letters, digits, '.', '_' or '-'`,
      );
    }
    const baseUrl = readUrl(entry, 'baseUrl', where);
    return {
      id,
      baseUrl,
      uiUrl: entry.has('uiUrl') ? readUrl(entry, 'uiUrl', where) : baseUrl,
      auth: readAuth(entry, where),
      writeAuth: readAuth(entry, where, 'writeAuth'),
      webhook: readWebhook(entry, id, where),
    };
  });
}
