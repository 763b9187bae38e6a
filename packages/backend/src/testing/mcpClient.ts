/** A JSON-RPC answer of the MCP endpoint. */
export interface McpAnswer {
  /** The HTTP status; the JSON-RPC answer only comes with a 200. */
  status: number;
  result?: any;
  error?: { code: number; message: string };
}

/**
 * Sends one JSON-RPC request to the portal's MCP endpoint
 * (`/api/mcp-actions/v1`, streamable HTTP) as an MCP client does, with the
 * given Backstage token, and reads the answer from the JSON or the event
 * stream it comes in.
 */
export async function mcpRequest(
  baseUrl: string,
  token: string | undefined,
  method: string,
  params: Record<string, unknown> = {},
): Promise<McpAnswer> {
  const res = await fetch(`${baseUrl}/api/mcp-actions/v1`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      ...(token && { authorization: `Bearer ${token}` }),
    },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  });
  const text = await res.text();
  if (res.status !== 200) {
    return { status: res.status };
  }
  const messages = res.headers.get('content-type')?.includes('event-stream')
    ? text
        .split('\n')
        .filter(line => line.startsWith('data:'))
        .map(line => JSON.parse(line.slice('data:'.length)))
    : [JSON.parse(text)];
  const answer = messages.find(m => m.id === 1);
  if (!answer) {
    throw new Error(`No answer to ${method} from the MCP endpoint: ${text}`);
  }
  return { status: res.status, result: answer.result, error: answer.error };
}
