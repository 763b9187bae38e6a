/** A minimal client for the bench MLflow server, as its admin. */
export function createMlflowClient(mlflow) {
  const base = mlflow.url.replace(/\/+$/, '');
  const auth = `Basic ${Buffer.from(
    `${mlflow.username}:${mlflow.password}`,
  ).toString('base64')}`;

  async function request(method, path, body, contentType = 'application/json') {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: {
        Authorization: auth,
        ...(body !== undefined && { 'Content-Type': contentType }),
      },
      body:
        body === undefined || typeof body === 'string'
          ? body
          : JSON.stringify(body),
    });
    const text = await res.text();
    const json = text.startsWith('{') ? JSON.parse(text) : undefined;
    if (!res.ok) {
      const error = new Error(
        `MLflow ${method} ${path}: ${res.status} ${text.slice(0, 300)}`,
      );
      error.code = json?.error_code;
      throw error;
    }
    return json;
  }

  return {
    get: path => request('GET', `/api/2.0/mlflow${path}`),
    post: (path, body) => request('POST', `/api/2.0/mlflow${path}`, body),
    /** Uploads one artifact through the server's artifact proxy. */
    putArtifact: (artifactPath, text) =>
      request(
        'PUT',
        `/api/2.0/mlflow-artifacts/artifacts/${artifactPath}`,
        text,
        'text/plain',
      ),
  };
}
